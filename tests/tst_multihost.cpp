#include "testsupport.h"

#include "store/store.h"

#include <QDir>
#include <QJsonObject>
#include <QSqlError>
#include <QProcess>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <unistd.h>

// Three hosts of one PostgreSQL queue, each a process (tests/helpers/queuechild, scripted workers)
// in a network namespace of its own, reaching the server over a veth pair: 2,000 jobs; one host is
// killed with SIGKILL mid-work, another has its link cut for longer than the lease. Afterwards the
// queue's own records must show every job completed exactly once, by one host, within its attempts.
// Needs root (network namespaces) and PostgreSQL's server programs; skipped otherwise.
class TestMultiHost final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void killedAndCutOffHostsLoseNothingAndDoNothingTwice();

private:
    static bool run(const QStringList &command, QString *output = nullptr);
    QString hostSide(int i) const { return QStringLiteral("sp%1h%2").arg(m_tag).arg(i); }
    QString address(int i, int end) const { return QStringLiteral("10.%1.%2.%3").arg(m_octet).arg(i).arg(end); }
    QString nameSpace(int i) const { return QStringLiteral("spool%1h%2").arg(m_tag).arg(i); }
    qint64 scalar(const QString &sql);
    bool server(const QString &command);

    static constexpr int kHosts = 3;
    static constexpr int kJobs = 2000;
    int m_tag = 0;   // tells this run's namespaces and links from another run's
    int m_octet = 0;
    bool m_netReady = false;
    QTemporaryDir m_root;
    QString m_serverDir;
    QString m_url; // the server's own URL, 127.0.0.1
    int m_port = 0;
    std::unique_ptr<Store> m_store;
    QList<std::shared_ptr<QProcess>> m_hosts;
};

bool TestMultiHost::run(const QStringList &command, QString *output)
{
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(command.first(), command.mid(1));
    const bool ok = p.waitForFinished(120'000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (output)
        *output = QString::fromUtf8(p.readAll());
    else if (!ok)
        qWarning("%s: %s", qPrintable(command.join(QLatin1Char(' '))), p.readAll().constData());
    return ok;
}

bool TestMultiHost::server(const QString &command)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    QStringList listen;
    for (int i = 1; i <= kHosts; ++i)
        listen << address(i, 1);
    env.insert(QStringLiteral("SPOOL_TEST_PG_LISTEN"), listen.join(QLatin1Char(',')));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(SPOOL_TEST_SOURCE_DIR "/postgresql/testserver.sh"), {command, m_serverDir});
    const bool ok = p.waitForFinished(120'000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (!ok)
        qWarning("testserver.sh %s: %s", qPrintable(command), p.readAll().constData());
    return ok;
}

qint64 TestMultiHost::scalar(const QString &sql)
{
    QSqlQuery q(QSqlDatabase::database(m_store->database().connectionName()));
    if (!q.exec(sql) || !q.next()) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
        return -1;
    }
    return q.value(0).toLongLong();
}

void TestMultiHost::initTestCase()
{
    if (geteuid() != 0)
        QSKIP("needs root for network namespaces");
    if (!QFile::exists(QStringLiteral("/usr/sbin/ip")) && !QFile::exists(QStringLiteral("/sbin/ip")))
        QSKIP("needs iproute2's ip");
    m_tag = static_cast<int>(QCoreApplication::applicationPid() % 100000);
    m_octet = 100 + static_cast<int>(QRandomGenerator::global()->bounded(100));
    for (int i = 1; i <= kHosts; ++i) {
        const QString ns = nameSpace(i);
        const QString inside = hostSide(i) + QLatin1Char('n');
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("add"), ns}));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("add"), hostSide(i), QStringLiteral("type"),
                     QStringLiteral("veth"), QStringLiteral("peer"), QStringLiteral("name"), inside}));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), inside, QStringLiteral("netns"), ns}));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("addr"), QStringLiteral("add"), address(i, 1) + QStringLiteral("/24"),
                     QStringLiteral("dev"), hostSide(i)}));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), hostSide(i), QStringLiteral("up")}));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), ns, QStringLiteral("ip"),
                     QStringLiteral("addr"), QStringLiteral("add"), address(i, 2) + QStringLiteral("/24"), QStringLiteral("dev"), inside}));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), ns, QStringLiteral("ip"),
                     QStringLiteral("link"), QStringLiteral("set"), inside, QStringLiteral("up")}));
        QVERIFY(run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("exec"), ns, QStringLiteral("ip"),
                     QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"), QStringLiteral("up")}));
    }
    m_netReady = true;
    // The server runs as the postgres account when the tests run as root: it must reach its folder.
    QFile::setPermissions(m_root.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner
                                             | QFileDevice::ExeGroup | QFileDevice::ExeOther);
    m_serverDir = m_root.filePath(QStringLiteral("pg"));
    QVERIFY(server(QStringLiteral("start")));
    QFile urlFile(m_serverDir + QStringLiteral("/url"));
    QVERIFY(urlFile.open(QIODevice::ReadOnly));
    m_url = QString::fromUtf8(urlFile.readAll()).trimmed() + QStringLiteral("?schema=multihost");
    m_port = QUrl(m_url).port();
    m_store = std::make_unique<Store>(m_url);
    auto opened = m_store->open();
    QVERIFY2(opened, qPrintable(opened.error().message));
}

