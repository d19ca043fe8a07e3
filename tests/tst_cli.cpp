#include "mediaserver.h"
#include "testsupport.h"
#include "tst_apisupport.h"

#include "api/apiendpoint.h"
#include "api/apitoken.h"
#include "core/throttle.h"
#include "store/store.h"
#include "workers/toolchain.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSettings>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

#include <csignal>

namespace {
// Someone else's program on the port a dead Spool named in api.json: keeps every byte it is sent
// and answers each request with `answer` (empty: closes the connection without a word).
class RecordingServer final : public QTcpServer
{
public:
    explicit RecordingServer(QByteArray answer) : m_answer(std::move(answer))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection())
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] { handleReadyRead(socket); });
        });
    }
    QByteArray received() const { return m_received; }

private:
    void handleReadyRead(QTcpSocket *socket)
    {
        QByteArray &pending = m_pending[socket];
        const QByteArray data = socket->readAll();
        m_received += data;
        pending += data;
        if (!pending.contains("\r\n\r\n"))
            return;
        pending.clear();
        if (!m_answer.isEmpty())
            socket->write(m_answer);
        socket->disconnectFromHost();
    }

    QByteArray m_answer;
    QByteArray m_received;
    QHash<QTcpSocket *, QByteArray> m_pending;
};

QByteArray httpAnswer(int status, const QByteArray &json)
{
    return "HTTP/1.1 " + QByteArray::number(status) +
           " X\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(json.size()) +
           "\r\nConnection: close\r\n\r\n" + json;
}
} // namespace

// The subcommands against a real headless instance, "no instance" errors, usage errors, and the
// single-instance hand-over of a second launch.
class TestCli final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void helpListsEveryOption();
    void usageErrors_data();
    void usageErrors();
    void noInstanceIsAClearError();
    void addListShow();
    void pauseAndResumeTheQueue();
    void subscriptionsFromTheCommandLine();
    void pausedHostsFromTheCommandLine();
    void toolsFromTheCommandLine();
    void aMissingToolIsSaidEscapedWithWhatToInstall();
    void addRefusedChangesNothing();
    void cancelAndRetry();
    void logAndFollow();
    void wrongTokenIsReported();
    void aForeignProgramOnTheStalePortNeverGetsTheToken_data();
    void aForeignProgramOnTheStalePortNeverGetsTheToken();
    void theSpoolOfAnotherDataDirIsRefused();
    void aDataDirNamedThroughASymlinkFindsItsInstance();
    void secondLaunchHandsOverUrls();
    void guiInstanceTakesUrlsFromSecondLaunch();
    void killedInstanceLeavesNothingStale();
    void instanceSocketIsInTheUsersRuntimeFolder();
    void hostileTextReachesTheTerminalEscaped();
    void anExposedApiNeedsALongTokenAndSaysSo();
    void theTokenComesFromAFileOrTheEnvironment();

private:
    SpoolRun cli(QStringList arguments);
    QJsonArray jobs();

    MediaServer m_server;
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<QTemporaryDir> m_downloads;
    std::unique_ptr<SpoolProcess> m_spool;
};

void TestCli::initTestCase()
{
    QVERIFY(QFile::exists(SpoolProcess::binary()));
    QVERIFY2(m_server.start(1), qPrintable(m_server.errorString()));
}

void TestCli::init()
{
    m_data = std::make_unique<QTemporaryDir>();
    m_downloads = std::make_unique<QTemporaryDir>();
    // No --api-token: the subcommands find the instance's token file like a user's would.
    m_spool = std::make_unique<SpoolProcess>(m_data->path(), m_downloads->path(), QString());
}

void TestCli::cleanup()
{
    if (m_spool)
        QCOMPARE(m_spool->stop(), 0);
    m_spool.reset();
    m_data.reset();
    m_downloads.reset();
}

SpoolRun TestCli::cli(QStringList arguments)
{
    arguments << QStringLiteral("--data-dir") << m_data->path();
    return runSpool(arguments);
}

QJsonArray TestCli::jobs()
{
    return m_spool->client()
        .get(QStringLiteral("/api/jobs"))
        .object()
        .value(QStringLiteral("jobs"))
        .toArray();
}

void TestCli::helpListsEveryOption()
{
    const SpoolRun run = runSpool({QStringLiteral("--help")});
    QCOMPARE(run.exitCode, 0);
    for (const char *option : {"--headless",   "--data-dir",    "--download-dir", "--api-bind", "--api-port",
                               "--api-token",  "--workers",     "--type",         "--priority", "--at",
                               "--status",     "--follow",      "--every",        "add URL",    "list",
                               "show ID",      "retry ID",      "cancel ID",      "log ID",     "pause-queue",
                               "resume-queue", "subscriptions", "unsubscribe ID", "hosts",      "--resume",
                               "tools [--json]"})
        QVERIFY2(run.out.contains(QLatin1String(option)), option);
    m_spool.reset();
}

void TestCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("retry without id") << QStringList{QStringLiteral("retry")} << QStringLiteral("job id");
    QTest::newRow("show text id") << QStringList{QStringLiteral("show"), QStringLiteral("abc")}
                                  << QStringLiteral("job id");
    QTest::newRow("add nothing") << QStringList{QStringLiteral("add")} << QStringLiteral("URL");
    QTest::newRow("type on list") << QStringList{QStringLiteral("list"), QStringLiteral("--type"),
                                                 QStringLiteral("x")}
                                  << QStringLiteral("--type");
    QTest::newRow("follow on show") << QStringList{QStringLiteral("show"), QStringLiteral("1"),
                                                   QStringLiteral("--follow")}
                                    << QStringLiteral("--follow");
    QTest::newRow("bad priority") << QStringList{QStringLiteral("add"), QStringLiteral("https://e.com/a"),
                                                 QStringLiteral("--priority"), QStringLiteral("x")}
                                  << QStringLiteral("--priority");
    QTest::newRow("bad port") << QStringList{QStringLiteral("--api-port"), QStringLiteral("70000")}
                              << QStringLiteral("--api-port");
    QTest::newRow("bad bind") << QStringList{QStringLiteral("--api-bind"), QStringLiteral("somewhere")}
                              << QStringLiteral("--api-bind");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")}
                                    << QStringLiteral("frobnicate");
    QTest::newRow("unsubscribe without id") << QStringList{QStringLiteral("unsubscribe")}
                                            << QStringLiteral("subscription id");
    QTest::newRow("every on list") << QStringList{QStringLiteral("list"), QStringLiteral("--every"), QStringLiteral("6")}
                                   << QStringLiteral("--every");
    QTest::newRow("every zero") << QStringList{QStringLiteral("add"), QStringLiteral("https://e.com/@c"),
                                               QStringLiteral("--every"), QStringLiteral("0")}
                                << QStringLiteral("--every");
    QTest::newRow("pause-queue with an id") << QStringList{QStringLiteral("pause-queue"), QStringLiteral("3")}
                                            << QStringLiteral("no arguments");
    QTest::newRow("resume without hosts")
        << QStringList{QStringLiteral("list"), QStringLiteral("--resume"), QStringLiteral("a.example")}
        << QStringLiteral("--resume goes with 'hosts'");
    QTest::newRow("resume a URL") << QStringList{QStringLiteral("hosts"), QStringLiteral("--resume"),
                                                 QStringLiteral("https://a.example/")}
                                  << QStringLiteral("--resume takes a host name");
    QTest::newRow("resume nothing") << QStringList{QStringLiteral("hosts"), QStringLiteral("--resume"),
                                                   QStringLiteral(" ")}
                                    << QStringLiteral("--resume takes a host name");
    QTest::newRow("tools with an argument") << QStringList{QStringLiteral("tools"), QStringLiteral("yt-dlp")}
                                            << QStringLiteral("no arguments");
    QTest::newRow("json with pause-queue") << QStringList{QStringLiteral("pause-queue"), QStringLiteral("--json")}
                                           << QStringLiteral("'hosts' or 'tools'");
    QTest::newRow("hosts with an argument")
        << QStringList{QStringLiteral("hosts"), QStringLiteral("a.example")}
        << QStringLiteral("no arguments");
    QTest::newRow("too many workers") << QStringList{QStringLiteral("--headless"), QStringLiteral("--workers"), QStringLiteral("65")}
                                      << QStringLiteral("--workers takes a number from 0 to 64");
    // No workers is for a host that monitors a shared queue; its own queue must run jobs.
    QTest::newRow("no workers on an own queue")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--workers"), QStringLiteral("0")}
        << QStringLiteral("--workers 0 is for a host that monitors a shared queue");
    QTest::newRow("a worker with no workers")
        << QStringList{QStringLiteral("--headless"), QStringLiteral("--worker-only"), QStringLiteral("--workers"),
                       QStringLiteral("0"), QStringLiteral("--database"), QStringLiteral("postgresql://spool@127.0.0.1:1/spool")}
        << QStringLiteral("--worker-only runs jobs: it needs --workers 1 or more");
}

void TestCli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    m_spool.reset();
    const SpoolRun run = cli(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
}

