#include "queue/jobqueue.h"

#include "core/clock.h"
#include "logging/logstore.h"
#include "queue/jobpaths.h"
#include "queue/jobtypes.h"

#include <QCoreApplication>
#include <QDir>

namespace {
constexpr int kMaxPriority = 1000;
constexpr int kMaxAttemptsLimit = 100;
constexpr int kMaxUniqueKey = 512;
constexpr int kMaxUrl = 8192;
} // namespace

JobQueue::JobQueue(Store &store, const QueueSettings &settings, Clock &clock, LogStore *logs, QObject *parent)
    : QObject(parent), m_store(store), m_settings(settings), m_clock(clock), m_logs(logs)
{
    qRegisterMetaType<Job>();
    qRegisterMetaType<JobProgress>();
}

JobQueue::~JobQueue() = default;

JobQueue::Unit::Unit(JobQueue &queue) : m_queue(queue), m_tx(queue.m_store.database())
{
    m_queue.m_frames.append(QList<std::function<void()>>());
}

JobQueue::Unit::~Unit()
{
    if (m_open)
        close(false);
}

bool JobQueue::Unit::commit()
{
    if (!m_open)
        return false;
    const bool kept = m_tx.commit();
    close(kept);
    return kept;
}

void JobQueue::Unit::close(bool keep)
{
    m_open = false;
    m_tx.rollback(); // a no-op once committed
    QList<std::function<void()>> frame = m_queue.m_frames.takeLast();
    if (!keep)
        return;
    if (!m_queue.m_frames.isEmpty()) {
        m_queue.m_frames.last() += frame;
        return;
    }
    for (const auto &announce : frame)
        announce();
}

void JobQueue::afterCommit(std::function<void()> announcement)
{
    if (m_frames.isEmpty())
        announcement();
    else
        m_frames.last().append(std::move(announcement));
}

qint64 JobQueue::now() const
{
    return m_clock.nowMs();
}

std::optional<Error> JobQueue::validateOptions(const NewJob &job) const
{
    const QList<JobTypes::OptionSpec> specs = JobTypes::options(job.type);
    for (auto it = job.options.constBegin(); it != job.options.constEnd(); ++it) {
        const auto spec = std::find_if(specs.cbegin(), specs.cend(),
                                       [&](const JobTypes::OptionSpec &s) { return s.key == it.key(); });
        if (spec == specs.cend() && JobTypes::isKnown(job.type))
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("unknown option '%1' for %2").arg(it.key(), job.type));
        if (spec != specs.cend() && it.value().type() != spec->type)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("option '%1' has the wrong type").arg(it.key()));
    }
    return pathOptionProblem(job);
}

// Every path a job will write stays inside the download folder: refused here, with the reason,
// before anything is added (the worker checks again against its own host's folder).
std::optional<Error> JobQueue::pathOptionProblem(const NewJob &job) const
{
    auto invalid = [](const QString &key, const QString &why) {
        return makeError(ErrorCode::InvalidArgument,
                         QCoreApplication::translate("JobQueue", "option '%1' %2").arg(key, why));
    };
    const QString folder = m_downloadFolder ? m_downloadFolder() : QString();
    for (const QString &key : {QStringLiteral("download_dir"), QStringLiteral("file")}) {
        const QJsonValue value = job.options.value(key);
        if (!value.isString())
            continue;
        const QString path = value.toString();
        if (const auto problem = JobPaths::pathProblem(path))
            return invalid(key, *problem);
        if (QDir::isAbsolutePath(path) && !folder.isEmpty() && !JobPaths::isInside(path, folder))
            return invalid(key, QCoreApplication::translate("JobQueue", "is not inside the download folder %1").arg(folder));
    }
    if (const QJsonValue value = job.options.value(QStringLiteral("output_template")); value.isString()) {
        const auto parsed = JobPaths::parseTemplate(value.toString());
        if (const auto *why = std::get_if<QString>(&parsed))
            return makeError(ErrorCode::InvalidArgument, *why);
    }
    return std::nullopt;
}

