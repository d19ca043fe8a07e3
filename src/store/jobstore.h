#pragma once

#include "core/expected.h"
#include "queue/job.h"

#include <QHash>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

class ArchiveStore;
class Database;
class QSqlQuery;

// Who may write to a running job: the claim that started it. A worker whose lease expired, or
// whose process was restarted, no longer holds the job's claim, and its writes are refused.
struct Fence
{
    qint64 claimId = 0;
};

// Changes applied together with a status transition.
struct TransitionChanges
{
    std::optional<QString> errorClass;   // set (empty string clears)
    std::optional<QString> errorMessage;
    std::optional<qint64> runInMs;       // run again this long after the change (0: at once)
    std::optional<QJsonObject> result;
    std::optional<QString> title;
    bool resetAttempts = false;  // a manual retry starts over
    bool uncharge = false;       // hand back an attempt that was not the job's fault (pause, shutdown)
    bool clearUniqueKey = false; // a finished sync frees its key, so the source can be synced again
    std::optional<JobProgress> progress; // the last progress, saved with the change
    std::optional<Fence> fence;  // set by the worker's side: refused unless the job is still its claim
    // Refused unless the job's stored lease ended before this (wall ms): a rescue never takes a job
    // whose holder renewed the lease meanwhile.
    std::optional<qint64> leaseEndedBefore;
};

// The outcome of a transition: the job and the other jobs it touched (released or cancelled children).
struct TransitionResult
{
    Job job;
    QList<Job> affected;
};

// A job that completed under its claim, with what the completion saves (see JobStore::completeMany).
struct Completion
{
    qint64 id = 0;
    Fence fence;
    QJsonObject result;
    std::optional<JobProgress> progress;
    bool clearUniqueKey = false;
};

// A site whose downloads are limited on this host: at most `room` more may start now (0: none,
// while it is at its limit or pausing between downloads). `site` covers its subdomains.
struct HostLimit
{
    QString site;
    int room = 0;
};

struct ClaimRequest
{
    int limit = 1;
    qint64 now = 0;
    QString worker;
    // The types that may start, each with its lease; the claim takes the best jobs across them
    // in priority order. Types not named here (at their cap, gated) are not even looked at.
    QHash<QString, qint64> leaseMsByType;
    QList<qint64> excludedIds; // jobs whose previous worker is still winding down
    QStringList excludedHosts; // hosts cooling down after a 429
    // Caps counted over the whole queue, not by the caller (a queue several hosts share): a type
    // capped here takes at most its cap less the jobs of it running anywhere, decided inside the
    // claim under a lock per type, so two hosts never both fill the last place.
    QHash<QString, int> capsByType;
    // Limits per site for the types named here (downloads); other types of the site are not held.
    QList<HostLimit> hostLimits;
    QSet<QString> hostLimitedTypes;
};

struct ProgressUpdate
{
    qint64 id = 0;
    qint64 claimId = 0;
    JobProgress progress;
    qint64 leaseUntil = 0;
};

// Aggregate of a parent's children, for "done / total" progress.
struct ChildSummary
{
    int total = 0;
    int completed = 0;
    int failed = 0; // dead or cancelled
    int active = 0; // running
    int paused = 0;
    // Pending or retrying: waiting for a worker, a time or a backoff.
    int waiting() const { return total - completed - failed - active - paused; }
};

// Where a pruning pass goes on from: the last tree it looked at.
struct PruneCursor
{
    qint64 finishedAt = 0;
    qint64 id = 0;
};

struct PruneStep
{
    QList<qint64> removed;
    PruneCursor next;
    bool more = false;
};

// Media facts a worker learned about a job's video.
struct MediaInfo
{
    QString title;
    QString uploader;
    double durationS = -1;
    QString uploadDate;
};

// The jobs aggregate: adding, claiming, moving jobs through their states, progress, removal and
// pruning. Every statement about the jobs table's lifecycle lives here; lists and searches live in
// JobListing.
class JobStore final
{
public:
    JobStore(Database &db, ArchiveStore &archive);
    Q_DISABLE_COPY_MOVE(JobStore)

    // Inserts all jobs or none. A job whose unique key is active returns the existing row (flagged).
    struct Inserted
    {
        Job job;               // id 0 when `archived`
        bool existed = false;  // an active job with the same unique key, or an archived video
        bool archived = false;
    };
    // With a parent fence, the parent must still be running under that claim (children a running
    // worker adds).
    Expected<QList<Inserted>> insert(const QList<NewJob> &jobs, qint64 now,
                                     std::optional<Fence> parentFence = std::nullopt);

