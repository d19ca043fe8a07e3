#include "api/hostsapi.h"

#include "api/jobjson.h"
#include "queue/jobqueue.h"

#include <QJsonArray>

#include <algorithm>

namespace {
double seconds(qint64 ms)
{
    return static_cast<double>(ms) / 1000;
}

QJsonObject toJson(const HostRule &rule)
{
    return QJsonObject{{QStringLiteral("host"), rule.host},
                       {QStringLiteral("max_downloads"), rule.maxDownloads},
                       {QStringLiteral("pause_min_s"), rule.pauseMinS},
                       {QStringLiteral("pause_max_s"), rule.pauseMaxS},
                       {QStringLiteral("sleep_requests_s"), rule.sleepRequestsS}};
}
} // namespace

bool HostsApi::isHostName(const QString &host)
{
    if (host.isEmpty() || host.size() > kMaxHostLength)
        return false;
    return std::all_of(host.cbegin(), host.cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9') || c == u'.' || c == u'-';
    });
}

QJsonObject HostsApi::throttle() const
{
    const ThrottleSettings &t = m_queue.settings().throttle;
    QJsonArray rules;
    for (const HostRule &rule : t.rules)
        rules << toJson(rule);
    QJsonArray steps;
    for (qint64 ms : t.cooldownStepsMs)
        steps << seconds(ms);
    return QJsonObject{{QStringLiteral("enabled"), t.enabled},
                       {QStringLiteral("rules"), rules},
                       {QStringLiteral("cooldown_steps_s"), steps},
                       {QStringLiteral("clean_period_s"), seconds(t.cleanPeriodMs)}};
}

QJsonObject HostsApi::hosts() const
{
    return QJsonObject{{QStringLiteral("paused"), JobJson::fromCooldowns(m_queue.hostCooldowns())},
                       {QStringLiteral("throttle"), throttle()}};
}

ApiReply HostsApi::list(const ApiRequest &)
{
    return ApiReply::json(hosts());
}

ApiReply HostsApi::resume(const ApiRequest &request)
{
    if (!isHostName(request.host))
        return ApiReply::error(400, QStringLiteral("invalid_argument"),
                               tr("the host must be 1 to %1 lowercase letters, digits, dots or dashes, "
                                  "such as www.youtube.com")
                                   .arg(kMaxHostLength));
    const auto resumed = m_queue.resumeHost(request.host);
    return resumed ? ApiReply::json(hosts()) : ApiReply::fromError(resumed.error());
}
