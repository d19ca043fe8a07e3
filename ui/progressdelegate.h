#pragma once

#include <QStyledItemDelegate>

#include <optional>

// Paints the progress column: a bar with percent, speed and time left for downloads, and
// "done / total" of the children for channels and playlists. Paint only, no widgets per row.
class ProgressDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProgressDelegate)
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

    // What the bar of a row shows; nothing for a job with no progress to show.
    struct Bar
    {
        int permille = 0;
        QString text;
        bool done = false; // green
    };
    static std::optional<Bar> barFor(const QModelIndex &index);

    static QString progressText(double percent, double speedBps, qint64 etaSeconds);
    static QString formatBytes(double bytes);
    static QString formatDuration(qint64 seconds);
};
