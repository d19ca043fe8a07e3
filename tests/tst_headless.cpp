#include "testsupport.h"
#include "mediaserver.h"
#include "tst_apisupport.h"

#include "api/apiendpoint.h"
#include "api/apitoken.h"

#include <QFile>
#include <QTest>

#include <csignal>

// A real `spool --headless` process: it serves the API, downloads for real (yt-dlp from the local
// media server), stops gracefully on SIGTERM or SIGINT mid-download, and finishes after a restart.
class TestHeadless final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void startsWithPrivateTokenAndEndpoint();
    void sigintStopsCleanly();
    void sigtermMidDownloadThenRestartCompletes();
    void cancelThroughApiStopsTheDownload();

private:
    bool waitForBytes(SpoolProcess &spool, qint64 id);
    QJsonObject waitForStatus(SpoolProcess &spool, qint64 id, const QString &status, int timeoutMs = 60'000);

    MediaServer m_server;
    int m_big = -1;
    std::unique_ptr<QTemporaryDir> m_data;
    std::unique_ptr<QTemporaryDir> m_downloads;
};

void TestHeadless::initTestCase()
{
    QVERIFY(QFile::exists(SpoolProcess::binary()));
    QVERIFY2(m_server.start(1), qPrintable(m_server.errorString()));
    m_big = m_server.addBigClip();
    QVERIFY(m_big >= 0);
}

void TestHeadless::init()
{
    m_server.setThrottle(0);
    m_data = std::make_unique<QTemporaryDir>();
    m_downloads = std::make_unique<QTemporaryDir>();
}

void TestHeadless::cleanup()
{
    m_data.reset();
    m_downloads.reset();
}

