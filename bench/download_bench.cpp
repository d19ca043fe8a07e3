// download_bench: what Spool's queue adds on top of running yt-dlp by hand, for one ~4 MB clip from the
// local test media server, and how long a channel of M entries takes to enumerate.
//
//   download_bench [--runs N] [--entries M]
//
// One JSON object on stdout; notes go to stderr. Every measured download writes into a fresh empty
// folder (yt-dlp would otherwise skip a file it already has) and every Spool run gets a fresh data
// folder (the archive would otherwise skip the URL). The variants run interleaved, one of each per
// round and each round led by the next variant, so drift on a shared machine hits them alike.
//
// Everything runs on the main thread's event loop, which also serves the media server: waits are
// QEventLoops that quit on a signal, never blocking waitFor* calls.

#include "mediaserver.h"

#include "core/settings.h"
#include "core/spoolcore.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"
#include "workers/toolchain.h"
#include "workers/ytdlp.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <stdexcept>

namespace {
const QString kYtDlp = QStringLiteral("yt-dlp");
constexpr int kWaitLimitMs = 5 * 60 * 1000; // a hung download fails the run instead of hanging it
constexpr int kSettleMs = 300;              // idle time before each timed run, see settle()
// What DownloadEnv::commonArguments passes when the environment sets neither value.
constexpr int kSpoolSocketTimeoutS = 20;
constexpr int kSpoolRetries = 10;

// A measurement that cannot finish makes every number meaningless: the run stops with the reason.
class BenchFailure final : public std::runtime_error
{
public:
    explicit BenchFailure(const QString &what) : std::runtime_error(what.toStdString()) {}
};

void note(const QString &message)
{
    std::fprintf(stderr, "download_bench: %s\n", qPrintable(message));
}

double seconds(qint64 ns)
{
    return static_cast<double>(ns) / 1e9;
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

QJsonArray toJson(const QList<double> &values)
{
    QJsonArray array;
    for (double v : values)
        array.append(v);
    return array;
}

struct Params
{
    int runs = 5;
    int entries = 500;
};

int positiveInt(const QCommandLineParser &parser, const QString &name)
{
    bool ok = false;
    const int value = parser.value(name).toInt(&ok);
    if (!ok || value < 1)
        throw BenchFailure(QStringLiteral("--%1 needs a positive number, not '%2'").arg(name, parser.value(name)));
    return value;
}

Params parseArguments(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Spool's overhead over running yt-dlp by hand"));
    parser.addHelpOption();
    parser.addOption({QStringLiteral("runs"), QStringLiteral("Timed runs of each variant."), QStringLiteral("N"),
                      QStringLiteral("5")});
    parser.addOption({QStringLiteral("entries"), QStringLiteral("Entries of the channel to enumerate."),
                      QStringLiteral("M"), QStringLiteral("500")});
    parser.process(app);
    return Params{positiveInt(parser, QStringLiteral("runs")), positiveInt(parser, QStringLiteral("entries"))};
}

// An idle pause before every timed run, by hand or through Spool alike: the run before it may still
// be flushing or deleting its files, and a fresh core finishes its start-up work meanwhile.
void settle()
{
    QEventLoop loop;
    QTimer::singleShot(kSettleMs, &loop, &QEventLoop::quit);
    loop.exec();
}

QTemporaryDir &checked(QTemporaryDir &dir)
{
    if (!dir.isValid())
        throw BenchFailure(QStringLiteral("cannot create a temporary folder: %1").arg(dir.errorString()));
    return dir;
}

// ---------------------------------------------------------------------------------------------
// yt-dlp by hand

struct ToolRun
{
    double seconds = 0;
    QByteArray stdoutData;
};

// Wall time from start() to the finished signal, the same span a user sees in a terminal.
ToolRun runYtDlp(const QStringList &arguments)
{
    QProcess process;
    QEventLoop loop;
    QElapsedTimer timer;
    qint64 elapsedNs = -1;
    QObject::connect(&process, &QProcess::finished, &loop, [&] {
        elapsedNs = timer.nsecsElapsed();
        loop.quit();
    });
    QObject::connect(&process, &QProcess::errorOccurred, &loop, [&](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            loop.quit();
    });
    QTimer::singleShot(kWaitLimitMs, &loop, &QEventLoop::quit);
    timer.start();
    process.start(kYtDlp, arguments);
    loop.exec();
    if (elapsedNs < 0)
        throw BenchFailure(QStringLiteral("yt-dlp did not finish: %1").arg(process.errorString()));
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        throw BenchFailure(QStringLiteral("yt-dlp failed (exit %1): %2")
                               .arg(process.exitCode())
                               .arg(QString::fromUtf8(process.readAllStandardError().trimmed().right(500))));
    return ToolRun{seconds(elapsedNs), process.readAllStandardOutput()};
}

// The plain command line a user would type.
QStringList byHandArguments(const QString &dir, const QUrl &url)
{
    return {QStringLiteral("--ignore-config"), QStringLiteral("-o"), dir + QStringLiteral("/%(title)s.%(ext)s"),
            url.toString()};
}

// What VideoDownloadWorker passes for a job without options, built from the same YtDlp function; the
// output template and --print-to-file mirror videodownloadworker.cpp (they are private to it).
QStringList spoolArguments(const QString &dir, const QString &pathFile, const QUrl &url)
{
    QStringList args = YtDlp::baseArguments(kSpoolSocketTimeoutS, kSpoolRetries);
    args << QStringLiteral("-o") << dir + QStringLiteral("/%(uploader,channel|Videos)s/%(title).150B [%(id)s].%(ext)s")
         << QStringLiteral("--print-to-file") << QStringLiteral("after_move:%(filepath)s") << pathFile
         << QStringLiteral("--") << url.toString();
    return args;
}

bool holdsFile(const QString &dir)
{
    return !QDir(dir).entryList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot).isEmpty();
}

double downloadByHand(const QUrl &url, bool withSpoolArguments)
{
    QTemporaryDir dir;
    QTemporaryDir scratch; // for --print-to-file, kept out of the download folder
    const QStringList args = withSpoolArguments
                                 ? spoolArguments(checked(dir).path(), checked(scratch).filePath(QStringLiteral("filepath.txt")), url)
                                 : byHandArguments(checked(dir).path(), url);
    settle();
    const double s = runYtDlp(args).seconds;
    if (!holdsFile(dir.path()))
        throw BenchFailure(QStringLiteral("yt-dlp by hand saved nothing"));
    return s;
}

// What ChannelWorker passes for a channel without options: the common arguments without --no-playlist.
QStringList spoolEnumerateArguments(const QUrl &url)
{
    QStringList args = YtDlp::baseArguments(kSpoolSocketTimeoutS, kSpoolRetries);
    args.removeAll(QStringLiteral("--no-playlist"));
    args << QStringLiteral("-J") << QStringLiteral("--flat-playlist") << QStringLiteral("--") << url.toString();
    return args;
}

// Counts the entries listed, so that a short page cannot pass for a fast one.
double enumerateByHand(const QUrl &url, int expected, bool withSpoolArguments)
{
    settle();
    const ToolRun run = runYtDlp(withSpoolArguments ? spoolEnumerateArguments(url)
                                                    : QStringList{QStringLiteral("--ignore-config"), QStringLiteral("-J"),
                                                                  QStringLiteral("--flat-playlist"), url.toString()});
    const qsizetype entries = YtDlp::lastJsonObject(run.stdoutData).value(QStringLiteral("entries")).toArray().size();
    if (entries != expected)
        throw BenchFailure(QStringLiteral("yt-dlp -J listed %1 entries, not %2").arg(entries).arg(expected));
    return run.seconds;
}

// ---------------------------------------------------------------------------------------------
// Spool

// A started, idle core on fresh folders, as the app is once it has started up.
class BenchCore
{
public:
    explicit BenchCore(int maxConcurrent)
    {
        SpoolCore::Options o;
        o.dataDir = checked(m_data).path();
        o.settings = QueueSettings::defaults();
        o.settings.maxConcurrent = maxConcurrent;
        o.environment = {{DownloadEnv::DownloadDir, checked(m_downloads).path()}};
        m_core = std::make_unique<SpoolCore>(o);
        if (auto opened = m_core->open(); !opened)
            throw BenchFailure(QStringLiteral("the core did not open: %1").arg(opened.error().message));
        m_core->start();
        settle();
    }
    Q_DISABLE_COPY_MOVE(BenchCore)

