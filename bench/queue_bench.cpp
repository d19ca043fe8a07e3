// queue_bench: how fast Spool's durable queue takes in, claims and drains jobs, how quickly an idle
// dispatcher starts a new job, and how the drain compares with the same rows moved by raw SQLite.
//
//   queue_bench [--jobs N] [--workers W] [--sync normal|full] [--segments K]
//               [--only PHASE[,PHASE...]] [--diagnostics] [--compare plainjob [--peers-dir DIR]]
//               [--scale-rows N]
//
// One process, one run, one JSON object on stdout; progress notes and breakdowns go to stderr so the
// output can be piped straight into a file or jq. Every phase works on its own fresh database in a
// temporary folder (TMPDIR, else /tmp), so no phase inherits another's WAL or page cache state.
//
// Keys besides the parameters (jobs, workers, sync); rates are N / seconds:
//   enqueue_single_per_s     JobQueue::addJob, one job per transaction
//   enqueue_batched_per_s    JobQueue::addJobs, kBatchSize jobs per call
//   claim_complete_per_s     JobStore::claim (limit 1) + transition to completed, one thread
//   drain_per_s              pre-inserted no-op jobs through the real Dispatcher and pool
//   drain_hosts_per_s        the same drain, each job with a URL on a mix of hosts (half on
//                            www.youtube.com, a quarter on youtu.be, a quarter over 20 other sites),
//                            the no-op type hostThrottled but the throttle off (throttle.enabled=false)
//   drain_throttled_per_s    the same jobs with the throttle on and rules for youtube.com and youtu.be
//                            that never bind (1000 downloads at once, no pause, no request sleep): what
//                            the rules cost the claims, not any waiting
//   throttled_ratio          drain_throttled_per_s / drain_hosts_per_s; the two run alternately in
//                            kHostMixStages stages or --segments K if more, each pair in turns (ABBA)
//                            No-op jobs are quick, so the dispatcher claims most of them ahead in
//                            batches, and those claims carry no site limits: only its claims for a
//                            free worker (a few dozen of 20,000) take the throttle's per-host path.
//                            --diagnostics also times that claim alone and drains without claiming
//                            ahead (stderr).
//   latency_p50_ms/_p99_ms   addJob on an idle, running dispatcher until Dispatcher::jobStarted
//   raw_full_cycle_per_s     sqlite3 C API: insert, claim, complete, three autocommits per job
//   ratio_vs_raw             drain_per_s / raw_full_cycle_per_s (the drain excludes inserts)
//   spool_full_cycle_per_s   N / (enqueue_single seconds + drain seconds)
//   full_cycle_ratio_vs_raw  spool_full_cycle_per_s / raw_full_cycle_per_s
//
// claim_scale runs only when named (--only claim_scale): it seeds --scale-rows N rows (default
// 1,000,000) twice, which takes minutes. Does the claim cost grow with rows it may not take? Of the
// N rows 90% are pending but not claimable now, all at priority 10: a type at its cap (not in the
// claim's leaseMsByType), a host cooling down (excludedHosts) and jobs scheduled a day ahead, a
// third each; 10% are claimable no-op jobs at priority 0 on another host, half of which are
// completed before measuring (history). One claim (limit 1) + completion is timed kScaleClaims
// times after kScaleWarmup untimed ones. The small database holds only the claimable rows (same
// count, same history). The phase always uses synchronous=NORMAL (it measures the statements, not
// fsync), and prints the query plan and VM steps of every statement of one claim on stderr.
//   scale_rows, claim_scale_claims, claim_scale_sync, claim_scale_seed_s (seconds to seed N rows)
//   claim_at_scale_p50_us/_p99_us/_mean_us   at N rows, the cooling host excluded
//   claim_small_mean_us, claim_small_p50_us  the claimable rows alone, the same request
//   claim_scale_ratio                        claim_at_scale_mean_us / claim_small_mean_us
//   claim_scale_p50_ratio                    the same for p50
//   *_mean_ex_checkpoint_us, claim_scale_ratio_ex_checkpoint, claim_scale_no_cooldown_ratio_ex_checkpoint
//                                            means without the WAL auto-checkpoints (their fsync) that
//                                            fell into the timed claims, timed by a WAL hook that
//                                            checkpoints as SQLite's default one does
//   claim_at_scale_no_cooldown_mean_us       N rows without cooling host (45% capped, 45% scheduled)
//   claim_small_no_cooldown_mean_us          the claimable rows alone, no excluded host
//   claim_scale_no_cooldown_ratio            the ratio of those two
//   claim_plan_ok                            every claim's plan seeks jobs_claim(_host), no SCAN of jobs
//
// With --compare plainjob, after its own phases queue_bench runs `node DIR/plainjob_bench.mjs` with
// the same --jobs, --workers and --sync (DIR: --peers-dir, default bench/peers in the source tree;
// bench/peers/setup.sh installs its node_modules) and adds the peer's figures, and a ratio for each
// figure both sides measured:
//   peer                                 the peer's JSON object: its parameters, versions, pragmas,
//                                        enqueue_single_per_s, enqueue_batched_per_s, drain_per_s,
//                                        latency_p50_ms, latency_p99_ms (see that script's header)
//   enqueue_single_ratio_vs_plainjob     Spool / plainjob enqueue_single_per_s
//   enqueue_batched_ratio_vs_plainjob    Spool / plainjob enqueue_batched_per_s
//   drain_ratio_vs_plainjob              Spool / plainjob drain_per_s
//   latency_p50_ratio_vs_plainjob        plainjob / Spool latency_p50_ms
//   latency_p99_ratio_vs_plainjob        plainjob / Spool latency_p99_ms
// Every *_ratio_vs_plainjob is above 1 where Spool is better (more per second, fewer ms). The peer
// runs after Spool's phases, not interleaved with them, so a disk that changes speed mid-run skews
// the ratios: compare several runs.

#include "noopjobs.h"

#include "core/clock.h"
#include "core/settings.h"
#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "store/store.h"
#include "workers/workerregistry.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTemporaryDir>
#include <QTimer>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <vector>

