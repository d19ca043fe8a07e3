// shared_bench: Spool's queue on PostgreSQL, the way several hosts share it. Worker hosts are
// processes of their own (this program again, in host mode: SpoolCore with --worker-only's role and
// no-op jobs), woken by LISTEN/NOTIFY; the figures are printed beside graphile-worker, pg-boss and a
// raw SKIP LOCKED loop measured on the same server in the same run (bench/peers/pgqueue_bench.mjs).
//
//   shared_bench [--database URL] [--jobs N] [--processes 1,2,4] [--workers W] [--compare]
//                [--peers-dir DIR]
//
// Without --database it starts a private server (tests/postgresql/testserver.sh in a temporary
// folder) with fsync and synchronous_commit on, as a real server runs; Spool's sessions use
// synchronous_commit = on (its default durability), the peers the server's default (on). Every
// phase works in a schema of its own. One JSON object on stdout, notes on stderr.
//
// Keys (rates are N / seconds):
//   enqueue_single_per_s      one job per transaction (JobStore::insert of one), one connection
//   enqueue_batched_per_s     1,000 jobs per transaction
//   drain_per_s_<P>p          N pre-inserted no-op jobs drained by P host processes of W workers
//                             each: from releasing the paused queue until all N are completed
//   latency_p50_ms/_p99_ms    one idle host: a job inserted (committed) until its worker starts, as
//                             the host's steady clock says (one machine, one clock); 200 samples
//   peer                      with --compare: pgqueue_bench.mjs's object (--workers W)
//   drain_<P>p_ratio_vs_graphile_worker, _vs_pg_boss, _vs_raw   drain_per_s_<P>p / the peer's drain
//   latency_p99_ratio_vs_graphile_worker                        graphile-worker's p99 / Spool's

#include "noopjobs.h"

#include "core/spoolcore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "store/store.h"
#include "workers/worker.h"
#include "workers/workerregistry.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <unistd.h>

