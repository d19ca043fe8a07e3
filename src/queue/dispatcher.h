#pragma once

#include "core/settings.h"
#include "logging/joblogger.h"
#include "queue/job.h"
#include "queue/retrypolicy.h"
#include "workers/cancellationtoken.h"
#include "workers/worker.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QObject>
#include <QThreadPool>
#include <QTimer>
#include <QVariantMap>

#include <functional>
#include <memory>
#include <optional>

class Clock;
class JobQueue;
class LogStore;
class ProgressReporter;
class WorkerRegistry;

// The scheduler: claims ready jobs while workers are free, runs them on Spool's own thread pool,
// records each outcome (completed, retry with backoff, dead), ends hung jobs, rescues jobs a crash
// left running, and shuts down gracefully. Wakes on queue changes and exactly when the next job
// falls due; there is no polling loop.
//
// An outcome is announced only once it is durable: if the database refuses to record it (disk
// full, I/O error, a lock held too long), the job stays owned and watched, the outcome is kept and
// recorded again with backoff, and the trouble is reported (storageTroubleChanged, health()).
//
// Jobs of a type that recently ended within milliseconds (and has no cap of its own) are claimed
// ahead into a local queue while every worker is busy, and their outcomes are written in batches:
// a worker that ends one starts the next at once, and one commit records many outcomes and claims
// the next jobs. A job claimed ahead is running in the database (its attempt counted, under this
// host's claim and lease); if it has not started within a short time, or the queue is paused,
// its type's window closes or its host cools down, it is handed back without charging the attempt.
class Dispatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Dispatcher)
public:
    Dispatcher(JobQueue &queue, WorkerRegistry &registry, LogStore &logs, Clock &clock,
               QObject *parent = nullptr);
    ~Dispatcher() override;

    void setEnvironment(QVariantMap environment) { m_environment = std::move(environment); }
    const QVariantMap &environment() const { return m_environment; }
    // The name this host's claims carry (the Worker column). Set before start().
    void setWorkerName(QString name) { m_workerId = std::move(name); }
    QString workerName() const { return m_workerId; }
    // A queue shared by several hosts: a job running at start may be another host's, so only an
    // expired lease frees it; the queue's paused flag is read from the database at start and
    // whenever another host changes it (told by the database, and again after a reconnect).
    void setShared(bool shared) { m_shared = shared; }
    // Decides whether jobs of a type may start now: returns 0 if so, else the time (ms) they may.
    // Used for the daily download window; jobs stay pending meanwhile.
    using Gate = std::function<qint64(const QString &type, qint64 now)>;
    void setGate(Gate gate) { m_gate = std::move(gate); }
    // Rescues jobs a crash left running, then starts claiming.
    void start();
    // Pauses the whole queue: nothing new starts, running jobs go on. Saved, so it outlives a restart.
    bool setHeld(bool held);
    bool isHeld() const { return m_held; }
    bool isAccepting() const { return m_accepting; }
    int runningCount() const { return static_cast<int>(m_running.size()); }
    QList<qint64> runningIds() const { return m_running.keys(); }
    // Claimed for this host and waiting for a worker (see the class comment).
    QList<qint64> claimedAheadIds() const;
    // When the dispatcher wakes next for a job that falls due (-1: no wake-up armed).
    int nextWakeInMs() const { return m_wakeTimer.isActive() ? m_wakeTimer.interval() : -1; }
    // The last sign of life of a running job's worker, on the clock's monotonic time (-1: not running).
    qint64 lastHeartbeatMs(qint64 id) const;

    // Whether the database takes what the dispatcher writes.
    struct Health
    {
        bool ok = true;
        QString error;            // the last refusal
        qint64 sinceMs = 0;       // wall time of the first refusal in a row
        int pendingOutcomes = 0;  // delivered by workers, not yet recorded
        int failures = 0;         // refusals in a row
    };
    Health health() const;

    // Stops claiming, asks running jobs to stop, waits up to the grace period (processing events),
    // records the outcomes delivered by then, and hands back whatever is still running.
    // Returns true if every worker ended within the grace period.
    bool shutdown(qint64 graceMs);

    // Normally timer-driven; public so tests can drive them with a manual clock.
    void checkHung();
    // One tick of the progress timer: the views hear of progress, and once per progressFlushMs
    // (monotonic) the database does too.
    void progressTick();
    void flushProgress(bool persist = true);
    void scheduleNow();
    // Takes back jobs whose lease ran out (their host died or lost the database). Timer-driven.
    void rescueExpiredLeases();

Q_SIGNALS:
    void jobStarted(qint64 id);
    void jobFinished(qint64 id, const Outcome &outcome);
    void idle();
    void stopped();
    void heldChanged(bool held);
    // The database refused a write the queue depends on (true, with the reason), or took it again.
    void storageTroubleChanged(bool trouble, const QString &message);