namespace {
// In run order. The raw baseline runs right before the drain it is compared with, or interleaved
// with it (--segments), so that both see the same disk.
const QStringList kPhases{QStringLiteral("enqueue_single"), QStringLiteral("enqueue_batched"),
                          QStringLiteral("claim_complete"), QStringLiteral("raw"),
                          QStringLiteral("drain"), QStringLiteral("drain_hosts"),
                          QStringLiteral("drain_throttled"), QStringLiteral("latency")};
// Run only when named with --only: they take minutes.
const QStringList kOptInPhases{QStringLiteral("claim_scale")};
constexpr int kBatchSize = 1000;       // jobs per addJobs call and per pre-insert transaction
constexpr int kLatencySamples = 300;
constexpr int kLatencyWarmup = 20;     // the first starts pay for thread creation and cold caches
constexpr int kWaitLimitMs = 10 * 60 * 1000; // a stuck dispatcher fails the run instead of hanging it
constexpr qint64 kLeaseMs = 60'000;    // TypePolicy's default lease, so claims write the same values
// drain_hosts and drain_throttled alternate in at least this many stages: on a shared disk a single
// pair of drains a few seconds apart can differ by more than the throttle costs.
constexpr int kHostMixStages = 4;
// The peer queues --compare can run, each a Node script in the peers folder, and where that is by
// default (CMake passes the source tree; --peers-dir overrides it).
const QStringList kPeers{QStringLiteral("plainjob")};
#ifdef SPOOL_SOURCE_DIR
const QString kDefaultPeersDir = QStringLiteral(SPOOL_SOURCE_DIR "/bench/peers");
#else
const QString kDefaultPeersDir = QStringLiteral("bench/peers");
#endif
constexpr int kPeerWaitLimitMs = 4 * kWaitLimitMs; // its four phases, each bounded like ours

// A phase that cannot finish makes every number meaningless: the run stops with the reason.
class BenchFailure final : public std::runtime_error
{
public:
    explicit BenchFailure(const QString &what) : std::runtime_error(what.toStdString()) {}
};

// Progress and breakdowns, stamped with seconds since the first note.
void note(const QString &message)
{
    static QElapsedTimer sinceStart;
    if (!sinceStart.isValid())
        sinceStart.start();
    std::fprintf(stderr, "queue_bench [%7.2f s]: %s\n", static_cast<double>(sinceStart.elapsed()) / 1000.0,
                 qPrintable(message));
}

// One steady timeline for the main thread and the pool threads (QElapsedTimer objects cannot be
// compared across threads without a shared origin).
qint64 steadyNs()
{
    using namespace std::chrono;
    return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

double secondsSince(const QElapsedTimer &timer)
{
    return static_cast<double>(timer.nsecsElapsed()) / 1e9;
}

// CPU time of the calling thread: compared with wall time it tells whether the main thread (which
// owns the store and runs the dispatcher) was busy or waiting.
double threadCpuSeconds()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Params
{
    int jobs = 20000;
    int workers = 4;
    Store::Sync sync = Store::Sync::Full;
    QString syncName = QStringLiteral("full");
    int segments = 1;          // raw and drain alternate in this many stages (drain_hosts and
                               // drain_throttled in at least kHostMixStages)
    QStringList only;          // empty: every phase
    bool diagnostics = false;  // extra stderr-only measurements
    QString compare;           // a peer from kPeers to measure after Spool's phases, or empty
    QString peersDir = kDefaultPeersDir;
    qint64 scaleRows = 1'000'000; // claim_scale: rows in the large databases

    bool runs(const QString &phase) const
    {
        return only.isEmpty() ? !kOptInPhases.contains(phase) : only.contains(phase);
    }
};

// ---------------------------------------------------------------------------------------------
// The Spool side

// Does nothing, so the drain measures the queue and not the job. Stamps the moment it begins when
// asked to, for the enqueue-to-start latency.
class NoopWorker final : public Worker
{
public:
    explicit NoopWorker(std::atomic<qint64> *startedNs) : m_startedNs(startedNs) {}
    Outcome run(JobContext &) override
    {
        if (m_startedNs)
            m_startedNs->store(steadyNs(), std::memory_order_release);
        return Outcome::completed();
    }

private:
    std::atomic<qint64> *m_startedNs;
};

Store::Options storeOptions(const Params &params)
{
    Store::Options options;
    options.sync = params.sync;
    return options;
}

// The queue wired as SpoolCore::open wires it, except that the store gets the requested sync mode
// (SpoolCore always opens it with the default, FULL). Maintenance is left out: its first run is an
// hour away. Members are declared in dependency order, so they are destroyed users-first.
struct Stack
{
    Stack(const QString &dir, const Params &params, std::atomic<qint64> *startedProbe = nullptr)
        : Stack(dir, params, noopSettings(params.workers), startedProbe)
    {
    }
    Stack(const QString &dir, const Params &params, QueueSettings queueSettings,
          std::atomic<qint64> *startedProbe = nullptr)
        : settings(std::move(queueSettings)),
          store(dir + QStringLiteral("/queue.sqlite"), storeOptions(params)),
          logs(dir + QStringLiteral("/logs/jobs"), settings.logCapBytes, &clock),
          queue(store, settings, clock, &logs)
    {
        if (!QDir().mkpath(dir))
            throw BenchFailure(QStringLiteral("cannot create %1").arg(dir));
        if (auto opened = store.open(); !opened)
            throw BenchFailure(opened.error().message);
        dispatcher = std::make_unique<Dispatcher>(queue, registry, logs, clock); // reads the open store
        registry.add(kNoopType, [startedProbe] { return std::make_unique<NoopWorker>(startedProbe); });
    }
    Q_DISABLE_COPY_MOVE(Stack)

    QueueSettings settings;
    SystemClock clock;
    Store store;
    LogStore logs;
    WorkerRegistry registry;
    JobQueue queue;
    std::unique_ptr<Dispatcher> dispatcher;
};

// The i-th job of a phase that fills its queue with more than identical URL-less no-op jobs.
using JobMaker = std::function<NewJob(int)>;

// Fills the queue for the phases that measure taking jobs out, straight through the store (untimed).
void preInsert(Store &store, int count, const Clock &clock, const JobMaker &make = {})
{
    QList<NewJob> batch(kBatchSize, noopJob());
    for (int done = 0; done < count; done += kBatchSize) {
        const int n = std::min(kBatchSize, count - done);
        for (int i = 0; make && i < n; ++i)
            batch[i] = make(done + i);
        if (auto inserted = store.jobs().insert(batch.first(n), clock.nowMs()); !inserted)
            throw BenchFailure(inserted.error().message);
    }
    store.database().checkpoint(); // the timed part starts with an empty WAL, as after a restart
}

// Runs `loop` until `done` holds; outcomes arrive as queued calls, so waiting must process events.
void runUntil(QEventLoop &loop, const std::function<bool()> &done, const QString &what)
{
    if (done())
        return;
    QTimer::singleShot(kWaitLimitMs, &loop, &QEventLoop::quit);
    loop.exec();
    if (!done())
        throw BenchFailure(QStringLiteral("timed out %1").arg(what));
}

// N jobs, one addJob (validation, defaults, one BEGIN IMMEDIATE..COMMIT) each.
double enqueueSingleSeconds(const Params &params, const QString &dir)
{
    Stack stack(dir, params);
    const NewJob job = noopJob();
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < params.jobs; ++i) {
        if (auto added = stack.queue.addJob(job); !added)
            throw BenchFailure(added.error().message);
    }
    return secondsSince(timer);
}

// N jobs in addJobs calls of kBatchSize, each call one transaction.
double enqueueBatchedSeconds(const Params &params, const QString &dir)
{
    Stack stack(dir, params);
    const QList<NewJob> batch(kBatchSize, noopJob());
    QElapsedTimer timer;
    timer.start();
    for (int done = 0; done < params.jobs; done += kBatchSize) {
        const int n = std::min(kBatchSize, params.jobs - done);
        if (auto added = stack.queue.addJobs(batch.first(n)); !added)
            throw BenchFailure(added.error().message);
    }
    return secondsSince(timer);
}

// The store alone, one thread: claim one job, complete it, N times.
double claimCompleteSeconds(const Params &params, const QString &dir)
{
    QDir().mkpath(dir);
    SystemClock clock;
    Store store(dir + QStringLiteral("/queue.sqlite"), storeOptions(params));
    if (auto opened = store.open(); !opened)
        throw BenchFailure(opened.error().message);
    preInsert(store, params.jobs, clock);
    ClaimRequest request;
    request.worker = QStringLiteral("bench");
    request.leaseMsByType = {{kNoopType, kLeaseMs}};
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < params.jobs; ++i) {
        request.now = clock.nowMs();
        const QList<Job> claimed = store.jobs().claim(request).value_or(QList<Job>{});
        if (claimed.isEmpty())
            throw BenchFailure(QStringLiteral("claim %1 found nothing: %2").arg(i).arg(store.database().lastError()));
        if (auto done = store.jobs().transition(claimed.first().id, JobStatus::Completed, {}, request.now); !done)
            throw BenchFailure(done.error().message);
    }
    return secondsSince(timer);
}

// The engine handles of this thread's open Qt SQLite connections. The bench does not ask the store
// for its connection, so this finds them; it relies on the Qt SQLite driver and the bench sharing
// one libsqlite3, as they do on Debian.
std::vector<sqlite3 *> openSqliteHandles()
{
    std::vector<sqlite3 *> out;
    for (const QString &name : QSqlDatabase::connectionNames()) {
        const QSqlDatabase db = QSqlDatabase::database(name, false);
        const QVariant handle = db.isOpen() ? db.driver()->handle() : QVariant();
        if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
            out.push_back(*static_cast<sqlite3 *const *>(handle.constData()));
    }
    return out;
}

// Diagnostics only: time per SQL statement on the store's connection, via SQLite's trace hooks,
// timed on the steady clock from the statement's first step to its end (the profile hook's own
// figure has millisecond resolution). Claims are told apart by their arms and the index they seek.
class SqlProfile final
{
public:
    SqlProfile() = default;
    ~SqlProfile() { detach(); }
    Q_DISABLE_COPY_MOVE(SqlProfile)

    // Every open connection of this thread but those in `others` (another phase's, still open).
    void attachToOpenConnections(const std::vector<sqlite3 *> &others = {})
    {
        for (sqlite3 *connection : openSqliteHandles()) {
            if (std::find(others.cbegin(), others.cend(), connection) != others.cend())
                continue;
            sqlite3_trace_v2(connection, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, &SqlProfile::onTrace, this);
            m_connections.push_back(connection);
        }
    }
    void detach()
    {
        for (sqlite3 *connection : m_connections)
            sqlite3_trace_v2(connection, 0, nullptr, nullptr);
        m_connections.clear();
    }
    void report(int jobs) const
    {
        std::vector<std::pair<QString, Entry>> sorted(m_entries.begin(), m_entries.end());
        std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second.ns > b.second.ns; });
        for (const auto &[sql, e] : sorted)
            note(QStringLiteral("  sql %1 ms total, %2 per job, %3 us each: %4")
                     .arg(static_cast<double>(e.ns) / 1e6, 9, 'f', 1).arg(double(e.count) / jobs, 4, 'f', 2)
                     .arg(static_cast<double>(e.ns) / 1e3 / static_cast<double>(e.count), 7, 'f', 1).arg(sql));
    }

private:
    struct Entry
    {
        qint64 count = 0;
        qint64 ns = 0;
    };
    static QString key(const QString &sql)
    {
        if (!sql.startsWith(QLatin1String("WITH picked")))
            return sql.left(90);
        const bool byHost = sql.contains(QLatin1String("INDEXED BY jobs_claim_host"));
        return QStringLiteral("claim, %1 arm(s) on %2: %3")
            .arg(sql.count(QLatin1String(") AS arm")) - 1) // the last is "AS arms", the union
            .arg(byHost ? QStringLiteral("jobs_claim_host") : QStringLiteral("jobs_claim"), sql.left(40));
    }
    static int onTrace(unsigned event, void *self, void *p, void *x)
    {
        auto *profile = static_cast<SqlProfile *>(self);
        auto *statement = static_cast<sqlite3_stmt *>(p);
        if (event == SQLITE_TRACE_STMT) {
            const char *text = static_cast<const char *>(x);
            if (!(text && text[0] == '-' && text[1] == '-')) // not a trigger's program
                profile->m_startedNs[statement] = steadyNs();
            return 0;
        }
        const auto started = profile->m_startedNs.find(statement);
        const qint64 ns = started != profile->m_startedNs.end() ? steadyNs() - started->second
                                                                : *static_cast<const sqlite3_int64 *>(x);
        if (started != profile->m_startedNs.end())
            profile->m_startedNs.erase(started);
        Entry &e = profile->m_entries[key(QString::fromUtf8(sqlite3_sql(statement)).simplified())];
        ++e.count;
        e.ns += ns;
        return 0;
    }

    std::vector<sqlite3 *> m_connections;
    std::map<sqlite3_stmt *, qint64> m_startedNs;
    std::map<QString, Entry> m_entries;
};

// What a drain runs: its name in the notes, the queue's settings and the jobs it pre-inserts.
struct DrainSetup
{
    QString label = QStringLiteral("drain");
    std::optional<QueueSettings> settings; // empty: noopSettings(--workers)
    JobMaker job;                          // empty: noopJob(), without a URL
};

// N pre-inserted no-op jobs through the real dispatcher and pool. Job logs are written as in
// production: they are part of the real cost. The drain can run in stages (see --segments): each
// stage releases the dispatcher until a target count has completed, then holds it and waits for
// the jobs still running, so the caller can run the raw baseline in between under the same disk
// conditions. With one stage this is simply: from start() until all N have completed.
class StagedDrain final
{
public:
    StagedDrain(const Params &params, const QString &dir, const DrainSetup &setup = {})
        : m_params(params), m_label(setup.label), m_others(openSqliteHandles()),
          m_stack(dir, params, setup.settings.value_or(noopSettings(params.workers)))
    {
        preInsert(m_stack.store, params.jobs, m_stack.clock, setup.job);
        if (params.diagnostics)
            m_profile.attachToOpenConnections(m_others);
        Dispatcher &dispatcher = *m_stack.dispatcher;
        QObject::connect(&m_stack.queue, &JobQueue::jobChanged, &dispatcher, [this](const Job &job) {
            if (job.status == JobStatus::Completed && ++m_completed >= m_target && !m_stack.dispatcher->isHeld())
                m_stack.dispatcher->setHeld(true); // no new claims; the jobs still running finish
        });
        QObject::connect(&dispatcher, &Dispatcher::idle, &dispatcher, [this] {
            if (m_loop && m_stack.dispatcher->isHeld())
                m_loop->quit();
        });
    }
    ~StagedDrain()
    {
        m_stack.dispatcher->shutdown(m_stack.settings.shutdownGraceMs);
        m_profile.detach(); // while the store's connection is still open
    }
    Q_DISABLE_COPY_MOVE(StagedDrain)

