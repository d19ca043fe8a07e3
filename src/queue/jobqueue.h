#pragma once

#include "core/expected.h"
#include "core/settings.h"
#include "store/store.h"
#include "workers/cancellationtoken.h"

#include <QObject>

#include <functional>

class Clock;
class LogStore;

// The queue service: validates requests, applies them to the store through one transition function,
// and announces every change once it is durable. The UI, the HTTP API and the tray observe its
// signals; it knows none of them. Lives on the thread that owns the store's writer connection (the
// main thread).
class JobQueue final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobQueue)
public:
    using Added = JobStore::Inserted;
    class Unit;

    JobQueue(Store &store, const QueueSettings &settings, Clock &clock, LogStore *logs = nullptr,
             QObject *parent = nullptr);
    ~JobQueue() override;

    // Checks a request without writing anything; returns the reason it is refused.
    std::optional<Error> validate(const NewJob &job) const;
    // This host's download folder (read when a job is added), which every absolute path a job
    // names must be inside. Without it only the paths' text is checked.
    void setDownloadFolder(std::function<QString()> folder) { m_downloadFolder = std::move(folder); }
    Expected<Added> addJob(const NewJob &job);
    // All or nothing, in one transaction. With a parent fence (children a running worker adds), the
    // parent must still be running under that claim.
    Expected<QList<Added>> addJobs(const QList<NewJob> &jobs, std::optional<Fence> parentFence = std::nullopt);

    std::optional<Job> job(qint64 id);
    QList<Job> readyJobs(int limit = 100);
    JobPage list(const JobFilter &filter);
    QList<qint64> childIds(qint64 parentId);
    ChildSummary childSummary(qint64 parentId);
    QHash<QString, qint64> countByStatus();
    QHash<QString, qint64> countByType();

    // The one way a status changes. Refuses transitions the table does not allow.
    Expected<Job> transition(qint64 id, JobStatus to, const TransitionChanges &changes = {});
    // Many completions under their claims at once (JobStore::completeMany): the jobs completed.
    Expected<QList<Job>> completeMany(const QList<Completion> &completions);
    Expected<Job> cancel(qint64 id, const QString &reason = QString());
    Expected<Job> retry(qint64 id);
    Expected<Job> pause(qint64 id);
    Expected<Job> resume(qint64 id);
    Expected<Job> setPriority(qint64 id, int priority);
    // Removes the job and the videos it listed; returns every id removed.
    Expected<QList<qint64>> remove(qint64 id);

    // For the dispatcher and maintenance.
    Expected<QList<Job>> claim(const ClaimRequest &request);
    void publishProgress(qint64 id, const JobProgress &progress);
    Expected<Job> saveMedia(qint64 id, const MediaInfo &info, std::optional<Fence> fence = std::nullopt);
    void forgetPruned(const QList<qint64> &ids); // their logs go, and the views hear of it
    // What other hosts of a shared queue changed (read back from the database): announced like
    // this host's own changes, so the views, the API's events and the dispatcher follow them.
    void announceShared(const QList<Job> &added, const QList<Job> &changed, const QList<qint64> &removed);
    void announceSharedState() { Q_EMIT sharedStateChanged(); }
    // A host paused after a rate limit or a bot check (told once the pause is durable).
    void announceCooldown(const HostCooldown &cooldown) { Q_EMIT hostCooledDown(cooldown); }
    // The hosts pausing now, soonest end first.
    QList<HostCooldown> hostCooldowns();
    // "Resume now": the host's pause ends at once (its strikes are kept: a repeat soon after pauses
    // longer). Refused when the host is not pausing.
    Expected<bool> resumeHost(const QString &host);
    void announceSharedWork() { Q_EMIT sharedWorkAdded(); }
    void announceSharedSubscriptions() { Q_EMIT sharedSubscriptionsChanged(); }
    // The connection to a shared queue was lost and is back: what others did meanwhile was not
    // told, so whoever follows the queue reads it again.
    void announceResync()
    {
        Q_EMIT sharedStateChanged();
        Q_EMIT resynced();
    }
    // Runs `announcement` once what was written so far is durable: at once outside a unit, else
    // when the outermost unit commits (dropped if it rolls back).
    void afterCommit(std::function<void()> announcement);
    Store &store() { return m_store; }
    const QueueSettings &settings() const { return m_settings; }
    qint64 now() const;

Q_SIGNALS:
    void jobAdded(const Job &job);
    // The same source added while its job is still queued: nothing new is added, but what was asked
    // for along with it (a re-sync interval) still counts.
    void jobAskedAgain(const Job &existing, const NewJob &request);
    void jobChanged(const Job &job);
    void jobProgress(qint64 id, const JobProgress &progress);
    void jobRemoved(qint64 id);
    // A running job must stop: its state has already been written.
    void stopRequested(qint64 id, StopReason reason);
    // Another host changed the queue's own state (paused or resumed it).
    void sharedStateChanged();
    void hostCooledDown(const HostCooldown &cooldown);
    // A pause began or ended early: whoever shows the paused hosts reads them again.
    void hostCooldownsChanged();
    // Another host added jobs, told without their rows (a worker-only host: nobody shows them).
    void sharedWorkAdded();
    // Another host changed the subscriptions (added, synced, changed or removed one).
    void sharedSubscriptionsChanged();
    // Another host changed this job (also announced as jobChanged): a job running here that it
    // cancelled, paused or took over must stop here.
    void sharedJobChanged(const Job &job);
    void resynced();

private:
    std::optional<Error> validateOptions(const NewJob &job) const;
    std::optional<Error> pathOptionProblem(const NewJob &job) const;
    NewJob withDefaults(NewJob job) const;
    void announce(const TransitionResult &result);
    Expected<Job> stopOrTransition(qint64 id, JobStatus to, StopReason reason, TransitionChanges changes);

    Store &m_store;
    const QueueSettings &m_settings;
    Clock &m_clock;
    LogStore *m_logs;
    std::function<QString()> m_downloadFolder;
    QList<QList<std::function<void()>>> m_frames; // announcements of the open units, innermost last
};

// A unit of work: what is written inside it is one transaction (a savepoint inside another unit),
// and every announcement it causes (signals, log removal, stop requests) waits until the outermost
// unit has committed. One outcome, one user action over many jobs: all of it, or none of it.
class JobQueue::Unit final
{
public:
    explicit Unit(JobQueue &queue);
    ~Unit();
    Q_DISABLE_COPY_MOVE(Unit)

    bool active() const { return m_tx.active(); }
    // True when kept: durable (outermost), or part of the outer unit. False: nothing of it stays.
    bool commit();

private:
    void close(bool keep);

    JobQueue &m_queue;
    Database::Transaction m_tx;
    bool m_open = true;
};
