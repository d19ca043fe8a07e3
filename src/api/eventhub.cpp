#include "api/eventhub.h"

#include "api/jobjson.h"
#include "logging/logstore.h"
#include "queue/jobqueue.h"

#include <QDateTime>
#include <QJsonDocument>

EventHub::EventHub(JobQueue &queue, const LogStore &logs, Options options, QObject *parent)
    : QObject(parent), m_queue(queue), m_logs(logs), m_options(options)
{
    // Ids continue across restarts (they start at the start time in µs), so an id a client kept from
    // an earlier run is recognisably older than this run's first event and answered with a reset.
    m_firstId = QDateTime::currentMSecsSinceEpoch() * 1000;
    m_nextId = m_firstId;
    m_progressTimer.setInterval(m_options.progressIntervalMs);
    m_progressTimer.setSingleShot(true);
    connect(&m_progressTimer, &QTimer::timeout, this, &EventHub::flushProgress);
    connect(&queue, &JobQueue::jobAdded, this, &EventHub::handleAdded);
    connect(&queue, &JobQueue::jobChanged, this, &EventHub::handleChanged);
    connect(&queue, &JobQueue::jobRemoved, this, &EventHub::handleRemoved);
    connect(&queue, &JobQueue::jobProgress, this, &EventHub::handleProgress);
    connect(&queue, &JobQueue::hostCooledDown, this, &EventHub::handleCooledDown);
    connect(&queue, &JobQueue::hostCooldownsChanged, this, &EventHub::handleCooldownsChanged);
}

void EventHub::queueHeld(bool held)
{
    publish("queue.changed", QJsonObject{{QStringLiteral("held"), held}});
}

std::optional<QList<EventHub::Event>> EventHub::since(qint64 lastEventId) const
{
    if (lastEventId > lastId() || lastEventId < m_firstId - 1)
        return std::nullopt;
    const qint64 oldest = m_buffer.empty() ? m_nextId : m_buffer.front().id;
    if (lastEventId + 1 < oldest)
        return std::nullopt;
    QList<Event> missed;
    for (auto it = m_buffer.cbegin() + (lastEventId + 1 - oldest); it != m_buffer.cend(); ++it)
        missed << *it;
    return missed;
}

QByteArray EventHub::frame(qint64 id, const QByteArray &name, const QJsonObject &data)
{
    return "id: " + QByteArray::number(id) + "\nevent: " + name +
           "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
}

void EventHub::handleAdded(const Job &job)
{
    publish("job.added", JobJson::fromJob(job, m_logs.jobDir(job.id)));
}

void EventHub::handleChanged(const Job &job)
{
    // The job itself carries its latest saved progress; an older pending report would only confuse.
    m_pendingProgress.remove(job.id);
    publish("job.changed", JobJson::fromJob(job, m_logs.jobDir(job.id)));
}

void EventHub::handleRemoved(qint64 id)
{
    m_pendingProgress.remove(id);
    publish("job.removed", QJsonObject{{QStringLiteral("id"), id}});
}

void EventHub::handleProgress(qint64 id, const JobProgress &progress)
{
    m_pendingProgress.insert(id, progress);
    if (!m_progressTimer.isActive())
        m_progressTimer.start();
}

void EventHub::handleCooledDown(const HostCooldown &cooldown)
{
    publish("host.paused", JobJson::fromCooldown(cooldown));
}

void EventHub::handleCooldownsChanged()
{
    // With the hosts pausing now, so a client need not ask again.
    publish("hosts.changed",
            QJsonObject{{QStringLiteral("paused"), JobJson::fromCooldowns(m_queue.hostCooldowns())}});
}

void EventHub::flushProgress()
{
    const QHash<qint64, JobProgress> pending = std::exchange(m_pendingProgress, {});
    QList<qint64> ids = pending.keys();
    std::sort(ids.begin(), ids.end());
    for (qint64 id : ids) {
        publish("job.progress", QJsonObject{{QStringLiteral("id"), id},
                                            {QStringLiteral("progress"), pending.value(id).toJson()}});
    }
}

void EventHub::publish(const QByteArray &name, const QJsonObject &data)
{
    Event event{m_nextId++, {}};
    event.frame = frame(event.id, name, data);
    m_buffer.push_back(event);
    while (m_buffer.size() > static_cast<size_t>(qMax(1, m_options.capacity)))
        m_buffer.pop_front();
    Q_EMIT eventPublished(event);
}
