#pragma once

#include "logging/logtail.h"

#include <QTimer>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

// Live view of one job's log: tails it by byte offset as it grows, follows the end unless the
// user scrolled up, filters by level, searches. Appends in batches into a bounded document, so a
// 200,000-line log stays smooth: only its tail is loaded, never the whole file at once.
class LogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)
public:
    explicit LogView(QWidget *parent = nullptr);

    // Where a log comes from: whole lines from a byte offset, and its length.
    struct Source
    {
        QString name; // tells sources apart: showing the same name again keeps the view
        std::function<LogTail::Chunk(qint64 offset, qint64 maxBytes)> read;
        std::function<qint64()> size;
    };
    // Shows that log (an empty name: nothing).
    void setSource(Source source);
    // A log file.
    void setLogFile(const QString &path);
    QString sourceName() const { return m_source.name; }
    // Reads what was appended since the last read; normally on a timer.
    void poll();
    QPlainTextEdit *text() const { return m_text; }
    int maximumLines() const;
    bool isFollowing() const;
    void setLevelFilter(const QString &level); // "", "info", "warning", "error"
    bool findNext(const QString &needle);

private:
    void reload();
    void append(const QByteArray &data);
    bool passes(const QByteArray &line) const;

    QPlainTextEdit *m_text;
    QComboBox *m_level;
    QLineEdit *m_search;
    QLabel *m_note;
    QTimer m_timer;
    Source m_source;
    qint64 m_offset = 0;
    QString m_minimumLevel;
};
