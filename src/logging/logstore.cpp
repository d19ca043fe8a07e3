#include "logging/logstore.h"

#include "logging/joblogger.h"

#include <QDir>

LogStore::LogStore(QString root, qint64 capBytes, const Clock *clock)
    : m_root(std::move(root)), m_cap(capBytes), m_clock(clock)
{
}

QString LogStore::jobDir(qint64 jobId) const
{
    return m_root + QLatin1Char('/') + QString::number(jobId);
}

QString LogStore::humanLogPath(qint64 jobId) const
{
    return jobDir(jobId) + QStringLiteral("/job.log");
}

std::shared_ptr<JobLogger> LogStore::logger(qint64 jobId)
{
    QMutexLocker lock(&m_mutex);
    if (auto existing = m_loggers.value(jobId).lock())
        return existing;
    auto created = std::make_shared<JobLogger>(jobDir(jobId), m_cap, m_clock);
    if (m_sharedCap > 0)
        created->mirrorLines(m_sharedCap);
    m_loggers.insert(jobId, created);
    // Drop dead entries now and then so the map does not grow with every job ever run.
    if (m_loggers.size() > 256) {
        for (auto it = m_loggers.begin(); it != m_loggers.end();)
            it = it->expired() ? m_loggers.erase(it) : std::next(it);
    }
    return created;
}

bool LogStore::removeLogs(qint64 jobId)
{
    {
        QMutexLocker lock(&m_mutex);
        m_loggers.remove(jobId);
    }
    QDir dir(jobDir(jobId));
    return !dir.exists() || dir.removeRecursively();
}
