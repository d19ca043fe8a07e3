#include "api/queueapi.h"

#include "api/jobjson.h"
#include "queue/dispatcher.h"
#include "queue/subscriptions.h"

#include <QJsonArray>
#include <QJsonObject>

namespace {
ApiReply unavailable()
{
    return ApiReply::error(503, QStringLiteral("unavailable"), QStringLiteral("this server does not run the queue"));
}

QJsonObject toJson(const Subscription &s)
{
    return QJsonObject{{QStringLiteral("id"), s.id},
                       {QStringLiteral("url"), s.url},
                       {QStringLiteral("type"), s.type},
                       {QStringLiteral("interval_hours"), static_cast<double>(s.intervalS) / 3600},
                       {QStringLiteral("next_check"), JobJson::time(s.nextRunAt)},
                       {QStringLiteral("last_job_id"), s.lastJobId > 0 ? QJsonValue(s.lastJobId) : QJsonValue()},
                       {QStringLiteral("options"), s.options}};
}
} // namespace

ApiReply QueueApi::state(std::optional<bool> hold)
{
    if (!m_dispatcher)
        return unavailable();
    if (hold && !m_dispatcher->setHeld(*hold))
        return ApiReply::error(500, QStringLiteral("storage"),
                               QStringLiteral("the queue is %1 now, but the database refused to keep it for the next start")
                                   .arg(*hold ? QStringLiteral("paused") : QStringLiteral("running")));
    const Dispatcher::Health health = m_dispatcher->health();
    const QJsonObject storage{{QStringLiteral("ok"), health.ok},
                              {QStringLiteral("error"), health.ok ? QJsonValue() : QJsonValue(health.error)},
                              {QStringLiteral("since"), health.ok ? QJsonValue() : JobJson::time(health.sinceMs)},
                              {QStringLiteral("pending_outcomes"), health.pendingOutcomes}};
    return ApiReply::json(QJsonObject{{QStringLiteral("held"), m_dispatcher->isHeld()},
                                      {QStringLiteral("running"), m_dispatcher->runningCount()},
                                      {QStringLiteral("storage"), storage}});
}

ApiReply QueueApi::subscriptions(const ApiRequest &)
{
    if (!m_subscriptions)
        return unavailable();
    QJsonArray out;
    for (const Subscription &s : m_subscriptions->list())
        out.append(toJson(s));
    return ApiReply::json(QJsonObject{{QStringLiteral("subscriptions"), out}});
}

ApiReply QueueApi::subscription(qint64 id) const
{
    const auto found = m_subscriptions->find(id);
    return found ? ApiReply::json(toJson(found.value())) : ApiReply::fromError(found.error());
}

ApiReply QueueApi::updateSubscription(const ApiRequest &request)
{
    if (!m_subscriptions)
        return unavailable();
    const QJsonObject body = request.body.toObject();
    if (!request.body.isObject() || body.size() != 1 || !body.value(QStringLiteral("interval_hours")).isDouble())
        return ApiReply::error(400, QStringLiteral("invalid_argument"),
                               QStringLiteral("the body must be {\"interval_hours\": N}"));
    const auto changed = m_subscriptions->setInterval(request.id, body.value(QStringLiteral("interval_hours")).toDouble());
    return changed ? subscription(request.id) : ApiReply::fromError(changed.error());
}

ApiReply QueueApi::syncSubscription(const ApiRequest &request)
{
    if (!m_subscriptions)
        return unavailable();
    const auto synced = m_subscriptions->syncNow(request.id);
    return synced ? subscription(request.id) : ApiReply::fromError(synced.error());
}

ApiReply QueueApi::removeSubscription(const ApiRequest &request)
{
    if (!m_subscriptions)
        return unavailable();
    const auto removed = m_subscriptions->unsubscribe(request.id);
    return removed ? ApiReply::json(QJsonObject{{QStringLiteral("id"), request.id}, {QStringLiteral("removed"), true}})
                   : ApiReply::fromError(removed.error());
}
