#include "workers/cancellationtoken.h"

#include <csignal>
#include <sys/types.h>

QString stopReasonName(StopReason reason)
{
    switch (reason) {
    case StopReason::None: return QStringLiteral("none");
    case StopReason::Cancelled: return QStringLiteral("cancelled");
    case StopReason::Paused: return QStringLiteral("paused");
    case StopReason::Shutdown: return QStringLiteral("shutdown");
    case StopReason::Stalled: return QStringLiteral("stalled");
    case StopReason::TimedOut: return QStringLiteral("timeout");
    case StopReason::LeaseExpired: return QStringLiteral("lease_expired");
    case StopReason::Superseded: return QStringLiteral("superseded");
    }
    return QString();
}

void CancellationToken::cancel(StopReason reason)
{
    StopReason expected = StopReason::None;
    m_reason.compare_exchange_strong(expected, reason);
    std::lock_guard lock(m_mutex);
    // SIGTERM lets yt-dlp keep its .part file; the process driver escalates to SIGKILL if needed.
    for (qint64 group : std::as_const(m_groups))
        ::kill(static_cast<pid_t>(-group), SIGTERM);
    m_wake.notify_all();
}

bool CancellationToken::waitFor(qint64 ms)
{
    std::unique_lock lock(m_mutex);
    m_wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return isCancelled(); });
    return isCancelled();
}

void CancellationToken::attachProcessGroup(qint64 pgid)
{
    std::lock_guard lock(m_mutex);
    m_groups.append(pgid);
    if (isCancelled())
        ::kill(static_cast<pid_t>(-pgid), SIGTERM);
}

void CancellationToken::detachProcessGroup(qint64 pgid)
{
    std::lock_guard lock(m_mutex);
    m_groups.removeAll(pgid);
}