void TestCli::noInstanceIsAClearError()
{
    m_spool.reset();
    const QString expected = QStringLiteral("No Spool instance is running for %1").arg(m_data->path());
    SpoolRun run = cli({QStringLiteral("list")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(expected), qPrintable(run.err));
    // A file left by a crash: its process is gone.
    QProcess gone;
    gone.start(QStringLiteral("true"));
    QVERIFY(gone.waitForFinished());
    QVERIFY((ApiEndpoint{QStringLiteral("127.0.0.1"), 9, gone.processId()}.write(m_data->path())));
    run = cli({QStringLiteral("show"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(expected), qPrintable(run.err));
    // A live process that does not listen there (this test): the connection is refused.
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    QVERIFY((ApiEndpoint{QStringLiteral("127.0.0.1"), port, QCoreApplication::applicationPid()}.write(
        m_data->path())));
    run = cli({QStringLiteral("cancel"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(expected), qPrintable(run.err));
}

void TestCli::addListShow()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    const QString a = QStringLiteral("https://example.com/watch/first");
    const QString b = QStringLiteral("https://example.com/@somechannel");
    SpoolRun run = cli({QStringLiteral("add"), a, b, QStringLiteral("--priority"), QStringLiteral("5"),
                        QStringLiteral("--at"), QStringLiteral("+1d")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("job 1 (video_download, pending): ") + a));
    QVERIFY(run.out.contains(QStringLiteral("job 2 (channel_download, pending): ") + b));
    const QJsonArray added = jobs();
    QCOMPARE(added.size(), 2);
    QCOMPARE(added[0].toObject().value(QStringLiteral("priority")).toInt(), 5);
    const QDateTime runAt = QDateTime::fromString(
        added[0].toObject().value(QStringLiteral("run_at")).toString(), Qt::ISODateWithMs);
    QVERIFY(qAbs(QDateTime::currentDateTimeUtc().secsTo(runAt) - 86'400) < 120);

    run = cli({QStringLiteral("add"), QStringLiteral("https://example.com/x"), QStringLiteral("--type"),
               QStringLiteral("metadata_extraction"), QStringLiteral("--at"),
               QStringLiteral("2099-01-01T10:00:00Z")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("job 3 (metadata_extraction, pending)")));

    run = cli({QStringLiteral("list")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("STATUS")));
    QVERIFY(run.out.contains(a) && run.out.contains(b));
    run = cli({QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("dead")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(!run.out.contains(a));
    run = cli({QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).object().value(QStringLiteral("total")).toInt(), 3);
    run = cli({QStringLiteral("list"), QStringLiteral("--status"), QStringLiteral("sleeping")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("unknown status")));

    run = cli({QStringLiteral("show"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QRegularExpression(QStringLiteral("priority\\s*: 5"))));
    QVERIFY(
        run.out.contains(QRegularExpression(QStringLiteral("url\\s*: ") + QRegularExpression::escape(a))));
    run = cli({QStringLiteral("show"), QStringLiteral("2"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).object().value(QStringLiteral("type")).toString(),
             QStringLiteral("channel_download"));
    run = cli({QStringLiteral("show"), QStringLiteral("999")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("job 999 does not exist")), qPrintable(run.err));
}

void TestCli::pauseAndResumeTheQueue()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    SpoolRun run = cli({QStringLiteral("pause-queue")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("The queue is paused: nothing new starts (0 jobs still running).")),
             qPrintable(run.out));
    // Still paused after a restart, and the restart says so.
    QCOMPARE(m_spool->stop(), 0);
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    QVERIFY2(m_spool->output().contains(QStringLiteral("The queue is paused: no job starts until it is resumed")),
             qPrintable(m_spool->output()));
    // Nothing starts while paused, not even a job due now.
    run = cli({QStringLiteral("add"), QStringLiteral("https://example.com/watch/now")});
    QCOMPARE(run.exitCode, 0);
    QTest::qWait(500);
    QCOMPARE(jobs().first().toObject().value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    run = cli({QStringLiteral("resume-queue")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("The queue is running.")), qPrintable(run.out));
    QTRY_VERIFY_WITH_TIMEOUT(jobs().first().toObject().value(QStringLiteral("status")).toString() != QLatin1String("pending"),
                             30'000);
}

void TestCli::subscriptionsFromTheCommandLine()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    QCOMPARE(cli({QStringLiteral("pause-queue")}).exitCode, 0); // about the list: nothing runs
    SpoolRun run = cli({QStringLiteral("subscriptions")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("Nothing is kept in sync.")), qPrintable(run.out));
    const QString channel = QStringLiteral("https://example.com/@kept");
    run = cli({QStringLiteral("add"), channel, QStringLiteral("--every"), QStringLiteral("6")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = cli({QStringLiteral("subscriptions")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("^\\s+1\\s+6 h\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+")
                                                 + QRegularExpression::escape(channel), QRegularExpression::MultilineOption)),
             qPrintable(run.out));
    run = cli({QStringLiteral("subscriptions"), QStringLiteral("--json")});
    const QJsonArray all = QJsonDocument::fromJson(run.out.toUtf8()).object().value(QStringLiteral("subscriptions")).toArray();
    QCOMPARE(all.size(), 1);
    QCOMPARE(all.first().toObject().value(QStringLiteral("interval_hours")).toDouble(), 6.0);
    // A video is not something to keep in sync: refused, nothing added.
    run = cli({QStringLiteral("add"), QStringLiteral("https://example.com/watch/one"), QStringLiteral("--every"), QStringLiteral("6")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("subscribe_hours")), qPrintable(run.err));
    QCOMPARE(jobs().size(), 1);
    run = cli({QStringLiteral("unsubscribe"), QStringLiteral("1")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("Subscription 1 removed")));
    QVERIFY(cli({QStringLiteral("subscriptions")}).out.contains(QStringLiteral("Nothing is kept in sync.")));
    run = cli({QStringLiteral("unsubscribe"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("subscription 1 does not exist")), qPrintable(run.err));
}

void TestCli::pausedHostsFromTheCommandLine()
{
    // Two hosts paused as rate limits leave them, in the data dir's queue before Spool starts; the
    // site's reason carries an escape sequence (it is a stranger's text).
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    HostCooldown busy;
    {
        Store store(m_data->filePath(QStringLiteral("queue.sqlite")));
        QVERIFY(store.open());
        const auto struck =
            store.cooldowns().strike(QStringLiteral("busy.example"), now, QStringLiteral("rate_limited"),
                                     QStringLiteral("HTTP Error 429\x1b[2Jgone"), 0, ThrottleSettings{});
        QVERIFY(struck);
        busy = struck.value();
        QVERIFY(store.cooldowns().setCooldown(QStringLiteral("slow.example"), now + 3 * 3'600'000,
                                              QStringLiteral("by hand")));
    }
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    const auto localEnd = [](qint64 ms) {
        const QDateTime end = QDateTime::fromMSecsSinceEpoch(ms);
        return end.toString(end.date() == QDate::currentDate() ? QStringLiteral("HH:mm")
                                                               : QStringLiteral("yyyy-MM-dd HH:mm"));
    };
    SpoolRun run = cli({QStringLiteral("hosts")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(
        run.out.contains(QRegularExpression(QStringLiteral("^HOST\\s+UNTIL\\s+KIND\\s+STRIKES\\s+REASON$"),
                                            QRegularExpression::MultilineOption)),
        qPrintable(run.out));
    QVERIFY2(run.out.contains(QRegularExpression(
                 QStringLiteral("^busy\\.example\\s+") + QRegularExpression::escape(localEnd(busy.untilMs)) +
                     QStringLiteral("\\s+rate_limited\\s+1\\s+HTTP Error 429\\\\u001b\\[2Jgone$"),
                 QRegularExpression::MultilineOption)),
             qPrintable(run.out));
    QVERIFY2(
        run.out.contains(QRegularExpression(QStringLiteral("^slow\\.example\\s+") +
                                                QRegularExpression::escape(localEnd(now + 3 * 3'600'000)) +
                                                QStringLiteral("\\s+rate_limited\\s+1\\s+by hand$"),
                                            QRegularExpression::MultilineOption)),
        qPrintable(run.out));
    QVERIFY(run.out.indexOf(QStringLiteral("busy.example")) <
            run.out.indexOf(QStringLiteral("slow.example"))); // soonest end first
    QVERIFY(!run.out.contains(QChar(0x1b)));
    run = cli({QStringLiteral("hosts"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonArray paused =
        QJsonDocument::fromJson(run.out.toUtf8()).object().value(QStringLiteral("paused")).toArray();
    QCOMPARE(paused.size(), 2);
    QCOMPARE(paused.first().toObject().value(QStringLiteral("reason")).toString(),
             QStringLiteral("HTTP Error 429\x1b[2Jgone"));

    // Resume now (the name as a user may type it): the pause ends, what still pauses is shown.
    run = cli({QStringLiteral("hosts"), QStringLiteral("--resume"), QStringLiteral("Busy.Example")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.startsWith(QStringLiteral("busy.example resumed: its jobs may start now.\n")),
             qPrintable(run.out));
    QVERIFY(run.out.contains(QStringLiteral("slow.example")));
    QCOMPARE(run.out.count(QStringLiteral("busy.example")), 1);
    const QJsonArray left = m_spool->client()
                                .get(QStringLiteral("/api/hosts"))
                                .object()
                                .value(QStringLiteral("paused"))
                                .toArray();
    QCOMPARE(left.size(), 1);
    QCOMPARE(left.first().toObject().value(QStringLiteral("host")).toString(),
             QStringLiteral("slow.example"));
    run = cli({QStringLiteral("hosts"), QStringLiteral("--resume"), QStringLiteral("busy.example")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("busy.example is not paused")), qPrintable(run.err));
    run = cli({QStringLiteral("hosts"), QStringLiteral("--resume"), QStringLiteral("slow.example")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("No host is pausing.")), qPrintable(run.out));
    QVERIFY(m_spool->client()
                .get(QStringLiteral("/api/hosts"))
                .object()
                .value(QStringLiteral("paused"))
                .toArray()
                .isEmpty());
    QCOMPARE(cli({QStringLiteral("hosts")}).out.trimmed(), QStringLiteral("No host is pausing."));
}

void TestCli::toolsFromTheCommandLine()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    // What the instance finds is what this process finds: the programs on PATH.
    const Toolchain::Tool ytdlp = Toolchain::find(QStringLiteral("yt-dlp"));
    QVERIFY2(ytdlp.ok(), qPrintable(ytdlp.error));
    const QString version = Toolchain::shortVersion(ytdlp.version);
    const qint64 age = Toolchain::ytdlpReleaseDate(version).daysTo(QDate::currentDate());
    SpoolRun run = cli({QStringLiteral("tools")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    // "1373 days old" (or "day(s)" until the English plural is in spool_en.ts).
    const QString line = QStringLiteral("^yt-dlp\\s+%1\\s+%2 day(s|\\(s\\)) old\\s+%3$")
                             .arg(QRegularExpression::escape(version))
                             .arg(age)
                             .arg(QRegularExpression::escape(ytdlp.path));
    QVERIFY2(run.out.contains(QRegularExpression(line, QRegularExpression::MultilineOption)), qPrintable(run.out));
    // Debian's yt-dlp 2023.03.04 here: too old, and the line under it says so.
    if (age > 90) {
        const QString warning = QStringLiteral("\n  Warning: yt-dlp %1 is %2 days old: ").arg(version).arg(age);
        QVERIFY2(run.out.contains(warning), qPrintable(run.out));
        QVERIFY(run.out.indexOf(warning) > run.out.indexOf(QStringLiteral("yt-dlp ")));
    }
    for (const char *name : {"ffmpeg", "ffprobe"}) {
        const Toolchain::Tool found = Toolchain::find(QLatin1String(name));
        const QString expected = QStringLiteral("^%1\\s+%2\\s+%3$")
                                     .arg(QLatin1String(name),
                                          QRegularExpression::escape(Toolchain::shortVersion(found.version)),
                                          QRegularExpression::escape(found.path));
        QVERIFY2(run.out.contains(QRegularExpression(expected, QRegularExpression::MultilineOption)),
                 qPrintable(run.out));
    }
    const Toolchain::Tool js = Toolchain::find(Toolchain::kJsRuntime);
    const QString jsLine = js.ok() ? QStringLiteral("^js_runtime\\s+%1 %2\\s+%3$")
                                         .arg(js.name, QRegularExpression::escape(js.version),
                                              QRegularExpression::escape(js.path))
                                   : QStringLiteral("^js_runtime\\s+-\\s+not found\\n  Error: No JavaScript runtime");
    QVERIFY2(run.out.contains(QRegularExpression(jsLine, QRegularExpression::MultilineOption)), qPrintable(run.out));

    run = cli({QStringLiteral("tools"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(run.out));
    const QJsonArray tools = document.object().value(QStringLiteral("tools")).toArray();
    QCOMPARE(tools.size(), 4);
    QCOMPARE(tools.first().toObject().value(QStringLiteral("version")).toString(), version);
    QCOMPARE(tools.first().toObject().value(QStringLiteral("age_days")).toInteger(), age);
    QCOMPARE(tools.last().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("js_runtime"));
}

void TestCli::aMissingToolIsSaidEscapedWithWhatToInstall()
{
    // The settings name a yt-dlp that is not there, by a path with an escape sequence in it: the
    // error names the path, escaped, and what to install.
    const QString missing = m_downloads->path() + QStringLiteral("/\x1b[2Jgone/yt-dlp");
    {
        QSettings settings(m_data->filePath(QStringLiteral("settings.ini")), QSettings::IniFormat);
        settings.setValue(QStringLiteral("tools/ytdlp_path"), missing);
    }
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    const SpoolRun run = cli({QStringLiteral("tools")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(!run.out.contains(QChar(0x1b)));
    const QString escaped = QString(missing).replace(QChar(0x1b), QStringLiteral("\\u001b"));
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral("^yt-dlp\\s+-\\s+not found\\n  Error: .*") +
                                                     QRegularExpression::escape(escaped) +
                                                     QStringLiteral(".*apt install yt-dlp"),
                                                 QRegularExpression::MultilineOption)),
             qPrintable(run.out));
    QVERIFY(run.out.contains(QRegularExpression(QStringLiteral("^ffmpeg\\s"), QRegularExpression::MultilineOption)));
    const SpoolRun json = cli({QStringLiteral("tools"), QStringLiteral("--json")});
    const QJsonObject ytdlp =
        QJsonDocument::fromJson(json.out.toUtf8()).object().value(QStringLiteral("tools")).toArray().first().toObject();
    QCOMPARE(ytdlp.value(QStringLiteral("ok")).toBool(true), false);
    QVERIFY(ytdlp.value(QStringLiteral("error")).toString().contains(missing));
}

void TestCli::addRefusedChangesNothing()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    // All or nothing: the good URL is not added because the other is refused.
    SpoolRun run = cli({QStringLiteral("add"), QStringLiteral("https://example.com/good"),
                        QStringLiteral("ftp://example.com/bad")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("job 2")), qPrintable(run.err));
    run = cli({QStringLiteral("add"), QStringLiteral("https://example.com/good"), QStringLiteral("--type"),
               QStringLiteral("teleport")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("teleport")));
    run = cli({QStringLiteral("add"), QStringLiteral("https://example.com/good"), QStringLiteral("--at"),
               QStringLiteral("soonish")});
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(jobs().size(), 0);
}

void TestCli::cancelAndRetry()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    QCOMPARE(cli({QStringLiteral("add"), QStringLiteral("https://example.com/a"),
                  QStringLiteral("https://example.com/b"), QStringLiteral("--at"), QStringLiteral("+1d")})
                 .exitCode,
             0);
    SpoolRun run = cli({QStringLiteral("cancel"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed(), QStringLiteral("job 1 is cancelled"));
    run = cli({QStringLiteral("cancel"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("already ended")), qPrintable(run.err));
    run = cli({QStringLiteral("retry"), QStringLiteral("2")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("only dead or cancelled")), qPrintable(run.err));
    run = cli({QStringLiteral("retry"), QStringLiteral("1")});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.trimmed(), QStringLiteral("job 1 is pending"));
    QCOMPARE(cli({QStringLiteral("retry"), QStringLiteral("77")}).exitCode, 1);
    QCOMPARE(cli({QStringLiteral("cancel"), QStringLiteral("77")}).exitCode, 1);
}

void TestCli::logAndFollow()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    // A URL the media server does not have: yt-dlp gets a 404, the job dies after one attempt.
    const QString url = m_server.baseUrl().resolved(QUrl(QStringLiteral("media/missing.mp4"))).toString();
    QCOMPARE(cli({QStringLiteral("add"), url}).exitCode, 0);
    const SpoolRun follow = cli({QStringLiteral("log"), QStringLiteral("1"), QStringLiteral("--follow")});
    QCOMPARE(follow.exitCode, 0);
    const QJsonObject job = m_spool->client().get(QStringLiteral("/api/jobs/1")).object();
    QCOMPARE(job.value(QStringLiteral("status")).toString(), QStringLiteral("dead"));
    const QString whole = QString::fromUtf8(m_spool->client().get(QStringLiteral("/api/jobs/1/log")).body);
    QVERIFY(whole.contains(QStringLiteral("Attempt 1 of")));
    QVERIFY(whole.contains(QStringLiteral("Failed for good")));
    QCOMPARE(follow.out, whole);
    const SpoolRun once = cli({QStringLiteral("log"), QStringLiteral("1")});
    QCOMPARE(once.exitCode, 0);
    QCOMPARE(once.out, whole);
    QCOMPARE(cli({QStringLiteral("log"), QStringLiteral("42")}).exitCode, 1);
}

void TestCli::wrongTokenIsReported()
{
    // Spool proves who it is with its own token; a client with another cannot tell it from an
    // impostor, so it keeps its token and says what to do.
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    const SpoolRun run =
        cli({QStringLiteral("list"), QStringLiteral("--api-token"), QStringLiteral("guess")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("the token was not sent")), qPrintable(run.err));
    QVERIFY2(run.err.contains(QStringLiteral("give that one with --api-token")), qPrintable(run.err));
    QCOMPARE(
        cli({QStringLiteral("list"), QStringLiteral("--api-token"), ApiToken::read(m_data->path())}).exitCode,
        0);
}

void TestCli::aForeignProgramOnTheStalePortNeverGetsTheToken_data()
{
    QTest::addColumn<QByteArray>("answer");
    // It may know the protocol: a proof of the right shape is still not one made with the token.
    QTest::newRow("forged proof") << httpAnswer(200, R"({"proof":")" + QByteArray(64, 'a') + R"("})");
    QTest::newRow("yes to everything")
        << httpAnswer(200, R"({"jobs":[],"total":0,"id":1,"status":"pending"})");
    QTest::newRow("not found") << httpAnswer(404, R"({"error":{"code":"not_found","message":"no"}})");
    QTest::newRow("hangs up") << QByteArray();
}

void TestCli::aForeignProgramOnTheStalePortNeverGetsTheToken()
{
    // Spool died (its api.json stays), its pid was reused (here: this test's own), and another local
    // user's program listens on its port. Every command is refused there, and the token never travels.
    QFETCH(QByteArray, answer);
    m_spool.reset();
    const auto token = ApiToken::loadOrCreate(m_data->path());
    QVERIFY(token);
    RecordingServer foreign(answer);
    QVERIFY(foreign.listen(QHostAddress::LocalHost));
    QVERIFY(
        (ApiEndpoint{QStringLiteral("127.0.0.1"), foreign.serverPort(), QCoreApplication::applicationPid()}
             .write(m_data->path())));
    const QString expected =
        QStringLiteral("The program listening on 127.0.0.1:%1 is not Spool for %2 (stale api.json?)")
            .arg(foreign.serverPort())
            .arg(m_data->path());
    for (const QStringList &command :
         {QStringList{QStringLiteral("list")}, QStringList{QStringLiteral("show"), QStringLiteral("1")},
          QStringList{QStringLiteral("add"), QStringLiteral("https://example.com/watch/x")},
          QStringList{QStringLiteral("log"), QStringLiteral("1"), QStringLiteral("--follow")},
          QStringList{QStringLiteral("cancel"), QStringLiteral("1")},
          QStringList{QStringLiteral("pause-queue")}}) {
        const SpoolRun run = cli(command);
        QVERIFY2(run.exitCode == 1,
                 qPrintable(command.join(QLatin1Char(' ')) + QLatin1String(": ") + run.err));
        QVERIFY2(run.err.contains(expected), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("the token was not sent")), qPrintable(run.err));
    }
    // It was asked who it is (so the commands did reach it), and was never sent the token.
    QVERIFY2(foreign.received().contains("GET /api/identity?challenge="), foreign.received().constData());
    QVERIFY2(!foreign.received().contains(token.value().toLatin1()), foreign.received().constData());
    QVERIFY(!foreign.received().contains("Authorization"));
    // The same holds for a token given on the command line or in the environment.
    const QByteArray given = "a-token-given-by-the-user-0123456789";
    QCOMPARE(
        cli({QStringLiteral("list"), QStringLiteral("--api-token"), QString::fromLatin1(given)}).exitCode, 1);
    const ScopedEnv envToken("SPOOL_API_TOKEN", given + "-env");
    QCOMPARE(cli({QStringLiteral("list")}).exitCode, 1);
    QVERIFY(!foreign.received().contains(given));
    QVERIFY(!foreign.received().contains("Authorization"));
}

void TestCli::theSpoolOfAnotherDataDirIsRefused()
{
    // A stale api.json (copied from another data dir, or left there) names the port of a real Spool
    // for another data dir. Whether that one has another token or the same (both started with one
    // SPOOL_API_TOKEN), it cannot prove it is this data dir's: refused, and its queue is untouched.
    m_spool.reset();
    QTemporaryDir otherData;
    const QString shared = QStringLiteral("a-token-both-data-dirs-use-0123456789");
    for (const QString &otherToken : {QString(), shared}) {
        SpoolProcess other(otherData.path(), m_downloads->path(), otherToken);
        QVERIFY2(other.start(), qPrintable(other.output()));
        ApiEndpoint::remove(m_data->path());
        QVERIFY(QFile::copy(ApiEndpoint::filePath(otherData.path()), ApiEndpoint::filePath(m_data->path())));
        const auto endpoint = ApiEndpoint::read(m_data->path());
        QVERIFY(endpoint && endpoint->processAlive());
        QStringList token;
        if (otherToken.isEmpty())
            QVERIFY(ApiToken::loadOrCreate(m_data->path())); // this data dir's own, another than the other's
        else
            token = QStringList{QStringLiteral("--api-token"), otherToken};
        const QString expected = QStringLiteral("The program listening on 127.0.0.1:%1 is not Spool for %2")
                                     .arg(endpoint->port)
                                     .arg(m_data->path());
        for (const QStringList &command :
             {QStringList{QStringLiteral("list")},
              QStringList{QStringLiteral("add"), QStringLiteral("https://example.com/watch/y")},
              QStringList{QStringLiteral("pause-queue")}}) {
            const SpoolRun run = cli(command + token);
            QVERIFY2(run.exitCode == 1,
                     qPrintable(command.join(QLatin1Char(' ')) + QLatin1String(": ") + run.err));
            QVERIFY2(run.err.contains(expected), qPrintable(run.err));
            QVERIFY2(run.err.contains(QStringLiteral("the token was not sent")), qPrintable(run.err));
        }
        QCOMPARE(
            other.client().get(QStringLiteral("/api/jobs")).object().value(QStringLiteral("total")).toInt(),
            0);
        QCOMPARE(
            other.client().get(QStringLiteral("/api/queue")).object().value(QStringLiteral("held")).toBool(),
            false);
        // Its own data dir's command line is served as ever.
        const SpoolRun own = runSpool(
            QStringList{QStringLiteral("list"), QStringLiteral("--data-dir"), otherData.path()} + token);
        QVERIFY2(own.exitCode == 0, qPrintable(own.err));
        QCOMPARE(other.stop(), 0);
    }
}

void TestCli::aDataDirNamedThroughASymlinkFindsItsInstance()
{
    // The proof names the data dir with symlinks resolved: the same dir under another name is the
    // same instance.
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    QTemporaryDir links;
    const QString link = links.filePath(QStringLiteral("data"));
    QVERIFY(QFile::link(m_data->path(), link));
    QCOMPARE(runSpool({QStringLiteral("add"), QStringLiteral("https://example.com/watch/linked"),
                       QStringLiteral("--at"), QStringLiteral("+1d"), QStringLiteral("--data-dir"), link})
                 .exitCode,
             0);
    const SpoolRun run = runSpool({QStringLiteral("list"), QStringLiteral("--data-dir"), link});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("https://example.com/watch/linked")));
}

void TestCli::secondLaunchHandsOverUrls()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    const QString url = QStringLiteral("https://example.com/watch/handed-over");
    // A second launch with a window (offscreen here) does not open the queue again: it hands over.
    SpoolRun run = cli({url, QStringLiteral("--api-port"), QStringLiteral("0")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.err.contains(QStringLiteral("already running")), qPrintable(run.err));
    QVERIFY(QTest::qWaitFor([&] { return jobs().size() == 1; }, 5000));
    QCOMPARE(jobs().first().toObject().value(QStringLiteral("url")).toString(), url);
    run = cli({QStringLiteral("--headless"), QStringLiteral("--api-port"), QStringLiteral("0")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("already running")), qPrintable(run.err));
    QCOMPARE(jobs().size(), 1);
}

void TestCli::guiInstanceTakesUrlsFromSecondLaunch()
{
    m_spool.reset();
    QProcess gui;
    gui.setProcessChannelMode(QProcess::ForwardedChannels);
    gui.start(SpoolProcess::binary(),
              {QStringLiteral("--data-dir"), m_data->path(), QStringLiteral("--download-dir"),
               m_downloads->path(), QStringLiteral("--api-port"), QStringLiteral("0")});
    QVERIFY(gui.waitForStarted());
    QVERIFY(QTest::qWaitFor([&] { return ApiEndpoint::read(m_data->path()).has_value(); }, 20'000));
    const QString url = QStringLiteral("https://example.com/watch/to-the-window");
    const SpoolRun run = cli({url});
    QCOMPARE(run.exitCode, 0);
    ApiClient client(ApiEndpoint::read(m_data->path())->baseUrl(), ApiToken::read(m_data->path()).toUtf8());
    QVERIFY(QTest::qWaitFor(
        [&] {
            return client.get(QStringLiteral("/api/jobs")).object().value(QStringLiteral("total")).toInt() ==
                   1;
        },
        5000));
    ::kill(static_cast<pid_t>(gui.processId()), SIGTERM);
    QVERIFY(QTest::qWaitFor([&] { return gui.state() == QProcess::NotRunning; }, 20'000));
    QCOMPARE(gui.exitStatus(), QProcess::NormalExit);
    QCOMPARE(gui.exitCode(), 0);
    QVERIFY(!ApiEndpoint::read(m_data->path()));
}

void TestCli::killedInstanceLeavesNothingStale()
{
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    QCOMPARE(cli({QStringLiteral("add"), QStringLiteral("https://example.com/a"), QStringLiteral("--at"),
                  QStringLiteral("+1d")})
                 .exitCode,
             0);
    m_spool->process().kill(); // SIGKILL: api.json, the lock and the local socket stay behind
    QVERIFY(m_spool->process().waitForFinished(10'000));
    QVERIFY(ApiEndpoint::read(m_data->path()));
    SpoolRun run = cli({QStringLiteral("list")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("No Spool instance is running")), qPrintable(run.err));
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    run = cli({QStringLiteral("list")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("https://example.com/a")));
}

void TestCli::instanceSocketIsInTheUsersRuntimeFolder()
{
    // The single-instance socket lives in XDG_RUNTIME_DIR (the user's own, mode 0700), not at a
    // predictable name in /tmp that another local user could create first to keep Spool from starting.
    QTemporaryDir runtime;
    QVERIFY(QFile::setPermissions(runtime.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    const ScopedEnv runtimeDir("XDG_RUNTIME_DIR", runtime.path().toLocal8Bit());
    const auto inTmp = [] { return QDir(QDir::tempPath()).entryList({QStringLiteral("spool-*")}, QDir::System | QDir::Files); };
    const QStringList tmpBefore = inTmp();
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    const QStringList sockets = QDir(runtime.path()).entryList({QStringLiteral("spool-*")}, QDir::System);
    QCOMPARE(sockets.size(), 1);
    QVERIFY(QFileInfo(runtime.filePath(sockets.first())).exists());
    QCOMPARE(inTmp(), tmpBefore);
    // A second launch finds the first through it.
    const SpoolRun run = cli({QStringLiteral("https://example.com/watch/via-runtime-dir"), QStringLiteral("--api-port"),
                              QStringLiteral("0")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.err.contains(QStringLiteral("already running")), qPrintable(run.err));
    QVERIFY(QTest::qWaitFor([&] { return jobs().size() == 1; }, 5000));
}

void TestCli::hostileTextReachesTheTerminalEscaped()
{
    // A title from a stranger with an OSC 52 clipboard write, a bell, a carriage return that would
    // overwrite the line, a C1 CSI and a right-to-left override: list and show print them as visible
    // \uXXXX escapes, and --json stays JSON with the title as it was.
    QVERIFY2(m_spool->start(), qPrintable(m_spool->output()));
    const QString title = QStringLiteral("nice\x1b]52;c;ZXZpbA==\x07video\rfake") + QChar(0x9b) + QStringLiteral("31m")
                          + QChar(0x202e) + QStringLiteral("4pm.exe");
    const HttpResult added = m_spool->client().postJson(
        QStringLiteral("/api/jobs"), QJsonObject{{QStringLiteral("type"), QStringLiteral("video_download")},
                                                 {QStringLiteral("url"), QStringLiteral("https://example.com/watch/hostile")},
                                                 {QStringLiteral("title"), title},
                                                 {QStringLiteral("run_at"), QStringLiteral("2099-01-01T00:00:00Z")}});
    QVERIFY2(added.status == 201, added.body.constData());
    const qint64 id = added.object().value(QStringLiteral("id")).toInteger();
    const auto raw = [](const QString &out) {
        for (QChar c : out) {
            const char16_t u = c.unicode();
            if ((u < 0x20 && u != '\n' && u != '\t') || (u >= 0x7f && u <= 0x9f) || u == 0x202e)
                return true;
        }
        return false;
    };
    for (const QStringList &args : {QStringList{QStringLiteral("list")}, QStringList{QStringLiteral("show"), QString::number(id)}}) {
        const SpoolRun run = cli(args);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(!raw(run.out), qPrintable(args.join(QLatin1Char(' '))));
        QVERIFY2(run.out.contains(QStringLiteral("nice\\u001b]52;c;ZXZpbA==\\u0007video\\u000dfake\\u009b31m\\u202e4pm.exe")),
                 qPrintable(run.out));
    }
    const SpoolRun json = cli({QStringLiteral("show"), QString::number(id), QStringLiteral("--json")});
    QVERIFY(!raw(json.out));
    QCOMPARE(QJsonDocument::fromJson(json.out.toUtf8()).object().value(QStringLiteral("title")).toString(), title);
}

void TestCli::anExposedApiNeedsALongTokenAndSaysSo()
{
    // Beyond the loopback interface the API is reachable from the network and its token travels in
    // clear text: a start without a long token of the user's choosing is refused, and one with it
    // says so.
    m_spool.reset();
    for (const QStringList &token : {QStringList{}, QStringList{QStringLiteral("--api-token"), QStringLiteral("short-token")}}) {
        const SpoolRun run = cli(QStringList{QStringLiteral("--headless"), QStringLiteral("--api-bind"), QStringLiteral("0.0.0.0"),
                                             QStringLiteral("--api-port"), QStringLiteral("0")}
                                 + token);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains(QStringLiteral("at least 32 characters")), qPrintable(run.err));
        QVERIFY(!ApiEndpoint::read(m_data->path()));
    }
    SpoolProcess exposed(m_data->path(), m_downloads->path(), QStringLiteral("a-token-of-forty-characters-0123456789ab"));
    QVERIFY2(exposed.start({QStringLiteral("--api-bind"), QStringLiteral("0.0.0.0")}), qPrintable(exposed.output()));
    QVERIFY2(exposed.output().contains(QStringLiteral("The HTTP API listens on 0.0.0.0, beyond this machine")),
             qPrintable(exposed.output()));
    QCOMPARE(exposed.client().get(QStringLiteral("/api/jobs")).status, 200);
    QCOMPARE(exposed.stop(), 0);
}

void TestCli::theTokenComesFromAFileOrTheEnvironment()
{
    // --api-token is in every local user's `ps`: it still works, with a warning; a file or
    // SPOOL_API_TOKEN keep the token out of the process list. A short token is refused.
    m_spool.reset();
    SpoolRun run = cli({QStringLiteral("--headless"), QStringLiteral("--api-port"), QStringLiteral("0"), QStringLiteral("--api-token"),
                        QStringLiteral("only-twenty-chars-ok")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("the API token must be at least 32 characters long")), qPrintable(run.err));

    const QByteArray fromFile = "a-token-read-from-a-file-0123456789";
    const QString tokenFile = m_data->filePath(QStringLiteral("token.txt"));
    {
        QFile f(tokenFile);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(fromFile + "\n");
    }
    QProcess server;
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(SpoolProcess::binary(), {QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_data->path(),
                                          QStringLiteral("--download-dir"), m_downloads->path(), QStringLiteral("--api-port"),
                                          QStringLiteral("0"), QStringLiteral("--api-token-file"), tokenFile});
    QVERIFY(QTest::qWaitFor([&] { return ApiEndpoint::read(m_data->path()).has_value(); }, 20'000));
    QVERIFY(!server.arguments().join(QLatin1Char(' ')).contains(QString::fromUtf8(fromFile)));
    ApiClient client(ApiEndpoint::read(m_data->path())->baseUrl(), fromFile);
    QCOMPARE(client.get(QStringLiteral("/api/jobs")).status, 200);
    // The command line takes the same token from the environment.
    ScopedEnv envToken("SPOOL_API_TOKEN", fromFile);
    QCOMPARE(cli({QStringLiteral("list")}).exitCode, 0);
    envToken.set("a-different-token-of-thirty-two-chars");
    run = cli({QStringLiteral("list")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("does not match this token")), qPrintable(run.err));
    server.terminate();
    QVERIFY(server.waitForFinished(20'000));
    QVERIFY2(!server.readAll().contains("--api-token is visible"), "no warning without --api-token");

    // SPOOL_API_TOKEN serves as well; --api-token says it is visible.
    envToken.set("a-token-from-the-environment-0123456789");
    ApiEndpoint::remove(m_data->path());
    server.start(SpoolProcess::binary(), {QStringLiteral("--headless"), QStringLiteral("--data-dir"), m_data->path(),
                                          QStringLiteral("--download-dir"), m_downloads->path(), QStringLiteral("--api-port"),
                                          QStringLiteral("0")});
    QVERIFY(QTest::qWaitFor([&] { return ApiEndpoint::read(m_data->path()).has_value(); }, 20'000));
    ApiClient envClient(ApiEndpoint::read(m_data->path())->baseUrl(), "a-token-from-the-environment-0123456789");
    QCOMPARE(envClient.get(QStringLiteral("/api/jobs")).status, 200);
    server.terminate();
    QVERIFY(server.waitForFinished(20'000));
    envToken.restore();
    SpoolProcess visible(m_data->path(), m_downloads->path());
    QVERIFY2(visible.start(), qPrintable(visible.output()));
    QVERIFY2(visible.output().contains(QStringLiteral("--api-token is visible to every local user")), qPrintable(visible.output()));
    QCOMPARE(visible.stop(), 0);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
