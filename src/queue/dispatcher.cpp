#include "queue/dispatcher.h"

#include "core/clock.h"
#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "queue/jobqueue.h"
#include "workers/progressreporter.h"
#include "workers/workerregistry.h"
#include "workers/workertask.h"

#include <QEventLoop>
#include <QPointer>
#include <QUuid>

#include <future>

namespace {
constexpr int kPersistEveryTicks = 8; // progress reaches the UI every tick, the database every 8th
constexpr qint64 kMaxTimerMs = 24LL * 3600 * 1000;
using Level = JobLogger::Level;
} // namespace

Dispatcher::Dispatcher(JobQueue &queue, WorkerRegistry &registry, LogStore &logs, Clock &clock, QObject *parent)
    : QObject(parent), m_queue(queue), m_registry(registry), m_logs(logs), m_clock(clock),
      m_settings(queue.settings()), m_workerId(QUuid::createUuid().toString(QUuid::WithoutBraces).left(8)),
      m_held(queue.store().isHeld()) // a queue paused before a restart stays paused
{
    m_pool.setObjectName(QStringLiteral("spool-workers"));
    m_pool.setMaxThreadCount(qMax(1, m_settings.maxConcurrent));
    m_wakeTimer.setSingleShot(true);
    m_wakeTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_wakeTimer, &QTimer::timeout, this, &Dispatcher::scheduleNow);
    m_watchdogTimer.setInterval(static_cast<int>(m_settings.watchdogIntervalMs));
    connect(&m_watchdogTimer, &QTimer::timeout, this, &Dispatcher::checkHung);
    m_progressTimer.setInterval(static_cast<int>(qMax<qint64>(50, m_settings.progressFlushMs / 4)));
    connect(&m_progressTimer, &QTimer::timeout, this, [this] { flushProgress(++m_progressTicks % kPersistEveryTicks == 0); });
    connect(&m_queue, &JobQueue::jobAdded, this, &Dispatcher::requestSchedule);
    connect(&m_queue, &JobQueue::jobChanged, this, [this](const Job &job) {
        if (job.status == JobStatus::Pending || job.status == JobStatus::Retrying)
            requestSchedule();
    });
    connect(&m_queue, &JobQueue::stopRequested, this, &Dispatcher::handleStopRequested);
    connect(&m_clock, &Clock::jumped, this, [this] {
        checkHung();
        scheduleNow();
    });
}

Dispatcher::~Dispatcher()
{
    for (Running &run : m_running)
        run.token->cancel(StopReason::Shutdown);
    m_pool.waitForDone();
}

void Dispatcher::start()
{
    recoverOrphans();
    m_accepting = true;
    scheduleNow();
}

bool Dispatcher::setHeld(bool held)
{
    // Applied at once either way; false when it could not be saved for the next start.
    const bool saved = m_queue.store().setHeld(held);
    if (held != m_held) {
        m_held = held;
        Q_EMIT heldChanged(held);
        if (!held)
            scheduleNow();
    }
    return saved;
}

void Dispatcher::recoverOrphans()
{
    // Only one Spool runs per data dir, so anything still running belongs to a process that died.
    for (const Job &job : m_queue.store().jobsWithStatus(JobStatus::Running)) {
        auto log = m_logs.logger(job.id);
        const QString message = QStringLiteral("Spool stopped while attempt %1 of %2 was running (crash or kill)")
                                    .arg(job.attempts)
                                    .arg(job.maxAttempts);
        log->log(Level::Warning, QStringLiteral("recovered"), message);
        recordFailure(job, QStringLiteral("crashed"), message, true, 0);
    }
}

void Dispatcher::requestSchedule()
{
    if (m_schedulePending)
        return;
    m_schedulePending = true; // many changes in one event-loop pass make one scheduling round
    QMetaObject::invokeMethod(this, [this] { scheduleNow(); }, Qt::QueuedConnection);
}

QStringList Dispatcher::cappedTypes(QHash<QString, int> *room) const
{
    QHash<QString, int> perType;
    for (const Running &run : m_running)
        ++perType[run.job.type];
    QStringList capped;
    for (auto it = m_settings.types.cbegin(); it != m_settings.types.cend(); ++it) {
        if (it->maxConcurrent <= 0)
            continue;
        capped << it.key();
        room->insert(it.key(), qMax(0, it->maxConcurrent - perType.value(it.key())));
    }
    return capped;
}