std::optional<Error> JobQueue::validate(const NewJob &job) const
{
    auto invalid = [](const QString &message) { return makeError(ErrorCode::InvalidArgument, message); };
    if (job.type.isEmpty())
        return invalid(QCoreApplication::translate("JobQueue", "a job type is required"));
    if (!m_settings.knows(job.type))
        return invalid(QCoreApplication::translate("JobQueue", "unknown job type '%1'").arg(job.type));
    if (m_settings.policy(job.type).needsUrl) {
        if (job.url.size() > kMaxUrl)
            return invalid(QCoreApplication::translate("JobQueue", "the URL is longer than %1 characters").arg(kMaxUrl));
        if (auto problem = JobTypes::urlProblem(job.url))
            return invalid(*problem);
    }
    if (job.priority < -kMaxPriority || job.priority > kMaxPriority)
        return invalid(QCoreApplication::translate("JobQueue", "priority must be between %1 and %2").arg(-kMaxPriority).arg(kMaxPriority));
    if (job.maxAttempts < 0 || job.maxAttempts > kMaxAttemptsLimit)
        return invalid(QStringLiteral("max_attempts must be between 1 and %1").arg(kMaxAttemptsLimit));
    if (job.runAt < 0)
        return invalid(QStringLiteral("run_at must not be negative"));
    if (job.parentId < 0)
        return invalid(QStringLiteral("parent_job_id must be positive"));
    if (job.uniqueKey.size() > kMaxUniqueKey)
        return invalid(QStringLiteral("the unique key is longer than %1 characters").arg(kMaxUniqueKey));
    return validateOptions(job);
}

NewJob JobQueue::withDefaults(NewJob job) const
{
    job.url = job.url.trimmed();
    if (job.maxAttempts == 0)
        job.maxAttempts = m_settings.policy(job.type).retry.maxAttempts;
    // The same source added twice is one job: the commonest cause of duplicate downloads.
    if (job.uniqueKey.isEmpty() && !job.url.isEmpty() && job.parentId == 0)
        job.uniqueKey = job.type + QLatin1Char(':') + JobTypes::canonicalUrl(job.url);
    return job;
}

Expected<JobQueue::Added> JobQueue::addJob(const NewJob &job)
{
    auto added = addJobs({job});
    if (!added)
        return added.error();
    return added.value().first();
}

Expected<QList<JobQueue::Added>> JobQueue::addJobs(const QList<NewJob> &jobs, std::optional<Fence> parentFence)
{
    QList<NewJob> ready;
    ready.reserve(jobs.size());
    for (int i = 0; i < jobs.size(); ++i) {
        if (auto problem = validate(jobs[i])) {
            if (jobs.size() > 1)
                problem->message = QStringLiteral("job %1: %2").arg(i + 1).arg(problem->message);
            return *problem;
        }
        ready << withDefaults(jobs[i]);
    }
    auto inserted = m_store.jobs().insert(ready, now(), parentFence);
    if (!inserted)
        return inserted.error();
    afterCommit([this, added = inserted.value(), ready] {
        for (qsizetype i = 0; i < added.size(); ++i) {
            if (!added[i].existed)
                Q_EMIT jobAdded(added[i].job);
            else if (added[i].job.id > 0)
                Q_EMIT jobAskedAgain(added[i].job, ready[i]);
        }
    });
    return inserted;
}

std::optional<Job> JobQueue::job(qint64 id)
{
    return m_store.jobs().job(id);
}

QList<Job> JobQueue::readyJobs(int limit)
{
    return m_store.jobs().readyJobs(now(), limit);
}

JobPage JobQueue::list(const JobFilter &filter)
{
    return m_store.listing().list(filter);
}

QList<qint64> JobQueue::childIds(qint64 parentId)
{
    return m_store.jobs().childIds(parentId);
}

ChildSummary JobQueue::childSummary(qint64 parentId)
{
    return m_store.jobs().childSummary(parentId);
}

QHash<QString, qint64> JobQueue::countByStatus()
{
    return m_store.listing().countByStatus();
}

QHash<QString, qint64> JobQueue::countByType()
{
    return m_store.listing().countByType();
}

void JobQueue::announce(const TransitionResult &result)
{
    afterCommit([this, result] {
        Q_EMIT jobChanged(result.job);
        for (const Job &other : result.affected)
            Q_EMIT jobChanged(other);
    });
}

Expected<Job> JobQueue::transition(qint64 id, JobStatus to, const TransitionChanges &changes)
{
    auto result = m_store.jobs().transition(id, to, changes, now());
    if (!result)
        return result.error();
    announce(result.value());
    return result.value().job;
}

Expected<QList<Job>> JobQueue::completeMany(const QList<Completion> &completions)
{
    auto results = m_store.jobs().completeMany(completions, now());
    if (!results)
        return results.error();
    QList<Job> done;
    for (const TransitionResult &result : results.value()) {
        announce(result);
        done << result.job;
    }
    return done;
}

Expected<Job> JobQueue::stopOrTransition(qint64 id, JobStatus to, StopReason reason, TransitionChanges changes)
{
    const auto current = m_store.jobs().job(id);
    if (!current)
        return makeError(ErrorCode::NotFound, QCoreApplication::translate("JobQueue", "job %1 does not exist").arg(id));
    const bool wasRunning = current->status == JobStatus::Running;
    changes.uncharge = wasRunning && reason == StopReason::Paused;
    auto changed = transition(id, to, changes);
    // The state is written first (and the worker's claim with it), so a worker that finishes in
    // the meantime cannot overwrite it; the worker is told to stop once that is durable.
    if (changed && wasRunning)
        afterCommit([this, id, reason] { Q_EMIT stopRequested(id, reason); });
    return changed;
}

