#include "testsupport.h"

#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/joblog.h"
#include "store/database.h"
#include "workers/processrunner.h"
#include "workers/ytdlp.h"
#include "workers/ytdlpoutcome.h"
#include "queue/jobqueue.h"
#include "workers/cancellationtoken.h"
#include "workers/progressreporter.h"
#include "workers/workerregistry.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QRandomGenerator>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QJsonObject>
#include <QTest>
#include <QThread>

#include <sqlite3.h>

#include <atomic>
#include <stdexcept>

RunLedger &RunLedger::instance()
{
    static RunLedger ledger;
    return ledger;
}

void RunLedger::record(qint64 jobId)
{
    QMutexLocker lock(&m_mutex);
    ++m_runs[jobId];
}

int RunLedger::runs(qint64 jobId) const
{
    QMutexLocker lock(&m_mutex);
    return m_runs.value(jobId);
}

void RunLedger::beat(qint64 jobId, qint64 atMs)
{
    QMutexLocker lock(&m_mutex);
    m_beats.insert(jobId, atMs);
}

qint64 RunLedger::lastBeat(qint64 jobId) const
{
    QMutexLocker lock(&m_mutex);
    return m_beats.value(jobId);
}

QHash<qint64, int> RunLedger::all() const
{
    QMutexLocker lock(&m_mutex);
    return m_runs;
}

void RunLedger::clear()
{
    QMutexLocker lock(&m_mutex);
    m_runs.clear();
    m_beats.clear();
    m_released.clear();
    m_holding.clear();
}

namespace {
qint64 holdKey(qint64 jobId, int attempt)
{
    return jobId * 1000 + attempt;
}
} // namespace

void RunLedger::release(qint64 jobId, int attempt)
{
    QMutexLocker lock(&m_mutex);
    m_released.insert(holdKey(jobId, attempt));
}

bool RunLedger::isHolding(qint64 jobId, int attempt) const
{
    QMutexLocker lock(&m_mutex);
    return m_holding.contains(holdKey(jobId, attempt));
}

bool RunLedger::waitForRelease(qint64 jobId, int attempt, CancellationToken &token)
{
    const qint64 key = holdKey(jobId, attempt);
    {
        QMutexLocker lock(&m_mutex);
        m_holding.insert(key);
    }
    for (;;) {
        {
            QMutexLocker lock(&m_mutex);
            if (m_released.remove(key)) {
                m_holding.remove(key);
                return true;
            }
        }
        if (token.waitFor(5)) {
            QMutexLocker lock(&m_mutex);
            m_holding.remove(key);
            return false;
        }
    }
}

namespace {
const Clock *g_clock = nullptr;

qint64 clockOf(const JobContext &)
{
    return g_clock ? g_clock->nowMs() : QDateTime::currentMSecsSinceEpoch();
}

QList<NewJob> scriptedChildren(int count)
{
    QList<NewJob> children;
    for (int i = 0; i < count; ++i) {
        NewJob child;
        child.type = TestTypes::Other;
        child.title = QStringLiteral("child %1").arg(i);
        children << child;
    }
    return children;
}
} // namespace

