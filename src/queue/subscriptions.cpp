#include "queue/subscriptions.h"

#include "core/clock.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"

#include <QCoreApplication>

namespace {
constexpr qint64 kHourMs = 3'600'000;
constexpr qint64 kMaxTimerMs = 24LL * kHourMs;
const QString kOption = QStringLiteral("subscribe_hours");
} // namespace

Subscriptions::Subscriptions(JobQueue &queue, Clock &clock, QObject *parent)
    : QObject(parent), m_queue(queue), m_clock(clock)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &Subscriptions::runDue);
    connect(&m_queue, &JobQueue::jobAdded, this, &Subscriptions::handleJobAdded);
    connect(&m_queue, &JobQueue::jobAskedAgain, this, [this](const Job &existing, const NewJob &request) {
        if (m_adding || !request.options.contains(kOption))
            return; // its own syncs finding the last one still queued are not a new request
        Job asked = existing; // the queued job, with the interval it was asked for now
        asked.options.insert(kOption, request.options.value(kOption));
        handleJobAdded(asked);
    });
    connect(&m_clock, &Clock::jumped, this, &Subscriptions::runDue);
    // What another host of a shared queue changed: shown, and the next due time armed again.
    // (A host that does not keep subscriptions, started --worker-only, never arms.)
    const auto elsewhere = [this] {
        if (m_started)
            arm();
        Q_EMIT changed();
    };
    connect(&m_queue, &JobQueue::sharedSubscriptionsChanged, this, elsewhere);
    connect(&m_queue, &JobQueue::resynced, this, elsewhere);
}

void Subscriptions::start()
{
    m_started = true;
    runDue();
}

void Subscriptions::handleJobAdded(const Job &job)
{
    const double hours = job.options.value(kOption).toDouble();
    if (hours <= 0 || !JobTypes::listsVideos(job.type))
        return;
    Subscription s;
    s.url = job.url;
    s.type = job.type;
    s.intervalS = static_cast<qint64>(hours * 3600);
    s.options = job.options;
    s.priority = job.priority;
    s.nextRunAt = m_clock.nowMs() + static_cast<qint64>(hours * kHourMs);
    s.lastJobId = job.id;
    m_queue.store().subscriptions().save(s, m_clock.nowMs());
    arm();
    Q_EMIT changed();
}

NewJob Subscriptions::syncJob(const Subscription &s)
{
    NewJob job;
    job.type = s.type;
    job.url = s.url;
    job.options = s.options;
    job.priority = s.priority;
    return job;
}

int Subscriptions::runDue()
{
    int added = 0;
    int rescheduled = 0;
    const qint64 now = m_clock.nowMs();
    for (const Subscription &s : m_queue.store().subscriptions().due(now)) {
        m_adding = true;
        auto result = m_queue.addJob(syncJob(s)); // a fresh job re-arms the subscription via jobAdded
        m_adding = false;
        if (result && !result.value().existed) {
            ++added;
        } else {
            // The previous sync is still queued or running, or the job was refused: try next period.
            m_queue.store().subscriptions().reschedule(s.id, now + s.intervalS * 1000);
            ++rescheduled;
        }
    }
    arm();
    if (added > 0 || rescheduled > 0)
        Q_EMIT changed();
    return added;
}

QList<Subscription> Subscriptions::list() const
{
    return m_queue.store().subscriptions().all();
}

namespace {
Error noSuchSubscription(qint64 id)
{
    return makeError(ErrorCode::NotFound, QCoreApplication::translate("JobQueue", "subscription %1 does not exist").arg(id));
}
} // namespace

Expected<Subscription> Subscriptions::find(qint64 id) const
{
    const std::optional<Subscription> s = m_queue.store().subscriptions().find(id);
    if (!s)
        return noSuchSubscription(id);
    return *s;
}

Expected<bool> Subscriptions::unsubscribe(qint64 id)
{
    if (!m_queue.store().subscriptions().remove(id))
        return noSuchSubscription(id);
    arm();
    Q_EMIT changed();
    return true;
}

Expected<bool> Subscriptions::syncNow(qint64 id)
{
    const auto s = find(id);
    if (!s)
        return s.error();
    m_adding = true;
    auto added = m_queue.addJob(syncJob(s.value())); // a fresh job re-arms the subscription via jobAdded
    m_adding = false;
    if (!added)
        return added.error();
    if (added.value().existed)
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "a sync of %1 is already queued or running (job %2)")
                                                  .arg(s->url).arg(added.value().job.id));
    return true;
}

Expected<bool> Subscriptions::setInterval(qint64 id, double hours)
{
    if (!(hours >= 1.0 / 60 && hours <= 24 * 365))
        return makeError(ErrorCode::InvalidArgument,
                         QCoreApplication::translate("JobQueue", "the interval must be between one minute and a year"));
    auto s = find(id);
    if (!s)
        return s.error();
    // The next sync moves with the interval, counted from the last one, never into the past.
    const qint64 intervalS = static_cast<qint64>(hours * 3600);
    Subscription &edited = s.value();
    edited.nextRunAt = qMax(m_clock.nowMs(), edited.nextRunAt + (intervalS - edited.intervalS) * 1000);
    edited.intervalS = intervalS;
    edited.options.insert(kOption, hours); // the syncs it enqueues carry it on
    if (!m_queue.store().subscriptions().save(edited, m_clock.nowMs()))
        return makeError(ErrorCode::Storage, m_queue.store().database().lastError());
    arm();
    Q_EMIT changed();
    return true;
}

void Subscriptions::arm()
{
    m_timer.stop();
    const auto next = m_queue.store().subscriptions().nextDue();
    if (!next)
        return;
    m_timer.start(static_cast<int>(qBound<qint64>(0, *next - m_clock.nowMs(), kMaxTimerMs)));
}