    // Runs the dispatcher until `target` jobs in all have completed and none is running; returns
    // the seconds that took.
    double runUntilCompleted(int target)
    {
        m_target = target;
        QEventLoop loop;
        m_loop = &loop;
        QElapsedTimer timer;
        timer.start();
        const double cpuStart = threadCpuSeconds();
        if (m_started) {
            m_stack.dispatcher->setHeld(false);
        } else {
            m_started = true;
            m_stack.dispatcher->start();
        }
        runUntil(loop, [&] { return m_completed >= target && m_stack.dispatcher->runningCount() == 0; },
                 QStringLiteral("draining the queue"));
        m_loop = nullptr;
        m_cpuSeconds += threadCpuSeconds() - cpuStart;
        const double seconds = secondsSince(timer);
        m_seconds += seconds;
        return seconds;
    }

    void noteBreakdown()
    {
        note(QStringLiteral("  %1: main thread busy %2 s of %3 s wall")
                 .arg(m_label).arg(m_cpuSeconds, 0, 'f', 2).arg(m_seconds, 0, 'f', 2));
        m_profile.detach();
        m_profile.report(m_params.jobs);
    }

private:
    const Params &m_params;
    const QString m_label;
    SqlProfile m_profile; // outlives the stack, so the hook never points at a destroyed profile
    const std::vector<sqlite3 *> m_others; // connections open before this drain's: not profiled
    Stack m_stack;
    QEventLoop *m_loop = nullptr;
    int m_target = 0;
    int m_completed = 0;
    bool m_started = false;
    double m_seconds = 0;
    double m_cpuSeconds = 0;
};

double drainSeconds(const Params &params, const QString &dir)
{
    StagedDrain drain(params, dir);
    const double seconds = drain.runUntilCompleted(params.jobs);
    drain.noteBreakdown();
    return seconds;
}

// One enqueue-to-start measurement, all times relative to just before addJob.
struct LatencySample
{
    qint64 addJobNs = 0;  // addJob returned (the insert is committed)
    qint64 startedNs = 0; // Dispatcher::jobStarted
    qint64 workerNs = 0;  // the worker's first instruction, on a pool thread
};

// Adds one job at a time to an idle, running dispatcher and waits until it is idle again.
LatencySample latencySample(Stack &stack, const qint64 &startedNs, const std::atomic<qint64> &workerNs)
{
    bool finished = false;
    QEventLoop loop;
    QObject::connect(stack.dispatcher.get(), &Dispatcher::idle, &loop, [&] {
        finished = true;
        loop.quit();
    });
    const qint64 t0 = steadyNs();
    if (auto added = stack.queue.addJob(noopJob()); !added)
        throw BenchFailure(added.error().message);
    const qint64 addedNs = steadyNs();
    runUntil(loop, [&] { return finished; }, QStringLiteral("waiting for a job to finish"));
    return {addedNs - t0, startedNs - t0, workerNs.load(std::memory_order_acquire) - t0};
}

std::vector<LatencySample> latencySamples(const Params &params, const QString &dir)
{
    qint64 startedNs = 0;
    std::atomic<qint64> workerNs{0};
    Stack stack(dir, params, &workerNs);
    QObject::connect(stack.dispatcher.get(), &Dispatcher::jobStarted, stack.dispatcher.get(),
                     [&startedNs] { startedNs = steadyNs(); });
    stack.dispatcher->start();
    std::vector<LatencySample> samples;
    samples.reserve(kLatencySamples);
    for (int i = 0; i < kLatencyWarmup + kLatencySamples; ++i) {
        const LatencySample sample = latencySample(stack, startedNs, workerNs);
        if (i >= kLatencyWarmup)
            samples.push_back(sample);
    }
    stack.dispatcher->shutdown(stack.settings.shutdownGraceMs);
    return samples;
}

// What a job's folder costs once it has something to write (a worker's first lines): a no-op job
// writes none, since the queue's own lines (started, completed) are rows in the outcome's commit.
double logCostSeconds(const Params &params, const QString &dir)
{
    SystemClock clock;
    LogStore logs(dir + QStringLiteral("/logs/jobs"), QueueSettings{}.logCapBytes, &clock);
    QElapsedTimer timer;
    timer.start();
    for (int id = 1; id <= params.jobs; ++id) {
        const auto log = logs.logger(id);
        log->log(JobLogger::Level::Info, QStringLiteral("command"), QStringLiteral("yt-dlp --newline -- URL"));
        log->flush();
    }
    return secondsSince(timer);
}

// ---------------------------------------------------------------------------------------------
// The raw SQLite baseline: the sqlite3 C API only, no Qt, no queue machinery.

struct SqliteCloser
{
    void operator()(sqlite3 *db) const { sqlite3_close(db); }
};
struct StatementFinalizer
{
    void operator()(sqlite3_stmt *statement) const { sqlite3_finalize(statement); }
};
using RawDatabase = std::unique_ptr<sqlite3, SqliteCloser>;
using RawStatement = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

BenchFailure sqliteFailure(sqlite3 *db, const char *what)
{
    return BenchFailure(QStringLiteral("raw sqlite: %1: %2").arg(QLatin1String(what), QString::fromUtf8(sqlite3_errmsg(db))));
}

void rawExec(sqlite3 *db, const char *sql)
{
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        throw sqliteFailure(db, sql);
}

// The same file settings as JobStore::open, and the columns and ready index the claim needs.
RawDatabase openRaw(const QByteArray &path, Store::Sync sync)
{
    sqlite3 *handle = nullptr;
    const int rc = sqlite3_open(path.constData(), &handle);
    RawDatabase db(handle);
    if (rc != SQLITE_OK)
        throw sqliteFailure(db.get(), "open");
    rawExec(db.get(), "PRAGMA journal_mode=WAL");
    rawExec(db.get(), sync == Store::Sync::Full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    rawExec(db.get(), "PRAGMA journal_size_limit=67108864");
    rawExec(db.get(), "PRAGMA busy_timeout=5000");
    rawExec(db.get(), "CREATE TABLE jobs (id INTEGER PRIMARY KEY, status TEXT NOT NULL, run_at INTEGER NOT NULL,"
                      " priority INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, lease_until INTEGER)");
    rawExec(db.get(), "CREATE INDEX jobs_ready ON jobs(priority DESC, run_at, id) WHERE status = 'pending'");
    return db;
}

RawStatement rawPrepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK)
        throw sqliteFailure(db, sql);
    return RawStatement(statement);
}

void rawStep(sqlite3 *db, sqlite3_stmt *statement, int expected)
{
    if (sqlite3_step(statement) != expected) {
        sqlite3_reset(statement);
        throw sqliteFailure(db, sqlite3_sql(statement));
    }
}

qint64 wallMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Three autocommit statements per job, as a minimal hand-written queue would do it.
struct RawQueue
{
    explicit RawQueue(const QByteArray &path, Store::Sync sync)
        : db(openRaw(path, sync)),
          insert(rawPrepare(db.get(), "INSERT INTO jobs (status, run_at) VALUES ('pending', ?)")),
          claim(rawPrepare(db.get(), "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = ?"
                                     " WHERE id IN (SELECT id FROM jobs WHERE status = 'pending' AND run_at <= ?"
                                     " ORDER BY priority DESC, run_at, id LIMIT 1) RETURNING id")),
          complete(rawPrepare(db.get(), "UPDATE jobs SET status = 'completed' WHERE id = ?"))
    {
    }

