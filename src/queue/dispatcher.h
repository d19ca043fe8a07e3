#pragma once

#include "core/settings.h"
#include "logging/joblogger.h"
#include "queue/job.h"
#include "queue/retrypolicy.h"
#include "workers/cancellationtoken.h"
#include "workers/worker.h"

#include <QHash>
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
class Dispatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Dispatcher)
public:
    Dispatcher(JobQueue &queue, WorkerRegistry &registry, LogStore &logs, Clock &clock,
               QObject *parent = nullptr);
    ~Dispatcher() override;

    void setEnvironment(QVariantMap environment) { m_environment = std::move(environment); }
    // Decides whether jobs of a type may start now: returns 0 if so, else the time (ms) they may.
    // Used for the daily download window; jobs stay pending meanwhile.
    using Gate = std::function<qint64(const QString &type, qint64 now)>;
    void setGate(Gate gate) { m_gate = std::move(gate); }
    // Rescues jobs a crash left running, then starts claiming.
    void start();
    // Holds the whole queue: running jobs go on, nothing new starts.
    // Pauses the whole queue: nothing new starts, running jobs go on. Saved, so it outlives a restart.
    bool setHeld(bool held);
    bool isHeld() const { return m_held; }
    bool isAccepting() const { return m_accepting; }
    int runningCount() const { return static_cast<int>(m_running.size()); }
    QList<qint64> runningIds() const { return m_running.keys(); }
    // When the dispatcher wakes next for a job that falls due (-1: no wake-up armed).
    int nextWakeInMs() const { return m_wakeTimer.isActive() ? m_wakeTimer.interval() : -1; }

    // Stops claiming, asks running jobs to stop, waits up to the grace period (processing events),
    // then hands back whatever is still running. Afterwards no job is left running.
    // Returns true if every worker ended within the grace period.
    bool shutdown(qint64 graceMs);

    // Normally timer-driven; public so tests can drive them with a manual clock.
    void checkHung();
    void flushProgress(bool persist = true);
    void scheduleNow();

Q_SIGNALS:
    void jobStarted(qint64 id);
    void jobFinished(qint64 id, const Outcome &outcome);
    void idle();
    void stopped();
    void heldChanged(bool held);

private:
    struct Running
    {
        Job job;
        std::shared_ptr<CancellationToken> token;
        std::shared_ptr<ProgressReporter> reporter;
        std::shared_ptr<JobLogger> log;
        qint64 startedMs = 0;
        bool detached = false; // the job's state was already decided (cancel, pause, watchdog)
    };

    void recoverOrphans();
    void requestSchedule();
    void armWakeTimer();
    // Types with a concurrency cap of their own, and how many more of each may start.
    QStringList cappedTypes(QHash<QString, int> *room) const;
    void claimInto(int count, const QStringList &excludedTypes, const QStringList &onlyTypes,
                   const QStringList &excludedHosts, qint64 now);
    QStringList gatedTypes(qint64 now, qint64 *opensAt) const;
    void applyOutcomeFacts(const Job &job, const Outcome &outcome);
    void startJob(const Job &job);
    JobContext::ChildAdder childAdder(qint64 parentId, std::shared_ptr<CancellationToken> token);
    void handleOutcome(qint64 id, const Outcome &outcome);
    void flushOutcomes();
    void settle(qint64 id, const Outcome &outcome);
    void recordOutcome(const Running &run, const Outcome &outcome, const JobProgress &progress);
    void recordFailure(const Job &job, const QString &errorClass, const QString &message, bool retryable,
                       qint64 waitAtLeastMs, std::optional<JobProgress> progress = std::nullopt);
    // A line in the job's log, written after the current batch commits.
    void note(qint64 jobId, JobLogger::Level level, const QString &event, const QString &message,
              const QJsonObject &fields = {});
    void handleStopRequested(qint64 id, StopReason reason);
    void stopHung(Running &run, StopReason reason, const QString &message);
    void handBack(Running &run, const QString &why, std::optional<JobProgress> progress = std::nullopt);
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
    QList<std::pair<qint64, Outcome>> m_outcomes; // delivered, not yet written
    QList<std::function<void()>> m_afterCommit;
    bool m_batchOpen = false;
    QTimer m_wakeTimer;
    QTimer m_watchdogTimer;
    QTimer m_progressTimer;
    Backoff m_backoff;
    QString m_workerId;
    bool m_accepting = false;
    bool m_held = false;
    bool m_shuttingDown = false;
    bool m_schedulePending = false;
    int m_progressTicks = 0;
};
