#include "testsupport.h"
#include "mediaserver.h"
#include "tcpproxy.h"
#include "tst_apisupport.h"

#include "store/store.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QScopeGuard>
#include <QTest>

#include <csignal>

// Several real Spool processes on one PostgreSQL queue (the private test server): a headless host
// with the API that only monitors (its download window is shut), and `--worker-only` hosts that
// download from the local media server into their own folders. Jobs added through the monitor run
// on the workers, the monitor hears of every change by NOTIFY, a worker killed with SIGKILL has its
// job taken back by another after the lease, and start-up refuses bad queue URLs clearly.
class TestSharedQueue final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void workersRunWhatTheMonitorAdds();
    void aKilledHostsJobIsTakenBackAfterItsLease();
    void badQueueUrlsAreRefusedAtStart();
    void aRefusedPasswordIsSaidAndPgpassIsRead();
    void everyHostReconnectsAfterAServerRestart();
    void aServerCutOffByTheNetworkNeverHoldsTheHost();

private:
    // A `spool --headless --worker-only` process: no API, so it is watched through the queue.
    struct Worker
    {
        QString name;
        std::unique_ptr<QTemporaryDir> data;
        std::unique_ptr<QTemporaryDir> downloads;
        std::unique_ptr<QProcess> process;
        QByteArray output;
    };
    Worker &startWorker(const QString &name);
    void writeSettings(const QString &dataDir, bool windowShut);
    static QStringList filesIn(const QString &dir);

    MediaServer m_server;
    int m_big = -1;
    QString m_database;
    std::unique_ptr<QTemporaryDir> m_monitorData;
    std::unique_ptr<QTemporaryDir> m_monitorDownloads;
    std::list<Worker> m_workers;
};

void TestSharedQueue::initTestCase()
{
    if (!testingPostgresql())
        QSKIP("needs the PostgreSQL test server (ctest starts it)");
    QVERIFY(QFile::exists(SpoolProcess::binary()));
    QVERIFY2(m_server.start(6), qPrintable(m_server.errorString()));
    m_big = m_server.addBigClip();
    QVERIFY(m_big >= 0);
}

void TestSharedQueue::init()
{
    m_server.setThrottle(0);
    QTemporaryDir scratch;
    m_database = testDatabase(scratch); // a fresh schema of the test server for each test
    m_monitorData = std::make_unique<QTemporaryDir>();
    m_monitorDownloads = std::make_unique<QTemporaryDir>();
    writeSettings(m_monitorData->path(), true);
}

void TestSharedQueue::cleanup()
{
    for (Worker &w : m_workers) {
        if (w.process->state() != QProcess::NotRunning) {
            w.process->kill();
            w.process->waitForFinished(5000);
        }
    }
    m_workers.clear();
}

void TestSharedQueue::writeSettings(const QString &dataDir, bool windowShut)
{
    QSettings s(dataDir + QStringLiteral("/settings.ini"), QSettings::IniFormat);
    // A short lease, so a dead host's job is taken back within seconds.
    s.setValue(QStringLiteral("type.video_download/lease_ms"), 3000);
    if (windowShut) {
        // Downloads start only in a minute two hours from now: this host monitors, the workers work.
        const QTime from = QTime::currentTime().addSecs(2 * 3600);
        s.setValue(QStringLiteral("downloads/window"),
                   from.toString(QStringLiteral("HH:mm")) + QLatin1Char('-') + from.addSecs(60).toString(QStringLiteral("HH:mm")));
    }
    s.sync();
}