    // Runs `count` cycles; returns the seconds they took.
    double cycles(int count)
    {
        const auto start = std::chrono::steady_clock::now();
        for (int i = 0; i < count; ++i)
            cycle();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    void cycle()
    {
        const qint64 now = wallMs();
        sqlite3_bind_int64(insert.get(), 1, now);
        rawStep(db.get(), insert.get(), SQLITE_DONE);
        sqlite3_reset(insert.get());

        sqlite3_bind_int64(claim.get(), 1, now + kLeaseMs);
        sqlite3_bind_int64(claim.get(), 2, now);
        rawStep(db.get(), claim.get(), SQLITE_ROW);
        const sqlite3_int64 id = sqlite3_column_int64(claim.get(), 0);
        rawStep(db.get(), claim.get(), SQLITE_DONE); // the autocommit ends when the statement does
        sqlite3_reset(claim.get());

        sqlite3_bind_int64(complete.get(), 1, id);
        rawStep(db.get(), complete.get(), SQLITE_DONE);
        sqlite3_reset(complete.get());
    }

    RawDatabase db; // declared first: the statements are finalized before it closes
    RawStatement insert;
    RawStatement claim;
    RawStatement complete;
};

RawQueue openRawQueue(const Params &params, const QString &dir)
{
    if (!QDir().mkpath(dir))
        throw BenchFailure(QStringLiteral("cannot create %1").arg(dir));
    return RawQueue(QFile::encodeName(dir + QStringLiteral("/raw.sqlite")), params.sync);
}

double rawFullCycleSeconds(const Params &params, const QString &dir)
{
    RawQueue raw = openRawQueue(params, dir);
    return raw.cycles(params.jobs);
}

// ---------------------------------------------------------------------------------------------
// The raw baseline and the drain together, alternating in --segments stages: each stage runs
// N/segments raw cycles, then drains N/segments jobs. On a shared machine fsync latency can change
// tenfold within a minute; alternating gives both sides the same disk, which makes the ratio
// meaningful. With one segment it is the plain sequence: all raw cycles, then the whole drain.

struct RawAndDrain
{
    double rawSeconds = 0;
    double drainSeconds = 0;
};

RawAndDrain rawAndDrainSeconds(const Params &params, const QString &dir)
{
    RawQueue raw = openRawQueue(params, dir + QStringLiteral("/raw"));
    StagedDrain drain(params, dir + QStringLiteral("/spool"));
    RawAndDrain out;
    int done = 0;
    for (int segment = 1; segment <= params.segments; ++segment) {
        const int target = static_cast<int>(static_cast<qint64>(params.jobs) * segment / params.segments);
        out.rawSeconds += raw.cycles(target - done);
        out.drainSeconds += drain.runUntilCompleted(target);
        done = target;
    }
    drain.noteBreakdown();
    return out;
}

double rounded(double value, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

struct Percentiles
{
    double p50Ms = 0;
    double p99Ms = 0;
};

// Nearest-rank percentiles of nanosecond values, in milliseconds.
Percentiles percentiles(std::vector<qint64> values)
{
    std::sort(values.begin(), values.end());
    auto rank = [&](double p) {
        const auto index = static_cast<size_t>(std::ceil(p * static_cast<double>(values.size()))) - 1;
        return static_cast<double>(values[std::min(index, values.size() - 1)]) / 1e6;
    };
    return values.empty() ? Percentiles{} : Percentiles{rank(0.50), rank(0.99)};
}

// ---------------------------------------------------------------------------------------------
// claim_scale: the cost of one claim against a queue whose rows are mostly not claimable now.

const QString kCappedType = QStringLiteral("bench_capped"); // at its cap: never in leaseMsByType
const QString kCoolingHost = QStringLiteral("cooling.example");
const QString kOkHost = QStringLiteral("ok.example");
constexpr int kExcludedPriority = 10; // above the claimable rows: a priority-ordered walk meets them first
constexpr int kScaleSeedBatch = 5000; // rows per insert transaction
constexpr int kScaleClaims = 2000;
constexpr int kScaleWarmup = 20;      // prepares the statements; the last one is traced for the plan
constexpr int kHistoryBatch = 500;    // claimed at once while completing the history
constexpr qint64 kDayMs = 86'400'000;

enum class ScaleLayout {
    Cooling,      // per 10 rows: 1 claimable, 3 capped type, 3 on the cooling host, 3 scheduled
    NoCooling,    // per 10 rows: 1 claimable, 4.5 capped type, 4.5 scheduled
    ClaimableOnly // every row claimable
};
enum class RowKind { Claimable, Capped, Cooling, Scheduled };

RowKind rowKind(ScaleLayout layout, qint64 i)
{
    if (layout == ScaleLayout::ClaimableOnly)
        return RowKind::Claimable;
    const int slot = static_cast<int>(i % 10);
    if (slot == 0)
        return RowKind::Claimable;
    if (slot <= 3)
        return RowKind::Capped;
    if (slot >= 7)
        return RowKind::Scheduled;
    if (layout == ScaleLayout::Cooling)
        return RowKind::Cooling;
    return (i / 10) % 2 == 0 ? RowKind::Capped : RowKind::Scheduled; // the cooling slots, shared out
}

qint64 claimableRows(ScaleLayout layout, qint64 rows)
{
    return layout == ScaleLayout::ClaimableOnly ? rows : (rows + 9) / 10;
}

NewJob scaleJob(RowKind kind, qint64 i, qint64 later)
{
    NewJob job;
    job.type = kind == RowKind::Capped ? kCappedType : kNoopType;
    job.url = QStringLiteral("https://%1/v/%2").arg(kind == RowKind::Cooling ? kCoolingHost : kOkHost).arg(i);
    job.priority = kind == RowKind::Claimable ? 0 : kExcludedPriority;
    job.runAt = kind == RowKind::Scheduled ? later : 0;
    return job;
}

// Inserts `rows` rows of the layout straight through the store, kScaleSeedBatch per transaction;
// returns the seconds it took.
double seedScale(Store &store, ScaleLayout layout, qint64 rows, const Clock &clock, const QString &label)
{
    QElapsedTimer timer;
    timer.start();
    const qint64 later = clock.nowMs() + kDayMs;
    const qint64 noteEvery = std::max<qint64>(kScaleSeedBatch, rows / 10 / kScaleSeedBatch * kScaleSeedBatch);
    QList<NewJob> batch;
    batch.reserve(kScaleSeedBatch);
    for (qint64 done = 0; done < rows;) {
        batch.clear();
        for (; done < rows && batch.size() < kScaleSeedBatch; ++done)
            batch.append(scaleJob(rowKind(layout, done), done, later));
        if (auto inserted = store.jobs().insert(batch, clock.nowMs()); !inserted)
            throw BenchFailure(inserted.error().message);
        if (done % noteEvery == 0 || done == rows)
            note(QStringLiteral("  %1: seeded %2 of %3 rows (%4 rows/s)")
                     .arg(label).arg(done).arg(rows).arg(static_cast<double>(done) / secondsSince(timer), 0, 'f', 0));
    }
    store.database().checkpoint();
    return secondsSince(timer);
}

// One statement a claim ran: its text, with the values bound, and how many VM steps it took.
struct TracedStatement
{
    QString sql;      // as prepared
    QString expanded; // with the bound values
    qint64 vmSteps = 0;
    qint64 fullScanSteps = 0;
};

// Records every top-level statement run on this thread's connections between start() and stop().
class StatementTrace final
{
public:
    StatementTrace() = default;
    ~StatementTrace() { stop(); }
    Q_DISABLE_COPY_MOVE(StatementTrace)

    void start()
    {
        m_statements.clear();
        for (sqlite3 *connection : openSqliteHandles()) {
            sqlite3_trace_v2(connection, SQLITE_TRACE_STMT | SQLITE_TRACE_PROFILE, &StatementTrace::onTrace, this);
            m_connections.push_back(connection);
        }
        if (m_connections.empty())
            note(QStringLiteral("  found no SQLite connection to trace: no query plans"));
    }
    void stop()
    {
        for (sqlite3 *connection : m_connections)
            sqlite3_trace_v2(connection, 0, nullptr, nullptr);
        if (!m_connections.empty())
            m_explainOn = m_connections.front();
        m_connections.clear();
    }
    // The traced connection, for EXPLAIN after stop().
    sqlite3 *connection() const { return m_explainOn; }
    const std::vector<TracedStatement> &statements() const { return m_statements; }

private:
    static int onTrace(unsigned event, void *self, void *p, void *x)
    {
        auto *trace = static_cast<StatementTrace *>(self);
        auto *statement = static_cast<sqlite3_stmt *>(p);
        if (event == SQLITE_TRACE_STMT) {
            const char *text = static_cast<const char *>(x);
            if (text && text[0] == '-' && text[1] == '-')
                return 0; // a trigger's program, part of its statement
            char *expanded = sqlite3_expanded_sql(statement);
            TracedStatement traced;
            traced.sql = QString::fromUtf8(sqlite3_sql(statement));
            traced.expanded = expanded ? QString::fromUtf8(expanded) : traced.sql;
            sqlite3_free(expanded);
            sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_VM_STEP, 1); // count this run only
            sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
            trace->m_running[statement] = trace->m_statements.size();
            trace->m_statements.push_back(traced);
        } else if (event == SQLITE_TRACE_PROFILE) {
            const auto it = trace->m_running.find(statement);
            if (it == trace->m_running.end())
                return 0;
            TracedStatement &traced = trace->m_statements[it->second];
            traced.vmSteps = sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_VM_STEP, 1);
            traced.fullScanSteps = sqlite3_stmt_status(statement, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
            trace->m_running.erase(it);
        }
        return 0;
    }

    std::vector<sqlite3 *> m_connections;
    sqlite3 *m_explainOn = nullptr;
    std::vector<TracedStatement> m_statements;
    std::map<sqlite3_stmt *, size_t> m_running;
};

// EXPLAIN QUERY PLAN of a statement as prepared (parameters unbound), one line per step, indented
// under its parent.
QStringList queryPlan(sqlite3 *db, const QString &sql)
{
    const QByteArray explain = QByteArrayLiteral("EXPLAIN QUERY PLAN ") + sql.toUtf8();
    sqlite3_stmt *raw = nullptr;
    if (sqlite3_prepare_v2(db, explain.constData(), -1, &raw, nullptr) != SQLITE_OK)
        return {QStringLiteral("(no plan: %1)").arg(QString::fromUtf8(sqlite3_errmsg(db)))};
    const RawStatement statement(raw);
    QStringList lines;
    std::map<int, int> depth;
    while (sqlite3_step(raw) == SQLITE_ROW) {
        const int id = sqlite3_column_int(raw, 0);
        const int parent = sqlite3_column_int(raw, 1);
        depth[id] = depth.count(parent) ? depth[parent] + 1 : 0;
        lines << QString(depth[id] * 2, QLatin1Char(' '))
                     + QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(raw, 3)));
    }
    return lines;
}

bool isClaimStatement(const QString &sql)
{
    // The claim's UPDATE follows the CTE that picks its rows (WITH picked AS MATERIALIZED ...).
    return sql.contains(QLatin1String("UPDATE jobs SET status = 'running'"));
}

// A claim plan is fine when it seeks one of the claim indexes and never walks the jobs table or a
// whole index of it.
bool claimPlanOk(const QStringList &plan)
{
    static const QRegularExpression scan(QStringLiteral("^\\s*SCAN jobs\\b"));
    const bool seeksClaimIndex = std::any_of(plan.cbegin(), plan.cend(), [](const QString &line) {
        return line.contains(QLatin1String("USING INDEX jobs_claim"));
    });
    const bool scans = std::any_of(plan.cbegin(), plan.cend(), [](const QString &line) { return scan.match(line).hasMatch(); });
    return seeksClaimIndex && !scans;
}

// Notes every statement of the traced claim and completion with its VM steps and plan; returns
// whether the claim statement's plan is fine.
bool noteTrace(const StatementTrace &trace, const QString &label)
{
    bool ok = true, sawClaim = false;
    note(QStringLiteral("  %1: the statements of one claim + completion:").arg(label));
    std::vector<QString> explained;
    for (const TracedStatement &s : trace.statements()) {
        const bool claim = isClaimStatement(s.sql);
        note(QStringLiteral("    %1 VM steps, %2 full-scan steps: %3")
                 .arg(s.vmSteps).arg(s.fullScanSteps)
                 .arg(claim ? s.expanded.simplified() : s.expanded.simplified().left(150)));
        if (std::find(explained.cbegin(), explained.cend(), s.sql) != explained.cend() || !trace.connection())
            continue;
        explained.push_back(s.sql);
        const QStringList plan = queryPlan(trace.connection(), s.sql);
        for (const QString &line : plan)
            note(QStringLiteral("      plan: %1").arg(line));
        if (claim) {
            sawClaim = true;
            if (!claimPlanOk(plan)) {
                ok = false;
                note(QStringLiteral("    ^ %1: THE CLAIM PLAN DOES NOT SEEK jobs_claim/jobs_claim_host OR SCANS jobs").arg(label));
            }
        }
    }
    if (!sawClaim && trace.connection()) {
        note(QStringLiteral("  %1: no claim statement was traced").arg(label));
        ok = false;
    }
    return ok;
}

