// queue_bench: how fast Spool's durable queue takes in, claims and drains jobs, how quickly an idle
// dispatcher starts a new job, and how the drain compares with the same rows moved by raw SQLite.
//
//   queue_bench [--jobs N] [--workers W] [--sync normal|full] [--segments K]
//               [--only PHASE[,PHASE...]] [--diagnostics] [--compare plainjob [--peers-dir DIR]]
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
//   latency_p50_ms/_p99_ms   addJob on an idle, running dispatcher until Dispatcher::jobStarted
//   raw_full_cycle_per_s     sqlite3 C API: insert, claim, complete, three autocommits per job
//   ratio_vs_raw             drain_per_s / raw_full_cycle_per_s (the drain excludes inserts)
//   spool_full_cycle_per_s   N / (enqueue_single seconds + drain seconds)
//   full_cycle_ratio_vs_raw  spool_full_cycle_per_s / raw_full_cycle_per_s
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
#include <QStandardPaths>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTemporaryDir>
#include <QTimer>

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
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
const QString kNoopType = QStringLiteral("bench_noop");
// In run order. The raw baseline runs right before the drain it is compared with, or interleaved
// with it (--segments), so that both see the same disk.
const QStringList kPhases{QStringLiteral("enqueue_single"), QStringLiteral("enqueue_batched"),
                          QStringLiteral("claim_complete"), QStringLiteral("raw"),
                          QStringLiteral("drain"), QStringLiteral("latency")};
constexpr int kBatchSize = 1000;       // jobs per addJobs call and per pre-insert transaction
constexpr int kLatencySamples = 300;
constexpr int kLatencyWarmup = 20;     // the first starts pay for thread creation and cold caches
constexpr int kWaitLimitMs = 10 * 60 * 1000; // a stuck dispatcher fails the run instead of hanging it
constexpr qint64 kLeaseMs = 60'000;    // TypePolicy's default lease, so claims write the same values
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
    int segments = 1;          // raw and drain alternate in this many stages
    QStringList only;          // empty: every phase
    bool diagnostics = false;  // extra stderr-only measurements
    QString compare;           // a peer from kPeers to measure after Spool's phases, or empty
    QString peersDir = kDefaultPeersDir;

    bool runs(const QString &phase) const { return only.isEmpty() || only.contains(phase); }
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

// The real defaults (their per-type limits shape how the dispatcher claims) plus a type without a
// URL, which JobQueue would otherwise refuse.
QueueSettings benchSettings(int workers)
{
    QueueSettings settings = QueueSettings::defaults();
    settings.maxConcurrent = workers;
    TypePolicy noop;
    noop.needsUrl = false;
    settings.types.insert(kNoopType, noop);
    return settings;
}

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
        : settings(benchSettings(params.workers)),
          store(dir + QStringLiteral("/queue.sqlite"), storeOptions(params)),
          logs(dir + QStringLiteral("/logs/jobs"), settings.logCapBytes, &clock),
          queue(store, settings, clock, &logs),
          dispatcher(queue, registry, logs, clock)
    {
        if (!QDir().mkpath(dir))
            throw BenchFailure(QStringLiteral("cannot create %1").arg(dir));
        if (auto opened = store.open(); !opened)
            throw BenchFailure(opened.error().message);
        registry.add(kNoopType, [startedProbe] { return std::make_unique<NoopWorker>(startedProbe); });
    }
    Q_DISABLE_COPY_MOVE(Stack)

    QueueSettings settings;
    SystemClock clock;
    Store store;
    LogStore logs;
    WorkerRegistry registry;
    JobQueue queue;
    Dispatcher dispatcher;
};

NewJob noopJob()
{
    NewJob job;
    job.type = kNoopType; // no URL: no unique key, so identical jobs are all inserted
    return job;
}

