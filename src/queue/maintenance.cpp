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
    const int days = m_queue.settings().retentionDays;
    if (days <= 0)
        return 0; // 0 keeps everything
    const qint64 cutoff = m_clock.nowMs() - days * kDayMs;
    int total = 0;
    // Small batches keep each write transaction short, so workers and the UI never wait long.
    for (;;) {
        auto ids = m_queue.store().pruneFinished(cutoff);
        if (!ids || ids.value().isEmpty())
            break;
        m_queue.forgetPruned(ids.value());
        total += static_cast<int>(ids.value().size());
    }
    m_queue.store().checkpoint();
    if (total > 0)
        Q_EMIT pruned(total);
    return total;
}
