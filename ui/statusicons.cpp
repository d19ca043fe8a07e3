#include "statusicons.h"

#include <QHash>
#include <QPainter>
#include <QPixmap>

namespace StatusIcons {
QColor color(JobStatus status)
{
    switch (status) {
    case JobStatus::Pending: return QColor(0x8a, 0x8f, 0x98);
    case JobStatus::Running: return QColor(0x1e, 0x88, 0xe5);
    case JobStatus::Retrying: return QColor(0xf5, 0x9e, 0x0b);
    case JobStatus::Paused: return QColor(0x7c, 0x3a, 0xed);
    case JobStatus::Completed: return QColor(0x16, 0xa3, 0x4a);
    case JobStatus::Dead: return QColor(0xdc, 0x26, 0x26);
    case JobStatus::Cancelled: return QColor(0x6b, 0x72, 0x80);
    }
    return Qt::gray;
}

QIcon icon(JobStatus status)
{
    static QHash<int, QIcon> cache;
    const int key = static_cast<int>(status);
    if (auto it = cache.constFind(key); it != cache.cend())
        return *it;
    QPixmap pixmap(32, 32);
    pixmap.fill(Qt::transparent);
    QPainter p(&pixmap);
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(Qt::NoPen);
    p.setBrush(color(status));
    p.drawEllipse(QRectF(6, 6, 20, 20));
    p.end();
    return *cache.insert(key, QIcon(pixmap));
}
} // namespace StatusIcons
