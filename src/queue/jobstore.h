#pragma once

#include "core/expected.h"
#include "queue/job.h"

#include <QHash>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <memory>
#include <optional>

// How a list of jobs is filtered, sorted and paged. Sort keys are whitelisted column names.
struct JobFilter
{
    QList<JobStatus> statuses; // empty: any
    QStringList types;         // empty: any
    std::optional<qint64> parentId; // 0: top-level jobs only
    QString text;              // substring of title or URL (case-insensitive)
    // The ids of the jobs that match `text`, as the JSON array the queries read, found and
    // written once by resolveText(); when set, the text is not searched again for every count
    // and page.
    std::optional<QString> textMatches;
    QString sort = QStringLiteral("id");
    bool descending = false;
    int limit = 100;
    int offset = 0;
};

struct JobPage
{
    QList<Job> jobs;
    qint64 total = 0;
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
};

// The outcome of a transition: the job and the other jobs it touched (released or cancelled children).
struct TransitionResult
{
    Job job;
    QList<Job> affected;
};

struct ClaimRequest
{
    int limit = 1;
    qint64 now = 0;
    qint64 leaseUntil = 0;
    QString worker;
    QStringList excludedTypes; // types at their concurrency limit
    QList<qint64> excludedIds; // jobs whose previous worker is still winding down
    QStringList excludedHosts; // hosts cooling down after a 429
    QStringList onlyTypes;     // empty: any type not excluded
};

struct ProgressUpdate
{
    qint64 id = 0;
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

// A channel or playlist re-synced periodically.
struct Subscription
{
    qint64 id = 0;
    QString url;
    QString type;
    qint64 intervalS = 0;
    QJsonObject options;
    int priority = 0;
    qint64 nextRunAt = 0;
    qint64 lastJobId = 0;
};

// Media facts a worker learned about a job's video.
struct MediaInfo
{
    QString title;
    QString uploader;
    double durationS = -1;
    QString uploadDate;
};

// The SQLite store: every SQL statement of the queue lives here. One instance per thread, each with
// its own named connection; create, use and destroy an instance on the same thread.
class JobStore final
{
public:
    enum class Sync { Normal, Full };
    struct Options
    {
        Sync sync = Sync::Full;
        int busyTimeoutMs = 5000;
        int targetVersion = 0; // 0: current; tests create old schemas with lower values
        int maxPageCount = 0;  // 0: unlimited; a cap makes SQLite report "disk full" (tests)
    };

    explicit JobStore(QString path);
    JobStore(QString path, Options options);
    ~JobStore();
    Q_DISABLE_COPY_MOVE(JobStore)

    Expected<bool> open();
    // Groups the writes that follow into one transaction (one commit, one fsync) until
    // commitBatch(). Each write inside still succeeds or fails on its own (savepoints).
    bool beginBatch();
    bool commitBatch();
    bool isOpen() const;
    QString path() const { return m_path; }
    int schemaVersion();
    // Table and index definitions, normalised, for comparing schemas.
    QStringList schemaDescription();
    QString integrityCheck();

    // Inserts all jobs or none. A job whose unique key is active returns the existing row (flagged).
    struct Inserted
    {
        Job job;               // id 0 when `archived`
        bool existed = false;  // an active job with the same unique key, or an archived video
        bool archived = false;
    };
    Expected<QList<Inserted>> insert(const QList<NewJob> &jobs, qint64 now);