// Checkpoints the WAL exactly as SQLite's default auto-checkpoint does (PASSIVE, once a commit
// leaves 1000 frames or more) and times it. With synchronous=NORMAL the checkpoint is the only
// fsync; on a shared disk it dominates the mean, so the claim cost is also reported without it.
class CheckpointTimer final
{
public:
    static constexpr int kFrames = 1000; // SQLite's default; the store does not change it
    CheckpointTimer() : m_connections(openSqliteHandles())
    {
        for (sqlite3 *connection : m_connections)
            sqlite3_wal_hook(connection, &CheckpointTimer::onCommit, this);
    }
    ~CheckpointTimer()
    {
        for (sqlite3 *connection : m_connections)
            sqlite3_wal_autocheckpoint(connection, kFrames); // SQLite's own hook again
    }
    Q_DISABLE_COPY_MOVE(CheckpointTimer)
    qint64 ns() const { return m_ns; }
    int count() const { return m_count; }

private:
    static int onCommit(void *self, sqlite3 *db, const char *schema, int frames)
    {
        if (frames < kFrames)
            return SQLITE_OK;
        auto *timer = static_cast<CheckpointTimer *>(self);
        const qint64 t0 = steadyNs();
        sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        timer->m_ns += steadyNs() - t0;
        ++timer->m_count;
        return SQLITE_OK;
    }
    std::vector<sqlite3 *> m_connections;
    qint64 m_ns = 0;
    int m_count = 0;
};

struct ClaimTimes
{
    double meanUs = 0;
    double meanExCheckpointUs = 0; // without the WAL checkpoints that fell into the timed claims
    double p50Us = 0;
    double p99Us = 0;
    bool planOk = true;
};

// Claims one job and completes it; the claim must take a claimable row and nothing else.
void claimAndComplete(Store &store, ClaimRequest &request, const Clock &clock)
{
    request.now = clock.nowMs();
    const auto claimed = store.jobs().claim(request);
    if (!claimed)
        throw BenchFailure(claimed.error().message);
    if (claimed->size() != 1)
        throw BenchFailure(QStringLiteral("a claim returned %1 jobs instead of 1").arg(claimed->size()));
    const Job &job = claimed->first();
    if (job.type != kNoopType || job.host != kOkHost || job.priority != 0)
        throw BenchFailure(QStringLiteral("the claim took job %1 (%2, %3, priority %4), which it must not take")
                               .arg(job.id).arg(job.type, job.host).arg(job.priority));
    if (auto done = store.jobs().transition(job.id, JobStatus::Completed, {}, request.now); !done)
        throw BenchFailure(done.error().message);
}

// Completes `count` claimable jobs, in claims of kHistoryBatch (untimed).
void completeHistory(Store &store, ClaimRequest request, qint64 count, const Clock &clock, const QString &label)
{
    QElapsedTimer timer;
    timer.start();
    for (qint64 done = 0; done < count;) {
        request.limit = static_cast<int>(std::min<qint64>(kHistoryBatch, count - done));
        request.now = clock.nowMs();
        const auto claimed = store.jobs().claim(request);
        if (!claimed)
            throw BenchFailure(claimed.error().message);
        if (claimed->isEmpty())
            throw BenchFailure(QStringLiteral("%1: history: nothing left to claim after %2").arg(label).arg(done));
        for (const Job &job : claimed.value()) {
            if (auto completed = store.jobs().transition(job.id, JobStatus::Completed, {}, request.now); !completed)
                throw BenchFailure(completed.error().message);
        }
        done += claimed->size();
    }
    store.database().checkpoint();
    note(QStringLiteral("  %1: completed %2 jobs as history in %3 s").arg(label).arg(count).arg(secondsSince(timer), 0, 'f', 2));
}

// kScaleWarmup untimed claims (the last traced, for the plan), then kScaleClaims timed ones.
ClaimTimes timeClaims(Store &store, const ClaimRequest &base, const Clock &clock, const QString &label)
{
    ClaimRequest request = base;
    ClaimTimes out;
    for (int i = 0; i < kScaleWarmup; ++i) {
        if (i + 1 < kScaleWarmup) {
            claimAndComplete(store, request, clock);
            continue;
        }
        StatementTrace trace;
        trace.start();
        claimAndComplete(store, request, clock);
        trace.stop();
        out.planOk = noteTrace(trace, label);
    }
    std::vector<qint64> ns;
    ns.reserve(kScaleClaims);
    qint64 checkpointNs = 0;
    int checkpoints = 0;
    {
        CheckpointTimer timer;
        for (int i = 0; i < kScaleClaims; ++i) {
            const qint64 t0 = steadyNs();
            claimAndComplete(store, request, clock);
            ns.push_back(steadyNs() - t0);
        }
        checkpointNs = timer.ns();
        checkpoints = timer.count();
    }
    double sum = 0;
    for (qint64 v : ns)
        sum += static_cast<double>(v);
    out.meanUs = sum / static_cast<double>(ns.size()) / 1e3;
    out.meanExCheckpointUs = (sum - static_cast<double>(checkpointNs)) / static_cast<double>(ns.size()) / 1e3;
    const Percentiles p = percentiles(ns);
    out.p50Us = p.p50Ms * 1e3;
    out.p99Us = p.p99Ms * 1e3;
    note(QStringLiteral("  %1: claim + complete mean %2 us, p50 %3 us, p99 %4 us over %5; %6 WAL checkpoints took "
                        "%7 ms of it: mean without them %8 us")
             .arg(label).arg(out.meanUs, 0, 'f', 1).arg(out.p50Us, 0, 'f', 1).arg(out.p99Us, 0, 'f', 1).arg(kScaleClaims)
             .arg(checkpoints).arg(static_cast<double>(checkpointNs) / 1e6, 0, 'f', 1).arg(out.meanExCheckpointUs, 0, 'f', 1));
    return out;
}

struct ClaimScale
{
    double seedSeconds = 0; // the N-row database with the cooling host
    ClaimTimes scale, small, scaleNoCooldown, smallNoCooldown;
};

// One fresh database of the layout in `dir`, seeded, with its history completed; hands the open
// store to `measure`, then removes the folder.
template <typename Measure>
double withScaleDatabase(const QString &dir, ScaleLayout layout, qint64 rows, bool cooling, qint64 reserve,
                         const QString &label, Measure measure)
{
    if (!QDir().mkpath(dir))
        throw BenchFailure(QStringLiteral("cannot create %1").arg(dir));
    double seedSeconds = 0;
    {
        SystemClock clock;
        Store::Options options;
        options.sync = Store::Sync::Normal;
        Store store(dir + QStringLiteral("/queue.sqlite"), options);
        if (auto opened = store.open(); !opened)
            throw BenchFailure(opened.error().message);
        const qint64 claimable = claimableRows(layout, rows);
        if (claimable < reserve)
            throw BenchFailure(QStringLiteral("%1: %2 claimable rows, the measurement needs %3: raise --scale-rows")
                                   .arg(label).arg(claimable).arg(reserve));
        seedSeconds = seedScale(store, layout, rows, clock, label);
        note(QStringLiteral("  %1: seeded %2 rows (%3 claimable) in %4 s, file %5 MB")
                 .arg(label).arg(rows).arg(claimable).arg(seedSeconds, 0, 'f', 1)
                 .arg(static_cast<double>(QFileInfo(store.path()).size()) / 1e6, 0, 'f', 0));
        if (cooling) {
            if (auto cooled = store.cooldowns().setCooldown(kCoolingHost, clock.nowMs() + kDayMs, QStringLiteral("bench 429"));
                !cooled)
                throw BenchFailure(cooled.error().message);
        }
        ClaimRequest request;
        request.worker = QStringLiteral("bench");
        request.leaseMsByType = {{kNoopType, kLeaseMs}}; // bench_capped is at its cap: not named
        request.excludedHosts = store.cooldowns().active(clock.nowMs()).keys();
        if (cooling != request.excludedHosts.contains(kCoolingHost))
            throw BenchFailure(QStringLiteral("%1: the cool-down of %2 is not as set").arg(label, kCoolingHost));
        completeHistory(store, request, std::min(claimable / 2, claimable - reserve), clock, label);
        measure(store, request, clock);
    }
    QDir(dir).removeRecursively();
    return seedSeconds;
}

ClaimScale claimScale(const Params &params, const QString &dir)
{
    ClaimScale out;
    const qint64 rows = params.scaleRows;
    const qint64 claimable = claimableRows(ScaleLayout::Cooling, rows);
    const qint64 perMeasurement = kScaleWarmup + kScaleClaims;
    // The small database first: it fails fast. It is measured with and without the cooling host.
    withScaleDatabase(dir + QStringLiteral("/small"), ScaleLayout::ClaimableOnly, claimable, true, 2 * perMeasurement,
                      QStringLiteral("small"), [&](Store &store, const ClaimRequest &request, const Clock &clock) {
                          out.small = timeClaims(store, request, clock, QStringLiteral("small, cooling host excluded"));
                          ClaimRequest plain = request;
                          plain.excludedHosts.clear();
                          out.smallNoCooldown = timeClaims(store, plain, clock, QStringLiteral("small, no excluded host"));
                      });
    out.seedSeconds = withScaleDatabase(
        dir + QStringLiteral("/scale"), ScaleLayout::Cooling, rows, true, perMeasurement, QStringLiteral("scale"),
        [&](Store &store, const ClaimRequest &request, const Clock &clock) {
            out.scale = timeClaims(store, request, clock, QStringLiteral("at scale, cooling host excluded"));
        });
    withScaleDatabase(dir + QStringLiteral("/scale_no_cooldown"), ScaleLayout::NoCooling, rows, false, perMeasurement,
                      QStringLiteral("scale, no cool-down"),
                      [&](Store &store, const ClaimRequest &request, const Clock &clock) {
                          out.scaleNoCooldown = timeClaims(store, request, clock, QStringLiteral("at scale, no excluded host"));
                      });
    note(QStringLiteral("  claim_scale: at scale / small = %1 (cooling host excluded), %2 (no excluded host)")
             .arg(out.scale.meanUs / out.small.meanUs, 0, 'f', 2)
             .arg(out.scaleNoCooldown.meanUs / out.smallNoCooldown.meanUs, 0, 'f', 2));
    return out;
}

// ---------------------------------------------------------------------------------------------
// drain_hosts and drain_throttled: the drain again on jobs spread over hosts as downloads are,
// without and with the throttle's rules, alternating so that both see the same disk. The rules
// never hold a job back, so the difference is what they cost the claims (one arm per type and host,
// found by a loose index scan, instead of one per type).

