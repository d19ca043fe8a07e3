#include "workers/progressreporter.h"

#include "core/clock.h"

ProgressReporter::ProgressReporter(const Clock *clock)
    : m_clock(clock), m_lastHeartbeatMs(clock->monotonicMs()), m_lastAdvanceMs(m_lastHeartbeatMs)
{
}

void ProgressReporter::report(const JobProgress &progress)
{
    const qint64 now = m_clock->monotonicMs();
    std::lock_guard lock(m_mutex);
    if (progress.advancedFrom(m_progress))
        m_lastAdvanceMs = now;
    m_lastHeartbeatMs = now;
    if (progress != m_progress) {
        m_progress = progress;
        m_changed = true;
    }
}

void ProgressReporter::heartbeat()
{
    const qint64 now = m_clock->monotonicMs();
    std::lock_guard lock(m_mutex);
    m_lastHeartbeatMs = now;
}

void ProgressReporter::setTitle(const QString &title)
{
    std::lock_guard lock(m_mutex);
    m_title = title;
}

ProgressReporter::Snapshot ProgressReporter::take()
{
    std::lock_guard lock(m_mutex);
    Snapshot s{m_progress, m_changed, m_title, m_lastHeartbeatMs, m_lastAdvanceMs};
    m_changed = false;
    m_title.clear();
    return s;
}

JobProgress ProgressReporter::current() const
{
    std::lock_guard lock(m_mutex);
    return m_progress;
}

ProgressReporter::Snapshot ProgressReporter::peek() const
{
    std::lock_guard lock(m_mutex);
    return Snapshot{m_progress, m_changed, m_title, m_lastHeartbeatMs, m_lastAdvanceMs};
}