Outcome ScriptedWorker::run(JobContext &ctx)
{
    RunLedger::instance().record(ctx.job().id);
    const QJsonObject o = ctx.job().options;
    for (int i = 1, n = o.value(QStringLiteral("log_lines")).toInt(); i <= n; ++i)
        ctx.log().info(QStringLiteral("worker line %1").arg(i));
    const int steps = o.value(QStringLiteral("progress_steps")).toInt();
    for (int i = 1; i <= steps; ++i) {
        JobProgress p;
        p.percent = 100.0 * i / steps;
        p.downloadedBytes = i * 1000;
        p.totalBytes = steps * 1000;
        ctx.progress().report(p);
    }
    if (const int n = o.value(QStringLiteral("children_now")).toInt(); n > 0) {
        auto added = ctx.addChildren(scriptedChildren(n));
        if (!added)
            return Outcome::permanent(QStringLiteral("internal"), added.error().message);
    }
    if (o.value(QStringLiteral("hold")).toBool() && !RunLedger::instance().waitForRelease(ctx.job().id, ctx.job().attempts, ctx.token()))
        return Outcome::transient(QStringLiteral("cancelled"), QStringLiteral("stopped while held: %1").arg(stopReasonName(ctx.token().reason())));
    if (const int ms = o.value(QStringLiteral("silent_process_ms")).toInt(); ms > 0) {
        ProcessRunner runner(ctx);
        const ProcessRunner::Result run = runner.run(QStringLiteral("sleep"), {QString::number(ms / 1000.0, 'f', 3)});
        if (run.cancelled)
            return Outcome::transient(QStringLiteral("cancelled"), QStringLiteral("stopped: %1").arg(stopReasonName(ctx.token().reason())));
    }
    if (const QString said = o.value(QStringLiteral("print_then_fail")).toString(); !said.isEmpty()) {
        // A real process that prints this on stdout and exits with 3 (yt-dlp dying after its
        // traffic lines, with no ERROR line), run with yt-dlp's filter for secret traffic lines.
        ProcessRunner runner(ctx);
        runner.setLogFilter(&YtDlp::isSensitiveTrafficLine);
        const ProcessRunner::Result run =
            runner.run(QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("printf '%s\\n' \"$1\"; exit 3"), QStringLiteral("sh"), said});
        if (auto failed = YtDlpOutcome::failure(ctx, run))
            return *failed;
        return Outcome::completed();
    }
    if (const qint64 n = o.value(QStringLiteral("captured_traffic_bytes")).toInteger(); n > 0) {
        // A real process printing a listing with a request line of n bytes between (yt-dlp's
        // --print-traffic, a Cookie header at its end) on stdout and stderr, captured with the
        // filter: what was captured is the result.
        ProcessRunner runner(ctx);
        runner.setCaptureStdout(true);
        runner.setLogFilter(&YtDlp::isSensitiveTrafficLine);
        const QString script = QStringLiteral(
            "out() { printf '[generic] listing\\n'; printf \"send: b'GET /v \"; head -c %1 /dev/zero | tr '\\0' k; "
            "printf \" Cookie: sid=s3cr3t'\\n\"; printf '{\"entries\": []}\\n'; }; out; out >&2").arg(n);
        const ProcessRunner::Result run = runner.run(QStringLiteral("sh"), {QStringLiteral("-c"), script});
        return Outcome::completed({{QStringLiteral("stdout"), QString::fromUtf8(run.stdoutData)},
                                   {QStringLiteral("stderr"), QString::fromUtf8(run.stderrData)},
                                   {QStringLiteral("tail"), QString::fromUtf8(run.stdoutTail)}});
    }
    if (const qint64 n = o.value(QStringLiteral("flood_bytes")).toInteger(); n > 0) {
        // A real process printing one endless line (no newline) of n bytes.
        ProcessRunner runner(ctx);
        runner.setCaptureStdout(o.value(QStringLiteral("capture")).toBool());
        if (const qint64 limit = o.value(QStringLiteral("output_limit")).toInteger(); limit > 0)
            runner.setOutputLimit(limit);
        const ProcessRunner::Result run = runner.run(
            QStringLiteral("sh"), {QStringLiteral("-c"), QStringLiteral("head -c %1 /dev/zero | tr '\\0' x").arg(n)});
        if (auto failed = YtDlpOutcome::failure(ctx, run))
            return *failed;
        return Outcome::completed({{QStringLiteral("captured"), run.stdoutData.size()}});
    }
    if (const int ms = o.value(QStringLiteral("ignore_cancel_ms")).toInt(); ms > 0)
        QThread::msleep(static_cast<unsigned long>(ms));
    if (o.value(QStringLiteral("block")).toBool()) {
        const bool beat = o.value(QStringLiteral("heartbeat")).toBool();
        const bool advance = o.value(QStringLiteral("advance")).toBool();
        JobProgress p;
        while (!ctx.token().waitFor(10)) {
            if (advance) {
                p.downloadedBytes += 1;
                ctx.progress().report(p);
            } else if (beat) {
                ctx.progress().heartbeat();
            }
            if (beat || advance)
                RunLedger::instance().beat(ctx.job().id, clockOf(ctx));
        }
        return Outcome::transient(QStringLiteral("cancelled"), QStringLiteral("stopped: %1").arg(stopReasonName(ctx.token().reason())));
    }
    if (const int ms = o.value(QStringLiteral("sleep_ms")).toInt(); ms > 0 && ctx.token().waitFor(ms))
        return Outcome::transient(QStringLiteral("cancelled"), QStringLiteral("stopped while sleeping"));
    if (const int cooldown = o.value(QStringLiteral("cooldown_ms")).toInt(); cooldown > 0 && ctx.job().attempts == 1) {
        Outcome limited = Outcome::transient(QStringLiteral("rate_limited"), QStringLiteral("scripted 429"));
        limited.hostCooldownMs = cooldown;
        return limited;
    }
    // The site refuses the first `strike_times` runs (a bot check): the host pauses, the job waits.
    if (RunLedger::instance().runs(ctx.job().id) <= o.value(QStringLiteral("strike_times")).toInt()) {
        Outcome refused = Outcome::transient(QStringLiteral("bot_check"), QStringLiteral("Sign in to confirm you're not a bot"));
        refused.hostStrike = true;
        return refused;
    }
    const int failTimes = o.value(QStringLiteral("fail_times")).toInt();
    if (ctx.job().attempts <= failTimes)
        return Outcome::transient(QStringLiteral("network"), QStringLiteral("scripted transient failure"),
                                  static_cast<qint64>(o.value(QStringLiteral("not_before_ms")).toDouble()));
    const QString outcome = o.value(QStringLiteral("outcome")).toString(QStringLiteral("complete"));
    if (outcome == QLatin1String("transient"))
        return Outcome::transient(QStringLiteral("network"), QStringLiteral("scripted transient failure"),
                                  static_cast<qint64>(o.value(QStringLiteral("not_before_ms")).toDouble()));
    if (outcome == QLatin1String("permanent"))
        return Outcome::permanent(QStringLiteral("not_found"), QStringLiteral("scripted permanent failure"));
    if (outcome == QLatin1String("throw"))
        throw std::runtime_error("scripted exception");
    Outcome done = Outcome::completed({{QStringLiteral("ran"), ctx.job().id}});
    done.children = scriptedChildren(o.value(QStringLiteral("children")).toInt());
    for (const QJsonValue &entry : o.value(QStringLiteral("child_entries")).toArray()) {
        NewJob child;
        child.type = TestTypes::Fetch;
        child.url = entry.toObject().value(QStringLiteral("url")).toString();
        child.uniqueKey = entry.toObject().value(QStringLiteral("key")).toString();
        done.children << child;
    }
    return done;
}