QStringList Dispatcher::gatedTypes(qint64 now, qint64 *opensAt) const
{
    QStringList closed;
    *opensAt = 0;
    if (!m_gate)
        return closed;
    for (auto it = m_settings.types.cbegin(); it != m_settings.types.cend(); ++it) {
        const qint64 opens = m_gate(it.key(), now);
        if (opens > now) {
            closed << it.key();
            *opensAt = *opensAt == 0 ? opens : qMin(*opensAt, opens);
        }
    }
    return closed;
}

void Dispatcher::scheduleNow()
{
    m_schedulePending = false;
    if (!m_accepting || m_held)
        return;
    const qint64 now = m_clock.nowMs();
    const QStringList gated = gatedTypes(now, &m_gateOpensAt);
    const QHash<QString, qint64> cooldowns = m_queue.store().hostCooldowns(now);
    m_cooldownEndsAt = 0;
    for (qint64 until : cooldowns)
        m_cooldownEndsAt = m_cooldownEndsAt == 0 ? until : qMin(m_cooldownEndsAt, until);
    // Uncapped types first, as one batch; then each capped type up to its own room.
    QHash<QString, int> room;
    const QStringList capped = cappedTypes(&room);
    claimInto(m_settings.maxConcurrent - runningCount(), gated + capped, {}, cooldowns.keys(), now);
    for (const QString &type : capped) {
        const int free = qMin(room.value(type), m_settings.maxConcurrent - runningCount());
        if (free > 0 && !gated.contains(type))
            claimInto(free, {}, {type}, cooldowns.keys(), now);
    }
    armWakeTimer();
}

void Dispatcher::claimInto(int count, const QStringList &excludedTypes, const QStringList &onlyTypes,
                           const QStringList &excludedHosts, qint64 now)
{
    if (count <= 0)
        return;
    ClaimRequest request;
    request.limit = count;
    request.excludedTypes = excludedTypes;
    request.onlyTypes = onlyTypes;
    request.excludedHosts = excludedHosts;
    request.excludedIds = m_running.keys();
    request.now = now;
    request.worker = m_workerId;
    request.leaseUntil = now + TypePolicy{}.leaseMs;
    for (const Job &job : m_queue.claim(request))
        startJob(job);
}

void Dispatcher::armWakeTimer()
{
    m_wakeTimer.stop();
    if (!m_accepting || m_held || runningCount() >= m_settings.maxConcurrent)
        return; // a finishing job schedules again
    const qint64 now = m_clock.nowMs();
    // The next moment anything can change: a job falls due, a window opens, a cool-down ends.
    qint64 wake = 0;
    auto consider = [&](qint64 at) {
        if (at > now)
            wake = wake == 0 ? at : qMin(wake, at);
    };
    if (const auto due = m_queue.store().nextDueTime())
        consider(*due);
    consider(m_gateOpensAt);
    consider(m_cooldownEndsAt);
    if (wake > 0)
        m_wakeTimer.start(static_cast<int>(qMin(wake - now, kMaxTimerMs)));
}

JobContext::ChildAdder Dispatcher::childAdder(qint64 parentId, std::shared_ptr<CancellationToken> token)
{
    QPointer<JobQueue> queue(&m_queue);
    return [queue, parentId, token](const QList<NewJob> &children) -> Expected<QList<Job>> {
        using Result = Expected<QList<Job>>;
        auto promise = std::make_shared<std::promise<Result>>();
        std::future<Result> future = promise->get_future();
        QList<NewJob> list = children;
        for (NewJob &child : list)
            child.parentId = parentId;
        // The store's writer lives on the queue's thread; hand the insert over and wait for it.
        const bool posted = QMetaObject::invokeMethod(queue.data(), [queue, list, promise] {
            auto added = queue->addJobs(list);
            if (!added) {
                promise->set_value(added.error());
                return;
            }
            QList<Job> jobs;
            for (const auto &a : added.value())
                jobs << a.job;
            promise->set_value(jobs);
        }, Qt::QueuedConnection);
        if (!posted)
            return makeError(ErrorCode::Conflict, QStringLiteral("the queue is gone"));
        while (future.wait_for(std::chrono::milliseconds(50)) != std::future_status::ready) {
            if (token->isCancelled())
                return makeError(ErrorCode::Conflict, QStringLiteral("stopped while adding jobs"));
        }
        return future.get();
    };
}