Expected<Job> JobQueue::cancel(qint64 id, const QString &reason)
{
    TransitionChanges changes;
    changes.errorClass = QStringLiteral("cancelled");
    changes.errorMessage = reason.isEmpty() ? QStringLiteral("cancelled by the user") : reason;
    return stopOrTransition(id, JobStatus::Cancelled, StopReason::Cancelled, changes);
}

Expected<Job> JobQueue::pause(qint64 id)
{
    return stopOrTransition(id, JobStatus::Paused, StopReason::Paused, {});
}

Expected<Job> JobQueue::resume(qint64 id)
{
    const auto current = m_store.jobs().job(id);
    if (current && current->status != JobStatus::Paused)
        return makeError(ErrorCode::Conflict,
                         QCoreApplication::translate("JobQueue", "job %1 is %2, not paused").arg(id).arg(statusWord(current->status)));
    return transition(id, JobStatus::Pending, {});
}

Expected<Job> JobQueue::retry(qint64 id)
{
    const auto current = m_store.jobs().job(id);
    if (!current)
        return makeError(ErrorCode::NotFound, QCoreApplication::translate("JobQueue", "job %1 does not exist").arg(id));
    TransitionChanges changes;
    changes.runInMs = 0;
    switch (current->status) {
    case JobStatus::Dead:
    case JobStatus::Cancelled: // a fresh start: new attempts, no old error
        changes.resetAttempts = true;
        changes.errorClass = QString();
        changes.errorMessage = QString();
        break;
    case JobStatus::Retrying: // "retry now": skip the rest of the backoff
        break;
    default:
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "job %1 is %2; only failed, cancelled or retrying jobs can be retried")
                                                  .arg(id)
                                                  .arg(statusWord(current->status)));
    }
    return transition(id, JobStatus::Pending, changes);
}

Expected<Job> JobQueue::setPriority(qint64 id, int priority)
{
    if (priority < -kMaxPriority || priority > kMaxPriority)
        return makeError(ErrorCode::InvalidArgument,
                         QCoreApplication::translate("JobQueue", "priority must be between %1 and %2").arg(-kMaxPriority).arg(kMaxPriority));
    auto changed = m_store.jobs().setPriority(id, priority, now());
    if (changed)
        afterCommit([this, job = changed.value()] { Q_EMIT jobChanged(job); });
    return changed;
}

Expected<QList<qint64>> JobQueue::remove(qint64 id)
{
    auto removed = m_store.jobs().remove(id);
    if (removed)
        forgetPruned(removed.value());
    return removed;
}

Expected<QList<Job>> JobQueue::claim(const ClaimRequest &request)
{
    auto claimed = m_store.jobs().claim(request);
    if (claimed && !claimed.value().isEmpty()) {
        afterCommit([this, jobs = claimed.value()] {
            for (const Job &job : jobs)
                Q_EMIT jobChanged(job);
        });
    }
    return claimed;
}

void JobQueue::publishProgress(qint64 id, const JobProgress &progress)
{
    Q_EMIT jobProgress(id, progress);
}

Expected<Job> JobQueue::saveMedia(qint64 id, const MediaInfo &info, std::optional<Fence> fence)
{
    auto saved = m_store.jobs().saveMedia(id, info, now(), fence);
    if (saved)
        afterCommit([this, job = saved.value()] { Q_EMIT jobChanged(job); });
    return saved;
}

void JobQueue::announceShared(const QList<Job> &added, const QList<Job> &changed, const QList<qint64> &removed)
{
    for (const Job &job : added)
        Q_EMIT jobAdded(job);
    for (const Job &job : changed) {
        Q_EMIT jobChanged(job);
        Q_EMIT sharedJobChanged(job);
    }
    for (qint64 id : removed)
        Q_EMIT jobRemoved(id);
}

void JobQueue::forgetPruned(const QList<qint64> &ids)
{
    // The logs go once the rows are gone for good: a removal rolled back keeps its logs.
    afterCommit([this, ids] {
        for (qint64 id : ids) {
            if (m_logs)
                m_logs->removeLogs(id);
            Q_EMIT jobRemoved(id);
        }
    });
}

QList<HostCooldown> JobQueue::hostCooldowns()
{
    return m_store.cooldowns().activeDetails(now());
}

Expected<bool> JobQueue::resumeHost(const QString &host)
{
    auto resumed = m_store.cooldowns().resume(host.trimmed().toLower(), now());
    if (!resumed)
        return resumed.error();
    if (!resumed.value())
        return makeError(ErrorCode::NotFound, QCoreApplication::translate("JobQueue", "%1 is not paused").arg(host.left(200)));
    Q_EMIT hostCooldownsChanged();
    return true;
}