const QStringList kOtherSites{
    QStringLiteral("vimeo.com"),        QStringLiteral("www.dailymotion.com"), QStringLiteral("soundcloud.com"),
    QStringLiteral("www.twitch.tv"),    QStringLiteral("rumble.com"),          QStringLiteral("odysee.com"),
    QStringLiteral("bandcamp.com"),     QStringLiteral("www.bilibili.com"),    QStringLiteral("archive.org"),
    QStringLiteral("www.bitchute.com"), QStringLiteral("www.nicovideo.jp"),    QStringLiteral("www.tiktok.com"),
    QStringLiteral("www.instagram.com"), QStringLiteral("x.com"),              QStringLiteral("www.reddit.com"),
    QStringLiteral("streamable.com"),   QStringLiteral("www.mixcloud.com"),    QStringLiteral("peertube.tv"),
    QStringLiteral("www.ted.com"),      QStringLiteral("media.ccc.de")};
const QStringList kThrottledSites{QStringLiteral("youtube.com"), QStringLiteral("youtu.be")};
constexpr int kNonBindingDownloads = 1000; // far above --workers: no site is ever at its limit

// Job i of the host mix, interleaved so that every claim meets every host: half on
// www.youtube.com, a quarter on youtu.be, a quarter spread over kOtherSites.
NewJob hostMixJob(int i)
{
    switch (i % 4) {
    case 0:
    case 1:
        return noopJob(QStringLiteral("https://www.youtube.com/watch?v=bench%1").arg(i));
    case 2:
        return noopJob(QStringLiteral("https://youtu.be/bench%1").arg(i));
    default:
        return noopJob(QStringLiteral("https://%1/v/bench%2").arg(kOtherSites.at((i / 4) % kOtherSites.size())).arg(i));
    }
}

// The no-op type throttled like downloads, with rules for the YouTube sites that never bind (no
// limit reached, no pause, no request sleep); only `throttleOn` differs between the two drains.
QueueSettings hostMixSettings(int workers, bool throttleOn, bool claimAhead = true)
{
    QueueSettings settings = noopSettings(workers);
    if (!claimAhead)
        settings.localQueue = 0; // every job claimed when a worker is free, as downloads are
    settings.types[kNoopType].hostThrottled = true;
    settings.throttle.enabled = throttleOn;
    settings.throttle.rules.clear();
    for (const QString &site : kThrottledSites)
        settings.throttle.rules.append(HostRule{site, kNonBindingDownloads, 0, 0, 0});
    return settings;
}

struct HostMix
{
    std::optional<double> hostsSeconds, throttledSeconds;
};

HostMix hostMixSeconds(const Params &params, const QString &dir, bool hosts, bool throttled, bool claimAhead = true)
{
    auto open = [&](bool wanted, const QString &phase, bool throttleOn) {
        const QString label = claimAhead ? phase : phase + QStringLiteral(" (no claim-ahead)");
        return wanted ? std::make_unique<StagedDrain>(params, dir + QLatin1Char('/') + phase,
                                                      DrainSetup{label, hostMixSettings(params.workers, throttleOn, claimAhead),
                                                                 hostMixJob})
                      : nullptr;
    };
    const std::unique_ptr<StagedDrain> plain = open(hosts, kPhases[5], false);
    const std::unique_ptr<StagedDrain> limited = open(throttled, kPhases[6], true);
    const int stages = hosts && throttled ? std::min(params.jobs, std::max(kHostMixStages, params.segments)) : 1;
    if (stages > 1)
        note(QStringLiteral("drain_hosts and drain_throttled in %1 alternating stages").arg(stages));
    double hostsTotal = 0, throttledTotal = 0;
    int done = 0;
    for (int stage = 1; stage <= stages; ++stage) {
        const int target = static_cast<int>(static_cast<qint64>(params.jobs) * stage / stages);
        auto run = [target](StagedDrain *drain, double &total) {
            const double seconds = drain ? drain->runUntilCompleted(target) : 0;
            total += seconds;
            return seconds;
        };
        double hostsS = 0, throttledS = 0;
        if (stage % 2 == 1) { // ABBA: neither always runs on the disk the other has just worked
            hostsS = run(plain.get(), hostsTotal);
            throttledS = run(limited.get(), throttledTotal);
        } else {
            throttledS = run(limited.get(), throttledTotal);
            hostsS = run(plain.get(), hostsTotal);
        }
        if (stages > 1)
            note(QStringLiteral("  stage %1: %2 jobs, drain_hosts %3/s, drain_throttled %4/s, ratio %5")
                     .arg(stage).arg(target - done).arg((target - done) / hostsS, 0, 'f', 0)
                     .arg((target - done) / throttledS, 0, 'f', 0).arg(hostsS / throttledS, 0, 'f', 3));
        done = target;
    }
    HostMix out;
    if (plain) {
        plain->noteBreakdown();
        out.hostsSeconds = hostsTotal;
    }
    if (limited) {
        limited->noteBreakdown();
        out.throttledSeconds = throttledTotal;
    }
    return out;
}

// Diagnostics only: the claim alone, as the dispatcher asks for one job on the host mix, without and
// with the rules, in alternating blocks on one database at synchronous=NORMAL (the statements, not
// fsync); the completions are untimed. One claim of each is traced: statements, VM steps, plans.
constexpr int kHostClaims = 2000;   // timed claims of each kind
constexpr int kHostClaimBlock = 100; // claims of one kind in a row

ClaimRequest hostMixRequest(const QueueSettings &settings)
{
    // What Dispatcher::claimRound passes when every type may start: each type with its lease and,
    // while the throttle is on, the sites' rooms and the throttled types.
    ClaimRequest request;
    request.worker = QStringLiteral("bench");
    for (auto it = settings.types.cbegin(); it != settings.types.cend(); ++it) {
        request.leaseMsByType.insert(it.key(), it->leaseMs);
        if (settings.throttle.enabled && it->hostThrottled)
            request.hostLimitedTypes.insert(it.key());
    }
    for (const HostRule &rule : settings.throttle.rules) {
        if (settings.throttle.enabled && rule.maxDownloads > 0)
            request.hostLimits.append(HostLimit{rule.host, rule.maxDownloads});
    }
    if (request.hostLimits.isEmpty())
        request.hostLimitedTypes.clear();
    return request;
}

qint64 timedClaimNs(Store &store, ClaimRequest &request, const Clock &clock)
{
    request.now = clock.nowMs();
    const qint64 t0 = steadyNs();
    const auto claimed = store.jobs().claim(request);
    const qint64 ns = steadyNs() - t0;
    if (!claimed)
        throw BenchFailure(claimed.error().message);
    if (claimed->size() != 1)
        throw BenchFailure(QStringLiteral("a host mix claim returned %1 jobs instead of 1").arg(claimed->size()));
    if (auto done = store.jobs().transition(claimed->first().id, JobStatus::Completed, {}, request.now); !done)
        throw BenchFailure(done.error().message);
    return ns;
}

void noteHostClaimCost(const Params &params, const QString &dir)
{
    if (!QDir().mkpath(dir))
        throw BenchFailure(QStringLiteral("cannot create %1").arg(dir));
    SystemClock clock;
    Store::Options options;
    options.sync = Store::Sync::Normal;
    Store store(dir + QStringLiteral("/queue.sqlite"), options);
    if (auto opened = store.open(); !opened)
        throw BenchFailure(opened.error().message);
    preInsert(store, std::max(params.jobs, 3 * kHostClaims), clock, hostMixJob);
    ClaimRequest requests[2]{hostMixRequest(hostMixSettings(params.workers, false)),
                             hostMixRequest(hostMixSettings(params.workers, true))};
    const QString labels[2]{QStringLiteral("host mix claim, throttle off"), QStringLiteral("host mix claim, throttle on")};
    for (int k = 0; k < 2; ++k) {
        for (int i = 0; i < kScaleWarmup; ++i)
            timedClaimNs(store, requests[k], clock);
        StatementTrace trace;
        trace.start();
        timedClaimNs(store, requests[k], clock);
        trace.stop();
        note(QStringLiteral("  %1: %2 statements").arg(labels[k]).arg(trace.statements().size()));
        noteTrace(trace, labels[k]);
    }
    std::vector<qint64> ns[2];
    for (int i = 0; i < 2 * kHostClaims; ++i) {
        const int k = (i / kHostClaimBlock) % 2;
        ns[k].push_back(timedClaimNs(store, requests[k], clock));
    }
    double means[2]{};
    Percentiles p[2];
    for (int k = 0; k < 2; ++k) {
        double sum = 0;
        for (qint64 v : ns[k])
            sum += static_cast<double>(v);
        means[k] = sum / static_cast<double>(ns[k].size()) / 1e3;
        p[k] = percentiles(ns[k]);
        note(QStringLiteral("  %1: mean %2 us, p50 %3 us, p99 %4 us over %5 (limit 1, synchronous=NORMAL)")
                 .arg(labels[k]).arg(means[k], 0, 'f', 1).arg(p[k].p50Ms * 1e3, 0, 'f', 1)
                 .arg(p[k].p99Ms * 1e3, 0, 'f', 1).arg(ns[k].size()));
    }
    note(QStringLiteral("  host mix claim: throttle on / off = %1 (mean), %2 (p50)")
             .arg(means[1] / means[0], 0, 'f', 2).arg(p[1].p50Ms / p[0].p50Ms, 0, 'f', 2));
}

// ---------------------------------------------------------------------------------------------
// A peer queue (--compare): its own Node script in the peers folder measures the same figures on
// its own fresh files and prints them as one JSON object; its notes pass straight through to our
// stderr. The npm packages it needs are installed by bench/peers/setup.sh, never by the build.

struct PeerCommand
{
    QString node;
    QString script;
};

// The npm packages a peer's script imports, as setup.sh installs them into DIR/node_modules.
QStringList peerPackages(const QString &peer)
{
    if (peer == QLatin1String("plainjob"))
        return {QStringLiteral("plainjob"), QStringLiteral("better-sqlite3")};
    return {peer};
}