void Dispatcher::startJob(const Job &job)
{
    Running run{job, std::make_shared<CancellationToken>(), std::make_shared<ProgressReporter>(&m_clock),
                m_logs.logger(job.id), m_clock.nowMs(), false};
    run.log->log(Level::Info, QStringLiteral("started"),
                 QStringLiteral("Attempt %1 of %2 started").arg(job.attempts).arg(job.maxAttempts),
                 {{QStringLiteral("attempt"), job.attempts}, {QStringLiteral("worker"), m_workerId}});
    std::unique_ptr<Worker> worker = m_registry.create(job.type);
    if (!worker) {
        recordFailure(job, QStringLiteral("internal"), QStringLiteral("no worker handles job type '%1'").arg(job.type),
                      false, 0);
        return;
    }
    auto context = std::make_unique<JobContext>(job, *run.reporter, *run.log, *run.token, m_settings,
                                                m_environment, childAdder(job.id, run.token));
    QPointer<Dispatcher> self(this);
    const qint64 id = job.id;
    // The deliver callback keeps the reporter, log and token alive for as long as the task runs.
    auto deliver = [self, id, keep = run](Outcome outcome) {
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, id, outcome] { self->handleOutcome(id, outcome); },
                                      Qt::QueuedConnection);
    };
    m_running.insert(id, run);
    m_pool.start(new WorkerTask(std::move(worker), std::move(context), std::move(deliver)));
    syncTimers();
    Q_EMIT jobStarted(id);
}

void Dispatcher::syncTimers()
{
    const bool active = !m_running.isEmpty();
    if (active && !m_watchdogTimer.isActive()) {
        m_watchdogTimer.start();
        m_progressTimer.start();
    } else if (!active) {
        m_watchdogTimer.stop();
        m_progressTimer.stop();
    }
}

void Dispatcher::handleOutcome(qint64 id, const Outcome &outcome)
{
    // Outcomes that arrive together are written together: one commit for all of them.
    m_outcomes.append({id, outcome});
    if (m_outcomes.size() == 1)
        QMetaObject::invokeMethod(this, &Dispatcher::flushOutcomes, Qt::QueuedConnection);
}

void Dispatcher::flushOutcomes()
{
    const QList<std::pair<qint64, Outcome>> batch = std::exchange(m_outcomes, {});
    m_queue.store().beginBatch();
    m_batchOpen = true;
    for (const auto &[id, outcome] : batch)
        settle(id, outcome);
    m_queue.store().commitBatch();
    m_batchOpen = false;
    // The log says what the database says: lines about outcomes follow their commit.
    for (const auto &write : std::exchange(m_afterCommit, {}))
        write();
    syncTimers();
    for (const auto &[id, outcome] : batch)
        Q_EMIT jobFinished(id, outcome);
    if (m_running.isEmpty()) {
        Q_EMIT idle();
        if (m_shuttingDown)
            Q_EMIT stopped();
    }
    if (!m_shuttingDown)
        scheduleNow();
}

void Dispatcher::settle(qint64 id, const Outcome &outcome)
{
    auto it = m_running.find(id);
    if (it == m_running.end())
        return;
    Running run = it.value();
    m_running.erase(it);
    const ProgressReporter::Snapshot last = run.reporter->take();
    if (last.changed && !run.detached)
        m_queue.publishProgress(id, last.progress);
    if (run.detached) {
        run.log->log(Level::Info, QStringLiteral("worker_stopped"),
                     QStringLiteral("Worker stopped (%1)").arg(stopReasonName(run.token->reason())));
    } else if (m_shuttingDown && run.token->reason() == StopReason::Shutdown && outcome.kind == Outcome::Kind::Failed) {
        handBack(run, QStringLiteral("Spool is shutting down"), last.progress);
    } else {
        recordOutcome(run, outcome, last.progress);
    }
}