TestSharedQueue::Worker &TestSharedQueue::startWorker(const QString &name)
{
    Worker &w = m_workers.emplace_back();
    w.name = name;
    w.data = std::make_unique<QTemporaryDir>();
    w.downloads = std::make_unique<QTemporaryDir>();
    writeSettings(w.data->path(), false);
    w.process = std::make_unique<QProcess>();
    w.process->setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(w.process.get(), &QProcess::readyRead, [&w] { w.output += w.process->readAll(); });
    w.process->start(SpoolProcess::binary(),
                     {QStringLiteral("--headless"), QStringLiteral("--worker-only"), QStringLiteral("--database"), m_database,
                      QStringLiteral("--host-name"), name, QStringLiteral("--data-dir"), w.data->path(),
                      QStringLiteral("--download-dir"), w.downloads->path(), QStringLiteral("--workers"), QStringLiteral("2")});
    const QByteArray ready = "this host is \"" + name.toUtf8() + '"';
    [[maybe_unused]] const bool up = QTest::qWaitFor(
        [&w, &ready] { return w.output.contains(ready) || w.process->state() == QProcess::NotRunning; }, 20'000);
    return w;
}

QStringList TestSharedQueue::filesIn(const QString &dir)
{
    // Media files only, in whatever subfolders the output template makes.
    QStringList out;
    QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!path.endsWith(QLatin1String(".part")) && !path.endsWith(QLatin1String(".json")))
            out << path;
    }
    return out;
}

