#pragma once

#include "core/expected.h"
#include "queue/job.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>

#include <optional>

struct HostCooldown;

// Jobs (and the hosts they wait for) as the API shows them, and job requests as the API accepts
// them. Times are ISO 8601 UTC.
namespace JobJson {
// ms since the epoch -> "2024-05-01T10:00:00.000Z"; 0 (unset) -> null.
QJsonValue time(qint64 ms);
// ISO 8601 with a "Z" or an offset; without either the time is taken as UTC.
std::optional<qint64> parseTime(const QString &text);

QJsonObject fromJob(const Job &job, const QString &logDir);
// A host pausing after a rate limit or a bot check, as GET /api/hosts and the host.paused event show it.
QJsonObject fromCooldown(const HostCooldown &cooldown);
QJsonArray fromCooldowns(const QList<HostCooldown> &cooldowns);

// One job request ({"type", "url", ...}) with every field's type checked; unknown fields refused.
Expected<NewJob> toNewJob(const QJsonValue &value);
// An object (one job) or a non-empty array (several, added together).
Expected<QList<NewJob>> toNewJobs(const QJsonValue &value);
} // namespace JobJson