void Dispatcher::applyOutcomeFacts(const Job &job, const Outcome &outcome)
{
    if (outcome.hostCooldownMs > 0 && !job.host.isEmpty())
        m_queue.store().setHostCooldown(job.host, m_clock.nowMs() + outcome.hostCooldownMs, outcome.message);
    if (outcome.media) {
        m_queue.saveMedia(job.id, *outcome.media);
        if (outcome.mediaToParent && job.parentId > 0)
            m_queue.saveMedia(job.parentId, *outcome.media);
    }
    for (const QString &key : outcome.archiveKeys) {
        if (!key.isEmpty())
            m_queue.store().archive(key, job.id, outcome.archivePath, m_clock.nowMs());
    }
}

void Dispatcher::recordOutcome(const Running &run, const Outcome &outcome, const JobProgress &progress)
{
    const Job &job = run.job;
    applyOutcomeFacts(job, outcome);
    if (outcome.kind == Outcome::Kind::Failed) {
        // The host's cool-down and the worker's own "not before" both hold off the retry.
        const qint64 untilNotBefore = outcome.notBeforeMs > 0 ? outcome.notBeforeMs - m_clock.nowMs() : 0;
        recordFailure(job, outcome.errorClass, outcome.message, outcome.retryable,
                      qMax(untilNotBefore, outcome.hostCooldownMs), progress);
        return;
    }
    QJsonObject result = outcome.result;
    if (!outcome.children.isEmpty()) {
        QList<NewJob> children = outcome.children;
        for (NewJob &child : children)
            child.parentId = job.id;
        auto added = m_queue.addJobs(children);
        if (!added) {
            recordFailure(job, QStringLiteral("internal"),
                          QStringLiteral("could not add child jobs: %1").arg(added.error().message), true, 0);
            return;
        }
        int fresh = 0;
        for (const auto &a : added.value())
            fresh += a.existed ? 0 : 1;
        // What was really new: entries already queued, done or archived were not added again.
        result.insert(QStringLiteral("children_added"), fresh);
        result.insert(QStringLiteral("children_existing"), static_cast<int>(added.value().size()) - fresh);
    }
    TransitionChanges changes;
    changes.result = result;
    changes.clearUniqueKey = outcome.clearUniqueKey;
    changes.progress = progress;
    changes.errorClass = QString();
    changes.errorMessage = QString();
    auto done = m_queue.transition(job.id, JobStatus::Completed, changes);
    if (done)
        note(job.id, Level::Info, QStringLiteral("completed"), QStringLiteral("Completed"),
                     {{QStringLiteral("result"), result}});
    else
        note(job.id, Level::Warning, QStringLiteral("transition_refused"), done.error().message);
}

void Dispatcher::recordFailure(const Job &job, const QString &errorClass, const QString &message, bool retryable,
                               qint64 waitAtLeastMs, std::optional<JobProgress> progress)
{
    const TypePolicy policy = m_settings.policy(job.type);
    TransitionChanges changes;
    changes.progress = progress;
    changes.errorClass = errorClass;
    changes.errorMessage = message;
    QJsonObject fields{{QStringLiteral("error_class"), errorClass},
                       {QStringLiteral("attempt"), job.attempts},
                       {QStringLiteral("max_attempts"), job.maxAttempts}};
    if (retryable && job.attempts < job.maxAttempts) {
        const qint64 delay = qMax(m_backoff.delayMs(policy.retry, job.attempts), waitAtLeastMs);
        changes.runInMs = delay; // counted from the change's own time, as its updated_at is
        fields.insert(QStringLiteral("retry_in_ms"), delay);
        auto changed = m_queue.transition(job.id, JobStatus::Retrying, changes);
        note(job.id, Level::Warning, QStringLiteral("retry_scheduled"),
                QStringLiteral("Attempt %1 failed (%2): %3. Retrying in %4 s")
                    .arg(job.attempts).arg(errorClass, message).arg(delay / 1000.0, 0, 'f', 1),
                fields);
        if (!changed)
            note(job.id, Level::Warning, QStringLiteral("transition_refused"), changed.error().message);
        return;
    }
    if (retryable)
        changes.errorMessage = message + QStringLiteral(" (gave up after %1 attempts)").arg(job.attempts);
    auto changed = m_queue.transition(job.id, JobStatus::Dead, changes);
    note(job.id, Level::Error, QStringLiteral("dead"), QStringLiteral("Failed for good (%1): %2").arg(errorClass, *changes.errorMessage),
            fields);
    if (!changed)
        note(job.id, Level::Warning, QStringLiteral("transition_refused"), changed.error().message);
}