namespace {
constexpr int kBatch = 1000;
constexpr int kLatencyWarmup = 20;
constexpr int kLatencySamples = 200;
#ifdef SPOOL_SOURCE_DIR
const QString kSource = QStringLiteral(SPOOL_SOURCE_DIR);
#else
const QString kSource = QStringLiteral(".");
#endif

void note(const QString &text)
{
    std::fprintf(stderr, "shared_bench: %s\n", qPrintable(text));
}

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void fail(const QString &why)
{
    note(why);
    std::exit(1);
}

class NoopWorker final : public Worker
{
public:
    Outcome run(JobContext &) override { return Outcome::completed(); }
};

// Host mode: one worker host of the shared queue until its stdin closes. Prints "ready", and with
// report = 1 "started <id> <steady ns>" for every job it starts.
int runHost(const QString &url, const QString &name, int workers, bool report)
{
    QTemporaryDir data;
    SpoolCore::Options options;
    options.dataDir = data.path();
    options.settings = noopSettings(workers);
    options.database = url;
    options.hostName = name;
    options.workerOnly = true;
    SpoolCore core(options);
    if (auto opened = core.open(); !opened)
        fail(opened.error().message);
    core.workers().add(kNoopType, [] { return std::make_unique<NoopWorker>(); });
    if (report) {
        QObject::connect(&core.dispatcher(), &Dispatcher::jobStarted, [](qint64 id) {
            std::printf("started %lld %lld\n", static_cast<long long>(id), static_cast<long long>(steadyNs()));
            std::fflush(stdout);
        });
    }
    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QObject::connect(&input, &QSocketNotifier::activated, [&input] {
        char buffer[64];
        if (::read(STDIN_FILENO, buffer, sizeof buffer) <= 0) {
            input.setEnabled(false);
            QCoreApplication::quit();
        }
    });
    core.start();
    std::printf("ready\n");
    std::fflush(stdout);
    const int code = QCoreApplication::exec();
    core.shutdown();
    return code;
}

struct Params
{
    QString database;
    int jobs = 20000;
    QList<int> processes{1, 2, 4};
    int workers = 4;
    bool compare = false;
    QString peersDir = kSource + QStringLiteral("/bench/peers");
};

QString freshSchema(const QString &base, const QString &what)
{
    QUrl url(base);
    url.setQuery(QStringLiteral("schema=bench_%1_%2").arg(what).arg(QRandomGenerator::global()->bounded(1000000)));
    return url.toString();
}

std::unique_ptr<QProcess> startHost(const QString &url, const QString &name, int workers, bool report)
{
    auto host = std::make_unique<QProcess>();
    host->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    host->start(QCoreApplication::applicationFilePath(),
                {QStringLiteral("--host"), url, name, QString::number(workers), report ? QStringLiteral("1") : QStringLiteral("0")});
    if (!host->waitForStarted(10'000))
        fail(QStringLiteral("cannot start a host process"));
    return host;
}

void waitForLine(QProcess &host, const QByteArray &prefix, QByteArray *line = nullptr)
{
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 60'000) {
        while (host.canReadLine()) {
            const QByteArray l = host.readLine().trimmed();
            if (l.startsWith(prefix)) {
                if (line)
                    *line = l;
                return;
            }
        }
        if (host.state() != QProcess::Running)
            fail(QStringLiteral("a host process ended"));
        host.waitForReadyRead(50);
    }
    fail(QStringLiteral("a host process said nothing for a minute"));
}

void stopHosts(std::vector<std::unique_ptr<QProcess>> &hosts)
{
    for (auto &h : hosts)
        h->closeWriteChannel();
    for (auto &h : hosts) {
        if (!h->waitForFinished(30'000))
            h->kill();
    }
    hosts.clear();
}

double enqueueSeconds(const QString &url, int jobs, bool batched)
{
    Store store(url);
    if (auto opened = store.open(); !opened)
        fail(opened.error().message);
    QElapsedTimer timer;
    timer.start();
    if (batched) {
        const QList<NewJob> batch(kBatch, noopJob());
        for (int done = 0; done < jobs; done += kBatch) {
            if (!store.jobs().insert(batch.first(std::min(kBatch, jobs - done)), QDateTime::currentMSecsSinceEpoch()))
                fail(store.database().lastError());
        }
    } else {
        for (int i = 0; i < jobs; ++i) {
            if (!store.jobs().insert({noopJob()}, QDateTime::currentMSecsSinceEpoch()))
                fail(store.database().lastError());
        }
    }
    return static_cast<double>(timer.nsecsElapsed()) / 1e9;
}

double drainSeconds(const QString &url, const Params &params, int processes)
{
    Store store(url);
    if (auto opened = store.open(); !opened)
        fail(opened.error().message);
    store.state().setHeld(true); // the hosts start, connect and wait; then the clock starts
    const QList<NewJob> batch(kBatch, noopJob());
    for (int done = 0; done < params.jobs; done += kBatch) {
        if (!store.jobs().insert(batch.first(std::min(kBatch, params.jobs - done)), QDateTime::currentMSecsSinceEpoch()))
            fail(store.database().lastError());
    }
    std::vector<std::unique_ptr<QProcess>> hosts;
    for (int p = 0; p < processes; ++p)
        hosts.push_back(startHost(url, QStringLiteral("host%1").arg(p + 1), params.workers, false));
    for (auto &h : hosts)
        waitForLine(*h, "ready");
    JobFilter done;
    done.statuses = {JobStatus::Completed};
    QElapsedTimer timer;
    timer.start();
    store.state().setHeld(false); // NOTIFY: every host claims at once
    while (store.listing().count(done) < params.jobs) {
        QTest::qWait(5);
        if (timer.elapsed() > 30 * 60'000)
            fail(QStringLiteral("the drain did not finish in 30 minutes"));
    }
    const double seconds = static_cast<double>(timer.nsecsElapsed()) / 1e9;
    stopHosts(hosts);
    return seconds;
}

QList<double> latencyMs(const QString &url)
{
    Store store(url);
    if (auto opened = store.open(); !opened)
        fail(opened.error().message);
    std::vector<std::unique_ptr<QProcess>> hosts;
    hosts.push_back(startHost(url, QStringLiteral("idle"), 1, true));
    waitForLine(*hosts.front(), "ready");
    QList<double> samples;
    for (int i = 0; i < kLatencyWarmup + kLatencySamples; ++i) {
        const qint64 before = steadyNs();
        auto added = store.jobs().insert({noopJob()}, QDateTime::currentMSecsSinceEpoch());
        if (!added)
            fail(store.database().lastError());
        QByteArray line;
        waitForLine(*hosts.front(), "started " + QByteArray::number(added.value().first().job.id) + ' ', &line);
        const qint64 started = line.split(' ').value(2).toLongLong();
        if (i >= kLatencyWarmup)
            samples << static_cast<double>(started - before) / 1e6;
        QTest::qWait(5); // the host records the outcome and is idle again
    }
    stopHosts(hosts);
    std::sort(samples.begin(), samples.end());
    return samples;
}

double percentile(const QList<double> &sorted, double p)
{
    return sorted.isEmpty() ? 0.0 : sorted[std::min<qsizetype>(sorted.size() - 1, static_cast<qsizetype>(p * sorted.size()))];
}

// A private server for the run, durable as a real one: fsync and synchronous_commit on.
struct PrivateServer
{
    QTemporaryDir dir;
    QString url;
    bool started = false;

    bool run(const QString &command)
    {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SPOOL_TEST_PG_DURABLE"), QStringLiteral("1"));
        p.setProcessEnvironment(env);
        p.setProcessChannelMode(QProcess::ForwardedChannels);
        p.start(kSource + QStringLiteral("/tests/postgresql/testserver.sh"), {command, dir.filePath(QStringLiteral("pg"))});
        return p.waitForFinished(120'000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    }
    void start()
    {
        QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                              | QFileDevice::ExeGroup | QFileDevice::ExeOther);
        if (!run(QStringLiteral("start")))
            fail(QStringLiteral("cannot start a private PostgreSQL server (tests/postgresql/testserver.sh)"));
        started = true;
        QFile file(dir.filePath(QStringLiteral("pg/url")));
        if (!file.open(QIODevice::ReadOnly))
            fail(QStringLiteral("the private server wrote no URL"));
        url = QString::fromUtf8(file.readAll()).trimmed();
    }
    ~PrivateServer()
    {
        if (started)
            run(QStringLiteral("stop"));
    }
};

QJsonObject runPeers(const Params &params, const QString &url)
{
    QProcess node;
    node.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    node.start(QStringLiteral("node"), {params.peersDir + QStringLiteral("/pgqueue_bench.mjs"), QStringLiteral("--database"), url,
                                        QStringLiteral("--jobs"), QString::number(params.jobs), QStringLiteral("--workers"),
                                        QString::number(params.workers)});
    if (!node.waitForStarted(10'000))
        fail(QStringLiteral("--compare needs node (Debian: apt-get install nodejs npm) and bench/peers/setup.sh"));
    node.waitForFinished(60 * 60'000);
    const QJsonDocument doc = QJsonDocument::fromJson(node.readAllStandardOutput());
    if (node.exitCode() != 0 || !doc.isObject())
        fail(QStringLiteral("pgqueue_bench.mjs failed (run bench/peers/setup.sh first)"));
    return doc.object();
}

Params parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption database(QStringLiteral("database"), QStringLiteral("PostgreSQL URL (default: a private server)"),
                                      QStringLiteral("url"));
    const QCommandLineOption jobs(QStringLiteral("jobs"), QStringLiteral("jobs per drain"), QStringLiteral("n"));
    const QCommandLineOption processes(QStringLiteral("processes"), QStringLiteral("host counts, comma-separated"),
                                       QStringLiteral("list"));
    const QCommandLineOption workers(QStringLiteral("workers"), QStringLiteral("workers per host"), QStringLiteral("n"));
    const QCommandLineOption compare(QStringLiteral("compare"), QStringLiteral("run the peers too"));
    const QCommandLineOption peersDir(QStringLiteral("peers-dir"), QStringLiteral("bench/peers"), QStringLiteral("dir"));
    parser.addOptions({database, jobs, processes, workers, compare, peersDir});
    parser.process(arguments);
    Params p;
    p.database = parser.value(database);
    if (parser.isSet(jobs))
        p.jobs = qMax(100, parser.value(jobs).toInt());
    if (parser.isSet(processes)) {
        p.processes.clear();
        for (const QString &n : parser.value(processes).split(QLatin1Char(',')))
            p.processes << qBound(1, n.toInt(), 16);
    }
    if (parser.isSet(workers))
        p.workers = qBound(1, parser.value(workers).toInt(), 64);
    p.compare = parser.isSet(compare);
    if (parser.isSet(peersDir))
        p.peersDir = parser.value(peersDir);
    return p;
}

double ratio(double a, double b)
{
    return b > 0 ? std::round(a / b * 1000.0) / 1000.0 : 0.0;
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() == 6 && args[1] == QLatin1String("--host"))
        return runHost(args[2], args[3], args[4].toInt(), args[5] == QLatin1String("1"));
    const Params params = parse(args);
    PrivateServer server;
    QString base = params.database;
    if (base.isEmpty()) {
        server.start();
        base = server.url;
    }
    QJsonObject out{{QStringLiteral("database"), Database::displayLocation(base)},
                    {QStringLiteral("jobs"), params.jobs},
                    {QStringLiteral("workers_per_host"), params.workers}};
    note(QStringLiteral("enqueue: %1 jobs, one per transaction").arg(params.jobs));
    out.insert(QStringLiteral("enqueue_single_per_s"),
               std::round(params.jobs / enqueueSeconds(freshSchema(base, QStringLiteral("enq")), params.jobs, false)));
    out.insert(QStringLiteral("enqueue_batched_per_s"),
               std::round(params.jobs / enqueueSeconds(freshSchema(base, QStringLiteral("batch")), params.jobs, true)));
    for (int p : params.processes) {
        note(QStringLiteral("drain: %1 jobs, %2 host process(es) of %3 workers").arg(params.jobs).arg(p).arg(params.workers));
        const double seconds = drainSeconds(freshSchema(base, QStringLiteral("drain%1").arg(p)), params, p);
        out.insert(QStringLiteral("drain_per_s_%1p").arg(p), std::round(params.jobs / seconds));
    }
    note(QStringLiteral("latency: %1 jobs on an idle host").arg(kLatencyWarmup + kLatencySamples));
    const QList<double> latency = latencyMs(freshSchema(base, QStringLiteral("latency")));
    out.insert(QStringLiteral("latency_p50_ms"), std::round(percentile(latency, 0.50) * 1000) / 1000);
    out.insert(QStringLiteral("latency_p99_ms"), std::round(percentile(latency, 0.99) * 1000) / 1000);
    if (params.compare) {
        note(QStringLiteral("peers: pgqueue_bench.mjs (a few minutes: pg-boss polls)"));
        const QJsonObject peer = runPeers(params, base);
        out.insert(QStringLiteral("peer"), peer);
        const QJsonObject peers = peer.value(QStringLiteral("peers")).toObject();
        const auto drainOf = [&peers](const QString &name) {
            return peers.value(name).toObject().value(QStringLiteral("drain_per_s")).toDouble();
        };
        for (int p : params.processes) {
            const double mine = out.value(QStringLiteral("drain_per_s_%1p").arg(p)).toDouble();
            out.insert(QStringLiteral("drain_%1p_ratio_vs_graphile_worker").arg(p), ratio(mine, drainOf(QStringLiteral("graphile-worker"))));
            out.insert(QStringLiteral("drain_%1p_ratio_vs_pg_boss").arg(p), ratio(mine, drainOf(QStringLiteral("pg-boss"))));
            out.insert(QStringLiteral("drain_%1p_ratio_vs_raw").arg(p), ratio(mine, drainOf(QStringLiteral("raw"))));
        }
        const double gwP99 = peers.value(QStringLiteral("graphile-worker")).toObject().value(QStringLiteral("latency_p99_ms")).toDouble();
        out.insert(QStringLiteral("latency_p99_ratio_vs_graphile_worker"),
                   ratio(gwP99, out.value(QStringLiteral("latency_p99_ms")).toDouble()));
    }
    std::printf("%s", QJsonDocument(out).toJson().constData());
    return 0;
}
