#include "api/jobjson.h"

#include "store/cooldownstore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QTimeZone>

#include <cmath>

namespace {
Error invalid(const QString &message)
{
    return makeError(ErrorCode::InvalidArgument, message);
}

QJsonValue nullIfEmpty(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

QJsonValue errorOf(const Job &job)
{
    if (job.errorClass.isEmpty() && job.errorMessage.isEmpty())
        return QJsonValue();
    return QJsonObject{{QStringLiteral("class"), job.errorClass},
                       {QStringLiteral("message"), job.errorMessage}};
}

// A whole number within [low, high], as JSON carries every number as a double.
std::optional<qint64> integer(const QJsonValue &value, qint64 low, qint64 high)
{
    if (!value.isDouble())
        return std::nullopt;
    const double d = value.toDouble();
    if (std::trunc(d) != d || d < static_cast<double>(low) || d > static_cast<double>(high))
        return std::nullopt;
    return static_cast<qint64>(d);
}

// The largest id a JSON number carries exactly.
constexpr qint64 kMaxId = qint64(1) << 53;

using FieldReader = std::optional<Error> (*)(const QJsonValue &, NewJob &);

std::optional<Error> readType(const QJsonValue &v, NewJob &job)
{
    if (!v.isString() || v.toString().isEmpty())
        return invalid(QStringLiteral("'type' must be a non-empty string"));
    job.type = v.toString();
    return std::nullopt;
}

std::optional<Error> readUrl(const QJsonValue &v, NewJob &job)
{
    if (!v.isString() && !v.isNull())
        return invalid(QStringLiteral("'url' must be a string"));
    job.url = v.toString();
    return std::nullopt;
}

std::optional<Error> readPriority(const QJsonValue &v, NewJob &job)
{
    const auto n = integer(v, -1000, 1000);
    if (!n)
        return invalid(QStringLiteral("'priority' must be a whole number from -1000 to 1000"));
    job.priority = static_cast<int>(*n);
    return std::nullopt;
}

std::optional<Error> readRunAt(const QJsonValue &v, NewJob &job)
{
    if (v.isNull())
        return std::nullopt;
    const auto at = v.isString() ? JobJson::parseTime(v.toString()) : std::nullopt;
    if (!at)
        return invalid(QStringLiteral("'run_at' must be an ISO 8601 time such as 2030-01-31T08:00:00Z"));
    job.runAt = *at;
    return std::nullopt;
}

std::optional<Error> readParent(const QJsonValue &v, NewJob &job)
{
    if (v.isNull())
        return std::nullopt;
    const auto n = integer(v, 1, kMaxId);
    if (!n)
        return invalid(QStringLiteral("'parent_job_id' must be a positive job id"));
    job.parentId = *n;
    return std::nullopt;
}

std::optional<Error> readMaxAttempts(const QJsonValue &v, NewJob &job)
{
    const auto n = integer(v, 1, 100);
    if (!n)
        return invalid(QStringLiteral("'max_attempts' must be a whole number from 1 to 100"));
    job.maxAttempts = static_cast<int>(*n);
    return std::nullopt;
}

std::optional<Error> readOptions(const QJsonValue &v, NewJob &job)
{
    if (!v.isObject() && !v.isNull())
        return invalid(QStringLiteral("'options' must be an object"));
    job.options = v.toObject();
    return std::nullopt;
}

std::optional<Error> readTitle(const QJsonValue &v, NewJob &job)
{
    if (!v.isString())
        return invalid(QStringLiteral("'title' must be a string"));
    job.title = v.toString();
    return std::nullopt;
}

const QHash<QString, FieldReader> &fieldReaders()
{
    static const QHash<QString, FieldReader> readers{
        {QStringLiteral("type"), readType},
        {QStringLiteral("url"), readUrl},
        {QStringLiteral("priority"), readPriority},
        {QStringLiteral("run_at"), readRunAt},
        {QStringLiteral("parent_job_id"), readParent},
        {QStringLiteral("max_attempts"), readMaxAttempts},
        {QStringLiteral("options"), readOptions},
        {QStringLiteral("title"), readTitle},
    };
    return readers;
}
} // namespace

namespace JobJson {
QJsonValue time(qint64 ms)
{
    if (ms <= 0)
        return QJsonValue();
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

std::optional<qint64> parseTime(const QString &text)
{
    QDateTime at = QDateTime::fromString(text.trimmed(), Qt::ISODateWithMs);
    if (!at.isValid())
        return std::nullopt;
    if (at.timeSpec() == Qt::LocalTime)
        at.setTimeZone(QTimeZone::utc()); // no zone given: the API's times are UTC
    return at.toMSecsSinceEpoch();
}

QJsonObject fromJob(const Job &job, const QString &logDir)
{
    return QJsonObject{
        {QStringLiteral("id"), job.id},
        {QStringLiteral("type"), job.type},
        {QStringLiteral("status"), statusName(job.status)},
        {QStringLiteral("url"), nullIfEmpty(job.url)},
        {QStringLiteral("title"), nullIfEmpty(job.title)},
        {QStringLiteral("priority"), job.priority},
        {QStringLiteral("parent_job_id"), job.parentId > 0 ? QJsonValue(job.parentId) : QJsonValue()},
        {QStringLiteral("attempts"), job.attempts},
        {QStringLiteral("max_attempts"), job.maxAttempts},
        {QStringLiteral("worker"), nullIfEmpty(job.worker)},
        {QStringLiteral("run_at"), time(job.runAt)},
        {QStringLiteral("created_at"), time(job.createdAt)},
        {QStringLiteral("updated_at"), time(job.updatedAt)},
        {QStringLiteral("started_at"), time(job.startedAt)},
        {QStringLiteral("finished_at"), time(job.finishedAt)},
        {QStringLiteral("progress"), job.progress.toJson()},
        {QStringLiteral("error"), errorOf(job)},
        {QStringLiteral("options"), job.options},
        {QStringLiteral("result"), job.result},
        {QStringLiteral("log_dir"), logDir},
    };
}

QJsonObject fromCooldown(const HostCooldown &cooldown)
{
    return QJsonObject{
        {QStringLiteral("host"), cooldown.host},
        {QStringLiteral("until"), time(cooldown.untilMs)},
        {QStringLiteral("until_ms"), cooldown.untilMs},
        {QStringLiteral("since"), time(cooldown.sinceMs)},
        {QStringLiteral("kind"), nullIfEmpty(cooldown.kind)},
        {QStringLiteral("reason"), nullIfEmpty(cooldown.reason)},
        {QStringLiteral("strikes"), cooldown.strikes},
    };
}

QJsonArray fromCooldowns(const QList<HostCooldown> &cooldowns)
{
    QJsonArray out;
    for (const HostCooldown &cooldown : cooldowns)
        out << fromCooldown(cooldown);
    return out;
}

Expected<NewJob> toNewJob(const QJsonValue &value)
{
    if (!value.isObject())
        return invalid(QStringLiteral("a job must be a JSON object"));
    const QJsonObject o = value.toObject();
    if (!o.contains(QStringLiteral("type")))
        return invalid(QStringLiteral("'type' is required"));
    NewJob job;
    for (auto it = o.constBegin(); it != o.constEnd(); ++it) {
        const FieldReader reader = fieldReaders().value(it.key());
        if (!reader)
            return invalid(QStringLiteral("unknown field '%1'").arg(it.key()));
        if (auto problem = reader(it.value(), job))
            return *problem;
    }
    return job;
}

Expected<QList<NewJob>> toNewJobs(const QJsonValue &value)
{
    if (!value.isArray()) {
        auto one = toNewJob(value);
        if (!one)
            return one.error();
        return QList<NewJob>{one.value()};
    }
    const QJsonArray array = value.toArray();
    if (array.isEmpty())
        return invalid(QStringLiteral("the list of jobs is empty"));
    QList<NewJob> jobs;
    for (qsizetype i = 0; i < array.size(); ++i) {
        auto job = toNewJob(array.at(i));
        if (!job)
            return invalid(QStringLiteral("job %1: %2").arg(i + 1).arg(job.error().message));
        jobs << job.value();
    }
    return jobs;
}
} // namespace JobJson
