#pragma once

#include "core/clock.h"
#include "core/settings.h"
#include "core/spoolcore.h"
#include "store/store.h"
#include "workers/worker.h"

#include <QHash>
#include <QSet>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// For a test that needs something ./dev.sh installs (chromium, apt package lists, Qt's Russian
// translations, yt-dlp and ffmpeg): skipped on a machine without it, but failed where
// SPOOL_TESTS_REQUIRE_ALL is set, as the ctest presets that ./dev.sh and CI run set it. The README's
// test command never passes by skipping.
#define SPOOL_SKIP_UNLESS_REQUIRED(reason)                                                          \
    do {                                                                                            \
        if (qEnvironmentVariableIsSet("SPOOL_TESTS_REQUIRE_ALL"))                                   \
            QFAIL(reason);                                                                          \
        QSKIP(reason);                                                                              \
    } while (false)

// Test job types. Their worker does what the job's options say, so a test controls each attempt:
//   outcome: "complete" (default) | "transient" | "permanent" | "throw"
//   sleep_ms: wait this long (cooperatively) before the outcome
//   block: true — wait until cancelled; with heartbeat: true, heartbeat while waiting, and with
//     advance: true, also move progress forward on every beat
//   ignore_cancel_ms: keep running this long (real time) even when cancelled
//   progress_steps: report this many progress steps
//   children: N — complete with N children (added atomically on completion)
//   children_now: N — add N children while running
//   fail_times: N — the first N attempts fail transiently, later ones complete
//   not_before_ms: the earliest retry after a transient failure (ms since epoch, on the core's clock)
//   cooldown_ms: the first attempt is rate limited and cools its URL's host down this long
//   hold: true — wait until the test releases the job (RunLedger::release) or it is cancelled,
//     then go on with the rest of the script
//   silent_process_ms: run a real process that prints nothing for this long (sleep), through
//     ProcessRunner, then complete
//   child_entries: [{"url": …, "key": …}] — complete with these test_fetch children
//   log_lines: N — write N lines ("worker line 1"…) to the job's log first
//   print_then_fail: text — run a real process that prints these lines and exits with 3, filtered
//     as yt-dlp's output is (its traffic lines with cookies are secrets)
//   flood_bytes: N — run a real process that prints one line of N bytes with no newline, through
//     ProcessRunner (capture: true to capture stdout; output_limit: its cap in bytes)
namespace TestTypes {
inline const QString Scripted = QStringLiteral("test_scripted");
inline const QString Other = QStringLiteral("test_other");
inline const QString Fetch = QStringLiteral("test_fetch"); // needs a URL, as downloads do
} // namespace TestTypes

// Counts how often each job's worker ran; thread-safe.
class RunLedger final
{
public:
    static RunLedger &instance();
    void record(qint64 jobId);
    // The clock time of the job's latest heartbeat, so a test can wait for the worker to see a jump.
    void beat(qint64 jobId, qint64 atMs);
    qint64 lastBeat(qint64 jobId) const;
    // Lets attempt `attempt` of a job waiting with "hold" go on; the worker's side waits for that
    // (or its token).
    void release(qint64 jobId, int attempt = 1);
    bool waitForRelease(qint64 jobId, int attempt, class CancellationToken &token);
    bool isHolding(qint64 jobId, int attempt = 1) const;
    int runs(qint64 jobId) const;
    QHash<qint64, int> all() const;
    void clear();

private:
    mutable QMutex m_mutex;
    QHash<qint64, int> m_runs;
    QHash<qint64, qint64> m_beats;
    QSet<qint64> m_released;
    QSet<qint64> m_holding;
};

class ScriptedWorker final : public Worker
{
public:
    Outcome run(JobContext &context) override;
};

// Queue settings with the test types (short backoff, small limits) added to the real ones.
QueueSettings testSettings();

// A temporary data dir and a SpoolCore over it, with scripted workers registered.
class TestCore final
{
public:
    explicit TestCore(QueueSettings settings = testSettings(), bool manualClock = true,
                      QVariantMap environment = {}, const QString &dataDir = QString(),
                      Store::Options store = {});
    ~TestCore();
    Q_DISABLE_COPY_MOVE(TestCore)