private:
    // Why the watchdog stopped a job: recorded as its failure once the worker has ended.
    struct HungStop
    {
        StopReason reason = StopReason::None;
        QString message;
    };
    struct Running
    {
        Job job;
        std::shared_ptr<CancellationToken> token;
        std::shared_ptr<ProgressReporter> reporter;
        std::shared_ptr<JobLogger> log;
        qint64 startedMono = 0;
        bool detached = false; // the job's state was decided elsewhere (cancel, pause, taken over)
        HungStop hung;         // set when the watchdog ended it
        std::optional<Outcome> delivered; // the worker returned this; not yet recorded
        QElapsedTimer ran;                // how long the job took, for choosing what to claim ahead
        QRunnable *task = nullptr;        // valid while `began` is false (the pool owns it)
        std::shared_ptr<const std::atomic<bool>> began;
    };
    // A job claimed ahead: waiting for a worker.
    struct Ahead
    {
        Job job;
        qint64 claimedMono = 0;
    };
    struct RunTime
    {
        double averageMs = 0;
        int samples = 0;
    };

    void recoverOrphans();
    void requestSchedule();
    void armWakeTimer();
    QHash<QString, qint64> claimableTypes(const QStringList &gated, const QHash<QString, int> &room) const;
    QHash<QString, int> roomPerCappedType() const;
    bool claimRound(int free, const QStringList &gated, QHash<QString, int> &room, const QStringList &hosts, qint64 now);
    // The sites of the throttle rules that may start fewer downloads now: at their limit, or
    // pausing after a download (per host: rate limits are per address).
    QList<HostLimit> hostLimits(qint64 nowMono) const;
    QSet<QString> hostLimitedTypes() const;
    // The job's host cools down, or (a throttled type) another host of its site does.
    bool isCooling(const Job &job) const;
    // One of the site's hosts cools down.
    bool siteCooling(const QString &site) const;
    void pauseAfterDownload(const Job &job);
    Expected<bool> waitForHost(const Job &job, const Outcome &outcome, const JobProgress &progress);
    QStringList gatedTypes(qint64 now, qint64 *opensAt) const;
    void startJob(const Job &job);
    int busyCount() const;
    int aheadDepth() const;
    QHash<QString, qint64> quickTypes(const QStringList &gated) const;
    Expected<QList<Job>> claimAhead(qint64 now, const QStringList &gated, const QStringList &coolingHosts,
                                    const QHash<QString, int> &room);
    // Keeps jobs claimed ahead once their claim is durable.
    void keepAhead(const QList<Job> &claimed);
    void startAhead();
    bool mayStartAhead(const Ahead &ahead, qint64 nowMono, qint64 now) const;
    qint64 aheadTtlMs(const QString &type) const;
    // Every job not begun yet, or (given a time) those that waited past their time.
    void withdrawWaiting(std::optional<qint64> nowMono = std::nullopt);
    void dropAhead(qint64 id);
    void returnAhead(const std::function<bool(const Ahead &)> &which, const QString &why);
    void noteRunTime(const QString &type, double ms);
    JobContext::ChildAdder childAdder(qint64 parentId, qint64 claimId, std::shared_ptr<CancellationToken> token);
    void handleOutcome(qint64 id, const Outcome &outcome);
    void flushOutcomes();
    // On a shared queue: the worker's log entries of these jobs, written to job_events in one
    // statement (given back to their loggers when refused). Before an outcome, so its lines
    // precede the outcome's own.
    void writeSharedLines(const QList<qint64> &ids);
    bool settle(Running &run);
    QList<qint64> settleCompletions(const QList<qint64> &batch, QList<qint64> &settled);
    Expected<bool> recordOutcome(const Running &run, const Outcome &outcome, const JobProgress &progress);
    Expected<bool> recordChildren(const Job &job, const Outcome &outcome, QJsonObject &result);
    Expected<bool> recordFacts(const Job &job, const Outcome &outcome);
    Expected<bool> recordFailure(const Job &job, const QString &errorClass, const QString &message, bool retryable,
                                 qint64 waitAtLeastMs, std::optional<JobProgress> progress = std::nullopt,
                                 std::optional<qint64> leaseEndedBefore = std::nullopt);
    void readSharedHeld();
    // A line in the job's log, written once what is being written now is durable.
    void note(qint64 jobId, JobLogger::Level level, const QString &event, const QString &message,
              const QJsonObject &fields = {});
    void finish(qint64 id);
    void handleStopRequested(qint64 id, StopReason reason);
    void stopHung(Running &run, StopReason reason, const QString &message);
    void handleLostClaims(const QList<qint64> &ids);
    Expected<bool> handBack(const Job &job, const QString &why, std::optional<JobProgress> progress = std::nullopt);
    void storageRefused(const QString &message);
    void storageRecovered();
    void syncTimers();

    JobQueue &m_queue;
    WorkerRegistry &m_registry;
    LogStore &m_logs;
    Clock &m_clock;
    const QueueSettings &m_settings;
    QVariantMap m_environment;
    Gate m_gate;
    qint64 m_gateOpensAt = 0;
    qint64 m_cooldownEndsAt = 0;
    QThreadPool m_pool;
    QHash<qint64, Running> m_running;
    QList<qint64> m_delivered; // jobs whose outcome waits to be recorded, in arrival order
    QList<Ahead> m_ahead;      // claimed ahead, in queue order
    QHash<QString, RunTime> m_runTimes;
    QSet<QString> m_coolingHosts; // as the last scheduling round read them, and those cooled since
    QHash<QString, qint64> m_sitePausedUntil; // monotonic ms, per throttle rule's site
    QTimer m_outcomeTimer;     // writes a batch of outcomes that did not fill up
    QTimer m_wakeTimer;
    QTimer m_watchdogTimer;
    QTimer m_progressTimer;
    QTimer m_recordRetryTimer;
    QTimer m_leaseTimer;
    Backoff m_backoff;
    Health m_health;
    QString m_workerId;
    qint64 m_lastPersistMono = 0;
    bool m_accepting = false;
    bool m_held = false;
    bool m_shared = false;
    bool m_shuttingDown = false;
    bool m_schedulePending = false;
    bool m_flushQueued = false;
};
