#include "api/jobsapi.h"

#include "api/jobjson.h"
#include "logging/logstore.h"
#include "logging/logtail.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QUrlQuery>

namespace {
constexpr int kDefaultLimit = 100;
constexpr int kMaxLimit = 1000;
constexpr qint64 kLogChunkBytes = 256 * 1024;

ApiReply badRequest(const QString &message)
{
    return ApiReply::error(400, QStringLiteral("invalid_argument"), message);
}

ApiReply notFound(qint64 id)
{
    return ApiReply::error(404, QStringLiteral("not_found"), QStringLiteral("job %1 does not exist").arg(id));
}

ApiReply conflict(const QString &message)
{
    return ApiReply::error(409, QStringLiteral("conflict"), message);
}

// Query values with '+' read as a space, as HTML forms and URLSearchParams write them.
std::optional<QString> queryValue(const QUrlQuery &query, const QString &key)
{
    if (!query.hasQueryItem(key))
        return std::nullopt;
    QByteArray raw = query.queryItemValue(key, QUrl::FullyEncoded).toLatin1();
    raw.replace('+', "%20");
    return QUrl::fromPercentEncoding(raw);
}

std::optional<qint64> wholeNumber(const QString &text, qint64 low, qint64 high)
{
    bool ok = false;
    const qint64 n = text.toLongLong(&ok);
    if (!ok || n < low || n > high)
        return std::nullopt;
    return n;
}

std::optional<ApiReply> parseStatuses(const QString &text, JobFilter &filter)
{
    for (const QString &name : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto status = statusFromName(name.trimmed());
        if (!status)
            return badRequest(QStringLiteral("unknown status '%1'").arg(name));
        filter.statuses << *status;
    }
    return std::nullopt;
}

std::optional<ApiReply> parseSort(const QString &text, JobFilter &filter)
{
    filter.descending = text.startsWith(QLatin1Char('-'));
    filter.sort = filter.descending ? text.mid(1) : text;
    if (!JobsApi::sortKeys().contains(filter.sort))
        return badRequest(QStringLiteral("cannot sort by '%1'; use one of: %2")
                              .arg(filter.sort, JobsApi::sortKeys().join(QStringLiteral(", "))));
    return std::nullopt;
}
} // namespace

JobsApi::JobsApi(JobQueue &queue, const LogStore &logs) : m_queue(queue), m_logs(logs), m_log(queue.store(), logs) {}

const QStringList &JobsApi::sortKeys()
{
    static const QStringList keys{
        QStringLiteral("id"),         QStringLiteral("created_at"),  QStringLiteral("updated_at"),
        QStringLiteral("started_at"), QStringLiteral("finished_at"), QStringLiteral("run_at"),
        QStringLiteral("priority"),   QStringLiteral("status"),      QStringLiteral("type"),
        QStringLiteral("title"),      QStringLiteral("attempts"),    QStringLiteral("progress")};
    return keys;
}

QJsonObject JobsApi::toJson(const Job &job) const
{
    return JobJson::fromJob(job, m_logs.jobDir(job.id));
}

ApiReply JobsApi::jobReply(const Job &job, int status) const
{
    return ApiReply::json(toJson(job), status);
}

ApiReply JobsApi::create(const ApiRequest &request)
{
    const auto jobs = JobJson::toNewJobs(request.body);
    if (!jobs)
        return ApiReply::fromError(jobs.error());
    const auto added = m_queue.addJobs(jobs.value());
    if (!added)
        return ApiReply::fromError(added.error());
    const bool created =
        std::any_of(added->cbegin(), added->cend(), [](const auto &a) { return !a.existed; });
    const int status = created ? 201 : 200;
    if (!request.body.isArray())
        return jobReply(added->first().job, status);
    QJsonArray array;
    for (const JobQueue::Added &a : added.value())
        array << toJson(a.job);
    return ApiReply::json(array, status);
}

std::optional<ApiReply> JobsApi::parseFilter(const ApiRequest &request, JobFilter &filter) const
{
    const QUrlQuery query = request.http.query();
    filter.limit = kDefaultLimit;
    if (const auto v = queryValue(query, QStringLiteral("status")))
        if (auto problem = parseStatuses(*v, filter))
            return problem;
    if (const auto v = queryValue(query, QStringLiteral("type")))
        filter.types = v->split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (const auto v = queryValue(query, QStringLiteral("parent_job_id"))) {
        filter.parentId = wholeNumber(*v, 0, std::numeric_limits<qint64>::max());
        if (!filter.parentId)
            return badRequest(QStringLiteral("parent_job_id must be a job id, or 0 for top-level jobs"));
    }
    filter.text = queryValue(query, QStringLiteral("q")).value_or(QString()).trimmed();
    if (const auto v = queryValue(query, QStringLiteral("limit"))) {
        const auto limit = wholeNumber(*v, 1, kMaxLimit);
        if (!limit)
            return badRequest(QStringLiteral("limit must be a number from 1 to %1").arg(kMaxLimit));
        filter.limit = static_cast<int>(*limit);
    }
    if (const auto v = queryValue(query, QStringLiteral("offset"))) {
        const auto offset = wholeNumber(*v, 0, std::numeric_limits<int>::max());
        if (!offset)
            return badRequest(QStringLiteral("offset must be a number of 0 or more"));
        filter.offset = static_cast<int>(*offset);
    }
    if (const auto v = queryValue(query, QStringLiteral("sort")))
        return parseSort(*v, filter);
    return std::nullopt;
}

