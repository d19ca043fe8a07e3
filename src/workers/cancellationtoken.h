#pragma once

#include <QList>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>

// Why a running job was asked to stop.
enum class StopReason {
    None,
    Cancelled,    // the user cancelled it
    Paused,       // the user paused it; it resumes later
    Shutdown,     // Spool is quitting; the job goes back to pending
    Stalled,      // the watchdog saw no progress
    TimedOut,     // it ran longer than its type allows
    LeaseExpired, // no heartbeat at all
    Superseded,   // the job was taken from this worker (its claim was rescued and handed on)
};

QString stopReasonName(StopReason reason);

// Cooperative cancellation shared between the dispatcher and one worker. Cancelling also signals
// the process groups the worker registered, so a blocked child process stops at once.
class CancellationToken final
{
public:
    CancellationToken() = default;
    Q_DISABLE_COPY_MOVE(CancellationToken)

    // The first reason wins; later calls only re-signal the processes.
    void cancel(StopReason reason);
    bool isCancelled() const { return m_reason.load() != StopReason::None; }
    StopReason reason() const { return m_reason.load(); }
    // Sleeps up to `ms`, waking early on cancel. Returns true if cancelled.
    bool waitFor(qint64 ms);

    void attachProcessGroup(qint64 pgid);
    void detachProcessGroup(qint64 pgid);

private:
    std::atomic<StopReason> m_reason{StopReason::None};
    std::mutex m_mutex;
    std::condition_variable m_wake;
    QList<qint64> m_groups;
};