    SpoolCore &core() { return *m_core; }
    QString downloadDir() const { return m_downloads.path(); }

private:
    QTemporaryDir m_data;
    QTemporaryDir m_downloads;
    std::unique_ptr<SpoolCore> m_core; // declared last: shut down before its folders go
};

struct JobRun
{
    double seconds = 0;      // addJob until the job reached a final state
    double startSeconds = 0; // addJob until the dispatcher handed it to a worker
    Job job;
    QHash<QString, qint64> eventMs; // first time (ms since epoch) of each event in the job's events.jsonl
};

// The job's structured log says when the worker started its process and when the outcome was
// recorded; the gaps around the process are Spool's own time.
QHash<QString, qint64> eventTimes(const QString &jobDir)
{
    QHash<QString, qint64> times;
    QFile file(jobDir + QStringLiteral("/events.jsonl"));
    if (!file.open(QIODevice::ReadOnly))
        return times;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        const QString name = event.value(QStringLiteral("event")).toString();
        const QDateTime ts = QDateTime::fromString(event.value(QStringLiteral("ts")).toString(), Qt::ISODateWithMs);
        if (!name.isEmpty() && ts.isValid() && !times.contains(name))
            times.insert(name, ts.toMSecsSinceEpoch());
    }
    return times;
}

