#include "progressdelegate.h"

#include "jobtablemodel.h"
#include "queue/job.h"
#include "queue/jobtypes.h"

#include <QApplication>
#include <QPainter>
#include <QPoint>
#include <QStyleOptionProgressBar>

QString ProgressDelegate::formatBytes(double bytes)
{
    return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeTraditionalFormat);
}

QString ProgressDelegate::formatDuration(qint64 seconds)
{
    if (seconds < 0)
        return QString();
    if (seconds >= 3600)
        return QStringLiteral("%1:%2:%3").arg(seconds / 3600).arg((seconds / 60) % 60, 2, 10, QLatin1Char('0')).arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QLatin1Char('0'));
}

QString ProgressDelegate::progressText(double percent, double speedBps, qint64 etaSeconds)
{
    QStringList parts;
    parts << QStringLiteral("%1%").arg(percent, 0, 'f', percent < 10 ? 1 : 0);
    if (speedBps > 0)
        parts << tr("%1/s").arg(formatBytes(speedBps));
    if (etaSeconds >= 0 && percent < 100)
        parts << tr("%1 left").arg(formatDuration(etaSeconds));
    return parts.join(QStringLiteral(" · "));
}

std::optional<ProgressDelegate::Bar> ProgressDelegate::barFor(const QModelIndex &index)
{
    const QVariant summary = index.data(JobTableModel::ChildSummaryRole);
    const auto status = static_cast<JobStatus>(index.data(JobTableModel::StatusRole).toInt());
    const JobProgress p = index.data(JobTableModel::ProgressRole).value<JobProgress>();
    const bool stopped = status == JobStatus::Dead || status == JobStatus::Cancelled;
    const bool hasVideos = summary.isValid() && summary.toPoint().y() > 0;
    Bar bar;
    bar.done = status == JobStatus::Completed;
    if (hasVideos) {
        const QPoint s = summary.toPoint();
        bar.permille = 1000 * s.x() / s.y();
        bar.text = tr("%1 / %2 videos").arg(s.x()).arg(s.y());
        bar.done = s.x() == s.y(); // green once every video is in, not when the listing is
    } else if (p.percent > 0 || (p.percent == 0 && !stopped)) {
        bar.permille = static_cast<int>(p.percent * 10);
        bar.text = status == JobStatus::Running ? progressText(p.percent, p.speedBps, p.etaSeconds)
                                                : QStringLiteral("%1%").arg(p.percent, 0, 'f', 0);
    } else if (status == JobStatus::Completed) {
        bar.permille = 1000;
        bar.text = QStringLiteral("100%");
    } else {
        return std::nullopt;
    }
    // A sync that found only videos already downloaded or queued: say so, not "100%". The whole
    // job is read only for such a row, not for every row painted.
    if (status == JobStatus::Completed && !hasVideos) {
        const Job job = index.data(JobTableModel::JobRole).value<Job>();
        const QJsonValue added = job.result.value(QStringLiteral("children_added"));
        if (JobTypes::listsVideos(job.type) && !added.isUndefined() && added.toInt() == 0) {
            bar.permille = 1000;
            bar.text = tr("No new videos");
        }
    }
    return bar;
}

void ProgressDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    const std::optional<Bar> shown = barFor(index);
    if (!shown) {
        QStyledItemDelegate::paint(painter, option, index);
        return;
    }
    QStyleOptionProgressBar bar;
    bar.rect = option.rect.adjusted(2, 3, -2, -3);
    bar.minimum = 0;
    bar.maximum = 1000;
    bar.progress = shown->permille;
    bar.text = shown->text;
    bar.textVisible = true;
    bar.state = option.state | QStyle::State_Horizontal;
    bar.palette = option.palette;
    const bool done = shown->done;
    if (option.state & QStyle::State_Selected)
        painter->fillRect(option.rect, option.palette.highlight());
    // A light chunk and our own text keep the label readable over both halves of the bar.
    const QString text = bar.text;
    bar.textVisible = false;
    bar.text.clear();
    bar.palette.setColor(QPalette::Highlight, done ? QColor(0xb7, 0xe4, 0xc7) : QColor(0xa8, 0xd1, 0xf7));
    QApplication::style()->drawControl(QStyle::CE_ProgressBar, &bar, painter);
    painter->save();
    painter->setPen(option.palette.color(QPalette::Text));
    painter->drawText(bar.rect, Qt::AlignCenter, text);
    painter->restore();
}
