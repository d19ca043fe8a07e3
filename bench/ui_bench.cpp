// ui_bench: how the main window copes with a huge queue, offscreen.
//   ui_bench [--jobs N] [--data DIR]     (default 1,000,000 jobs in a temporary dir)
// Prints one JSON object: first_paint_ms, rss_mb, filter_ms, search_ms, max_stall_ms (the longest
// UI-thread stall while 8 jobs report progress and the user scrolls), and for scale the same first
// paint and memory of a bare QSqlQueryModel over the same table, measured in the same run; then the
// log tab on a 200,000-line log (log_open_ms, log_max_stall_ms while lines keep coming) against a
// QPlainTextEdit given the whole file.
#include "core/clock.h"
#include "core/spoolcore.h"
#include "jobtablemodel.h"
#include "logview.h"
#include "mainwindow.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/joblog.h"
#include "queue/jobqueue.h"
#include "store/store.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPlainTextEdit>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QSqlDatabase>
#include <QSqlQueryModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

namespace {
QTextStream err(stderr);

double rssMb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

// N jobs: mostly waiting, a fifth completed, eight running.
void seed(const QString &path, int jobs)
{
    Store::Options o;
    o.sync = Store::Sync::Normal; // seeding speed only; the measured part uses Spool's defaults
    Store store(path, o);
    if (!store.open())
        qFatal("cannot open %s", qPrintable(path));
    constexpr int kBatch = 5000;
    for (int start = 0; start < jobs; start += kBatch) {
        QList<NewJob> batch;
        for (int i = start; i < qMin(jobs, start + kBatch); ++i) {
            NewJob j;
            j.type = QStringLiteral("video_download");
            j.url = QStringLiteral("https://www.example.org/watch?v=%1").arg(i);
            j.title = QStringLiteral("Episode %1 of channel %2").arg(i).arg(i % 997);
            j.maxAttempts = 5;
            batch << j;
        }
        store.jobs().insert(batch, 1'700'000'000'000 + start);
        if (start % 100'000 == 0)
            err << "seeded " << start << Qt::endl;
    }
    ClaimRequest claim;
    claim.now = 1'800'000'000'000;
    claim.limit = kBatch;
    claim.leaseMsByType.insert(QStringLiteral("video_download"), 60'000);
    for (int done = 0; done < jobs / 5; done += kBatch) {
        const QList<Job> claimed = store.jobs().claim(claim).value_or(QList<Job>{});
        for (const Job &job : claimed)
            store.jobs().transition(job.id, JobStatus::Completed, {}, claim.now);
    }
    claim.limit = 8;
    store.jobs().claim(claim);
    store.database().checkpoint();
}

template <typename Fn>
double timeMs(Fn &&fn)
{
    QElapsedTimer t;
    t.start();
    fn();
    return t.nsecsElapsed() / 1e6;
}

double paintMs(QWidget &window)
{
    return timeMs([&] {
        window.show();
        window.repaint(); // offscreen: paint now, synchronously
        QApplication::processEvents();
    });
}

// Runs the event loop for `seconds` and returns the longest gap between ticks of a 1 ms timer:
// how long the UI thread was busy at a stretch.
double longestGapMs(int seconds)
{
    QElapsedTimer clock;
    clock.start();
    qint64 last = clock.nsecsElapsed();
    double worst = 0;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        worst = qMax(worst, (now - last) / 1e6 - 1.0);
        last = now;
    });
    tick.start(1);
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    return worst;
}

// The longest gap between ticks of a 1 ms timer while progress flows and the user scrolls.
double maxStallMs(SpoolCore &core, MainWindow &window, int seconds)
{
    JobFilter runningOnly;
    runningOnly.statuses = {JobStatus::Running};
    runningOnly.limit = 8;
    QList<qint64> running;
    for (const Job &job : core.queue().store().listing().page(runningOnly))
        running << job.id;
    QTimer progress;
    double percent = 0;
    QObject::connect(&progress, &QTimer::timeout, [&] {
        percent = percent >= 100 ? 0 : percent + 0.5;
        for (qint64 id : running) {
            JobProgress p;
            p.percent = percent;
            p.downloadedBytes = static_cast<qint64>(percent * 1e6);
            p.totalBytes = 100'000'000;
            p.speedBps = 2e6;
            core.queue().publishProgress(id, p); // what the dispatcher does for a running job
        }
    });
    progress.start(100);
    QTimer scroll;
    QObject::connect(&scroll, &QTimer::timeout, [&] {
        QScrollBar *bar = window.table()->verticalScrollBar();
        bar->setValue(QRandomGenerator::global()->bounded(bar->maximum() + 1));
    });
    scroll.start(250);
    return longestGapMs(seconds);
}

// A 200,000-line job log shown as the window shows it (JobLog: the job's job.log with the queue's
// lines from the database placed by time): how long the log tab takes to show it, how long the UI
// thread stalls while lines keep arriving, and for scale a plain QPlainTextEdit given the whole
// file at once.
QJsonObject logMeasures(const QString &dir)
{
    constexpr int kLines = 200'000;
    constexpr qint64 kJob = 1;
    SystemClock clock;
    Store store(dir + QStringLiteral("/log-bench.sqlite"));
    if (!store.open())
        qFatal("cannot open the log bench's store");
    LogStore logs(dir + QStringLiteral("/log-bench-logs"), 1LL << 30, &clock);
    const QString path = logs.humanLogPath(kJob);
    QDir().mkpath(logs.jobDir(kJob));
    const qint64 t0 = QDateTime(QDate(2026, 11, 29), QTime(12, 0), Qt::UTC).toMSecsSinceEpoch();
    const auto stamp = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8();
    };
    store.events().append(kJob, t0, QStringLiteral("info"), QStringLiteral("started"), QStringLiteral("Attempt 1 of 5 started"));
    store.events().append(kJob, t0 + 1'000'000, QStringLiteral("warning"), QStringLiteral("note"), QStringLiteral("Halfway"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(path));
        QByteArray chunk;
        for (int i = 0; i < kLines; ++i) {
            chunk += stamp(t0 + 10LL * i)
                     + QStringLiteral(" %1 [download] fragment %2 of a long video, %3 bytes so far\n")
                           .arg(i % 500 == 0 ? QStringLiteral("ERROR  ") : QStringLiteral("INFO   "))
                           .arg(i)
                           .arg(qint64(i) * 4096)
                           .toUtf8();
            if (chunk.size() > (1 << 20)) {
                f.write(chunk);
                chunk.clear();
            }
        }
        f.write(chunk);
    }
    const auto log = std::make_shared<JobLog>(store, logs);
    const LogView::Source source{QStringLiteral("1"),
                                 [log](qint64 offset, qint64 maxBytes) { return log->read(kJob, offset, maxBytes); },
                                 [log] { return log->size(kJob); }};
    QJsonObject out;
    out.insert(QStringLiteral("log_lines_in_file"), kLines);
    out.insert(QStringLiteral("log_file_mb"), QFileInfo(path).size() / 1048576.0);
    LogView view;
    view.resize(1000, 400);
    view.show();
    out.insert(QStringLiteral("log_open_ms"), timeMs([&] {
        view.setSource(source);
        view.repaint();
    }));
    out.insert(QStringLiteral("log_lines_shown"), view.text()->blockCount());
    out.insert(QStringLiteral("log_level_filter_ms"), timeMs([&] {
        view.setLevelFilter(QStringLiteral("error"));
        view.repaint();
    }));
    view.setLevelFilter(QString());
    // 500 lines every 100 ms (a chatty download) while the view follows the end.
    QFile appender(path);
    appender.open(QIODevice::Append);
    int written = 0;
    QTimer writer;
    QObject::connect(&writer, &QTimer::timeout, [&] {
        QByteArray lines;
        for (int i = 0; i < 500; ++i, ++written)
            lines += stamp(t0 + 10LL * (kLines + written)) + " INFO    [download] more output " + QByteArray::number(written) + '\n';
        appender.write(lines);
        appender.flush();
    });
    writer.start(100);
    out.insert(QStringLiteral("log_max_stall_ms"), longestGapMs(3));
    writer.stop();
    view.poll();
    out.insert(QStringLiteral("log_following_after_growth"), view.isFollowing());
    // The naive viewer: the whole file into one QPlainTextEdit.
    QPlainTextEdit plain;
    plain.resize(1000, 400);
    plain.show();
    out.insert(QStringLiteral("baseline_plaintext_whole_log_ms"), timeMs([&] {
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        plain.setPlainText(QString::fromUtf8(f.readAll()));
        plain.repaint();
    }));
    out.insert(QStringLiteral("log_open_ratio_vs_baseline"),
               out.value(QStringLiteral("log_open_ms")).toDouble() / out.value(QStringLiteral("baseline_plaintext_whole_log_ms")).toDouble());
    QFile::remove(path);
    return out;
}