QueueSettings testSettings()
{
    QueueSettings s = QueueSettings::defaults();
    TypePolicy p;
    p.needsUrl = false;
    p.retry.maxAttempts = 3;
    p.retry.baseDelayMs = 1000;
    p.retry.maxDelayMs = 8000;
    p.retry.jitter = 0.0;
    p.stallTimeoutMs = 30'000;
    p.leaseMs = 10'000;
    p.maxRunTimeMs = 600'000;
    s.types.insert(TestTypes::Scripted, p);
    s.types.insert(TestTypes::Other, p);
    p.needsUrl = true;
    s.types.insert(TestTypes::Fetch, p);
    s.maxConcurrent = 2;
    s.shutdownGraceMs = 5000;
    s.retentionDays = 7;
    return s;
}

ScopedEnv::ScopedEnv(const char *name, const QByteArray &value)
    : m_name(name), m_wasSet(qEnvironmentVariableIsSet(name)), m_before(qgetenv(name))
{
    set(value);
}

void ScopedEnv::restore()
{
    if (m_wasSet)
        qputenv(m_name.constData(), m_before);
    else
        qunsetenv(m_name.constData());
}

void registerTestWorkers(SpoolCore &core)
{
    core.workers().add(TestTypes::Scripted, [] { return std::make_unique<ScriptedWorker>(); });
    core.workers().add(TestTypes::Other, [] { return std::make_unique<ScriptedWorker>(); });
    core.workers().add(TestTypes::Fetch, [] { return std::make_unique<ScriptedWorker>(); });
}

TestCore::TestCore(QueueSettings settings, bool manualClock, QVariantMap environment, const QString &dataDir,
                   Store::Options store)
    : m_dataDir(dataDir.isEmpty() ? m_dir.path() : dataDir)
{
    SpoolCore::Options options;
    options.store = store;
    options.dataDir = m_dataDir;
    options.environment = std::move(environment);
    options.settings = std::move(settings);
    if (manualClock) {
        m_clock = std::make_unique<ManualClock>();
        options.clock = m_clock.get();
    }
    g_clock = m_clock.get();
    m_core = std::make_unique<SpoolCore>(options);
    auto opened = m_core->open();
    if (!opened)
        qFatal("cannot open test core: %s", qPrintable(opened.error().message));
    registerTestWorkers(*m_core);
}

TestCore::~TestCore()
{
    m_core.reset();
    if (g_clock == m_clock.get())
        g_clock = nullptr;
}

JobQueue &TestCore::queue()
{
    return m_core->queue();
}

Dispatcher &TestCore::dispatcher()
{
    return m_core->dispatcher();
}

qint64 TestCore::add(const QJsonObject &options, int priority, qint64 parentId, const QString &type)
{
    NewJob job;
    job.type = type;
    job.options = options;
    job.priority = priority;
    job.parentId = parentId;
    auto added = queue().addJob(job);
    if (!added) {
        qWarning("add failed: %s", qPrintable(added.error().message));
        return 0;
    }
    return added.value().job.id;
}