void Dispatcher::note(qint64 jobId, JobLogger::Level level, const QString &event, const QString &message,
                      const QJsonObject &fields)
{
    auto write = [this, jobId, level, event, message, fields] { m_logs.logger(jobId)->log(level, event, message, fields); };
    if (m_batchOpen)
        m_afterCommit.append(write);
    else
        write();
}

void Dispatcher::handleStopRequested(qint64 id, StopReason reason)
{
    auto it = m_running.find(id);
    if (it == m_running.end())
        return;
    it->detached = true;
    it->log->log(Level::Info, QStringLiteral("stop_requested"), QStringLiteral("Stopping: %1").arg(stopReasonName(reason)));
    it->token->cancel(reason);
}

void Dispatcher::stopHung(Running &run, StopReason reason, const QString &message)
{
    run.detached = true;
    run.token->cancel(reason);
    auto current = m_queue.job(run.job.id);
    recordFailure(current.value_or(run.job), stopReasonName(reason), message, true, 0);
}

void Dispatcher::checkHung()
{
    const qint64 now = m_clock.nowMs();
    for (Running &run : m_running) {
        if (run.detached)
            continue;
        const TypePolicy policy = m_settings.policy(run.job.type);
        const ProgressReporter::Snapshot s = run.reporter->peek();
        if (now - s.lastHeartbeatMs > policy.leaseMs)
            stopHung(run, StopReason::LeaseExpired,
                     QStringLiteral("no sign of life for %1 s (lease expired)").arg((now - s.lastHeartbeatMs) / 1000));
        else if (now - s.lastAdvanceMs > policy.stallTimeoutMs)
            stopHung(run, StopReason::Stalled,
                     QStringLiteral("no progress for %1 s (stalled)").arg((now - s.lastAdvanceMs) / 1000));
        else if (now - run.startedMs > policy.maxRunTimeMs)
            stopHung(run, StopReason::TimedOut,
                     QStringLiteral("ran longer than the %1 s limit").arg(policy.maxRunTimeMs / 1000));
    }
}

void Dispatcher::flushProgress(bool persist)
{
    QList<ProgressUpdate> updates;
    for (Running &run : m_running) {
        const ProgressReporter::Snapshot s = run.reporter->take();
        if (s.changed && !run.detached)
            m_queue.publishProgress(run.job.id, s.progress);
        if (!s.title.isEmpty() && !run.detached) {
            MediaInfo info;
            info.title = s.title;
            m_queue.saveMedia(run.job.id, info);
        }
        if (!run.detached)
            updates << ProgressUpdate{run.job.id, s.progress, s.lastHeartbeatMs + m_settings.policy(run.job.type).leaseMs};
    }
    if (persist && !updates.isEmpty())
        m_queue.store().saveProgress(updates);
}

void Dispatcher::handBack(Running &run, const QString &why, std::optional<JobProgress> progress)
{
    run.detached = true;
    TransitionChanges changes;
    changes.uncharge = true;
    changes.progress = progress;
    auto back = m_queue.transition(run.job.id, JobStatus::Pending, changes);
    run.log->log(Level::Info, QStringLiteral("handed_back"),
                 QStringLiteral("%1: returned to the queue without charging an attempt").arg(why));
    if (!back)
        run.log->log(Level::Warning, QStringLiteral("transition_refused"), back.error().message);
}

bool Dispatcher::shutdown(qint64 graceMs)
{
    m_accepting = false;
    m_shuttingDown = true;
    m_wakeTimer.stop();
    flushProgress(true);
    for (Running &run : m_running)
        run.token->cancel(StopReason::Shutdown);
    if (!m_running.isEmpty()) {
        // Outcomes arrive as queued calls, so the wait must run an event loop.
        QEventLoop loop;
        QTimer::singleShot(static_cast<int>(graceMs), &loop, &QEventLoop::quit);
        connect(this, &Dispatcher::stopped, &loop, &QEventLoop::quit);
        loop.exec();
    }
    const bool clean = m_running.isEmpty();
    for (Running &run : m_running) {
        if (!run.detached)
            handBack(run, QStringLiteral("Still running when the shutdown grace period ended"));
    }
    m_watchdogTimer.stop();
    m_progressTimer.stop();
    if (clean)
        m_queue.store().checkpoint();
    return clean;
}
