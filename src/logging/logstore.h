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

private:
    QString m_root;
    qint64 m_cap;
    const Clock *m_clock;
    QMutex m_mutex;
    QHash<qint64, std::weak_ptr<JobLogger>> m_loggers;
};