// Seconds between two logged events, or -1 when either is missing.
double between(const JobRun &run, const QString &from, const QString &to)
{
    if (!run.eventMs.contains(from) || !run.eventMs.contains(to))
        return -1;
    return static_cast<double>(run.eventMs.value(to) - run.eventMs.value(from)) / 1000.0;
}

// Times one job from addJob to its final state. With `holdOnFinish`, the dispatcher is held from
// inside the final jobChanged, which is emitted before the dispatcher's next scheduling round, so
// children the job added never start.
JobRun runJob(SpoolCore &core, const NewJob &request, bool holdOnFinish)
{
    QEventLoop loop;
    QElapsedTimer timer;
    qint64 id = 0;
    JobRun run;
    QObject::connect(&core.dispatcher(), &Dispatcher::jobStarted, &loop, [&](qint64 started) {
        if (started == id)
            run.startSeconds = seconds(timer.nsecsElapsed());
    });
    QObject::connect(&core.queue(), &JobQueue::jobChanged, &loop, [&](const Job &job) {
        if (job.id != id || !isFinal(job.status))
            return;
        run.seconds = seconds(timer.nsecsElapsed());
        run.job = job;
        if (holdOnFinish)
            core.dispatcher().setHeld(true);
        loop.quit();
    });
    QTimer::singleShot(kWaitLimitMs, &loop, &QEventLoop::quit);
    timer.start();
    auto added = core.queue().addJob(request);
    if (!added)
        throw BenchFailure(QStringLiteral("addJob refused: %1").arg(added.error().message));
    id = added.value().job.id;
    loop.exec();
    if (run.job.status != JobStatus::Completed)
        throw BenchFailure(QStringLiteral("%1 job did not complete (%2: %3)")
                               .arg(request.type, run.job.errorClass, run.job.errorMessage));
    run.eventMs = eventTimes(core.logs().jobDir(id));
    return run;
}