    std::optional<Job> job(qint64 id);
    QList<Job> jobs(const QList<qint64> &ids);
    QList<Job> readyJobs(qint64 now, int limit);
    std::optional<qint64> nextDueTime();
    QList<Job> jobsWithStatus(JobStatus status);
    QList<qint64> childIds(qint64 parentId);
    ChildSummary childSummary(qint64 parentId);
    JobPage list(const JobFilter &filter);
    // Evaluates a text search of three characters or more once and keeps the matching ids in
    // the filter, so the count and every page look jobs up by id instead of searching again.
    // When more than maxMatches jobs match, SearchDirectly leaves the filter to search every
    // time (exact, but slow for a term found in most jobs) and KeepFirst keeps the first
    // maxMatches by id (bounded time; the result is capped). Returns false when capped.
    enum class TextOverflow { SearchDirectly, KeepFirst };
    static constexpr int kMaxTextMatches = 200000;
    bool resolveText(JobFilter &filter, int maxMatches = kMaxTextMatches,
                     TextOverflow overflow = TextOverflow::SearchDirectly);
    // The two halves of list(), for a view that pages through rows itself.
    qint64 count(const JobFilter &filter);
    QList<Job> page(const JobFilter &filter);
    // Every matching id in order (no paging), and rows by id in the given order: a view that
    // knows the ids jumps to any row without an OFFSET scan.
    QList<qint64> ids(const JobFilter &filter);
    QList<Job> jobsInOrder(const QList<qint64> &ids);
    QHash<QString, qint64> countByStatus();
    QHash<QString, qint64> countByType();
    std::optional<Job> activeJobWithKey(const QString &uniqueKey);

    // Claims up to `limit` ready jobs in one statement, marking them running with a lease.
    QList<Job> claim(const ClaimRequest &request);
    Expected<TransitionResult> transition(qint64 id, JobStatus to, const TransitionChanges &changes,
                                          qint64 now);
    Expected<Job> setPriority(qint64 id, int priority, qint64 now);
    Expected<bool> saveProgress(const QList<ProgressUpdate> &updates);
    Expected<Job> saveMedia(qint64 id, const MediaInfo &info, qint64 now);
    // Removes a job and every job under it (a channel's videos); returns their ids.
    Expected<QList<qint64>> remove(qint64 id);
    // Deletes completed and cancelled jobs finished before `cutoff`; returns their ids.
    Expected<QList<qint64>> pruneFinished(qint64 cutoff, int batch = 500);

    // Host cool-downs after a 429: no job for the host starts before `until`.
    void setHostCooldown(const QString &host, qint64 until, const QString &reason);
    QHash<QString, qint64> hostCooldowns(qint64 now);

    // The whole queue paused by the user; kept across restarts.
    bool isHeld();
    bool setHeld(bool held);

    // Videos downloaded for good, by dedup key: survives pruning of the jobs that fetched them.
    bool archive(const QString &key, qint64 jobId, const QString &path, qint64 now);
    bool isArchived(const QString &key);

    // Subscriptions: one per URL; saving again updates interval, options and the next run.
    bool saveSubscription(const Subscription &subscription, qint64 now);
    QList<Subscription> dueSubscriptions(qint64 now);
    QList<Subscription> subscriptions();
    std::optional<Subscription> subscription(qint64 id);
    std::optional<qint64> nextSubscriptionDue();
    bool rescheduleSubscription(qint64 id, qint64 nextRunAt);
    bool removeSubscription(qint64 id); // false: no such subscription, or the database refused

    void checkpoint();
    QString lastError() const { return m_lastError; }

private:
    class Tx;
    QSqlDatabase db() const;
    QSqlQuery &prepared(const QString &sql);
    bool run(QSqlQuery &query);
    Error storageError(const QString &what) const;
    static Error noSuchJob(qint64 id);
    // The one job an UPDATE … RETURNING changed; NotFound when it matched none.
    Expected<Job> updatedJob(QSqlQuery &query, qint64 id, const QString &what);
    bool execPlain(const QString &sql);
    Expected<bool> migrate();
    Expected<bool> applyStatements(const QStringList &statements, int version);
    Expected<Inserted> insertOne(const NewJob &job, qint64 now);
    QList<Job> fetchJobs(QSqlQuery &query);
    QHash<QString, qint64> countsBy(const QString &sql);
    QList<Job> cascadeCancel(qint64 parentId, const QString &reason, qint64 now);
    QList<Job> releaseChildren(qint64 parentId, qint64 now);

    QString m_path;
    Options m_options;
    QString m_connectionName;
    QHash<QString, QSqlQuery> m_cache;
    QString m_lastError;
    int m_txDepth = 0;
    std::unique_ptr<Tx> m_batch;
};