    std::optional<Job> job(qint64 id);
    QList<Job> jobs(const QList<qint64> &ids);
    // Due jobs in claim order, across all types (for display and tests).
    QList<Job> readyJobs(qint64 now, int limit);
    QList<Job> jobsWithStatus(JobStatus status);
    // Running jobs whose lease ended before `now` (their holder stopped renewing it: it died, or
    // lost the network), except the ids given (this host's own, which it watches itself).
    Expected<QList<Job>> expiredLeases(qint64 now, const QList<qint64> &except, int limit);
    QList<qint64> childIds(qint64 parentId);
    ChildSummary childSummary(qint64 parentId);
    std::optional<Job> activeJobWithKey(const QString &uniqueKey);

    // Jobs scheduled for later become claimable once their time has come (at most `batch` per call).
    // Returns how many became due, or an error.
    Expected<int> stageDue(qint64 now, int batch = 1000);
    // The earliest time a job scheduled for later falls due.
    std::optional<qint64> nextScheduled();
    // Claims up to `limit` due jobs in one statement, marking them running with a lease and a
    // fresh claim id. Fails only when the database refused.
    Expected<QList<Job>> claim(const ClaimRequest &request);
    // The type of the job a claim with this request would take first ("" when none is due),
    // without claiming it: an index seek per type.
    Expected<QString> firstClaimableType(const ClaimRequest &request);
    // PostgreSQL: folds the kept counts of other sessions' counter slots into slot 0, skipping
    // rows a session is writing now (it never waits for one). Nothing to do on SQLite.
    Expected<bool> foldCounterSlots();
    Expected<TransitionResult> transition(qint64 id, JobStatus to, const TransitionChanges &changes, qint64 now);
    // Completes many running jobs in one statement, each only while it is still under its claim,
    // and releases the children that waited on them; the same change as transition() to Completed.
    // Returns the jobs completed (a job whose claim moved on is left out, unchanged).
    Expected<QList<TransitionResult>> completeMany(const QList<Completion> &completions, qint64 now);
    Expected<Job> setPriority(qint64 id, int priority, qint64 now);
    // Saves progress and extends leases of running jobs. Returns the ids whose claim no longer
    // matches (the job was taken from its worker).
    Expected<QList<qint64>> saveProgress(const QList<ProgressUpdate> &updates);
    Expected<Job> saveMedia(qint64 id, const MediaInfo &info, qint64 now, std::optional<Fence> fence = std::nullopt);
    // Removes a job and every job under it (a channel's videos); returns their ids.
    Expected<QList<qint64>> remove(qint64 id);
    // Deletes whole trees of finished jobs (a top-level job with everything under it) when every
    // job in the tree is completed or cancelled and finished before `cutoff`. Looks at up to `batch`
    // trees after the cursor; call again from `next` while `more`.
    using PruneCursor = ::PruneCursor;
    using PruneStep = ::PruneStep;
    Expected<PruneStep> pruneFinished(qint64 cutoff, const PruneCursor &after = {}, int batch = 500);

private:
    Expected<Inserted> insertOne(const NewJob &job, qint64 now);
    Expected<QList<Inserted>> insertMany(const QList<NewJob> &jobs, qint64 now);
    // Ids for `count` new jobs, in order, never handed out before.
    Expected<QList<qint64>> newIds(int count);
    Expected<bool> checkParentFence(qint64 parentId, const Fence &fence);
    Expected<QList<Job>> cascadeCancel(qint64 parentId, const QString &reason, qint64 now);
    Expected<QList<Job>> releaseChildren(qint64 parentId, qint64 now);
    Error refusedTransition(qint64 id, JobStatus to, const TransitionChanges &changes);
    // Runs a write with RETURNING and reads every row it returned; a refused step is an error.
    Expected<QList<Job>> runReturning(QSqlQuery &query, const QString &what);
    Expected<Job> updatedJob(QSqlQuery &query, qint64 id, const QString &what);
    QStringList hostLanes(const QString &type, const QStringList &excludedHosts);
    QString claimSql(int arms, bool byHost);
    struct Arm
    {
        QString type;
        QString host;
        int limit = 0;
    };
    // The claim's arms: one per type, or per (type, host) while hosts cool down or sites are
    // limited; may lower `limit` and leave limited types out when the per-host arms are too many.
    QList<Arm> claimArms(const ClaimRequest &request, const QHash<QString, qint64> &leases, int &limit, bool &byHost);
    // Applies capsByType: drops the types at their cap and lowers the limit to the smallest room.
    Expected<bool> applyQueueCaps(QHash<QString, qint64> &leases, int &limit, const QHash<QString, int> &caps);
    static Error noSuchJob(qint64 id);

    Database &m_db;
    ArchiveStore &m_archive;
};