JobRun downloadWithSpool(const QUrl &url)
{
    BenchCore bench(QueueSettings::defaults().maxConcurrent);
    NewJob job;
    job.type = JobTypes::VideoDownload;
    job.url = url.toString();
    JobRun run = runJob(bench.core(), job, false);
    if (!holdsFile(bench.downloadDir()))
        throw BenchFailure(QStringLiteral("Spool completed the job but saved nothing"));
    return run;
}

// One worker, so that at most the channel job runs; the hold in runJob keeps its children waiting.
JobRun enumerateWithSpool(const QUrl &url)
{
    BenchCore bench(1);
    NewJob job;
    job.type = JobTypes::ChannelDownload;
    job.url = url.toString();
    return runJob(bench.core(), job, true);
}

// ---------------------------------------------------------------------------------------------

// One run of every variant per round; each round starts with the next variant, so neither drift nor
// a variant's place in the round (say, right after another's files were flushed) favours one of them.
void interleave(int rounds, const QList<std::function<void()>> &variants)
{
    for (int round = 0; round < rounds; ++round) {
        for (qsizetype k = 0; k < variants.size(); ++k)
            variants[(round + k) % variants.size()]();
    }
}

QString fixed(double value)
{
    return QString::number(value, 'f', 3);
}

// Where a Spool run's time went, from the job's events: the part before the process starts, and the
// process plus whatever follows it until the completed state is written.
struct SpoolPhases
{
    QList<double> addToStart, startToProcess, processToCompleted;

    void add(const JobRun &run)
    {
        addToStart << run.startSeconds;
        startToProcess << between(run, QStringLiteral("started"), QStringLiteral("process_start"));
        processToCompleted << between(run, QStringLiteral("process_start"), QStringLiteral("completed"));
    }
    QJsonObject toJson() const
    {
        return {{QStringLiteral("add_to_start_s"), median(addToStart)},
                {QStringLiteral("start_to_process_s"), median(startToProcess)},
                {QStringLiteral("process_to_completed_s"), median(processToCompleted)}};
    }
    QString describe() const
    {
        return QStringLiteral("add->start %1 s, start->process %2 s, process->completed %3 s")
            .arg(fixed(addToStart.last()), fixed(startToProcess.last()), fixed(processToCompleted.last()));
    }
};

struct DownloadResults
{
    QList<double> byHand, byHandSpoolArgs, spool;
    SpoolPhases phases;
};

DownloadResults measureDownloads(const QUrl &url, int runs)
{
    // Untimed: the first yt-dlp start reads Python's modules from disk, later ones from the page cache.
    downloadByHand(url, false);
    downloadWithSpool(url);
    DownloadResults r;
    interleave(runs, {[&] {
                          r.byHand << downloadByHand(url, false);
                          note(QStringLiteral("download by hand: %1 s").arg(fixed(r.byHand.last())));
                      },
                      [&] {
                          r.byHandSpoolArgs << downloadByHand(url, true);
                          note(QStringLiteral("download by hand with Spool's arguments: %1 s").arg(fixed(r.byHandSpoolArgs.last())));
                      },
                      [&] {
                          const JobRun run = downloadWithSpool(url);
                          r.spool << run.seconds;
                          r.phases.add(run);
                          note(QStringLiteral("download with Spool: %1 s (%2)").arg(fixed(run.seconds), r.phases.describe()));
                      }});
    return r;
}

struct EnumerateResults
{
    QList<double> byHand, byHandSpoolArgs, spool;
    SpoolPhases phases;
    int childrenAdded = -1; // the smallest count any run added
};