// Checked before Spool's phases, so that a missing setup fails at once instead of after minutes.
PeerCommand peerCommand(const Params &params)
{
    const QString setup = QStringLiteral("run bench/peers/setup.sh first (npm ci of the pinned peers)");
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty())
        throw BenchFailure(QStringLiteral("--compare %1 needs node on PATH (Debian: apt-get install nodejs npm); "
                                          "then %2").arg(params.compare, setup));
    const QDir dir(params.peersDir);
    const QString script = dir.absoluteFilePath(params.compare + QStringLiteral("_bench.mjs"));
    if (!QFileInfo::exists(script))
        throw BenchFailure(QStringLiteral("--compare %1: %2 does not exist (is --peers-dir %3 the bench/peers "
                                          "folder?)").arg(params.compare, script, params.peersDir));
    for (const QString &package : peerPackages(params.compare)) {
        const QString manifest = dir.absoluteFilePath(QStringLiteral("node_modules/%1/package.json").arg(package));
        if (!QFileInfo::exists(manifest))
            throw BenchFailure(QStringLiteral("--compare %1: npm package %2 is not installed in %3; %4")
                                   .arg(params.compare, package, dir.absoluteFilePath(QStringLiteral("node_modules")),
                                        setup));
    }
    return {node, script};
}

QJsonObject runPeer(const Params &params)
{
    const PeerCommand command = peerCommand(params);
    const QStringList arguments{command.script,
                                QStringLiteral("--jobs"), QString::number(params.jobs),
                                QStringLiteral("--workers"), QString::number(params.workers),
                                QStringLiteral("--sync"), params.syncName};
    note(QStringLiteral("peer %1: %2 %3").arg(params.compare, command.node, arguments.join(QLatin1Char(' '))));
    QElapsedTimer wall;
    wall.start();
    QProcess process;
    process.setWorkingDirectory(QFileInfo(command.script).absolutePath());
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(command.node, arguments);
    if (!process.waitForStarted())
        throw BenchFailure(QStringLiteral("peer %1: cannot start %2: %3").arg(params.compare, command.node,
                                                                              process.errorString()));
    if (!process.waitForFinished(kPeerWaitLimitMs)) {
        process.kill();
        process.waitForFinished();
        throw BenchFailure(QStringLiteral("peer %1 did not finish within %2 s")
                               .arg(params.compare).arg(kPeerWaitLimitMs / 1000));
    }
    const QByteArray output = process.readAllStandardOutput();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        throw BenchFailure(QStringLiteral("peer %1 failed (%2); its notes are above")
                               .arg(params.compare,
                                    process.exitStatus() == QProcess::NormalExit
                                        ? QStringLiteral("exit code %1").arg(process.exitCode())
                                        : QStringLiteral("crashed")));
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(output, &error);
    if (!document.isObject())
        throw BenchFailure(QStringLiteral("peer %1 printed no JSON object (%2): %3")
                               .arg(params.compare, error.errorString(), QString::fromUtf8(output.left(200))));
    const QJsonObject peer = document.object();
    if (peer.value(QLatin1String("jobs")).toInt() != params.jobs
        || peer.value(QLatin1String("workers")).toInt() != params.workers
        || peer.value(QLatin1String("sync")).toString() != params.syncName)
        throw BenchFailure(QStringLiteral("peer %1 ran with other parameters: %2")
                               .arg(params.compare, QString::fromUtf8(QJsonDocument(peer).toJson(QJsonDocument::Compact))));
    note(QStringLiteral("peer %1: done in %2 s").arg(params.compare).arg(secondsSince(wall), 0, 'f', 2));
    return peer;
}

// One <figure>_ratio_vs_<peer> per figure both sides measured, above 1 where Spool is better:
// Spool / peer for rates, peer / Spool for latencies. Computed from the printed (rounded) figures.
void insertPeerRatios(QJsonObject &json, const QString &peerName, const QJsonObject &peer)
{
    struct Figure
    {
        const char *key;
        const char *ratio;
        bool lowerIsBetter;
    };
    static constexpr Figure kFigures[]{{"enqueue_single_per_s", "enqueue_single", false},
                                       {"enqueue_batched_per_s", "enqueue_batched", false},
                                       {"drain_per_s", "drain", false},
                                       {"latency_p50_ms", "latency_p50", true},
                                       {"latency_p99_ms", "latency_p99", true}};
    for (const Figure &figure : kFigures) {
        const QJsonValue ours = json.value(QLatin1String(figure.key));
        const QJsonValue theirs = peer.value(QLatin1String(figure.key));
        if (ours.isUndefined())
            continue; // not measured on Spool's side in this run (--only)
        if (!theirs.isDouble() || theirs.toDouble() <= 0 || !ours.isDouble() || ours.toDouble() <= 0) {
            note(QStringLiteral("peer %1 has no usable %2: no ratio").arg(peerName, QLatin1String(figure.key)));
            continue;
        }
        const double ratio = figure.lowerIsBetter ? theirs.toDouble() / ours.toDouble()
                                                  : ours.toDouble() / theirs.toDouble();
        json.insert(QStringLiteral("%1_ratio_vs_%2").arg(QLatin1String(figure.ratio), peerName), rounded(ratio, 3));
    }
}

// ---------------------------------------------------------------------------------------------
// Running and reporting

Percentiles latencyPart(const std::vector<LatencySample> &samples, qint64 LatencySample::*part)
{
    std::vector<qint64> values;
    values.reserve(samples.size());
    for (const LatencySample &s : samples)
        values.push_back(s.*part);
    return percentiles(std::move(values));
}

void noteLatencyBreakdown(const std::vector<LatencySample> &samples)
{
    auto line = [&](const char *what, qint64 LatencySample::*part) {
        const Percentiles p = latencyPart(samples, part);
        note(QStringLiteral("  latency %1: p50 %2 ms, p99 %3 ms")
                 .arg(QLatin1String(what)).arg(p.p50Ms, 0, 'f', 3).arg(p.p99Ms, 0, 'f', 3));
    };
    line("until addJob returned  ", &LatencySample::addJobNs);
    line("until jobStarted       ", &LatencySample::startedNs);
    line("until worker ran       ", &LatencySample::workerNs);
}

struct Results
{
    std::optional<double> enqueueSingleS, enqueueBatchedS, claimCompleteS, drainS, rawS;
    std::optional<double> drainHostsS, drainThrottledS;
    std::optional<Percentiles> latency;
    std::optional<QJsonObject> peer; // --compare: the peer script's output
    std::optional<ClaimScale> claimScale;
};

// Runs one phase on its own fresh folder, with a note of its wall time.
template <typename Measure>
auto phase(const Params &params, const QTemporaryDir &tmp, const QString &name, int jobs, Measure measure)
{
    note(QStringLiteral("%1: %2 jobs ...").arg(name).arg(jobs));
    QElapsedTimer wall;
    wall.start();
    auto value = measure(params, tmp.filePath(name));
    note(QStringLiteral("%1: done in %2 s").arg(name).arg(secondsSince(wall), 0, 'f', 2));
    return value;
}

// The raw baseline and the drain, interleaved when both are asked for.
void runRawAndDrain(const Params &params, const QTemporaryDir &tmp, Results &r)
{
    const bool raw = params.runs(kPhases[3]), drain = params.runs(kPhases[4]);
    if (raw && drain) {
        note(QStringLiteral("raw and drain in %1 alternating segment(s)").arg(params.segments));
        const RawAndDrain both = phase(params, tmp, QStringLiteral("raw_and_drain"), params.jobs, rawAndDrainSeconds);
        r.rawS = both.rawSeconds;
        r.drainS = both.drainSeconds;
        return;
    }
    if (raw)
        r.rawS = phase(params, tmp, kPhases[3], params.jobs, rawFullCycleSeconds);
    if (drain)
        r.drainS = phase(params, tmp, kPhases[4], params.jobs, drainSeconds);
}

// drain_hosts and drain_throttled, alternating when both are asked for.
void runHostMix(const Params &params, const QTemporaryDir &tmp, Results &r)
{
    const bool hosts = params.runs(kPhases[5]), throttled = params.runs(kPhases[6]);
    if (!hosts && !throttled)
        return;
    const QString name = hosts && throttled ? QStringLiteral("drain_hosts_and_throttled") : kPhases[hosts ? 5 : 6];
    const HostMix mix = phase(params, tmp, name, params.jobs, [&](const Params &p, const QString &dir) {
        return hostMixSeconds(p, dir, hosts, throttled);
    });
    r.drainHostsS = mix.hostsSeconds;
    r.drainThrottledS = mix.throttledSeconds;
    if (!params.diagnostics)
        return;
    noteHostClaimCost(params, tmp.filePath(QStringLiteral("host_claim_cost")));
    if (!hosts || !throttled)
        return;
    // The dispatcher claims quick jobs ahead in batches without the sites' rooms, so the drains
    // above take few claims through the throttle; without claiming ahead every job is one claim.
    Params few = params;
    few.jobs = std::max(kHostMixStages, params.jobs / 4);
    note(QStringLiteral("drain_hosts and drain_throttled without claim-ahead (local_queue=0), %1 jobs each ...").arg(few.jobs));
    const HostMix noAhead = hostMixSeconds(few, tmp.filePath(QStringLiteral("host_mix_no_ahead")), true, true, false);
    note(QStringLiteral("  without claim-ahead: drain_hosts %1/s, drain_throttled %2/s, ratio %3")
             .arg(few.jobs / *noAhead.hostsSeconds, 0, 'f', 1).arg(few.jobs / *noAhead.throttledSeconds, 0, 'f', 1)
             .arg(*noAhead.hostsSeconds / *noAhead.throttledSeconds, 0, 'f', 3));
}

Results runPhases(const Params &params)
{
    QTemporaryDir tmp;
    if (!tmp.isValid())
        throw BenchFailure(QStringLiteral("cannot create a temporary folder: %1").arg(tmp.errorString()));
    note(QStringLiteral("working in %1").arg(tmp.path()));
    Results r;
    if (params.runs(kPhases[0]))
        r.enqueueSingleS = phase(params, tmp, kPhases[0], params.jobs, enqueueSingleSeconds);
    if (params.runs(kPhases[1]))
        r.enqueueBatchedS = phase(params, tmp, kPhases[1], params.jobs, enqueueBatchedSeconds);
    if (params.runs(kPhases[2]))
        r.claimCompleteS = phase(params, tmp, kPhases[2], params.jobs, claimCompleteSeconds);
    runRawAndDrain(params, tmp, r);
    runHostMix(params, tmp, r);
    if (params.runs(kPhases[7])) {
        const auto samples = phase(params, tmp, kPhases[7], kLatencyWarmup + kLatencySamples, latencySamples);
        noteLatencyBreakdown(samples);
        r.latency = latencyPart(samples, &LatencySample::startedNs);
    }
    if (params.runs(kOptInPhases[0]))
        r.claimScale = phase(params, tmp, kOptInPhases[0], static_cast<int>(params.scaleRows), claimScale);
    if (params.diagnostics) {
        const double logS = logCostSeconds(params, tmp.filePath(QStringLiteral("log_cost")));
        note(QStringLiteral("  job folder cost (a worker's first line): %1 us per job (%2 s for %3 jobs)")
                 .arg(logS * 1e6 / params.jobs, 0, 'f', 1).arg(logS, 0, 'f', 3).arg(params.jobs));
    }
    note(QStringLiteral("removing %1").arg(tmp.path()));
    if (!tmp.remove())
        note(QStringLiteral("could not remove all of %1").arg(tmp.path()));
    note(QStringLiteral("removed"));
    return r;
}

