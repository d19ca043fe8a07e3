#include "queue/maintenance.h"

#include "core/clock.h"
#include "queue/jobqueue.h"

namespace {
constexpr qint64 kDayMs = 24LL * 3600 * 1000;
}

Maintenance::Maintenance(JobQueue &queue, Clock &clock, QObject *parent)
    : QObject(parent), m_queue(queue), m_clock(clock)
{
    m_timer.setInterval(static_cast<int>(m_queue.settings().maintenanceIntervalMs));
    connect(&m_timer, &QTimer::timeout, this, &Maintenance::runOnce);
}

void Maintenance::start()
{
    runOnce();
    m_timer.start();
}

int Maintenance::runOnce()
{
    // Counts other sessions left in their counter slots (PostgreSQL) go back into one row each.
    if (auto folded = m_queue.store().jobs().foldCounterSlots(); !folded)
        qWarning("Spool: %s", qPrintable(folded.error().message));
    // A host's ended pause is remembered for the clean period, so a new strike soon after escalates.
    m_queue.store().cooldowns().purgeEnded(m_clock.nowMs(), m_queue.settings().throttle.cleanPeriodMs);
    const int days = m_queue.settings().retentionDays;
    if (days <= 0)
        return 0; // 0 keeps everything
    const qint64 cutoff = m_clock.nowMs() - days * kDayMs;
    int total = 0;
    // Small batches keep each write transaction short, so workers and the UI never wait long.
    JobStore::PruneCursor cursor;
    for (bool more = true; more;) {
        auto step = m_queue.store().jobs().pruneFinished(cutoff, cursor);
        if (!step)
            break;
        m_queue.forgetPruned(step.value().removed);
        total += static_cast<int>(step.value().removed.size());
        cursor = step.value().next;
        more = step.value().more;
    }
    m_queue.store().database().checkpoint();
    if (total > 0)
        Q_EMIT pruned(total);
    return total;
}