ApiReply JobsApi::list(const ApiRequest &request)
{
    JobFilter filter;
    if (auto problem = parseFilter(request, filter))
        return *problem;
    const JobPage page = m_queue.list(filter);
    QJsonArray jobs;
    for (const Job &job : page.jobs)
        jobs << toJson(job);
    return ApiReply::json(QJsonObject{{QStringLiteral("jobs"), jobs},
                                      {QStringLiteral("total"), page.total},
                                      {QStringLiteral("limit"), filter.limit},
                                      {QStringLiteral("offset"), filter.offset}});
}

ApiReply JobsApi::get(const ApiRequest &request)
{
    const auto job = m_queue.job(request.id);
    if (!job)
        return notFound(request.id);
    QJsonObject json = toJson(*job);
    QJsonArray children;
    for (qint64 child : m_queue.childIds(request.id))
        children << child;
    json.insert(QStringLiteral("children"), children);
    return ApiReply::json(json);
}

ApiReply JobsApi::update(const ApiRequest &request)
{
    const QJsonObject body = request.body.toObject();
    if (!request.body.isObject() || !body.contains(QStringLiteral("priority")))
        return badRequest(QStringLiteral("the body must be an object with 'priority'"));
    for (auto it = body.constBegin(); it != body.constEnd(); ++it)
        if (it.key() != QLatin1String("priority"))
            return badRequest(QStringLiteral("unknown or read-only field '%1'").arg(it.key()));
    const QJsonValue priority = body.value(QStringLiteral("priority"));
    if (!priority.isDouble() || priority.toDouble() != static_cast<double>(priority.toInt()))
        return badRequest(QStringLiteral("'priority' must be a whole number from -1000 to 1000"));
    const auto changed = m_queue.setPriority(request.id, priority.toInt());
    return changed ? jobReply(changed.value()) : ApiReply::fromError(changed.error());
}

ApiReply JobsApi::cancel(const ApiRequest &request)
{
    const auto job = m_queue.job(request.id);
    if (!job)
        return notFound(request.id);
    if (isFinal(job->status))
        return conflict(
            QStringLiteral("job %1 already ended (%2)").arg(request.id).arg(statusName(job->status)));
    const auto cancelled = m_queue.cancel(request.id);
    return cancelled ? jobReply(cancelled.value()) : ApiReply::fromError(cancelled.error());
}

ApiReply JobsApi::retry(const ApiRequest &request)
{
    const auto job = m_queue.job(request.id);
    if (!job)
        return notFound(request.id);
    // JobQueue also lets a retrying job skip its backoff; the API's retry is only the fresh start.
    if (job->status != JobStatus::Dead && job->status != JobStatus::Cancelled)
        return conflict(QStringLiteral("job %1 is %2; only dead or cancelled jobs can be retried")
                            .arg(request.id)
                            .arg(statusName(job->status)));
    const auto retried = m_queue.retry(request.id);
    return retried ? jobReply(retried.value()) : ApiReply::fromError(retried.error());
}

ApiReply JobsApi::pause(const ApiRequest &request)
{
    const auto job = m_queue.job(request.id);
    if (!job)
        return notFound(request.id);
    if (!isTransitionAllowed(job->status, JobStatus::Paused))
        return conflict(
            QStringLiteral("job %1 is %2 and cannot be paused").arg(request.id).arg(statusName(job->status)));
    const auto paused = m_queue.pause(request.id);
    return paused ? jobReply(paused.value()) : ApiReply::fromError(paused.error());
}

ApiReply JobsApi::resume(const ApiRequest &request)
{
    const auto resumed = m_queue.resume(request.id);
    return resumed ? jobReply(resumed.value()) : ApiReply::fromError(resumed.error());
}

ApiReply JobsApi::log(const ApiRequest &request)
{
    if (!m_queue.job(request.id))
        return notFound(request.id);
    qint64 offset = 0;
    if (const auto v = queryValue(request.http.query(), QStringLiteral("offset"))) {
        const auto parsed = wholeNumber(*v, 0, std::numeric_limits<qint64>::max());
        if (!parsed)
            return badRequest(QStringLiteral("offset must be a byte offset of 0 or more"));
        offset = *parsed;
    }
    const LogTail::Chunk chunk = m_log.read(request.id, offset, kLogChunkBytes);
    ApiReply reply = ApiReply::text(chunk.data, "text/plain; charset=utf-8");
    reply.headers << qMakePair(QByteArray("X-Next-Offset"), QByteArray::number(chunk.nextOffset));
    if (chunk.restarted)
        reply.headers << qMakePair(QByteArray("X-Log-Restarted"), QByteArray("1"));
    return reply;
}

ApiReply JobsApi::stats(const ApiRequest &)
{
    const auto byStatus = m_queue.countByStatus();
    QJsonObject statuses;
    qint64 total = 0;
    for (JobStatus status : allStatuses()) {
        const qint64 n = byStatus.value(statusName(status));
        statuses.insert(statusName(status), n);
        total += n;
    }
    QJsonObject types;
    for (const QString &type : JobTypes::all())
        types.insert(type, 0);
    const auto byType = m_queue.countByType();
    for (auto it = byType.cbegin(); it != byType.cend(); ++it)
        types.insert(it.key(), it.value());
    return ApiReply::json(QJsonObject{{QStringLiteral("by_status"), statuses},
                                      {QStringLiteral("by_type"), types},
                                      {QStringLiteral("total"), total}});
}