void TestSharedQueue::workersRunWhatTheMonitorAdds()
{
    // This monitor runs no jobs by having no workers (the other tests shut its download window).
    QSettings(m_monitorData->path() + QStringLiteral("/settings.ini"), QSettings::IniFormat).remove(QStringLiteral("downloads/window"));
    SpoolProcess monitor(m_monitorData->path(), m_monitorDownloads->path());
    QVERIFY2(monitor.start({QStringLiteral("--database"), m_database, QStringLiteral("--host-name"), QStringLiteral("desk"),
                            QStringLiteral("--workers"), QStringLiteral("0")}),
             qPrintable(monitor.output()));
    QVERIFY(monitor.output().contains(QLatin1String("Shared queue postgresql://spool@")));
    QVERIFY(monitor.output().contains(QLatin1String("This host runs no jobs (--workers 0)")));
    Worker &a = startWorker(QStringLiteral("wa"));
    Worker &b = startWorker(QStringLiteral("wb"));
    QVERIFY2(a.process->state() == QProcess::Running, a.output.constData());
    QVERIFY2(b.process->state() == QProcess::Running, b.output.constData());

    EventReader events(monitor.client());
    QCOMPARE(events.open(), 200);
    QList<qint64> ids;
    for (int i = 0; i < 6; ++i) {
        ids << addVideoJob(monitor.client(), m_server.clipUrl(i));
        QVERIFY(ids.last() > 0);
    }
    // The monitor's event stream follows jobs that run on other hosts: it hears of them by NOTIFY.
    QVERIFY(events.waitFor(
        [&ids](const QList<SseEvent> &list) {
            QSet<qint64> done;
            for (const SseEvent &e : list) {
                if (e.name == QLatin1String("job.changed")
                    && e.data.value(QStringLiteral("status")).toString() == QLatin1String("completed"))
                    done.insert(e.data.value(QStringLiteral("id")).toInteger());
            }
            return std::all_of(ids.cbegin(), ids.cend(), [&done](qint64 id) { return done.contains(id); });
        },
        120'000));
    QSet<QString> ranOn;
    for (qint64 id : ids) {
        const QJsonObject j = jobJson(monitor.client(), id);
        QCOMPARE(j.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
        QCOMPARE(j.value(QStringLiteral("attempts")).toInt(), 1);
        const QString worker = j.value(QStringLiteral("worker")).toString();
        QVERIFY2(worker == QLatin1String("wa") || worker == QLatin1String("wb"), qPrintable(worker));
        ranOn.insert(worker);
    }
    // Each download landed in the folder of the host that ran it, once; the monitor's stays empty.
    const QStringList inA = filesIn(a.downloads->path());
    const QStringList inB = filesIn(b.downloads->path());
    QCOMPARE(inA.size() + inB.size(), 6);
    QVERIFY(filesIn(m_monitorDownloads->path()).isEmpty()); // and no job names it as its worker (above)
    QVERIFY2(ranOn.size() == 2 || inA.isEmpty() || inB.isEmpty(), "a host's jobs match its folder");

    // Pausing the queue on the monitor pauses every host: nothing new starts on the workers.
    QCOMPARE(monitor.client().send("POST", QStringLiteral("/api/queue/pause")).status, 200);
    const qint64 held = addVideoJob(monitor.client(), m_server.clipUrl(m_big));
    QTest::qWait(1500);
    QCOMPARE(jobJson(monitor.client(), held).value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(monitor.client().send("POST", QStringLiteral("/api/queue/resume")).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(jobJson(monitor.client(), held).value(QStringLiteral("status")).toString(), QStringLiteral("completed"),
                              60'000);
    QCOMPARE(monitor.stop(), 0);
}

void TestSharedQueue::aKilledHostsJobIsTakenBackAfterItsLease()
{
    SpoolProcess monitor(m_monitorData->path(), m_monitorDownloads->path());
    QVERIFY2(monitor.start({QStringLiteral("--database"), m_database, QStringLiteral("--host-name"), QStringLiteral("desk")}),
             qPrintable(monitor.output()));
    m_server.setThrottle(200 * 1024); // the big clip takes about 20 s
    Worker &a = startWorker(QStringLiteral("wa"));
    QVERIFY2(a.process->state() == QProcess::Running, a.output.constData());
    const qint64 id = addVideoJob(monitor.client(), m_server.clipUrl(m_big));
    QVERIFY(id > 0);
    QTRY_VERIFY_WITH_TIMEOUT(jobJson(monitor.client(), id).value(QStringLiteral("progress")).toObject()
                                     .value(QStringLiteral("downloaded_bytes")).toInteger() > 0,
                             30'000);
    QCOMPARE(jobJson(monitor.client(), id).value(QStringLiteral("worker")).toString(), QStringLiteral("wa"));
    ::kill(static_cast<pid_t>(a.process->processId()), SIGKILL);
    QVERIFY(a.process->waitForFinished(5000));
    // yt-dlp, in its own process group, dies with no parent reading it; the job stays "running"
    // until its lease (3 s) runs out, and then any host takes it back.
    m_server.setThrottle(0);
    Worker &b = startWorker(QStringLiteral("wb"));
    QVERIFY2(b.process->state() == QProcess::Running, b.output.constData());
    QTRY_COMPARE_WITH_TIMEOUT(jobJson(monitor.client(), id).value(QStringLiteral("status")).toString(), QStringLiteral("completed"),
                              90'000);
    const QJsonObject done = jobJson(monitor.client(), id);
    QCOMPARE(done.value(QStringLiteral("worker")).toString(), QStringLiteral("wb"));
    QCOMPARE(done.value(QStringLiteral("attempts")).toInt(), 2);
    QCOMPARE(filesIn(b.downloads->path()).size(), 1);
    // The job's log (rows every host reads) says what happened, on the monitor too, which never
    // had the job's files: the queue's lines and both workers' own, the killed one's included.
    const HttpResult log = monitor.client().get(QStringLiteral("/api/jobs/%1/log").arg(id));
    QCOMPARE(log.status, 200);
    QVERIFY2(log.body.contains("Taken back: the lease of wa ran out"), log.body.constData());
    QVERIFY(log.body.contains("Completed"));
    QVERIFY(!QFile::exists(m_monitorData->path() + QStringLiteral("/logs/jobs/%1").arg(id)));
    const QByteArray downloading = " downloading " + m_server.clipUrl(m_big).toString().toUtf8();
    QCOMPARE(log.body.count(downloading), 2);
    QCOMPARE(log.body.count(" Saved "), 1);
    QVERIFY(log.body.indexOf("Taken back") < log.body.lastIndexOf(downloading));
    QVERIFY(log.body.lastIndexOf(" Saved ") < log.body.indexOf("Completed"));
    QCOMPARE(monitor.stop(), 0);
}

void TestSharedQueue::badQueueUrlsAreRefusedAtStart()
{
    QTemporaryDir data;
    // Not a PostgreSQL URL: a usage error before anything starts.
    SpoolRun run = runSpool({QStringLiteral("--headless"), QStringLiteral("--data-dir"), data.path(),
                             QStringLiteral("--database"), QStringLiteral("mysql://spool@localhost/spool")});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("--database takes a PostgreSQL URL")), qPrintable(run.err));
    // Nothing listens there: a clear error, no password shown, and no SQLite queue made instead.
    run = runSpool({QStringLiteral("--headless"), QStringLiteral("--data-dir"), data.path(), QStringLiteral("--database"),
                    QStringLiteral("postgresql://spool:secret@127.0.0.1:1/spool")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("Spool cannot start: cannot connect to postgresql://spool@127.0.0.1:1/spool")),
             qPrintable(run.err));
    QVERIFY(!run.err.contains(QLatin1String("secret")));
    QVERIFY(!QFile::exists(data.filePath(QStringLiteral("queue.sqlite"))));
    // A database the server does not have: the server's own words.
    QUrl wrong(m_database);
    wrong.setPath(QStringLiteral("/no_such_database"));
    wrong.setQuery(QString());
    run = runSpool({QStringLiteral("--headless"), QStringLiteral("--data-dir"), data.path(), QStringLiteral("--database"),
                    wrong.toString()});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("no_such_database")) && run.err.contains(QLatin1String("does not exist")),
             qPrintable(run.err));
    // The same from settings.ini's [queue] database.
    {
        QSettings s(data.filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        s.setValue(QStringLiteral("queue/database"), wrong.toString());
    }
    run = runSpool({QStringLiteral("--headless"), QStringLiteral("--data-dir"), data.path()});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("no_such_database")), qPrintable(run.err));
    // --worker-only without --headless is a usage error.
    run = runSpool({QStringLiteral("--worker-only"), QStringLiteral("--data-dir"), data.path()});
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QLatin1String("--worker-only goes with --headless")), qPrintable(run.err));
}

void TestSharedQueue::aRefusedPasswordIsSaidAndPgpassIsRead()
{
    // The test server's role spool_password logs in with a password only (testserver.sh), which
    // Spool takes from PGPASSFILE as libpq does, never from its command line.
    QTemporaryDir dir;
    QUrl url(m_database);
    url.setUserName(QStringLiteral("spool_password"));
    const QString pgpass = dir.filePath(QStringLiteral("pgpass"));
    const auto writePgpass = [&](const QByteArray &password) {
        QFile f(pgpass);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("127.0.0.1:" + QByteArray::number(url.port()) + ":*:spool_password:" + password + '\n');
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    };
    const ScopedEnv passfile("PGPASSFILE", pgpass.toLocal8Bit());
    writePgpass("wrong horse");
    QTemporaryDir data;
    SpoolRun run = runSpool({QStringLiteral("--headless"), QStringLiteral("--data-dir"), data.path(),
                             QStringLiteral("--database"), url.toString()});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("Spool cannot start: cannot connect to postgresql://spool_password@127.0.0.1:"))
                 && run.err.contains(QLatin1String("password authentication failed for user \"spool_password\"")),
             qPrintable(run.err));
    QVERIFY(!run.err.contains(QLatin1String("wrong horse")));
    QVERIFY(!QFile::exists(data.filePath(QStringLiteral("queue.sqlite"))));

    writePgpass("right horse battery staple");
    SpoolProcess host(data.path(), m_monitorDownloads->path());
    QVERIFY2(host.start({QStringLiteral("--database"), url.toString(), QStringLiteral("--host-name"), QStringLiteral("pw")}),
             qPrintable(host.output()));
    QVERIFY(host.output().contains(QLatin1String("Shared queue postgresql://spool_password@")));
    QVERIFY(!host.output().contains(QLatin1String("right horse")));
    QVERIFY(addVideoJob(host.client(), m_server.clipUrl(0)) > 0);
    QCOMPARE(host.stop(), 0);
}