QJsonObject toJson(const Params &params, const Results &r)
{
    const double n = params.jobs;
    QJsonObject json{{QStringLiteral("jobs"), params.jobs},
                     {QStringLiteral("workers"), params.workers},
                     {QStringLiteral("sync"), params.syncName}};
    if (params.segments > 1) // the default run prints exactly the documented keys
        json.insert(QStringLiteral("segments"), params.segments);
    auto rate = [&](const char *key, const std::optional<double> &seconds) {
        if (seconds)
            json.insert(QLatin1String(key), rounded(n / *seconds, 1));
    };
    rate("enqueue_single_per_s", r.enqueueSingleS);
    rate("enqueue_batched_per_s", r.enqueueBatchedS);
    rate("claim_complete_per_s", r.claimCompleteS);
    rate("drain_per_s", r.drainS);
    rate("raw_full_cycle_per_s", r.rawS);
    rate("drain_hosts_per_s", r.drainHostsS);
    rate("drain_throttled_per_s", r.drainThrottledS);
    if (r.drainHostsS && r.drainThrottledS) // (n/throttled) / (n/hosts)
        json.insert(QStringLiteral("throttled_ratio"), rounded(*r.drainHostsS / *r.drainThrottledS, 3));
    if (r.latency) {
        json.insert(QStringLiteral("latency_p50_ms"), rounded(r.latency->p50Ms, 3));
        json.insert(QStringLiteral("latency_p99_ms"), rounded(r.latency->p99Ms, 3));
    }
    if (r.drainS && r.rawS)
        json.insert(QStringLiteral("ratio_vs_raw"), rounded(*r.rawS / *r.drainS, 3)); // (n/drain) / (n/raw)
    if (r.enqueueSingleS && r.drainS) {
        // A job's whole life through Spool (added alone, then drained) against the raw cycle.
        const double fullCycleS = *r.enqueueSingleS + *r.drainS;
        rate("spool_full_cycle_per_s", fullCycleS);
        if (r.rawS)
            json.insert(QStringLiteral("full_cycle_ratio_vs_raw"), rounded(*r.rawS / fullCycleS, 3));
    }
    if (r.claimScale) {
        const ClaimScale &c = *r.claimScale;
        json.insert(QStringLiteral("scale_rows"), static_cast<double>(params.scaleRows));
        json.insert(QStringLiteral("claim_scale_claims"), kScaleClaims);
        json.insert(QStringLiteral("claim_scale_sync"), QStringLiteral("normal"));
        json.insert(QStringLiteral("claim_scale_seed_s"), rounded(c.seedSeconds, 1));
        json.insert(QStringLiteral("claim_at_scale_p50_us"), rounded(c.scale.p50Us, 1));
        json.insert(QStringLiteral("claim_at_scale_p99_us"), rounded(c.scale.p99Us, 1));
        json.insert(QStringLiteral("claim_at_scale_mean_us"), rounded(c.scale.meanUs, 1));
        json.insert(QStringLiteral("claim_small_mean_us"), rounded(c.small.meanUs, 1));
        json.insert(QStringLiteral("claim_small_p50_us"), rounded(c.small.p50Us, 1));
        json.insert(QStringLiteral("claim_scale_ratio"), rounded(c.scale.meanUs / c.small.meanUs, 3));
        json.insert(QStringLiteral("claim_scale_p50_ratio"), rounded(c.scale.p50Us / c.small.p50Us, 3));
        json.insert(QStringLiteral("claim_at_scale_mean_ex_checkpoint_us"), rounded(c.scale.meanExCheckpointUs, 1));
        json.insert(QStringLiteral("claim_small_mean_ex_checkpoint_us"), rounded(c.small.meanExCheckpointUs, 1));
        json.insert(QStringLiteral("claim_scale_ratio_ex_checkpoint"),
                    rounded(c.scale.meanExCheckpointUs / c.small.meanExCheckpointUs, 3));
        json.insert(QStringLiteral("claim_at_scale_no_cooldown_mean_us"), rounded(c.scaleNoCooldown.meanUs, 1));
        json.insert(QStringLiteral("claim_small_no_cooldown_mean_us"), rounded(c.smallNoCooldown.meanUs, 1));
        json.insert(QStringLiteral("claim_scale_no_cooldown_ratio"),
                    rounded(c.scaleNoCooldown.meanUs / c.smallNoCooldown.meanUs, 3));
        json.insert(QStringLiteral("claim_scale_no_cooldown_ratio_ex_checkpoint"),
                    rounded(c.scaleNoCooldown.meanExCheckpointUs / c.smallNoCooldown.meanExCheckpointUs, 3));
        json.insert(QStringLiteral("claim_plan_ok"), c.scale.planOk && c.small.planOk && c.scaleNoCooldown.planOk
                                                         && c.smallNoCooldown.planOk);
    }
    if (r.peer) {
        json.insert(QStringLiteral("peer"), *r.peer);
        insertPeerRatios(json, params.compare, *r.peer);
    }
    return json;
}

std::optional<Params> parseArguments(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Throughput and latency of Spool's job queue, as one JSON object."));
    parser.addHelpOption();
    const QCommandLineOption jobs(QStringLiteral("jobs"), QStringLiteral("Jobs per phase (default 20000)."),
                                  QStringLiteral("N"), QStringLiteral("20000"));
    const QCommandLineOption workers(QStringLiteral("workers"), QStringLiteral("Dispatcher concurrency (default 4)."),
                                     QStringLiteral("W"), QStringLiteral("4"));
    const QCommandLineOption sync(QStringLiteral("sync"), QStringLiteral("SQLite synchronous mode: normal or full (default)."),
                                  QStringLiteral("mode"), QStringLiteral("full"));
    const QCommandLineOption segments(
        QStringLiteral("segments"),
        QStringLiteral("Run the raw baseline and the drain alternately in K stages, so both see the same disk "
                       "(default 1: all raw cycles, then the whole drain); drain_hosts and drain_throttled "
                       "alternate in K stages, at least %1.").arg(kHostMixStages),
        QStringLiteral("K"), QStringLiteral("1"));
    const QCommandLineOption only(QStringLiteral("only"),
                                  QStringLiteral("Run only these phases (comma-separated), for profiling: %1; "
                                                 "and, only when named, %2.")
                                      .arg(kPhases.join(QStringLiteral(", ")), kOptInPhases.join(QStringLiteral(", "))),
                                  QStringLiteral("phases"));
    const QCommandLineOption diagnostics(QStringLiteral("diagnostics"),
                                         QStringLiteral("Also profile the drains' SQL statements, time one claim "
                                                        "on the host mix with the throttle off and on, drain the "
                                                        "host mix without claiming ahead, and measure what a job's "
                                                        "log folder costs once it writes (stderr only)."));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("After Spool's phases, measure this peer queue the same way and add its figures and the "
                       "ratios (needs node and bench/peers/setup.sh): %1.").arg(kPeers.join(QStringLiteral(", "))),
        QStringLiteral("peer"));
    const QCommandLineOption peersDir(QStringLiteral("peers-dir"),
                                      QStringLiteral("Folder of the peer scripts and their node_modules (default %1).")
                                          .arg(kDefaultPeersDir),
                                      QStringLiteral("DIR"), kDefaultPeersDir);
    const QCommandLineOption scaleRows(QStringLiteral("scale-rows"),
                                       QStringLiteral("claim_scale: rows of the large databases (default 1000000)."),
                                       QStringLiteral("N"), QStringLiteral("1000000"));
    parser.addOptions({jobs, workers, sync, segments, only, diagnostics, compare, peersDir, scaleRows});
    parser.process(app);

    Params params;
    bool jobsOk = false, workersOk = false, segmentsOk = false, scaleRowsOk = false;
    params.jobs = parser.value(jobs).toInt(&jobsOk);
    params.workers = parser.value(workers).toInt(&workersOk);
    params.segments = parser.value(segments).toInt(&segmentsOk);
    params.scaleRows = parser.value(scaleRows).toLongLong(&scaleRowsOk);
    params.syncName = parser.value(sync).toLower();
    params.sync = params.syncName == QLatin1String("normal") ? Store::Sync::Normal : Store::Sync::Full;
    params.only = parser.value(only).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const bool phasesKnown = std::all_of(params.only.cbegin(), params.only.cend(),
                                         [](const QString &phase) {
                                             return kPhases.contains(phase) || kOptInPhases.contains(phase);
                                         });
    params.diagnostics = parser.isSet(diagnostics);
    params.compare = parser.value(compare).toLower();
    params.peersDir = parser.value(peersDir);
    if (!jobsOk || params.jobs < 1 || !workersOk || params.workers < 1 || !segmentsOk || params.segments < 1
        || params.segments > params.jobs || !scaleRowsOk || params.scaleRows < 1 || params.scaleRows > INT_MAX
        || (params.syncName != QLatin1String("normal") && params.syncName != QLatin1String("full"))
        || !phasesKnown || (parser.isSet(compare) && !kPeers.contains(params.compare))) {
        note(QStringLiteral("bad arguments; see --help"));
        return std::nullopt;
    }
    return params;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("queue_bench"));
    const std::optional<Params> params = parseArguments(app);
    if (!params)
        return 2;
    try {
        if (!params->compare.isEmpty())
            peerCommand(*params); // fails now, not after Spool's phases, when setup.sh has not run
        Results results = runPhases(*params);
        if (!params->compare.isEmpty())
            results.peer = runPeer(*params);
        std::fputs(QJsonDocument(toJson(*params, results)).toJson(QJsonDocument::Indented).constData(), stdout);
    } catch (const BenchFailure &failure) {
        note(QStringLiteral("failed: %1").arg(QString::fromStdString(failure.what())));
        return 1;
    }
    return 0;
}
