#pragma once

#include "queue/job.h"

#include <mutex>

class Clock;

// Thread-safe mailbox between a worker and the dispatcher. The worker writes as often as it likes;
// the dispatcher collects the latest state on its own timer, which coalesces any flood of updates.
class ProgressReporter final
{
public:
    explicit ProgressReporter(const Clock *clock);
    Q_DISABLE_COPY_MOVE(ProgressReporter)

    // New progress; also a heartbeat. Moving bytes, percent or items forward also resets the stall timer.
    void report(const JobProgress &progress);
    // "Still alive" without progress: extends the lease but not the stall timer.
    void heartbeat();
    void setTitle(const QString &title);

    struct Snapshot
    {
        JobProgress progress;
        bool changed = false;      // since the last take()
        QString title;             // non-empty when newly set
        qint64 lastHeartbeatMs = 0; // on the clock's monotonic time
        qint64 lastAdvanceMs = 0;
    };
    Snapshot take();
    // The same without clearing the change flags (for the watchdog).
    Snapshot peek() const;
    JobProgress current() const;

private:
    const Clock *m_clock;
    mutable std::mutex m_mutex;
    JobProgress m_progress;
    bool m_changed = false;
    QString m_title;
    qint64 m_lastHeartbeatMs;
    qint64 m_lastAdvanceMs;
};
