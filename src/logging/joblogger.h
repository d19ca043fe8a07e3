#pragma once

#include <QFile>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <mutex>

class Clock;

// Writes one job's logs: job.log (human), events.jsonl (structured), stdout.log and stderr.log (raw
// process output). Thread-safe: the worker and the dispatcher both write. Files are created on
// first write; each is capped so a runaway process cannot fill the disk. On a shared queue the
// job.log entries are also kept for the database (mirrorLines), so any host can read them.
class JobLogger final
{
public:
    enum class Level { Debug, Info, Warning, Error };
    // A job.log entry waiting to be written to the shared queue's job_events.
    struct Line
    {
        qint64 at = 0;
        QString level;
        QString event;
        QString message;
        QJsonObject fields;
    };

    JobLogger(QString dir, qint64 capBytes, const Clock *clock);
    ~JobLogger();
    Q_DISABLE_COPY_MOVE(JobLogger)

    QString dir() const { return m_dir; }
    void info(const QString &message) { log(Level::Info, QString(), message); }
    void warning(const QString &message) { log(Level::Warning, QString(), message); }
    void error(const QString &message) { log(Level::Error, QString(), message); }
    // A line in job.log and, when `event` is set, a JSON object in events.jsonl.
    void log(Level level, const QString &event, const QString &message, const QJsonObject &fields = {});
    void appendStdout(const QByteArray &data);
    void appendStderr(const QByteArray &data);
    void flush();
    // Keep each entry from now on for the database too, up to `capBytes` of job.log's text per job
    // (then one line says where the rest is).
    void mirrorLines(qint64 capBytes);
    // The entries kept since the last take, oldest first.
    QList<Line> takeLines();
    // Entries a refused write took, back in front of the newer ones.
    void giveBack(QList<Line> lines);

    static QString levelName(Level level);
    // A job.log entry as written: "<time> <LEVEL>   <message>", continuation lines indented, with
    // its newline. `time` is ISO 8601 UTC with milliseconds; `level` a levelName().
    static QByteArray humanLine(const QString &time, const QString &level, QString message);

private:
    struct CappedFile
    {
        QFile file;
        qint64 size = -1; // -1: not opened yet
        bool capped = false;
    };
    void write(CappedFile &target, const QString &name, const QByteArray &data);

    QString m_dir;
    qint64 m_cap;
    const Clock *m_clock;
    std::mutex m_mutex;
    CappedFile m_human, m_events, m_stdout, m_stderr;
    qint64 m_mirrorCap = 0; // 0: not mirrored
    qint64 m_mirrored = 0;
    bool m_mirrorCapped = false;
    QList<Line> m_lines;
};
