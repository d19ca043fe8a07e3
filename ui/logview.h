#pragma once

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;

// Live view of one job's log: tails job.log by byte offset as it grows, follows the end unless the
// user scrolled up, filters by level, searches. Appends in batches into a bounded document, so a
// 200,000-line log stays smooth: only its tail is loaded, never the whole file at once.
class LogView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LogView)
public:
    explicit LogView(QWidget *parent = nullptr);

    // Shows the log at `path` (empty: nothing).
    void setLogFile(const QString &path);
    QString logFile() const { return m_path; }
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
    QString m_path;
    qint64 m_offset = 0;
    QString m_minimumLevel;
};