void TestSharedQueue::everyHostReconnectsAfterAServerRestart()
{
    // A server of this test's own: restarting the shared one would end the other suites' sessions.
    QTemporaryDir serverParent;
    // The server runs as its own account (the postgres user when the tests run as root): it may pass.
    QFile::setPermissions(serverParent.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                                   | QFileDevice::ExeGroup | QFileDevice::ExeOther);
    const QString serverDir = serverParent.filePath(QStringLiteral("pg"));
    const auto server = [&serverDir](const QString &command) {
        QProcess p;
        p.start(QStringLiteral(SPOOL_TEST_SOURCE_DIR "/postgresql/testserver.sh"), {command, serverDir});
        return p.waitForFinished(120'000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    };
    QVERIFY(server(QStringLiteral("start")));
    const auto stopServer = qScopeGuard([&server] { server(QStringLiteral("stop")); });
    QFile urlFile(serverDir + QStringLiteral("/url"));
    QVERIFY(urlFile.open(QIODevice::ReadOnly));
    m_database = QString::fromUtf8(urlFile.readAll()).trimmed();

    SpoolProcess monitor(m_monitorData->path(), m_monitorDownloads->path());
    QVERIFY2(monitor.start({QStringLiteral("--database"), m_database, QStringLiteral("--host-name"), QStringLiteral("desk")}),
             qPrintable(monitor.output()));
    Worker &a = startWorker(QStringLiteral("wa"));
    QVERIFY2(a.process->state() == QProcess::Running, a.output.constData());
    m_server.setThrottle(400 * 1024); // the big clip takes about 10 s: it is mid-download at the restart
    QList<qint64> ids{addVideoJob(monitor.client(), m_server.clipUrl(m_big))};
    QTRY_VERIFY_WITH_TIMEOUT(jobJson(monitor.client(), ids[0]).value(QStringLiteral("progress")).toObject()
                                     .value(QStringLiteral("downloaded_bytes")).toInteger() > 0,
                             30'000);
    // The server stops (every connection is ended). Meanwhile the API says the queue cannot be
    // reached, with when to try again: never an empty list, a 404 or a bare 500.
    QVERIFY(server(QStringLiteral("stop")));
    const HttpResult refused = monitor.client().postJson(
        QStringLiteral("/api/jobs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("video_download")},
                                                 {QStringLiteral("url"), m_server.clipUrl(5).toString()}});
    QCOMPARE(refused.status, 503);
    QCOMPARE(refused.errorCode(), QStringLiteral("unavailable"));
    QCOMPARE(refused.header("Retry-After"), QByteArray("5"));
    QVERIFY2(refused.errorMessage().contains(QLatin1String("unreachable")), qPrintable(refused.errorMessage()));
    QCOMPARE(monitor.client().get(QStringLiteral("/api/jobs")).status, 503);
    QCOMPARE(monitor.client().get(QStringLiteral("/api/jobs/%1").arg(ids[0])).status, 503);
    QCOMPARE(monitor.client().get(QStringLiteral("/api/jobs/%1/log").arg(ids[0])).status, 503);
    QCOMPARE(monitor.client().get(QStringLiteral("/api/openapi.json")).status, 200);
    // It starts again on the same port.
    QVERIFY(server(QStringLiteral("start")));
    m_server.setThrottle(0);
    // The monitor takes new jobs again, and the worker runs them and records the one it was
    // downloading: nothing lost, nothing done twice. A host that tried to reconnect while the
    // server was down waits its backoff (0.5 s at first) before the next try, and refuses writes
    // meanwhile with a clear error, so a client tries again as a script would.
    for (int i = 0; i < 3; ++i) {
        qint64 id = 0;
        QList<int> refusals;
        const auto add = [&] {
            // 201 added; 200 the same source already queued (a try whose answer was lost).
            const HttpResult r = monitor.client().postJson(
                QStringLiteral("/api/jobs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("video_download")},
                                                         {QStringLiteral("url"), m_server.clipUrl(i).toString()}});
            if (r.status == 201 || r.status == 200)
                id = r.object().value(QStringLiteral("id")).toInteger();
            else
                refusals << r.status; // unreachable for now, and said so
            return id > 0;
        };
        QTRY_VERIFY2_WITH_TIMEOUT(add(), qPrintable(monitor.output()), 20'000);
        for (int status : std::as_const(refusals))
            QCOMPARE(status, 503); // "unavailable", with the reason: nothing was added
        ids << id;
    }
    for (qint64 id : ids)
        QTRY_COMPARE_WITH_TIMEOUT(jobJson(monitor.client(), id).value(QStringLiteral("status")).toString(), QStringLiteral("completed"),
                                  90'000);
    QCOMPARE(jobJson(monitor.client(), ids[0]).value(QStringLiteral("attempts")).toInt(), 1);
    QCOMPARE(filesIn(a.downloads->path()).size(), 4);
    QVERIFY2(a.process->state() == QProcess::Running, a.output.constData());
    QCOMPARE(monitor.stop(), 0);
}

void TestSharedQueue::aServerCutOffByTheNetworkNeverHoldsTheHost()
{
    // The monitor reaches the server through a relay that then drops everything, as a cut link
    // does: a connection attempt would wait its whole connect_timeout (3 s). Whether the server
    // answers is asked on a thread of its own, so the host goes on answering at once, saying the
    // queue is unreachable, and connects again when the link is back.
    QUrl direct(m_database);
    TcpProxy proxy(static_cast<quint16>(direct.port()));
    QVERIFY(proxy.start());
    QUrl relayed = direct;
    relayed.setPort(proxy.port());
    SpoolProcess monitor(m_monitorData->path(), m_monitorDownloads->path());
    QVERIFY2(monitor.start({QStringLiteral("--database"), relayed.toString(), QStringLiteral("--host-name"), QStringLiteral("desk")}),
             qPrintable(monitor.output()));
    const qint64 id = addVideoJob(monitor.client(), m_server.clipUrl(0));
    QVERIFY(id > 0);

    proxy.setBlackHole(true);
    const int acceptedBefore = proxy.accepted();
    qint64 slowest = 0;
    int unavailable = 0;
    QElapsedTimer span;
    span.start();
    while (span.elapsed() < 8000) {
        QElapsedTimer one;
        one.start();
        const HttpResult r = monitor.client().get(QStringLiteral("/api/jobs/%1").arg(id));
        slowest = std::max(slowest, one.elapsed());
        QVERIFY2(r.status == 503 || r.status == 200, qPrintable(QString::number(r.status)));
        unavailable += r.status == 503 ? 1 : 0;
        QTest::qWait(200);
    }
    QVERIFY(unavailable > 0);
    QVERIFY2(proxy.accepted() - acceptedBefore >= 2, "the host kept trying to reach the server"); // its probes
    // The longest answer is far from a connection attempt's 3 s.
    QVERIFY2(slowest < 1500, qPrintable(QStringLiteral("an answer took %1 ms").arg(slowest)));

    proxy.setBlackHole(false);
    QTRY_COMPARE_WITH_TIMEOUT(monitor.client().get(QStringLiteral("/api/jobs/%1").arg(id)).status, 200, 45'000);
    QVERIFY(addVideoJob(monitor.client(), m_server.clipUrl(1)) > 0);
    QCOMPARE(monitor.stop(), 0);
}

QTEST_GUILESS_MAIN(TestSharedQueue)
#include "tst_sharedqueue.moc"
