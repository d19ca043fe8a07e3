#include "queue/subscriptions.h"

#include "core/clock.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"

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
    connect(&m_clock, &Clock::jumped, this, &Subscriptions::runDue);
}

void Subscriptions::start()
{
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
    m_queue.store().saveSubscription(s, m_clock.nowMs());
    arm();
}

int Subscriptions::runDue()
{
    int added = 0;
    const qint64 now = m_clock.nowMs();
    for (const Subscription &s : m_queue.store().dueSubscriptions(now)) {
        NewJob job;
        job.type = s.type;
        job.url = s.url;
        job.options = s.options;
        job.priority = s.priority;
        auto result = m_queue.addJob(job); // a fresh job re-arms the subscription via jobAdded
        if (result && !result.value().existed) {
            ++added;
        } else {
            // The previous sync is still queued or running, or the job was refused: try next period.
            m_queue.store().rescheduleSubscription(s.id, now + s.intervalS * 1000);
        }
    }
    arm();
    return added;
}

void Subscriptions::arm()
{
    m_timer.stop();
    const auto next = m_queue.store().nextSubscriptionDue();
    if (!next)
        return;
    m_timer.start(static_cast<int>(qBound<qint64>(0, *next - m_clock.nowMs(), kMaxTimerMs)));
}