QJsonObject baseline(const QString &path)
{
    // For scale: a bare QSqlQueryModel over the same table, on a connection of its own.
    QJsonObject out;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("baseline"));
        db.setDatabaseName(path);
        db.open();
        const double before = rssMb();
        QSqlQueryModel model;
        QTableView view;
        view.resize(1280, 800);
        const double ms = timeMs([&] {
            model.setQuery(QStringLiteral("SELECT id, title, status, url FROM jobs ORDER BY id"), db);
            view.setModel(&model);
            view.show();
            view.repaint();
            QApplication::processEvents();
        });
        out.insert(QStringLiteral("baseline_sqlquerymodel_first_paint_ms"), ms);
        out.insert(QStringLiteral("baseline_sqlquerymodel_rss_delta_mb"), rssMb() - before);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("baseline"));
    return out;
}
} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qsizetype at = args.indexOf(QStringLiteral("--jobs"));
    const int jobs = at > 0 && at + 1 < args.size() ? args[at + 1].toInt() : 1'000'000;
    // --data DIR keeps the seeded queue between runs (seeding a million jobs takes minutes).
    const qsizetype dataAt = args.indexOf(QStringLiteral("--data"));
    QTemporaryDir temp;
    QDir dir(dataAt > 0 && dataAt + 1 < args.size() ? args[dataAt + 1] : temp.path());
    dir.mkpath(QStringLiteral("."));
    const QString path = dir.filePath(QStringLiteral("queue.sqlite"));
    if (!QFile::exists(path)) {
        err << "seeding " << jobs << " jobs" << Qt::endl;
        seed(path, jobs);
    }
    const double rssBefore = rssMb();
    SpoolCore::Options options;
    options.dataDir = dir.path();
    SpoolCore core(options);
    if (!core.open())
        return 1;
    core.dispatcher().setHeld(true); // the jobs are not real; this measures the window
    QJsonObject result{{QStringLiteral("jobs"), jobs}};
    std::unique_ptr<MainWindow> window;
    const double construct = timeMs([&] {
        window = std::make_unique<MainWindow>(core);
        window->resize(1280, 800);
    });
    const double paint = paintMs(*window);
    result.insert(QStringLiteral("first_paint_ms"), construct + paint);
    result.insert(QStringLiteral("rss_mb"), rssMb());
    result.insert(QStringLiteral("rss_before_window_mb"), rssBefore);
    result.insert(QStringLiteral("filter_ms"), timeMs([&] {
        window->statusFilter()->setCurrentIndex(window->statusFilter()->findText(QStringLiteral("Completed")));
        window->repaint();
    }));
    result.insert(QStringLiteral("filter_rows"), window->model()->rowCount());
    window->statusFilter()->setCurrentIndex(0);
    result.insert(QStringLiteral("search_ms"), timeMs([&] {
        window->model()->setFilter({}, {}, QStringLiteral("of channel 17"), false); // what the search box applies
        window->repaint();
    }));
    result.insert(QStringLiteral("search_rows"), window->model()->totalRows());
    // The term above shares its trigrams with every title (a worst case); a distinctive one:
    result.insert(QStringLiteral("search_distinct_ms"), timeMs([&] {
        window->model()->setFilter({}, {}, QStringLiteral("Episode 424242 "), false);
        window->repaint();
    }));
    result.insert(QStringLiteral("search_distinct_rows"), window->model()->totalRows());
    // A term in every URL: the table shows the first matches (capped) instead of freezing.
    result.insert(QStringLiteral("search_broad_ms"), timeMs([&] {
        window->model()->setFilter({}, {}, QStringLiteral("example.org"), false);
        window->repaint();
    }));
    result.insert(QStringLiteral("search_broad_rows"), window->model()->totalRows());
    result.insert(QStringLiteral("search_broad_capped"), window->model()->searchCapped());
    window->model()->setFilter({}, {}, QString(), true);
    result.insert(QStringLiteral("max_stall_ms"), maxStallMs(core, *window, 5));
    result.insert(QStringLiteral("rss_after_scrolling_mb"), rssMb());
    window.reset();
    const QJsonObject base = baseline(path);
    for (auto it = base.begin(); it != base.end(); ++it)
        result.insert(it.key(), it.value());
    const QJsonObject logs = logMeasures(dir.path());
    for (auto it = logs.begin(); it != logs.end(); ++it)
        result.insert(it.key(), it.value());
    result.insert(QStringLiteral("first_paint_ratio_vs_baseline"),
                  result.value(QStringLiteral("first_paint_ms")).toDouble() / base.value(QStringLiteral("baseline_sqlquerymodel_first_paint_ms")).toDouble());
    QTextStream(stdout) << QJsonDocument(result).toJson(QJsonDocument::Indented);
    return 0;
}