// Fills the queue for the phases that measure taking jobs out, straight through the store (untimed).
void preInsert(Store &store, int count, const Clock &clock)
{
    const QList<NewJob> batch(kBatchSize, noopJob());
    for (int done = 0; done < count; done += kBatchSize) {
        const int n = std::min(kBatchSize, count - done);
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

// Diagnostics only: time per SQL statement on the store's connection, via SQLite's profile hook.
// The bench does not ask the store for its connection, so this finds the open Qt connections of this thread;
// it relies on the Qt SQLite driver and the bench sharing one libsqlite3, as they do on Debian.
class SqlProfile final
{
public:
    SqlProfile() = default;
    ~SqlProfile() { detach(); }
    Q_DISABLE_COPY_MOVE(SqlProfile)

    void attachToOpenConnections()
    {
        for (const QString &name : QSqlDatabase::connectionNames()) {
            const QSqlDatabase db = QSqlDatabase::database(name, false);
            const QVariant handle = db.isOpen() ? db.driver()->handle() : QVariant();
            if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0) {
                sqlite3 *connection = *static_cast<sqlite3 *const *>(handle.constData());
                sqlite3_trace_v2(connection, SQLITE_TRACE_PROFILE, &SqlProfile::onProfile, this);
                m_connections.push_back(connection);
            }
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
    static int onProfile(unsigned, void *self, void *statement, void *elapsedNs)
    {
        const QString sql = QString::fromUtf8(sqlite3_sql(static_cast<sqlite3_stmt *>(statement))).simplified();
        Entry &e = static_cast<SqlProfile *>(self)->m_entries[sql.left(90)];
        ++e.count;
        e.ns += *static_cast<const sqlite3_int64 *>(elapsedNs);
        return 0;
    }

    std::vector<sqlite3 *> m_connections;
    std::map<QString, Entry> m_entries;
};

// N pre-inserted no-op jobs through the real dispatcher and pool. Job logs are written as in
// production: they are part of the real cost. The drain can run in stages (see --segments): each
// stage releases the dispatcher until a target count has completed, then holds it and waits for
// the jobs still running, so the caller can run the raw baseline in between under the same disk
// conditions. With one stage this is simply: from start() until all N have completed.
class StagedDrain final
{
public:
    StagedDrain(const Params &params, const QString &dir) : m_params(params), m_stack(dir, params)
    {
        preInsert(m_stack.store, params.jobs, m_stack.clock);
        if (params.diagnostics)
            m_profile.attachToOpenConnections();
        Dispatcher &dispatcher = m_stack.dispatcher;
        QObject::connect(&m_stack.queue, &JobQueue::jobChanged, &dispatcher, [this](const Job &job) {
            if (job.status == JobStatus::Completed && ++m_completed >= m_target && !m_stack.dispatcher.isHeld())
                m_stack.dispatcher.setHeld(true); // no new claims; the jobs still running finish
        });
        QObject::connect(&dispatcher, &Dispatcher::idle, &dispatcher, [this] {
            if (m_loop && m_stack.dispatcher.isHeld())
                m_loop->quit();
        });
    }
    ~StagedDrain()
    {
        m_stack.dispatcher.shutdown(m_stack.settings.shutdownGraceMs);
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
            m_stack.dispatcher.setHeld(false);
        } else {
            m_started = true;
            m_stack.dispatcher.start();
        }
        runUntil(loop, [&] { return m_completed >= target && m_stack.dispatcher.runningCount() == 0; },
                 QStringLiteral("draining the queue"));
        m_loop = nullptr;
        m_cpuSeconds += threadCpuSeconds() - cpuStart;
        const double seconds = secondsSince(timer);
        m_seconds += seconds;
        return seconds;
    }

    void noteBreakdown()
    {
        note(QStringLiteral("  drain: main thread busy %1 s of %2 s wall")
                 .arg(m_cpuSeconds, 0, 'f', 2).arg(m_seconds, 0, 'f', 2));
        m_profile.detach();
        m_profile.report(m_params.jobs);
    }

private:
    const Params &m_params;
    SqlProfile m_profile; // outlives the stack, so the hook never points at a destroyed profile
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
    QObject::connect(&stack.dispatcher, &Dispatcher::idle, &loop, [&] {
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
    QObject::connect(&stack.dispatcher, &Dispatcher::jobStarted, &stack.dispatcher,
                     [&startedNs] { startedNs = steadyNs(); });
    stack.dispatcher.start();
    std::vector<LatencySample> samples;
    samples.reserve(kLatencySamples);
    for (int i = 0; i < kLatencyWarmup + kLatencySamples; ++i) {
        const LatencySample sample = latencySample(stack, startedNs, workerNs);
        if (i >= kLatencyWarmup)
            samples.push_back(sample);
    }
    stack.dispatcher.shutdown(stack.settings.shutdownGraceMs);
    return samples;
}

// What the dispatcher's job log costs per job: the two lines it writes for a no-op job (started,
// completed, each to job.log and events.jsonl) and WorkerTask's flush, into fresh job folders.
double logCostSeconds(const Params &params, const QString &dir)
{
    SystemClock clock;
    LogStore logs(dir + QStringLiteral("/logs/jobs"), QueueSettings{}.logCapBytes, &clock);
    QElapsedTimer timer;
    timer.start();
    for (int id = 1; id <= params.jobs; ++id) {
        const auto log = logs.logger(id);
        log->log(JobLogger::Level::Info, QStringLiteral("started"), QStringLiteral("Attempt 1 of 5 started"),
                 {{QStringLiteral("attempt"), 1}, {QStringLiteral("worker"), QStringLiteral("bench")}});
        log->flush();
        log->log(JobLogger::Level::Info, QStringLiteral("completed"), QStringLiteral("Completed"),
                 {{QStringLiteral("result"), QJsonObject()}});
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
    std::optional<Percentiles> latency;
    std::optional<QJsonObject> peer; // --compare: the peer script's output
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
    if (params.runs(kPhases[5])) {
        const auto samples = phase(params, tmp, kPhases[5], kLatencyWarmup + kLatencySamples, latencySamples);
        noteLatencyBreakdown(samples);
        r.latency = latencyPart(samples, &LatencySample::startedNs);
    }
    if (params.diagnostics) {
        const double logS = logCostSeconds(params, tmp.filePath(QStringLiteral("log_cost")));
        note(QStringLiteral("  job log cost: %1 us per job (%2 s for %3 jobs)")
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
                       "(default 1: all raw cycles, then the whole drain)."),
        QStringLiteral("K"), QStringLiteral("1"));
    const QCommandLineOption only(QStringLiteral("only"),
                                  QStringLiteral("Run only these phases (comma-separated), for profiling: %1.")
                                      .arg(kPhases.join(QStringLiteral(", "))),
                                  QStringLiteral("phases"));
    const QCommandLineOption diagnostics(QStringLiteral("diagnostics"),
                                         QStringLiteral("Also profile the drain's SQL statements and measure "
                                                        "the job log cost (stderr only)."));
    const QCommandLineOption compare(
        QStringLiteral("compare"),
        QStringLiteral("After Spool's phases, measure this peer queue the same way and add its figures and the "
                       "ratios (needs node and bench/peers/setup.sh): %1.").arg(kPeers.join(QStringLiteral(", "))),
        QStringLiteral("peer"));
    const QCommandLineOption peersDir(QStringLiteral("peers-dir"),
                                      QStringLiteral("Folder of the peer scripts and their node_modules (default %1).")
                                          .arg(kDefaultPeersDir),
                                      QStringLiteral("DIR"), kDefaultPeersDir);
    parser.addOptions({jobs, workers, sync, segments, only, diagnostics, compare, peersDir});
    parser.process(app);

    Params params;
    bool jobsOk = false, workersOk = false, segmentsOk = false;
    params.jobs = parser.value(jobs).toInt(&jobsOk);
    params.workers = parser.value(workers).toInt(&workersOk);
    params.segments = parser.value(segments).toInt(&segmentsOk);
    params.syncName = parser.value(sync).toLower();
    params.sync = params.syncName == QLatin1String("normal") ? Store::Sync::Normal : Store::Sync::Full;
    params.only = parser.value(only).split(QLatin1Char(','), Qt::SkipEmptyParts);
    const bool phasesKnown = std::all_of(params.only.cbegin(), params.only.cend(),
                                         [](const QString &phase) { return kPhases.contains(phase); });
    params.diagnostics = parser.isSet(diagnostics);
    params.compare = parser.value(compare).toLower();
    params.peersDir = parser.value(peersDir);
    if (!jobsOk || params.jobs < 1 || !workersOk || params.workers < 1 || !segmentsOk || params.segments < 1
        || params.segments > params.jobs
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