    SpoolCore &core() { return *m_core; }
    JobQueue &queue();
    Dispatcher &dispatcher();
    ManualClock *clock() { return m_clock.get(); }
    QString dataDir() const { return m_dataDir; }
    // Adds a scripted job; fails the test (returns 0) if refused.
    qint64 add(const QJsonObject &options = {}, int priority = 0, qint64 parentId = 0, const QString &type = TestTypes::Scripted);
    JobStatus status(qint64 id);
    // Claims up to `limit` ready jobs as a worker would, without the dispatcher: they stay running
    // until the test moves them on.
    QList<Job> claim(int limit = 1);
    // The job's log as the window and the API show it (JobLog).
    QByteArray logText(qint64 id);
    // Starts the core and runs `n` scripted jobs with these options to completion, so the
    // dispatcher knows how long that type's jobs take (it claims quick ones ahead). False if they
    // did not all complete within 5 s.
    bool runToCompletion(int n, const QJsonObject &options = {});
    // Two held scripted jobs at priority 10 on the two workers of testSettings(): their ids once
    // both are holding (empty if they did not within 5 s).
    QList<qint64> holdBothWorkers();

private:
    QTemporaryDir m_dir;
    QString m_dataDir;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<SpoolCore> m_core;
};

void registerTestWorkers(SpoolCore &core);

// Sets an environment variable (which the processes a test starts inherit) for as long as it
// lives, then puts back what was there, unset included.
class ScopedEnv final
{
public:
    ScopedEnv(const char *name, const QByteArray &value);
    ~ScopedEnv() { restore(); }
    Q_DISABLE_COPY_MOVE(ScopedEnv)
    void set(const QByteArray &value) { qputenv(m_name.constData(), value); }
    void restore();

private:
    QByteArray m_name;
    bool m_wasSet;
    QByteArray m_before;
};

// The store suites run against both backends: ctest runs them once on SQLite files and once, with
// SPOOL_TEST_POSTGRESQL naming the URL file of the private server tests/postgresql/testserver.sh
// started, on PostgreSQL.
bool testingPostgresql();
// Where a test's queue lives: a SQLite file `name` in `dir`, or a fresh schema on the test server.
QString testDatabase(const QTemporaryDir &dir, const QString &name = QStringLiteral("queue.sqlite"));
// For a test of one engine's own behaviour (a SQLite file's WAL, a full disk by page count).
#define SPOOL_SQLITE_ONLY()                                                                         \
    do {                                                                                            \
        if (testingPostgresql())                                                                    \
            QSKIP("about SQLite files; the same suite runs on SQLite");                           \
    } while (false)
// The suite's PostgreSQL tests, which run in its *_postgresql ctest entry (where the server is).
#define SPOOL_POSTGRESQL_ONLY()                                                                     \
    do {                                                                                            \
        if (!testingPostgresql())                                                                   \
            QSKIP("needs the PostgreSQL test server (runs as the suite's *_postgresql ctest entry)"); \
    } while (false)
// The log of a job in the queue of another process's data dir, as JobLog shows it.
QByteArray jobLogText(Store &store, const QString &dataDir, qint64 id);

class Database;

// Faults injected into the real database, for tests of what happens when a write is refused.
namespace TestFaults {
// Makes the next `count` commits on the store's connection fail (SQLite's commit hook turns them
// into rollbacks, as an I/O error at commit would). Gone when the object is.
class CommitVeto final
{
public:
    CommitVeto(Database &db, int count);
    ~CommitVeto();
    Q_DISABLE_COPY_MOVE(CommitVeto)
    int vetoed() const { return m_vetoed; }
    int remaining() const { return m_remaining; }

private:
    static int onCommit(void *self);
    void *m_handle = nullptr;
    int m_remaining;
    int m_vetoed = 0;
};
// Runs SQL on a connection of its own to the database file (a trigger that makes a statement
// fail, a lock held by another process's connection). Fails the test if the SQL is refused.
bool execOnOtherConnection(const QString &path, const QStringList &sql, const QString &name = QStringLiteral("fault"));
// Closes a connection opened by execOnOtherConnection (releasing its locks).
void closeOtherConnection(const QString &name = QStringLiteral("fault"));
} // namespace TestFaults

// Facts about files and processes that tests of real downloads check.
namespace TestFiles {
QByteArray sha1(const QString &file);
// Whether any process on the machine has `needle` in its command line (yt-dlp or an ffmpeg it started).
bool processMentions(const QString &needle);
// The files under `dir`, at any depth, whose names match `pattern` ("*.part").
QStringList find(const QString &dir, const QString &pattern);
} // namespace TestFiles