void TestMultiHost::cleanupTestCase()
{
    for (const auto &host : m_hosts) {
        if (host->state() != QProcess::NotRunning) {
            host->kill();
            host->waitForFinished(5000);
        }
    }
    m_store.reset();
    if (!m_serverDir.isEmpty())
        server(QStringLiteral("stop"));
    if (m_netReady || m_tag) {
        for (int i = 1; i <= kHosts; ++i) // a namespace takes its end of the pair along
            run({QStringLiteral("ip"), QStringLiteral("netns"), QStringLiteral("delete"), nameSpace(i)}, nullptr);
    }
}

void TestMultiHost::killedAndCutOffHostsLoseNothingAndDoNothingTwice()
{
    QList<NewJob> batch;
    for (int i = 0; i < kJobs; ++i) {
        NewJob job;
        job.type = TestTypes::Scripted;
        job.maxAttempts = 20;
        job.options = QJsonObject{{QStringLiteral("sleep_ms"), 30}, {QStringLiteral("progress_steps"), 3}};
        batch << job;
        if (batch.size() == 500) {
            QVERIFY(m_store->jobs().insert(batch, QDateTime::currentMSecsSinceEpoch()));
            batch.clear();
        }
    }
    const QString child = QStringLiteral(SPOOL_TEST_BINARY_DIR "/tests/queuechild");
    QVERIFY(QFile::exists(child));
    for (int i = 1; i <= kHosts; ++i) {
        auto host = std::make_shared<QProcess>();
        host->setProcessChannelMode(QProcess::ForwardedErrorChannel);
        const QString dataDir = m_root.filePath(QStringLiteral("host%1").arg(i));
        QVERIFY(QDir().mkpath(dataDir));
        QUrl url(m_url);
        url.setHost(address(i, 1)); // the server's end of this host's link
        host->start(QStringLiteral("ip"), {QStringLiteral("netns"), QStringLiteral("exec"), nameSpace(i), child, dataDir,
                                           QStringLiteral("--database"), url.toString(), QStringLiteral("--host-name"),
                                           QStringLiteral("h%1").arg(i), QStringLiteral("--lease-ms"), QStringLiteral("3000"),
                                           QStringLiteral("--workers"), QStringLiteral("4")});
        QVERIFY(host->waitForStarted(10'000));
        m_hosts << host;
    }
    const auto completed = [this] { return scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE status = 'completed'")); };
    QTRY_VERIFY_WITH_TIMEOUT(completed() >= 300, 60'000);
    // Host 1 dies mid-work: its running jobs wait for their lease, then another host takes them.
    ::kill(static_cast<pid_t>(m_hosts[0]->processId()), SIGKILL);
    QVERIFY(m_hosts[0]->waitForFinished(5000));
    QTRY_VERIFY_WITH_TIMEOUT(completed() >= 700, 60'000);
    // Host 2 is cut off for longer than a lease, then comes back with outcomes it could not record.
    QVERIFY(run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), hostSide(2), QStringLiteral("down")}));
    // Longer than a lease (3 s) and than the server's patience with a transaction left open
    // (5 s): the host may have been cut off in the middle of one, holding its rows.
    QTest::qWait(12'000);
    QVERIFY(run({QStringLiteral("ip"), QStringLiteral("link"), QStringLiteral("set"), hostSide(2), QStringLiteral("up")}));
    QTRY_COMPARE_WITH_TIMEOUT(completed(), qint64(kJobs), 180'000);

    // The invariants, read from the queue's own records.
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs")), qint64(kJobs));
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE attempts > max_attempts OR attempts < 1")), qint64(0));
    // Exactly one "completed" line per job: a completion is written in the unit of the change, so
    // two would mean two completions; a stale holder's outcome is refused ("outcome_superseded").
    QCOMPARE(scalar(QStringLiteral("SELECT count(DISTINCT job_id) FROM job_events WHERE event = 'completed'")), qint64(kJobs));
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM job_events WHERE event = 'completed'")), qint64(kJobs));
    // The dead host's jobs and the cut-off host's were taken back by the others.
    QVERIFY(scalar(QStringLiteral("SELECT count(*) FROM job_events WHERE event = 'recovered' AND message LIKE '%lease of h1 %'")) >= 1);
    QVERIFY(scalar(QStringLiteral("SELECT count(*) FROM job_events WHERE event = 'recovered' AND message LIKE '%lease of h2 %'")) >= 1);
    QVERIFY(scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE worker = 'h3'")) > 0);
    // Each job's finishing host: the one whose completion was recorded, and only one.
    QCOMPARE(scalar(QStringLiteral("SELECT count(*) FROM jobs WHERE worker IS NULL")), qint64(0));
    // The two hosts still alive are still running and take new work (host 2 is back on the network).
    QCOMPARE(m_hosts[1]->state(), QProcess::Running);
    QCOMPARE(m_hosts[2]->state(), QProcess::Running);
    QVERIFY(m_store->jobs().insert({[] {
        NewJob job;
        job.type = TestTypes::Scripted;
        job.options = QJsonObject{{QStringLiteral("sleep_ms"), 1}};
        return job;
    }()}, QDateTime::currentMSecsSinceEpoch()));
    QTRY_COMPARE_WITH_TIMEOUT(completed(), qint64(kJobs + 1), 30'000);
}

QTEST_GUILESS_MAIN(TestMultiHost)
#include "tst_multihost.moc"
