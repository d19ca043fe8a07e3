#include "queue/dispatcher.h"

#include "core/clock.h"
#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "queue/jobqueue.h"
#include "workers/progressreporter.h"
#include "workers/workerregistry.h"
#include "workers/workertask.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QPointer>
#include <QRandomGenerator>
#include <QSet>
#include <QUuid>

#include <algorithm>
#include <future>

namespace {
constexpr qint64 kMaxTimerMs = 24LL * 3600 * 1000;
// A write the database refused is tried again after 100 ms, doubling up to 30 s.
const RetryPolicy kRecordRetry{1000, 100, 30'000, 0.0};
constexpr int kMaxSkippedLines = 50; // log lines about skipped listing entries, per outcome
constexpr int kRescueBatch = 100;     // expired leases taken back per check
// Claiming ahead (see the class comment): a type is quick once this many of its jobs ended within
// kQuickRunMs on average; a job claimed ahead waits at most kAheadTtlMs (or half its lease) for a
// worker; outcomes of quick jobs are written kOutcomeDelayMs after the first, or at kOutcomeBatch.
constexpr int kQuickSamples = 8;
constexpr double kQuickRunMs = 20.0;
constexpr qint64 kAheadTtlMs = 2'000;
constexpr int kOutcomeDelayMs = 5;
constexpr int kOutcomeBatch = 128;
constexpr int kMaxAhead = 256;
using Level = JobLogger::Level;

Fence fenceOf(const Job &job)
{
    return Fence{job.claimId};
}

bool isStorage(const Error &error)
{
    return error.code == ErrorCode::Storage || error.code == ErrorCode::Unavailable;
}
} // namespace

Dispatcher::Dispatcher(JobQueue &queue, WorkerRegistry &registry, LogStore &logs, Clock &clock, QObject *parent)
    : QObject(parent), m_queue(queue), m_registry(registry), m_logs(logs), m_clock(clock),
      m_settings(queue.settings()), m_workerId(QUuid::createUuid().toString(QUuid::WithoutBraces).left(8)),
      m_held(queue.store().state().isHeld()) // a queue paused before a restart stays paused
{
    m_pool.setObjectName(QStringLiteral("spool-workers"));
    m_pool.setMaxThreadCount(qMax(1, m_settings.maxConcurrent));
    m_wakeTimer.setSingleShot(true);
    m_wakeTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_wakeTimer, &QTimer::timeout, this, &Dispatcher::scheduleNow);
    m_watchdogTimer.setInterval(static_cast<int>(m_settings.watchdogIntervalMs));
    connect(&m_watchdogTimer, &QTimer::timeout, this, &Dispatcher::checkHung);
    // Progress reaches the views four times per flush interval, the database once per interval.
    m_progressTimer.setInterval(static_cast<int>(qMax<qint64>(50, m_settings.progressFlushMs / 4)));
    connect(&m_progressTimer, &QTimer::timeout, this, &Dispatcher::progressTick);
    m_outcomeTimer.setSingleShot(true);
    m_outcomeTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_outcomeTimer, &QTimer::timeout, this, &Dispatcher::flushOutcomes);
    m_recordRetryTimer.setSingleShot(true);
    connect(&m_recordRetryTimer, &QTimer::timeout, this, [this] {
        flushOutcomes();
        scheduleNow();
    });
    connect(&m_queue, &JobQueue::jobAdded, this, &Dispatcher::requestSchedule);
    connect(&m_queue, &JobQueue::sharedWorkAdded, this, &Dispatcher::requestSchedule);
    connect(&m_queue, &JobQueue::hostCooldownsChanged, this, &Dispatcher::requestSchedule);
    connect(&m_queue, &JobQueue::jobChanged, this, [this](const Job &job) {
        if (job.status == JobStatus::Pending || job.status == JobStatus::Retrying)
            requestSchedule();
    });
    connect(&m_queue, &JobQueue::stopRequested, this, &Dispatcher::handleStopRequested);
    connect(&m_queue, &JobQueue::sharedJobChanged, this, [this](const Job &job) {
        // Cancelled, paused or removed elsewhere, or rescued and claimed by another host.
        for (const Ahead &ahead : std::as_const(m_ahead)) {
            if (ahead.job.id == job.id && !(job.status == JobStatus::Running && job.claimId == ahead.job.claimId)) {
                dropAhead(job.id);
                break;
            }
        }
        const auto it = m_running.constFind(job.id);
        if (it == m_running.cend() || (job.status == JobStatus::Running && job.claimId == it->job.claimId))
            return;
        handleStopRequested(job.id, job.status == JobStatus::Cancelled ? StopReason::Cancelled
                                    : job.status == JobStatus::Paused  ? StopReason::Paused
                                                                       : StopReason::Superseded);
    });
    connect(&m_queue, &JobQueue::jobRemoved, this, [this](qint64 id) {
        dropAhead(id);
        if (m_running.contains(id))
            handleStopRequested(id, StopReason::Cancelled);
    });
    connect(&m_queue, &JobQueue::sharedStateChanged, this, [this] {
        readSharedHeld();
        requestSchedule();
    });
    // Leases are checked a few times per shortest lease: a dead host's jobs wait at most a lease
    // and a fraction for another host.
    qint64 shortestLease = TypePolicy{}.leaseMs;
    for (const TypePolicy &policy : m_settings.types)
        shortestLease = qMin(shortestLease, policy.leaseMs);
    m_leaseTimer.setInterval(static_cast<int>(qBound<qint64>(m_settings.watchdogIntervalMs, shortestLease / 4, 15'000)));
    connect(&m_leaseTimer, &QTimer::timeout, this, &Dispatcher::rescueExpiredLeases);
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
    if (m_shared)
        readSharedHeld();
    else
        recoverOrphans();
    m_accepting = true;
    rescueExpiredLeases();
    m_leaseTimer.start();
    scheduleNow();
}

void Dispatcher::readSharedHeld()
{
    const bool held = m_queue.store().state().isHeld();
    if (held == m_held)
        return;
    m_held = held;
    if (held) {
        withdrawWaiting();
        returnAhead([](const Ahead &) { return true; }, QStringLiteral("The queue was paused"));
    }
    Q_EMIT heldChanged(held);
}

void Dispatcher::rescueExpiredLeases()
{
    // A lease runs out when its holder stops renewing it: that host died, hung or lost the
    // database. The change holds only while the lease is still out, so a holder that renewed it
    // meanwhile keeps its job; a holder that comes back later is refused by the fence.
    if (!m_accepting)
        return;
    const qint64 now = m_clock.nowMs();
    auto expired = m_queue.store().jobs().expiredLeases(now, m_running.keys() + claimedAheadIds(), kRescueBatch);
    if (!expired) {
        storageRefused(expired.error().message);
        return;
    }
    for (const Job &job : expired.value()) {
        const QString message = QStringLiteral("the lease of %1 ran out %2 s ago (it stopped, or lost the database) "
                                               "during attempt %3 of %4")
                                    .arg(job.worker.isEmpty() ? QStringLiteral("its host") : job.worker)
                                    .arg((now - job.leaseUntil) / 1000)
                                    .arg(job.attempts)
                                    .arg(job.maxAttempts);
        JobQueue::Unit unit(m_queue);
        note(job.id, Level::Warning, QStringLiteral("recovered"), QStringLiteral("Taken back: %1").arg(message));
        auto taken = recordFailure(job, stopReasonName(StopReason::LeaseExpired), message, true, 0, std::nullopt, now);
        if (taken && unit.commit())
            continue;
        if (!taken && !isStorage(taken.error()))
            continue; // renewed or changed meanwhile: not ours to take
        storageRefused(m_queue.store().database().lastError());
        return;
    }
    if (m_delivered.isEmpty())
        storageRecovered(); // also how an idle host notices that its database is back
    if (!expired.value().isEmpty())
        requestSchedule();
}

bool Dispatcher::setHeld(bool held)
{
    // Applied at once either way; false when it could not be saved for the next start.
    const bool saved = m_queue.store().state().setHeld(held);
    if (held != m_held) {
        m_held = held;
        if (held) {
            withdrawWaiting();
            returnAhead([](const Ahead &) { return true; }, QStringLiteral("The queue was paused"));
        }
        Q_EMIT heldChanged(held);
        if (!held)
            scheduleNow();
    }
    return saved;
}

qint64 Dispatcher::lastHeartbeatMs(qint64 id) const
{
    const auto it = m_running.constFind(id);
    return it == m_running.cend() ? -1 : it->reporter->peek().lastHeartbeatMs;
}

Dispatcher::Health Dispatcher::health() const
{
    Health h = m_health;
    h.pendingOutcomes = static_cast<int>(m_delivered.size());
    return h;
}

void Dispatcher::recoverOrphans()
{
    // Only one Spool runs per data dir, so anything still running belongs to a process that died.
    for (const Job &job : m_queue.store().jobs().jobsWithStatus(JobStatus::Running)) {
        const QString message = QStringLiteral("Spool stopped while attempt %1 of %2 was running (crash or kill)")
                                    .arg(job.attempts)
                                    .arg(job.maxAttempts);
        JobQueue::Unit unit(m_queue);
        note(job.id, Level::Warning, QStringLiteral("recovered"), message);
        if (recordFailure(job, QStringLiteral("crashed"), message, true, 0) && unit.commit())
            continue;
        storageRefused(m_queue.store().database().lastError()); // it stays running; the next start tries again
    }
}

void Dispatcher::requestSchedule()
{
    if (m_schedulePending)
        return;
    m_schedulePending = true; // many changes in one event-loop pass make one scheduling round
    QMetaObject::invokeMethod(this, [this] { scheduleNow(); }, Qt::QueuedConnection);
}

QHash<QString, int> Dispatcher::roomPerCappedType() const
{
    QHash<QString, int> perType;
    for (const Running &run : m_running)
        ++perType[run.job.type];
    QHash<QString, int> room;
    for (auto it = m_settings.types.cbegin(); it != m_settings.types.cend(); ++it) {
        if (it->maxConcurrent > 0)
            room.insert(it.key(), qMax(0, it->maxConcurrent - perType.value(it.key())));
    }
    return room;
}

QList<HostLimit> Dispatcher::hostLimits(qint64 nowMono) const
{
    const ThrottleSettings &throttle = m_settings.throttle;
    QList<HostLimit> limits;
    if (!throttle.enabled)
        return limits;
    for (const HostRule &rule : throttle.rules) {
        // Pausing after a download, or one of the site's hosts was refused: the site waits whole
        // (a rate limit is per address, whatever the subdomain).
        const bool pausing = m_sitePausedUntil.value(rule.host) > nowMono || siteCooling(rule.host);
        if (rule.host.isEmpty() || (rule.maxDownloads <= 0 && !pausing))
            continue;
        int running = 0;
        for (const Running &run : m_running) {
            if (m_settings.policy(run.job.type).hostThrottled && throttle.ruleFor(run.job.host).host == rule.host)
                ++running;
        }
        const int room = rule.maxDownloads > 0 ? qMax(0, rule.maxDownloads - running) : m_settings.maxConcurrent;
        limits.append(HostLimit{rule.host, pausing ? 0 : room});
    }
    return limits;
}

bool Dispatcher::isCooling(const Job &job) const
{
    if (job.host.isEmpty())
        return false;
    if (m_coolingHosts.contains(job.host))
        return true;
    if (!m_settings.policy(job.type).hostThrottled)
        return false;
    const HostRule rule = m_settings.throttle.ruleFor(job.host);
    return !rule.host.isEmpty() && siteCooling(rule.host);
}

bool Dispatcher::siteCooling(const QString &site) const
{
    return std::any_of(m_coolingHosts.cbegin(), m_coolingHosts.cend(), [&site](const QString &h) { return siteCovers(site, h); });
}

QSet<QString> Dispatcher::hostLimitedTypes() const
{
    QSet<QString> types;
    for (auto it = m_settings.types.cbegin(); it != m_settings.types.cend(); ++it) {
        if (it->hostThrottled)
            types.insert(it.key());
    }
    return types;
}

void Dispatcher::pauseAfterDownload(const Job &job)
{
    if (!m_settings.policy(job.type).hostThrottled)
        return;
    const HostRule rule = m_settings.throttle.ruleFor(job.host);
    if (rule.host.isEmpty() || rule.pauseMaxS <= 0)
        return;
    // Randomised, as a person would: a fixed rhythm is what a bot looks like.
    const double seconds = rule.pauseMinS + QRandomGenerator::global()->generateDouble() * (rule.pauseMaxS - rule.pauseMinS);
    const qint64 until = m_clock.monotonicMs() + static_cast<qint64>(seconds * 1000);
    m_sitePausedUntil[rule.host] = qMax(m_sitePausedUntil.value(rule.host), until);
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

QHash<QString, qint64> Dispatcher::claimableTypes(const QStringList &gated, const QHash<QString, int> &room) const
{
    // Each type that may start now, with its own lease.
    QHash<QString, qint64> leases;
    for (auto it = m_settings.types.cbegin(); it != m_settings.types.cend(); ++it) {
        if (!gated.contains(it.key()) && room.value(it.key(), 1) > 0)
            leases.insert(it.key(), it->leaseMs);
    }
    return leases;
}

bool Dispatcher::claimRound(int free, const QStringList &gated, QHash<QString, int> &room, const QStringList &hosts,
                            qint64 now)
{
    // The best jobs across every type that may start, never more of a capped type than its room:
    // a claim takes at most the smallest room, then the rooms are counted again.
    ClaimRequest request;
    request.leaseMsByType = claimableTypes(gated, room);
    request.limit = free;
    for (auto it = request.leaseMsByType.cbegin(); it != request.leaseMsByType.cend(); ++it) {
        if (room.contains(it.key()))
            request.limit = qMin(request.limit, room.value(it.key()));
    }
    if (m_shared) {
        // Caps hold across the hosts of a shared queue: the claim counts what runs anywhere.
        for (auto it = m_settings.types.cbegin(); it != m_settings.types.cend(); ++it) {
            if (it->maxConcurrent > 0)
                request.capsByType.insert(it.key(), it->maxConcurrent);
        }
    }
    if (request.leaseMsByType.isEmpty() || request.limit <= 0)
        return false;
    request.now = now;
    request.worker = m_workerId;
    request.excludedIds = m_running.keys() + claimedAheadIds();
    request.excludedHosts = hosts;
    request.hostLimits = hostLimits(m_clock.monotonicMs());
    if (!request.hostLimits.isEmpty())
        request.hostLimitedTypes = hostLimitedTypes();
    auto claimed = m_queue.claim(request);
    if (!claimed) {
        storageRefused(claimed.error().message);
        return false;
    }
    if (m_delivered.isEmpty())
        storageRecovered();
    for (const Job &job : claimed.value()) {
        if (room.contains(job.type))
            --room[job.type];
        startJob(job);
    }
    return claimed.value().size() == request.limit;
}

void Dispatcher::scheduleNow()
{
    m_schedulePending = false;
    if (!m_accepting || m_held || m_settings.maxConcurrent <= 0) // no workers: a host that monitors
        return;
    const qint64 now = m_clock.nowMs();
    const QStringList gated = gatedTypes(now, &m_gateOpensAt);
    CooldownStore &cooldownStore = m_queue.store().cooldowns();
    if (m_cooldownEndsAt > 0 && m_cooldownEndsAt <= now)
        cooldownStore.purgeEnded(now, m_settings.throttle.cleanPeriodMs);
    const QHash<QString, qint64> cooldowns = cooldownStore.active(now);
    m_cooldownEndsAt = 0;
    for (qint64 until : cooldowns)
        m_cooldownEndsAt = m_cooldownEndsAt == 0 ? until : qMin(m_cooldownEndsAt, until);
    const QStringList cooling = cooldowns.keys();
    m_coolingHosts = QSet<QString>(cooling.cbegin(), cooling.cend());
    // What was claimed ahead starts first; it was the best of the queue when it was claimed.
    const qint64 mono = m_clock.monotonicMs();
    withdrawWaiting(mono);
    returnAhead([&](const Ahead &a) {
        if (mono - a.claimedMono > aheadTtlMs(a.job.type)) {
            m_runTimes.remove(a.job.type);
            return true;
        }
        return gated.contains(a.job.type) || (!a.job.host.isEmpty() && cooling.contains(a.job.host));
    }, QStringLiteral("It waited too long for a worker, or may not start now"));
    startAhead();
    QHash<QString, int> room = roomPerCappedType();
    while (claimRound(m_settings.maxConcurrent - busyCount(), gated, room, cooling, now)) {
    }
    if (busyCount() >= m_settings.maxConcurrent && m_ahead.size() <= aheadDepth() / 2) {
        auto ahead = claimAhead(now, gated, cooling, room);
        if (ahead) {
            keepAhead(ahead.value());
            startAhead();
            syncTimers();
        } else {
            storageRefused(ahead.error().message);
        }
    }
    armWakeTimer();
}

int Dispatcher::busyCount() const
{
    // Workers still running a job; one that delivered its outcome is free, though the outcome may
    // wait to be written with others.
    return static_cast<int>(m_running.size() - m_delivered.size());
}

int Dispatcher::aheadDepth() const
{
    return qMin(kMaxAhead, m_settings.localQueue * m_settings.maxConcurrent);
}

QList<qint64> Dispatcher::claimedAheadIds() const
{
    QList<qint64> ids;
    ids.reserve(m_ahead.size());
    for (const Ahead &a : m_ahead)
        ids << a.job.id;
    return ids;
}

QHash<QString, qint64> Dispatcher::quickTypes(const QStringList &gated) const
{
    // Types whose recent jobs ended within milliseconds and that have no cap of their own: for
    // them the queue's own cost per job matters, and a job claimed ahead waits only briefly. Not
    // the types under site rules: a job claimed ahead starts without their limit and pause.
    const bool sitesRuled = m_settings.throttle.enabled && !m_settings.throttle.rules.isEmpty();
    QHash<QString, qint64> quick;
    for (auto it = m_runTimes.cbegin(); it != m_runTimes.cend(); ++it) {
        const TypePolicy policy = m_settings.policy(it.key());
        if (it->samples >= kQuickSamples && it->averageMs <= kQuickRunMs && policy.maxConcurrent == 0
            && !(sitesRuled && policy.hostThrottled) && m_settings.knows(it.key()) && !gated.contains(it.key()))
            quick.insert(it.key(), policy.leaseMs);
    }
    return quick;
}

Expected<QList<Job>> Dispatcher::claimAhead(qint64 now, const QStringList &gated, const QStringList &coolingHosts,
                                            const QHash<QString, int> &room)
{
    // Claimed jobs are returned, not kept: the caller keeps them once the claim is durable.
    if (!m_accepting || m_held || m_shuttingDown || aheadDepth() <= 0)
        return QList<Job>{};
    ClaimRequest request;
    request.leaseMsByType = quickTypes(gated);
    request.limit = aheadDepth() - static_cast<int>(m_ahead.size());
    if (request.leaseMsByType.isEmpty() || request.limit <= 0)
        return QList<Job>{};
    request.now = now;
    request.worker = m_workerId;
    request.excludedIds = m_running.keys() + claimedAheadIds();
    request.excludedHosts = coolingHosts;
    // Only while a quick job is the best the queue has: a job of another type that comes first
    // (a higher priority, or due earlier) waits for a free worker, not for the quick ones.
    ClaimRequest everyType = request;
    everyType.leaseMsByType = claimableTypes(gated, room);
    auto first = m_queue.store().jobs().firstClaimableType(everyType);
    if (!first)
        return first.error();
    if (!request.leaseMsByType.contains(first.value()))
        return QList<Job>{};
    return m_queue.claim(request);
}

void Dispatcher::keepAhead(const QList<Job> &claimed)
{
    const qint64 mono = m_clock.monotonicMs();
    for (const Job &job : claimed)
        m_ahead.append(Ahead{job, mono});
    // What the claim's commit announced may have paused the queue (or begun a shutdown) before
    // these were kept here: they go back now, not at their time limit.
    if (!claimed.isEmpty() && (m_held || !m_accepting))
        returnAhead([](const Ahead &) { return true; },
                    m_held ? QStringLiteral("The queue was paused") : QStringLiteral("Spool is shutting down"));
}

void Dispatcher::startAhead()
{
    // Each worker is handed the next quick job while it still runs one, so it goes on without
    // waiting for this thread: the pool runs no more than maxConcurrent at once. A job handed to a
    // worker whose job turned out slow is taken back before it begins (withdrawWaiting).
    if (m_ahead.isEmpty() || !m_accepting || m_held)
        return;
    const qint64 mono = m_clock.monotonicMs();
    const qint64 now = m_clock.nowMs();
    for (qsizetype i = 0; i < m_ahead.size() && busyCount() < 2 * m_settings.maxConcurrent;) {
        if (!mayStartAhead(m_ahead[i], mono, now)) {
            ++i; // kept for the next round, which hands it back
            continue;
        }
        startJob(m_ahead.takeAt(i).job);
    }
}

qint64 Dispatcher::aheadTtlMs(const QString &type) const
{
    return qMin(kAheadTtlMs, m_settings.policy(type).leaseMs / 2);
}

bool Dispatcher::mayStartAhead(const Ahead &ahead, qint64 nowMono, qint64 now) const
{
    // Past its wait limit (its lease may be near its end), its host cooling down since it was
    // claimed, its type's window closed: it goes back instead.
    if (nowMono - ahead.claimedMono > aheadTtlMs(ahead.job.type))
        return false;
    if (isCooling(ahead.job))
        return false;
    return !m_gate || m_gate(ahead.job.type, now) <= now;
}

void Dispatcher::withdrawWaiting(std::optional<qint64> nowMono)
{
    // A job handed to a worker behind one that turned out slow, still waiting in the pool's queue
    // past its time: taken back whole (it never began, so there is nothing to record) and handed
    // back to the queue with the jobs claimed ahead.
    for (auto it = m_running.begin(); it != m_running.end();) {
        Running &run = it.value();
        const bool mayWait = nowMono && *nowMono - run.startedMono <= aheadTtlMs(run.job.type)
                             && !isCooling(run.job)
                             && (!m_gate || m_gate(run.job.type, m_clock.nowMs()) <= m_clock.nowMs());
        if (!run.delivered && !run.detached && run.began && !run.began->load() && !mayWait && m_pool.tryTake(run.task)) {
            delete run.task; // with it the worker, its context and the delivery that kept the run alive
            m_ahead.prepend(Ahead{run.job, run.startedMono});
            it = m_running.erase(it);
            continue;
        }
        ++it;
    }
}

void Dispatcher::dropAhead(qint64 id)
{
    // Its state was decided elsewhere (cancelled, paused, removed, taken over): nothing to write.
    for (qsizetype i = 0; i < m_ahead.size(); ++i) {
        if (m_ahead[i].job.id == id) {
            m_ahead.removeAt(i);
            return;
        }
    }
}

void Dispatcher::returnAhead(const std::function<bool(const Ahead &)> &which, const QString &why)
{
    QList<Ahead> back;
    for (qsizetype i = m_ahead.size() - 1; i >= 0; --i) {
        if (which(m_ahead[i]))
            back.prepend(m_ahead.takeAt(i));
    }
    if (back.isEmpty())
        return;
    JobQueue::Unit unit(m_queue);
    bool refused = !unit.active();
    for (const Ahead &a : std::as_const(back)) {
        if (refused)
            break;
        auto returned = handBack(a.job, why);
        refused = !returned && isStorage(returned.error()); // otherwise it moved on without this host
    }
    if (!refused && unit.commit())
        return;
    // Kept, to be handed back on the next round; a host that stops meanwhile leaves them to the
    // next start (or, on a shared queue, to their lease).
    storageRefused(m_queue.store().database().lastError());
    m_ahead = back + m_ahead;
}

void Dispatcher::noteRunTime(const QString &type, double ms)
{
    RunTime &t = m_runTimes[type];
    t.averageMs = t.samples == 0 ? ms : 0.8 * t.averageMs + 0.2 * ms;
    ++t.samples;
}

void Dispatcher::armWakeTimer()
{
    m_wakeTimer.stop();
    if (!m_accepting || m_held)
        return;
    if (!m_health.ok) {
        // A claim the database refused is tried again with the same backoff as outcomes.
        m_wakeTimer.start(static_cast<int>(Backoff::baseDelayMs(kRecordRetry, m_health.failures)));
        return;
    }
    if (busyCount() >= m_settings.maxConcurrent)
        return; // a finishing job schedules again
    const qint64 now = m_clock.nowMs();
    // The next moment something claimable can appear: a job scheduled for later falls due, a
    // window opens, a cool-down ends. Due jobs that cannot start now (gated, cooling, at their
    // type's cap) wait for those moments or for a worker to finish; they never mask a later time.
    qint64 wake = -1;
    auto consider = [&](qint64 at) {
        if (at > 0)
            wake = wake < 0 ? at : qMin(wake, at);
    };
    if (const auto scheduled = m_queue.store().jobs().nextScheduled())
        consider(qMax(*scheduled, now)); // due but not staged yet: at once
    consider(m_gateOpensAt);
    consider(m_cooldownEndsAt);
    const qint64 mono = m_clock.monotonicMs();
    for (qint64 until : std::as_const(m_sitePausedUntil)) {
        if (until > mono)
            consider(now + (until - mono));
    }
    if (wake >= 0)
        m_wakeTimer.start(static_cast<int>(qBound<qint64>(0, wake - now, kMaxTimerMs)));
}

JobContext::ChildAdder Dispatcher::childAdder(qint64 parentId, qint64 claimId, std::shared_ptr<CancellationToken> token)
{
    QPointer<JobQueue> queue(&m_queue);
    return [queue, parentId, claimId, token](const QList<NewJob> &children) -> Expected<QList<Job>> {
        using Result = Expected<QList<Job>>;
        auto promise = std::make_shared<std::promise<Result>>();
        std::future<Result> future = promise->get_future();
        QList<NewJob> list = children;
        for (NewJob &child : list)
            child.parentId = parentId;
        // The store's writer lives on the queue's thread; hand the insert over and wait for it.
        const bool posted = QMetaObject::invokeMethod(queue.data(), [queue, list, claimId, promise] {
            auto added = queue->addJobs(list, Fence{claimId});
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
                m_logs.logger(job.id), m_clock.monotonicMs(), false, {}, std::nullopt, {}, nullptr, {}};
    // The "started" line was written with the claim (JobEventStore).
    std::unique_ptr<Worker> worker = m_registry.create(job.type);
    if (!worker) {
        JobQueue::Unit unit(m_queue);
        if (!recordFailure(job, QStringLiteral("internal"), QStringLiteral("no worker handles job type '%1'").arg(job.type),
                           false, 0) || !unit.commit())
            storageRefused(m_queue.store().database().lastError());
        return;
    }
    auto context = std::make_unique<JobContext>(job, *run.reporter, *run.log, *run.token, m_settings,
                                                m_environment, childAdder(job.id, job.claimId, run.token));
    QPointer<Dispatcher> self(this);
    const qint64 id = job.id;
    // The deliver callback keeps the reporter, log and token alive for as long as the task runs.
    auto deliver = [self, id, keep = run](Outcome outcome) {
        if (self)
            QMetaObject::invokeMethod(self.data(), [self, id, outcome] { self->handleOutcome(id, outcome); },
                                      Qt::QueuedConnection);
    };
    run.ran.start();
    auto *task = new WorkerTask(std::move(worker), std::move(context), std::move(deliver));
    run.task = task;
    run.began = task->began();
    m_running.insert(id, run);
    m_pool.start(task);
    syncTimers();
    Q_EMIT jobStarted(id);
}

void Dispatcher::syncTimers()
{
    // The watchdog also hands back jobs claimed ahead that wait too long.
    const bool active = !m_running.isEmpty() || !m_ahead.isEmpty();
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
    auto it = m_running.find(id);
    if (it == m_running.end() || it->delivered)
        return;
    it->delivered = outcome;
    m_delivered.append(id);
    noteRunTime(it->job.type, static_cast<double>(it->ran.nsecsElapsed()) / 1e6);
    if (m_flushQueued || m_recordRetryTimer.isActive())
        return; // written with what is already on its way
    // A quick job that simply completed, with more claimed ahead: the worker starts the next one
    // at once, and this outcome is written with the next ones (a few milliseconds later at most,
    // and announced only then). Anything else is written right away, before more starts.
    const bool plain = outcome.kind == Outcome::Kind::Completed && outcome.hostCooldownMs == 0 && !outcome.hostStrike
                       && outcome.children.isEmpty() && outcome.skipped.isEmpty() && !it->detached
                       && it->hung.reason == StopReason::None;
    if (plain && !m_ahead.isEmpty()) {
        startAhead();
        if (m_delivered.size() < kOutcomeBatch && m_ahead.size() > aheadDepth() / 2) {
            if (!m_outcomeTimer.isActive())
                m_outcomeTimer.start(kOutcomeDelayMs);
            return;
        }
    }
    // Outcomes that arrive together are written together: one commit for all of them.
    {
        m_flushQueued = true;
        QMetaObject::invokeMethod(this, &Dispatcher::flushOutcomes, Qt::QueuedConnection);
    }
}

void Dispatcher::flushOutcomes()
{
    m_flushQueued = false;
    m_outcomeTimer.stop();
    if (m_delivered.isEmpty())
        return;
    const QList<qint64> batch = std::exchange(m_delivered, {});
    writeSharedLines(batch);
    QList<qint64> settled;
    QList<Job> ahead;
    bool kept = false;
    {
        JobQueue::Unit unit(m_queue);
        if (unit.active()) {
            for (qint64 id : settleCompletions(batch, settled)) {
                if (settle(m_running[id]))
                    settled << id;
                else
                    m_delivered << id; // its own unit was refused: kept for the next try
            }
            // While quick jobs stream through, the next ones are claimed in the same commit.
            if (!m_ahead.isEmpty() && m_ahead.size() <= aheadDepth() / 2 && m_delivered.isEmpty() && !m_held) {
                const qint64 now = m_clock.nowMs();
                qint64 opensAt = 0;
                const QStringList gated = gatedTypes(now, &opensAt);
                auto claimed = claimAhead(now, gated, m_queue.store().cooldowns().active(now).keys(), roomPerCappedType());
                if (claimed)
                    ahead = claimed.value();
            }
            kept = unit.commit(); // the notes and signals of the settled ones follow this commit
        }
    }
    if (!kept) {
        m_delivered = batch; // nothing of it is durable: every outcome is kept, its job still owned
        storageRefused(m_queue.store().database().lastError());
        return;
    }
    keepAhead(ahead);
    for (qint64 id : settled)
        finish(id);
    startAhead();
    if (m_delivered.isEmpty())
        storageRecovered();
    else
        storageRefused(m_queue.store().database().lastError());
    syncTimers();
    if (m_running.isEmpty()) {
        if (m_ahead.isEmpty())
            Q_EMIT idle();
        if (m_shuttingDown)
            Q_EMIT stopped(); // jobs still claimed ahead (a refused hand-back) are left to the next start
    }
    if (!m_shuttingDown)
        scheduleNow();
}

QList<qint64> Dispatcher::settleCompletions(const QList<qint64> &batch, QList<qint64> &settled)
{
    // Jobs that simply completed (no children, facts or cool-down to record) are recorded together:
    // one statement completes them all under their claims, one writes their log lines. Returns the
    // rest, each to be settled on its own (also a job whose claim moved on: it says why).
    QList<Completion> completions;
    QList<qint64> rest;
    for (qint64 id : batch) {
        const Running &run = m_running[id];
        const Outcome &o = *run.delivered;
        if (run.detached || run.hung.reason != StopReason::None || o.kind != Outcome::Kind::Completed
            || !o.children.isEmpty() || !o.skipped.isEmpty() || o.media || !o.archiveKeys.isEmpty() || o.hostCooldownMs > 0
            || o.hostStrike) {
            rest << id;
            continue;
        }
        completions.append(Completion{id, fenceOf(run.job), o.result, run.reporter->peek().progress, o.clearUniqueKey});
    }
    if (completions.size() < 2)
        return batch;
    JobQueue::Unit unit(m_queue);
    if (!unit.active())
        return batch;
    auto done = m_queue.completeMany(completions);
    if (!done)
        return batch; // rolled back: each is tried on its own, which also says what went wrong
    QSet<qint64> completed;
    QList<JobEventStore::Entry> lines;
    const qint64 now = m_clock.nowMs();
    for (const Job &job : done.value()) {
        completed.insert(job.id);
        const Running &run = m_running[job.id];
        lines.append(JobEventStore::Entry{job.id, now, JobLogger::levelName(Level::Info), QStringLiteral("completed"),
                                          QStringLiteral("Completed"),
                                          {{QStringLiteral("result"), run.delivered->result}}});
        const ProgressReporter::Snapshot last = run.reporter->peek();
        if (last.changed)
            m_queue.afterCommit([this, id = job.id, p = last.progress] { m_queue.publishProgress(id, p); });
    }
    if (!m_queue.store().events().appendMany(lines) || !unit.commit())
        return batch;
    for (const Completion &c : std::as_const(completions)) {
        if (completed.contains(c.id))
            settled << c.id;
        else
            rest << c.id;
    }
    return rest;
}

void Dispatcher::finish(qint64 id)
{
    const Running run = m_running.take(id);
    if (!run.detached)
        pauseAfterDownload(run.job);
    Q_EMIT jobFinished(id, *run.delivered);
}

bool Dispatcher::settle(Running &run)
{
    // One outcome is one unit: the transition, the children it adds or releases, the archive and
    // media facts. Returns false when the database refused it (kept for another try).
    const Outcome &outcome = *run.delivered;
    const ProgressReporter::Snapshot last = run.reporter->peek();
    JobQueue::Unit unit(m_queue);
    if (!unit.active())
        return false;
    Expected<bool> recorded = true;
    if (run.detached) {
        note(run.job.id, Level::Info, QStringLiteral("worker_stopped"),
             QStringLiteral("Worker stopped (%1)").arg(stopReasonName(run.token->reason())));
    } else if (run.hung.reason != StopReason::None) {
        recorded = recordFailure(run.job, stopReasonName(run.hung.reason), run.hung.message, true, 0, last.progress);
    } else if (m_shuttingDown && run.token->reason() == StopReason::Shutdown && outcome.kind == Outcome::Kind::Failed) {
        recorded = handBack(run.job, QStringLiteral("Spool is shutting down"), last.progress);
    } else {
        recorded = recordOutcome(run, outcome, last.progress);
    }
    if (recorded) {
        if (last.changed && !run.detached)
            m_queue.afterCommit([this, id = run.job.id, p = last.progress] { m_queue.publishProgress(id, p); });
        return unit.commit();
    }
    if (isStorage(recorded.error()))
        return false;
    unit.commit(); // nothing was written; only what it says goes on
    // Refused for good: the job moved on without this worker (taken over, or changed meanwhile).
    note(run.job.id, Level::Warning, recorded.error().code == ErrorCode::Fenced ? QStringLiteral("outcome_superseded")
                                                                               : QStringLiteral("transition_refused"),
         QStringLiteral("This attempt's outcome was not recorded: %1").arg(recorded.error().message));
    return true;
}

Expected<bool> Dispatcher::recordFacts(const Job &job, const Outcome &outcome)
{
    Store &store = m_queue.store();
    const qint64 now = m_clock.nowMs();
    if ((outcome.hostStrike || outcome.hostCooldownMs > 0) && !job.host.isEmpty()) {
        // A strike (rate limit, bot check) escalates with the pauses in a row; a plain cool-down
        // (a worker that knows how long) holds exactly as long as it says.
        HostCooldown c{job.host, now + outcome.hostCooldownMs, now, outcome.errorClass, outcome.message, 0};
        if (outcome.hostStrike) {
            auto cooled = store.cooldowns().strike(job.host, now, outcome.errorClass, outcome.message,
                                                   now + outcome.hostCooldownMs, m_settings.throttle);
            if (!cooled)
                return cooled.error();
            c = cooled.value();
        } else if (auto cooled = store.cooldowns().setCooldown(job.host, c.untilMs, outcome.message); !cooled) {
            return cooled.error();
        }
        m_coolingHosts.insert(job.host); // nothing claimed ahead for it starts meanwhile
        note(job.id, Level::Warning, QStringLiteral("host_cooldown"),
             QStringLiteral("%1 pauses for %2 min (%3%4)")
                 .arg(c.host)
                 .arg((c.untilMs - now) / 60'000.0, 0, 'f', 1)
                 .arg(c.kind, c.strikes > 0 ? QStringLiteral(", pause %1 in a row").arg(c.strikes) : QString()),
             {{QStringLiteral("host"), c.host}, {QStringLiteral("until_ms"), c.untilMs}, {QStringLiteral("strikes"), c.strikes}});
        m_queue.afterCommit([this, c] { m_queue.announceCooldown(c); });
    }
    if (outcome.media) {
        if (auto saved = m_queue.saveMedia(job.id, *outcome.media, fenceOf(job)); !saved)
            return saved.error();
        if (outcome.mediaToParent && job.parentId > 0) {
            if (auto saved = m_queue.saveMedia(job.parentId, *outcome.media); !saved && isStorage(saved.error()))
                return saved.error();
        }
    }
    for (const QString &key : outcome.archiveKeys) {
        if (key.isEmpty())
            continue;
        if (auto archived = store.archive().archive(key, job.id, outcome.archivePath, now); !archived)
            return archived.error();
    }
    return true;
}

Expected<bool> Dispatcher::recordChildren(const Job &job, const Outcome &outcome, QJsonObject &result)
{
    // A listing with a bad entry skips that entry with its reason; it does not fail the channel.
    QList<NewJob> valid;
    QStringList skipped = outcome.skipped;
    for (NewJob child : outcome.children) {
        child.parentId = job.id;
        if (const auto problem = m_queue.validate(child))
            skipped << QStringLiteral("%1: %2").arg(child.url.left(200), problem->message);
        else
            valid << child;
    }
    for (int i = 0; i < skipped.size() && i < kMaxSkippedLines; ++i)
        note(job.id, Level::Warning, QStringLiteral("entry_skipped"), QStringLiteral("Entry skipped: %1").arg(skipped[i]));
    if (skipped.size() > kMaxSkippedLines)
        note(job.id, Level::Warning, QStringLiteral("entry_skipped"),
             QStringLiteral("%1 more entries skipped").arg(skipped.size() - kMaxSkippedLines));
    if (!skipped.isEmpty())
        result.insert(QStringLiteral("children_skipped"), static_cast<int>(skipped.size()));
    if (valid.isEmpty())
        return true;
    auto added = m_queue.addJobs(valid, fenceOf(job));
    if (!added)
        return added.error();
    int fresh = 0;
    for (const auto &a : added.value())
        fresh += a.existed ? 0 : 1;
    // What was really new: entries already queued, done or archived were not added again.
    result.insert(QStringLiteral("children_added"), fresh);
    result.insert(QStringLiteral("children_existing"), static_cast<int>(added.value().size()) - fresh);
    return true;
}

Expected<bool> Dispatcher::recordOutcome(const Running &run, const Outcome &outcome, const JobProgress &progress)
{
    const Job &job = run.job;
    if (outcome.kind == Outcome::Kind::Failed) {
        if (auto facts = recordFacts(job, outcome); !facts)
            return facts;
        if (outcome.hostStrike && outcome.retryable && !job.host.isEmpty())
            return waitForHost(job, outcome, progress);
        // The host's cool-down and the worker's own "not before" both hold off the retry.
        const qint64 untilNotBefore = outcome.notBeforeMs > 0 ? outcome.notBeforeMs - m_clock.nowMs() : 0;
        return recordFailure(job, outcome.errorClass, outcome.message, outcome.retryable,
                             qMax(untilNotBefore, outcome.hostCooldownMs), progress);
    }
    QJsonObject result = outcome.result;
    if (auto children = recordChildren(job, outcome, result); !children)
        return children;
    TransitionChanges changes;
    changes.result = result;
    changes.clearUniqueKey = outcome.clearUniqueKey;
    changes.progress = progress;
    changes.errorClass = QString();
    changes.errorMessage = QString();
    changes.fence = fenceOf(job);
    // The facts first, while the job is still this worker's claim; the completion seals them.
    if (auto facts = recordFacts(job, outcome); !facts)
        return facts;
    if (auto done = m_queue.transition(job.id, JobStatus::Completed, changes); !done)
        return done.error();
    note(job.id, Level::Info, QStringLiteral("completed"), QStringLiteral("Completed"), {{QStringLiteral("result"), result}});
    return true;
}

Expected<bool> Dispatcher::recordFailure(const Job &job, const QString &errorClass, const QString &message, bool retryable,
                                         qint64 waitAtLeastMs, std::optional<JobProgress> progress,
                                         std::optional<qint64> leaseEndedBefore)
{
    const TypePolicy policy = m_settings.policy(job.type);
    TransitionChanges changes;
    changes.progress = progress;
    changes.errorClass = errorClass;
    changes.errorMessage = message;
    changes.fence = fenceOf(job);
    changes.leaseEndedBefore = leaseEndedBefore;
    QJsonObject fields{{QStringLiteral("error_class"), errorClass},
                       {QStringLiteral("attempt"), job.attempts},
                       {QStringLiteral("max_attempts"), job.maxAttempts}};
    if (retryable && job.attempts < job.maxAttempts) {
        const qint64 delay = qMax(m_backoff.delayMs(policy.retry, job.attempts), waitAtLeastMs);
        changes.runInMs = delay; // counted from the change's own time, as its updated_at is
        fields.insert(QStringLiteral("retry_in_ms"), delay);
        if (auto changed = m_queue.transition(job.id, JobStatus::Retrying, changes); !changed)
            return changed.error();
        note(job.id, Level::Warning, QStringLiteral("retry_scheduled"),
             QStringLiteral("Attempt %1 failed (%2): %3. Retrying in %4 s")
                 .arg(job.attempts).arg(errorClass, message).arg(delay / 1000.0, 0, 'f', 1),
             fields);
        return true;
    }
    if (retryable)
        changes.errorMessage = message + QStringLiteral(" (gave up after %1 attempts)").arg(job.attempts);
    if (auto changed = m_queue.transition(job.id, JobStatus::Dead, changes); !changed)
        return changed.error();
    note(job.id, Level::Error, QStringLiteral("dead"),
         QStringLiteral("Failed for good (%1): %2").arg(errorClass, *changes.errorMessage), fields);
    return true;
}

void Dispatcher::note(qint64 jobId, JobLogger::Level level, const QString &event, const QString &message,
                      const QJsonObject &fields)
{
    // A row in the unit of the outcome it describes: the log says what the database says.
    auto written = m_queue.store().events().append(jobId, m_clock.nowMs(), JobLogger::levelName(level), event,
                                                   message, fields);
    if (!written)
        qWarning("job %lld: %s", static_cast<long long>(jobId), qPrintable(written.error().message));
}

void Dispatcher::handleStopRequested(qint64 id, StopReason reason)
{
    dropAhead(id); // its state is written already
    auto it = m_running.find(id);
    if (it == m_running.end())
        return;
    it->detached = true;
    it->log->log(Level::Info, QStringLiteral("stop_requested"), QStringLiteral("Stopping: %1").arg(stopReasonName(reason)));
    it->token->cancel(reason);
}

void Dispatcher::stopHung(Running &run, StopReason reason, const QString &message)
{
    // The failure is recorded once the worker has ended (its process group killed), so the job is
    // never claimed again while an old attempt may still write, and the record follows the commit.
    run.hung = HungStop{reason, message};
    run.log->log(Level::Warning, QStringLiteral("stopping_hung"), QStringLiteral("Stopping: %1").arg(message));
    run.token->cancel(reason);
}

void Dispatcher::checkHung()
{
    // Measured on the monotonic clock: a suspend or a clock step must not expire every lease.
    const qint64 now = m_clock.monotonicMs();
    withdrawWaiting(now);
    returnAhead([&](const Ahead &a) {
        if (now - a.claimedMono <= aheadTtlMs(a.job.type))
            return false;
        m_runTimes.remove(a.job.type); // no longer quick: it must show that again before more is claimed ahead
        return true;
    }, QStringLiteral("It waited too long for a worker"));
    for (Running &run : m_running) {
        if (run.detached || run.delivered || run.hung.reason != StopReason::None)
            continue;
        const TypePolicy policy = m_settings.policy(run.job.type);
        const ProgressReporter::Snapshot s = run.reporter->peek();
        if (now - s.lastHeartbeatMs > policy.leaseMs)
            stopHung(run, StopReason::LeaseExpired,
                     QStringLiteral("no sign of life for %1 s (lease expired)").arg((now - s.lastHeartbeatMs) / 1000));
        else if (now - s.lastAdvanceMs > policy.stallTimeoutMs)
            stopHung(run, StopReason::Stalled,
                     QStringLiteral("no progress for %1 s (stalled)").arg((now - s.lastAdvanceMs) / 1000));
        else if (now - run.startedMono > policy.maxRunTimeMs)
            stopHung(run, StopReason::TimedOut,
                     QStringLiteral("ran longer than the %1 s limit").arg(policy.maxRunTimeMs / 1000));
    }
}

void Dispatcher::progressTick()
{
    flushProgress(m_clock.monotonicMs() - m_lastPersistMono >= m_settings.progressFlushMs);
}

void Dispatcher::flushProgress(bool persist)
{
    QList<ProgressUpdate> updates;
    const qint64 wallNow = m_clock.nowMs();
    const qint64 monoNow = m_clock.monotonicMs();
    // Over the ids: what the views do when told may change the running set (a pause withdraws
    // jobs not begun yet).
    for (qint64 id : m_running.keys()) {
        const auto it = m_running.find(id);
        if (it == m_running.end() || it->detached)
            continue;
        const Job job = it->job; // a copy: the entry may go while the views are told
        const ProgressReporter::Snapshot s = it->reporter->take();
        if (s.changed && !it->delivered)
            m_queue.publishProgress(job.id, s.progress);
        if (!s.title.isEmpty()) {
            MediaInfo info;
            info.title = s.title;
            m_queue.saveMedia(job.id, info, fenceOf(job));
        }
        // The stored lease is wall time, for whoever rescues jobs from the database; it is as long
        // from now as the worker's last sign of life is old on the monotonic clock.
        const qint64 quietFor = qMax<qint64>(0, monoNow - s.lastHeartbeatMs);
        updates << ProgressUpdate{job.id, job.claimId, s.progress, wallNow - quietFor + m_settings.policy(job.type).leaseMs};
    }
    if (!persist || updates.isEmpty())
        return;
    m_lastPersistMono = monoNow;
    writeSharedLines(m_running.keys());
    auto saved = m_queue.store().jobs().saveProgress(updates);
    if (!saved) {
        storageRefused(saved.error().message);
        return;
    }
    if (m_delivered.isEmpty())
        storageRecovered();
    handleLostClaims(saved.value());
}

void Dispatcher::writeSharedLines(const QList<qint64> &ids)
{
    if (!m_logs.sharedLines())
        return;
    QList<std::pair<JobLogger *, QList<JobLogger::Line>>> taken;
    QList<JobEventStore::Entry> entries;
    for (qint64 id : ids) {
        const auto it = m_running.constFind(id);
        if (it == m_running.cend() || !it->log)
            continue;
        QList<JobLogger::Line> lines = it->log->takeLines();
        if (lines.isEmpty())
            continue;
        for (const JobLogger::Line &line : std::as_const(lines))
            entries.append(JobEventStore::Entry{id, line.at, line.level, line.event, line.message, line.fields});
        taken.append({it->log.get(), std::move(lines)});
    }
    if (entries.isEmpty())
        return;
    if (auto written = m_queue.store().events().appendMany(entries); !written) {
        for (auto &[log, lines] : taken)
            log->giveBack(std::move(lines));
    }
}

void Dispatcher::handleLostClaims(const QList<qint64> &ids)
{
    // A job whose claim is no longer this worker's was rescued and handed on: stop this attempt.
    for (qint64 id : ids) {
        auto it = m_running.find(id);
        if (it == m_running.end() || it->detached || it->delivered)
            continue;
        it->detached = true;
        it->log->log(Level::Warning, QStringLiteral("superseded"),
                     QStringLiteral("The job was taken from this attempt (its claim was rescued); stopping it"));
        it->token->cancel(StopReason::Superseded);
    }
}

Expected<bool> Dispatcher::waitForHost(const Job &job, const Outcome &outcome, const JobProgress &progress)
{
    // The site refused everyone for a while, not this video: the job waits for the pause to end
    // without being charged an attempt, so a rate limit never turns a good video "dead".
    TransitionChanges changes;
    changes.uncharge = true;
    changes.progress = progress;
    changes.fence = fenceOf(job);
    changes.errorClass = outcome.errorClass;
    changes.errorMessage = outcome.message;
    auto back = m_queue.transition(job.id, JobStatus::Pending, changes);
    if (!back)
        return back.error();
    note(job.id, Level::Warning, QStringLiteral("waiting_for_host"),
         QStringLiteral("%1 (%2): waiting for %3 to resume, no attempt charged").arg(outcome.message, outcome.errorClass, job.host));
    return true;
}

Expected<bool> Dispatcher::handBack(const Job &job, const QString &why, std::optional<JobProgress> progress)
{
    TransitionChanges changes;
    changes.uncharge = true;
    changes.progress = progress;
    changes.fence = fenceOf(job);
    auto back = m_queue.transition(job.id, JobStatus::Pending, changes);
    if (!back)
        return back.error();
    note(job.id, Level::Info, QStringLiteral("handed_back"),
         QStringLiteral("%1: returned to the queue without charging an attempt").arg(why));
    return true;
}

void Dispatcher::storageRefused(const QString &message)
{
    const bool first = m_health.ok;
    m_health.ok = false;
    m_health.error = message;
    if (first)
        m_health.sinceMs = m_clock.nowMs();
    ++m_health.failures;
    const qint64 delay = Backoff::baseDelayMs(kRecordRetry, m_health.failures);
    qWarning("Spool: the database refused a queue write (%s); trying again in %lld ms", qPrintable(message),
             static_cast<long long>(delay));
    if (!m_delivered.isEmpty())
        m_recordRetryTimer.start(static_cast<int>(delay));
    if (first)
        Q_EMIT storageTroubleChanged(true, message);
}

void Dispatcher::storageRecovered()
{
    if (m_health.ok)
        return;
    m_health = Health{};
    Q_EMIT storageTroubleChanged(false, QString());
}

bool Dispatcher::shutdown(qint64 graceMs)
{
    m_accepting = false;
    m_shuttingDown = true;
    m_wakeTimer.stop();
    m_leaseTimer.stop();
    withdrawWaiting();
    returnAhead([](const Ahead &) { return true; }, QStringLiteral("Spool is shutting down"));
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
    // Outcomes delivered by now are recorded, not handed back and run again.
    QCoreApplication::sendPostedEvents(this, QEvent::MetaCall);
    m_recordRetryTimer.stop();
    flushOutcomes();
    const bool clean = m_running.isEmpty() && m_ahead.isEmpty();
    for (auto it = m_running.begin(); it != m_running.end(); ++it) {
        if (it->detached || it->delivered)
            continue; // decided elsewhere, or an outcome the database refused: the next start rescues it
        JobQueue::Unit unit(m_queue);
        if (!handBack(it->job, QStringLiteral("Still running when the shutdown grace period ended")) || !unit.commit())
            qWarning("Spool: job %lld could not be handed back; the next start rescues it", static_cast<long long>(it.key()));
        it->detached = true;
    }
    m_watchdogTimer.stop();
    m_progressTimer.stop();
    if (clean)
        m_queue.store().database().checkpoint();
    return clean;
}