QList<Job> TestCore::claim(int limit)
{
    ClaimRequest request;
    request.limit = limit;
    request.now = core().clock().nowMs();
    for (auto it = core().settings().types.cbegin(); it != core().settings().types.cend(); ++it)
        request.leaseMsByType.insert(it.key(), 100'000);
    request.worker = QStringLiteral("test");
    auto claimed = queue().claim(request);
    if (!claimed)
        qWarning("claim failed: %s", qPrintable(claimed.error().message));
    return claimed ? claimed.value() : QList<Job>{};
}

QByteArray TestCore::logText(qint64 id)
{
    return JobLog(m_core->store(), m_core->logs()).text(id);
}

bool TestCore::runToCompletion(int n, const QJsonObject &options)
{
    QList<qint64> ids;
    for (int i = 0; i < n; ++i)
        ids << add(options);
    core().start();
    return QTest::qWaitFor([&] {
        for (qint64 id : std::as_const(ids)) {
            if (status(id) != JobStatus::Completed)
                return false;
        }
        return true;
    }, 5000);
}

QList<qint64> TestCore::holdBothWorkers()
{
    const QList<qint64> held{add({{QStringLiteral("hold"), true}}, 10), add({{QStringLiteral("hold"), true}}, 10)};
    const bool holding = QTest::qWaitFor([&] {
        return RunLedger::instance().isHolding(held[0]) && RunLedger::instance().isHolding(held[1]);
    }, 5000);
    return holding ? held : QList<qint64>{};
}

bool testingPostgresql()
{
    return qEnvironmentVariableIsSet("SPOOL_TEST_POSTGRESQL");
}

QString testDatabase(const QTemporaryDir &dir, const QString &name)
{
    if (!testingPostgresql())
        return dir.filePath(name);
    QFile file(qEnvironmentVariable("SPOOL_TEST_POSTGRESQL"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("SPOOL_TEST_POSTGRESQL names %s, which cannot be read: is the test server running?",
               qPrintable(file.fileName()));
    static std::atomic<int> counter{0};
    const QString schema = QStringLiteral("t%1_%2_%3")
                               .arg(QCoreApplication::applicationPid())
                               .arg(++counter)
                               .arg(QRandomGenerator::global()->generate() % 1000000);
    return QString::fromUtf8(file.readAll()).trimmed() + QStringLiteral("?schema=") + schema;
}

QByteArray jobLogText(Store &store, const QString &dataDir, qint64 id)
{
    const LogStore logs(dataDir + QStringLiteral("/logs/jobs"), 1 << 20, nullptr);
    return JobLog(store, logs).text(id);
}

JobStatus TestCore::status(qint64 id)
{
    const auto job = queue().job(id);
    return job ? job->status : JobStatus::Dead;
}

namespace TestFaults {
CommitVeto::CommitVeto(Database &db, int count) : m_remaining(count)
{
    const QVariant handle = QSqlDatabase::database(db.connectionName(), false).driver()->handle();
    QVERIFY(handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0);
    m_handle = *static_cast<sqlite3 *const *>(handle.constData());
    sqlite3_commit_hook(static_cast<sqlite3 *>(m_handle), &CommitVeto::onCommit, this);
}

CommitVeto::~CommitVeto()
{
    if (m_handle)
        sqlite3_commit_hook(static_cast<sqlite3 *>(m_handle), nullptr, nullptr);
}

int CommitVeto::onCommit(void *self)
{
    auto *veto = static_cast<CommitVeto *>(self);
    if (veto->m_remaining <= 0)
        return 0;
    --veto->m_remaining;
    ++veto->m_vetoed;
    return 1; // non-zero: the COMMIT becomes a ROLLBACK
}

bool execOnOtherConnection(const QString &path, const QStringList &sql, const QString &name)
{
    QSqlDatabase db = QSqlDatabase::contains(name) ? QSqlDatabase::database(name)
                                                   : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    if (!db.isOpen()) {
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            return false;
    }
    for (const QString &statement : sql) {
        QSqlQuery q(db);
        if (!q.exec(statement)) {
            qWarning("fault SQL refused: %s: %s", qPrintable(statement), qPrintable(q.lastError().text()));
            return false;
        }
    }
    return true;
}

void closeOtherConnection(const QString &name)
{
    {
        QSqlDatabase db = QSqlDatabase::database(name, false);
        if (db.isValid())
            db.close();
    }
    QSqlDatabase::removeDatabase(name);
}
} // namespace TestFaults

namespace TestFiles {
QByteArray sha1(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha1);
    h.addData(&f);
    return h.result();
}

QStringList find(const QString &dir, const QString &pattern)
{
    QStringList found;
    QDirIterator it(dir, {pattern}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        found << it.next();
    return found;
}

bool processMentions(const QString &needle)
{
    QDirIterator it(QStringLiteral("/proc"), QDir::Dirs | QDir::NoDotAndDotDot);
    while (it.hasNext()) {
        QFile cmd(it.next() + QStringLiteral("/cmdline"));
        if (cmd.open(QIODevice::ReadOnly) && cmd.readAll().contains(needle.toUtf8()))
            return true;
    }
    return false;
}
} // namespace TestFiles