bool TestHeadless::waitForBytes(SpoolProcess &spool, qint64 id)
{
    EventReader events(spool.client());
    if (events.open() != 200)
        return false;
    return events.waitFor(
        [id](const QList<SseEvent> &list) {
            return std::any_of(list.cbegin(), list.cend(), [id](const SseEvent &e) {
                return e.name == QLatin1String("job.progress") &&
                       e.data.value(QStringLiteral("id")).toInteger() == id &&
                       e.data.value(QStringLiteral("progress"))
                               .toObject()
                               .value(QStringLiteral("downloaded_bytes"))
                               .toInteger() > 0;
            });
        },
        30'000);
}

QJsonObject TestHeadless::waitForStatus(SpoolProcess &spool, qint64 id, const QString &status, int timeoutMs)
{
    QJsonObject last;
    [[maybe_unused]] const bool reached = QTest::qWaitFor(
        [&] {
            last = jobJson(spool.client(), id);
            return last.value(QStringLiteral("status")).toString() == status;
        },
        timeoutMs);
    return last;
}



void TestHeadless::startsWithPrivateTokenAndEndpoint()
{
    // No --api-token: the token is generated at first start and kept for the next.
    SpoolProcess spool(m_data->path(), m_downloads->path(), QString());
    QVERIFY2(spool.start(), qPrintable(spool.output()));
    const QString token = ApiToken::read(m_data->path());
    QVERIFY(token.size() >= 40);
    const auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    const auto mine = QFileDevice::ReadUser | QFileDevice::WriteUser;
    QCOMPARE(QFile::permissions(ApiToken::filePath(m_data->path())) & ~mine, ownerOnly);
    QCOMPARE(QFile::permissions(ApiEndpoint::filePath(m_data->path())) & ~mine, ownerOnly);
    const auto endpoint = ApiEndpoint::read(m_data->path());
    QVERIFY(endpoint);
    QCOMPARE(endpoint->pid, spool.process().processId());
    QCOMPARE(endpoint->bind, QStringLiteral("127.0.0.1"));
    QCOMPARE(spool.client().get(QStringLiteral("/api/stats")).status, 200);
    ApiClient wrong(spool.client().base(), "not-the-token");
    QCOMPARE(wrong.get(QStringLiteral("/api/stats")).status, 401);
    QCOMPARE(spool.stop(), 0);
    QVERIFY(!QFile::exists(ApiEndpoint::filePath(m_data->path())));
    QVERIFY2(spool.start(), qPrintable(spool.output()));
    QCOMPARE(ApiToken::read(m_data->path()), token);
    QCOMPARE(spool.stop(), 0);
}

void TestHeadless::sigintStopsCleanly()
{
    SpoolProcess spool(m_data->path(), m_downloads->path());
    QVERIFY2(spool.start(), qPrintable(spool.output()));
    ::kill(static_cast<pid_t>(spool.process().processId()), SIGINT);
    QVERIFY(QTest::qWaitFor([&] { return spool.process().state() == QProcess::NotRunning; }, 20'000));
    QCOMPARE(spool.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(spool.process().exitCode(), 0);
    QVERIFY(!QFile::exists(ApiEndpoint::filePath(m_data->path())));
}

void TestHeadless::sigtermMidDownloadThenRestartCompletes()
{
    m_server.setThrottle(400 * 1024);
    const QUrl url = m_server.clipUrl(m_big);
    qint64 id = 0;
    {
        SpoolProcess spool(m_data->path(), m_downloads->path());
        QVERIFY2(spool.start(), qPrintable(spool.output()));
        id = addVideoJob(spool.client(), url);
        QVERIFY(id > 0);
        QVERIFY(waitForBytes(spool, id));
        QCOMPARE(jobJson(spool.client(), id).value(QStringLiteral("status")).toString(), QStringLiteral("running"));
        QCOMPARE(spool.stop(), 0);
        QVERIFY(!TestFiles::processMentions(url.toString()));
        QVERIFY(!QFile::exists(ApiEndpoint::filePath(m_data->path())));
    }
    const QStringList parts = TestFiles::find(m_downloads->path(), QStringLiteral("*.part"));
    QCOMPARE(parts.size(), 1);
    m_server.setThrottle(0);
    SpoolProcess again(m_data->path(), m_downloads->path());
    QVERIFY2(again.start(), qPrintable(again.output()));
    const QJsonObject done = waitForStatus(again, id, QStringLiteral("completed"));
    QCOMPARE(done.value(QStringLiteral("status")).toString(), QStringLiteral("completed"));
    QCOMPARE(done.value(QStringLiteral("attempts")).toInt(), 1); // the interrupted attempt was handed back
    const QString file =
        done.value(QStringLiteral("result")).toObject().value(QStringLiteral("file")).toString();
    QVERIFY(file.startsWith(m_downloads->path()));
    QCOMPARE(TestFiles::sha1(file), TestFiles::sha1(m_server.clipPath(m_big)));
    QCOMPARE(again.stop(), 0);
}

void TestHeadless::cancelThroughApiStopsTheDownload()
{
    m_server.setThrottle(200 * 1024);
    const QUrl url = m_server.clipUrl(m_big);
    SpoolProcess spool(m_data->path(), m_downloads->path());
    QVERIFY2(spool.start(), qPrintable(spool.output()));
    const qint64 id = addVideoJob(spool.client(), url);
    QVERIFY(waitForBytes(spool, id));
    QVERIFY(TestFiles::processMentions(url.toString()));
    const HttpResult r = spool.client().send("DELETE", QStringLiteral("/api/jobs/%1").arg(id));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
    QTRY_VERIFY_WITH_TIMEOUT(!TestFiles::processMentions(url.toString()), 10'000);
    QCOMPARE(jobJson(spool.client(), id).value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
    QCOMPARE(spool.client().send("DELETE", QStringLiteral("/api/jobs/%1").arg(id)).status, 409);
    QCOMPARE(spool.stop(), 0);
}

QTEST_GUILESS_MAIN(TestHeadless)
#include "tst_headless.moc"