EnumerateResults measureEnumeration(const QUrl &url, int entries, int runs)
{
    EnumerateResults r;
    interleave(runs, {[&] {
                          r.byHand << enumerateByHand(url, entries, false);
                          note(QStringLiteral("enumeration by hand: %1 s").arg(fixed(r.byHand.last())));
                      },
                      [&] {
                          r.byHandSpoolArgs << enumerateByHand(url, entries, true);
                          note(QStringLiteral("enumeration by hand with Spool's arguments: %1 s").arg(fixed(r.byHandSpoolArgs.last())));
                      },
                      [&] {
                          const JobRun run = enumerateWithSpool(url);
                          const int added = run.job.result.value(QStringLiteral("children_added")).toInt(-1);
                          r.spool << run.seconds;
                          r.phases.add(run);
                          r.childrenAdded = r.childrenAdded < 0 ? added : std::min(r.childrenAdded, added);
                          note(QStringLiteral("enumeration with Spool: %1 s, %2 children added (%3)")
                                   .arg(fixed(run.seconds)).arg(added).arg(r.phases.describe()));
                      }});
    if (r.childrenAdded != entries)
        note(QStringLiteral("WARNING: a channel job added %1 children, not %2").arg(r.childrenAdded).arg(entries));
    return r;
}

// The app checks its tools once at start-up (app/main.cpp) and workers reuse that cached answer, so the
// version check is paid here, untimed, as the app pays it before any job; its cost is reported apart.
double warmToolchain()
{
    QElapsedTimer timer;
    timer.start();
    const Toolchain::Tool tool = Toolchain::find(kYtDlp);
    if (!tool.ok())
        throw BenchFailure(tool.error);
    note(QStringLiteral("yt-dlp %1 at %2").arg(tool.version, tool.path));
    return seconds(timer.nsecsElapsed());
}

QJsonObject runBench(const Params &params)
{
    MediaServer server;
    if (!server.start(3))
        throw BenchFailure(QStringLiteral("media server: %1").arg(server.errorString()));
    const int big = server.addBigClip();
    if (big < 0)
        throw BenchFailure(QStringLiteral("media server: %1").arg(server.errorString()));
    const double probe = warmToolchain();

    const DownloadResults d = measureDownloads(server.clipUrl(big), params.runs);
    const EnumerateResults e = measureEnumeration(server.largeChannelUrl(params.entries), params.entries, params.runs);

    const double byHand = median(d.byHand);
    const double spool = median(d.spool);
    // Named after M, so that a run with another --entries cannot be mistaken for the 500-entry figure.
    const QString enumerate = QStringLiteral("enumerate_%1").arg(params.entries);
    return QJsonObject{
        {QStringLiteral("runs"), params.runs},
        {QStringLiteral("by_hand_s"), byHand},
        {QStringLiteral("spool_s"), spool},
        {QStringLiteral("overhead_ratio"), spool / byHand},
        {QStringLiteral("by_hand_runs_s"), toJson(d.byHand)},
        {QStringLiteral("spool_runs_s"), toJson(d.spool)},
        {QStringLiteral("by_hand_spool_args_s"), median(d.byHandSpoolArgs)},
        {QStringLiteral("by_hand_spool_args_runs_s"), toJson(d.byHandSpoolArgs)},
        {QStringLiteral("spool_phases"), d.phases.toJson()},
        {QStringLiteral("toolchain_probe_s"), probe},
        {QStringLiteral("entries"), params.entries},
        {enumerate + QStringLiteral("_s"), median(e.spool)},
        {enumerate + QStringLiteral("_by_hand_s"), median(e.byHand)},
        {enumerate + QStringLiteral("_by_hand_spool_args_s"), median(e.byHandSpoolArgs)},
        {enumerate + QStringLiteral("_runs_s"), toJson(e.spool)},
        {enumerate + QStringLiteral("_by_hand_runs_s"), toJson(e.byHand)},
        {enumerate + QStringLiteral("_phases"), e.phases.toJson()},
        {QStringLiteral("children_added"), e.childrenAdded},
    };
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    try {
        const QJsonObject result = runBench(parseArguments(app));
        std::fprintf(stdout, "%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
        return 0;
    } catch (const BenchFailure &failure) {
        note(QStringLiteral("FAILED: %1").arg(QString::fromStdString(failure.what())));
        return 1;
    }
}
