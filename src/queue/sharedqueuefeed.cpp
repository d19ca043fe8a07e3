#include "queue/sharedqueuefeed.h"

#include "queue/jobqueue.h"
#include "store/store.h"

namespace {
// Changes told together (one read off the socket: a claim of 50 jobs elsewhere) are read back
// together, in the next pass of the event loop: no wait on top of the notification itself.
constexpr int kCoalesceMs = 0;
// Never more than this many ids in memory; past it the oldest changes are read at once.
constexpr qsizetype kMaxPending = 5000;
}

SharedQueueFeed::SharedQueueFeed(JobQueue &queue, QObject *parent) : QObject(parent), m_queue(queue)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kCoalesceMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &SharedQueueFeed::flush);
}

bool SharedQueueFeed::start()
{
    Database &db = m_queue.store().database();
    db.onReconnected(this, [this] {
        // Whatever was told while the connection was down is lost: everything is read again.
        m_added.clear();
        m_changed.clear();
        m_removed.clear();
        m_state = false;
        m_subscriptions = false;
        m_queue.announceResync();
    });
    return db.listen(this, [this](const QString &change) { handleChange(change); });
}

void SharedQueueFeed::handleChange(const QString &change)
{
    // "i 12", "u 12", "d 12", "s" (the queue's state) or "b" (subscriptions); anything else is
    // not ours and is ignored.
    if (change == QLatin1String("s")) {
        m_state = true;
    } else if (change == QLatin1String("b")) {
        m_subscriptions = true;
    } else {
        const QStringView view(change);
        bool ok = false;
        const qint64 id = view.size() > 2 ? view.mid(2).toLongLong(&ok) : 0;
        if (!ok || id <= 0 || view.at(1) != u' ')
            return;
        switch (view.at(0).unicode()) {
        case 'i':
            m_added.insert(id);
            break;
        case 'u':
            if (!m_added.contains(id))
                m_changed.insert(id);
            break;
        case 'd':
            m_added.remove(id);
            m_changed.remove(id);
            m_removed.insert(id);
            break;
        default:
            return;
        }
    }
    if (m_added.size() + m_changed.size() + m_removed.size() >= kMaxPending)
        flush();
    else if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void SharedQueueFeed::flush()
{
    m_flushTimer.stop();
    const QList<qint64> added = std::exchange(m_added, {}).values();
    const QList<qint64> changed = std::exchange(m_changed, {}).values();
    const QList<qint64> removed = std::exchange(m_removed, {}).values();
    JobStore &jobs = m_queue.store().jobs();
    if (!m_addedRowsWanted && !added.isEmpty())
        m_queue.announceSharedWork();
    // A row gone by now was removed after the change was told: its delete notification follows.
    m_queue.announceShared(m_addedRowsWanted ? jobs.jobs(added) : QList<Job>(), jobs.jobs(changed), removed);
    if (std::exchange(m_state, false))
        m_queue.announceSharedState();
    if (std::exchange(m_subscriptions, false))
        m_queue.announceSharedSubscriptions();
}
