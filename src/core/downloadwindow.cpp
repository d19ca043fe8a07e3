#include "core/downloadwindow.h"

#include <QDateTime>
#include <QStringList>

std::optional<DownloadWindow> DownloadWindow::parse(const QString &text)
{
    DownloadWindow window;
    if (text.trimmed().isEmpty())
        return window;
    const QStringList parts = text.trimmed().split(QLatin1Char('-'));
    if (parts.size() != 2)
        return std::nullopt;
    window.m_start = QTime::fromString(parts[0].trimmed(), QStringLiteral("H:mm"));
    window.m_end = QTime::fromString(parts[1].trimmed(), QStringLiteral("H:mm"));
    if (!window.m_start.isValid() || !window.m_end.isValid() || window.m_start == window.m_end)
        return std::nullopt;
    return window;
}

qint64 DownloadWindow::opensAt(qint64 nowMs) const
{
    if (isAlwaysOpen())
        return 0;
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::LocalTime);
    const QTime t = now.time();
    const bool inside = m_start < m_end ? (t >= m_start && t < m_end) : (t >= m_start || t < m_end);
    if (inside)
        return 0;
    QDateTime opening(now.date(), m_start, Qt::LocalTime);
    if (opening <= now)
        opening = opening.addDays(1);
    return opening.toMSecsSinceEpoch();
}

QString DownloadWindow::toString() const
{
    if (isAlwaysOpen())
        return QString();
    return m_start.toString(QStringLiteral("HH:mm")) + QLatin1Char('-') + m_end.toString(QStringLiteral("HH:mm"));
}
