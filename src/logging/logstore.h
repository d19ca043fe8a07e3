#pragma once

#include <QHash>
#include <QMutex>
#include <QString>

#include <memory>

class Clock;
class JobLogger;

// Where job logs live (<data dir>/logs/jobs/<id>/) and the loggers of jobs in use.
class LogStore final
{
public:
    LogStore(QString root, qint64 capBytes, const Clock *clock);
    Q_DISABLE_COPY_MOVE(LogStore)

    QString root() const { return m_root; }
    QString jobDir(qint64 jobId) const;
    QString humanLogPath(qint64 jobId) const;
    // The same logger for as long as anyone holds it, so every writer shares one mutex and one cap.
    std::shared_ptr<JobLogger> logger(qint64 jobId);
    bool removeLogs(qint64 jobId);
    // On a shared queue every logger also keeps its job.log entries for the database (up to
    // `capBytes` per job), and a job's log is read from the database alone: the same text on
    // every host, whichever ran it. 0: the files hold the worker's lines (one machine).
    void setSharedLines(qint64 capBytes) { m_sharedCap = capBytes; }
    bool sharedLines() const { return m_sharedCap > 0; }

private:
    QString m_root;
    qint64 m_cap;
    qint64 m_sharedCap = 0;
    const Clock *m_clock;
    QMutex m_mutex;
    QHash<qint64, std::weak_ptr<JobLogger>> m_loggers;
};
