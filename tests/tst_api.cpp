#include "testsupport.h"
#include "tst_apisupport.h"

#include "api/apiendpoint.h"
#include "api/apiserver.h"
#include "api/apitoken.h"
#include "api/jobjson.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"
#include "workers/toolchain.h"

#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <QNetworkReply>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QTcpSocket>
#include <QTest>

// The HTTP API over real HTTP: every route, every status code, auth, Origin, body checks, the event
// stream and its replay, and the OpenAPI document against the server.
class TestApi final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();

    void pageNeedsNoToken();
    void everyApiRouteNeedsToken();
    void identityProvesTokenAndDataDirWithoutTheToken();
    void identityRefusesABadChallenge_data();
    void identityRefusesABadChallenge();
    void foreignHostIsMisdirected();
    void foreignOriginIsForbidden();
    void createJob();
    void createDuplicateReturnsExisting();
    void createBatch();
    void createBatchIsAllOrNothing();
    void rejectedCreateChangesNothing_data();
    void rejectedCreateChangesNothing();
    void pathOptionsInsideTheDownloadFolderAreAccepted();
    void listFiltersSortsAndPages();
    void listRejectsBadParameters_data();
    void listRejectsBadParameters();
    void getJobWithChildren();
    void retryOnlyDeadOrCancelled();
    void wholeQueuePausesAndResumes();
    void subscriptionsAreListedChangedSyncedAndRemoved();
    void pausedHostsAreListedAndResumed();
    void resumeRefusesABadHost_data();
    void resumeRefusesABadHost();
    void resumeNeedsTheToken();
    void hostEventsFollowPausesAndResumes();
    void hostsJsonMatchesSchema();
    void toolsAreTheInstalledOnes();
    void aConfiguredToolThatIsMissingSaysWhatToInstall();
    void toolsNeedTheTokenAndAGoodRefresh();
    void aSlowToolCheckDoesNotHoldTheServer();
    void aServerStoppingDuringAToolCheckDropsTheAnswers();
    void toolsJsonMatchesSchema();
    void cancelStopsRunningJob();
    void cancelEndedOrUnknownJob();
    void pauseAndResume();
    void patchPriority();
    void rejectedPatchChangesNothing_data();
    void rejectedPatchChangesNothing();
    void actionBodyMustBeJson();
    void logFromOffset();
    void stats();
    void wrongMethodIs405();
    void unknownPathIs404();
    void eventsDeliverEveryChange();
    void progressEventsAreCoalesced();
    void eventsReplayMissedAfterReconnect();
    void eventsResetWhenTooOld();
    void eventsAuth();
    void openApiDocumentMatchesServer();
    void jobJsonMatchesSchema();
    void tokenAndEndpointFilesArePrivate();
    void unfinishedRequestsAreCutOffBeforeAuthentication();
    void aHugeBodyIsRefusedAsItArrives();
    void connectionsBeyondTheCapAreRefused();
    void eventStreamsBeyondTheCapAreRefused();
    void aStalledEventReaderIsDroppedNotTheServer();

private:
    struct Snapshot
    {
        qint64 total = 0;
        QJsonObject row;
        bool operator==(const Snapshot &) const = default;
    };
    Snapshot snapshot(qint64 id);
    void makeServer(EventHub::Options events = {}, const std::function<void(ApiServer::Options &)> &adjust = {});
    // A raw connection to the server, for what no well-behaved client sends.
    std::unique_ptr<QTcpSocket> rawConnection();
    qint64 add(const QJsonObject &options = {}, qint64 runAtMs = 0, qint64 parentId = 0);
    qint64 addFuture(); // pending, and stays so: due in a day
    qint64 addFor(const QString &url, const QJsonObject &options = {}); // a scripted job of that URL's host
    // A pause of the host in the store, as a rate limit would leave it (a strike of `kind`).
    HostCooldown pauseHost(const QString &host, const QString &kind, const QString &reason);
    QStringList pausedHosts(); // what the queue says, not the API
    bool waitForStatus(qint64 id, JobStatus status, int timeoutMs = 10'000);
    // A new core (and server) whose workers get `environment` besides the download folder.
    void restartWith(const QVariantMap &environment, const std::function<void(ApiServer::Options &)> &adjust = {});
    QJsonObject tool(const QString &name, const QString &query = QString()); // from GET /api/tools
    QJsonObject openApi();

    std::unique_ptr<QTemporaryDir> m_downloads;
    std::unique_ptr<TestCore> m_t;
    std::unique_ptr<ApiServer> m_server;
    std::unique_ptr<ApiClient> m_client;
};

void TestApi::init()
{
    m_downloads = std::make_unique<QTemporaryDir>();
    m_t = std::make_unique<TestCore>(testSettings(), false,
                                     QVariantMap{{DownloadEnv::DownloadDir, m_downloads->path()}});
    makeServer();
    m_t->core().start();
}

void TestApi::cleanup()
{
    m_client.reset();
    m_server.reset();
    m_t.reset();
}

void TestApi::makeServer(EventHub::Options events, const std::function<void(ApiServer::Options &)> &adjust)
{
    m_client.reset();
    m_server.reset();
    ApiServer::Options options;
    options.token = QStringLiteral("test-token");
    options.dataDir = m_t->dataDir();
    options.events = events;
    options.dispatcher = &m_t->dispatcher();
    options.subscriptions = &m_t->core().subscriptions();
    if (adjust)
        adjust(options);
    m_server = std::make_unique<ApiServer>(m_t->queue(), m_t->core().logs(), options);
    const auto port = m_server->listen();
    QVERIFY2(port, qPrintable(port.error().message));
    m_client = std::make_unique<ApiClient>(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port.value())),
                                           "test-token");
}

std::unique_ptr<QTcpSocket> TestApi::rawConnection()
{
    auto socket = std::make_unique<QTcpSocket>();
    socket->connectToHost(QHostAddress::LocalHost, m_server->port());
    if (!socket->waitForConnected(5'000))
        qWarning("cannot connect: %s", qPrintable(socket->errorString()));
    return socket;
}

namespace {
// Everything the server sends until it closes the connection (or the time is up).
QByteArray readUntilClosed(QTcpSocket &socket, int timeoutMs)
{
    QByteArray data;
    [[maybe_unused]] const bool closed = QTest::qWaitFor([&] {
        data += socket.readAll();
        return socket.state() == QAbstractSocket::UnconnectedState;
    }, timeoutMs);
    return data + socket.readAll();
}
} // namespace

TestApi::Snapshot TestApi::snapshot(qint64 id)
{
    JobFilter all;
    all.limit = 1;
    const auto job = m_t->queue().job(id);
    return Snapshot{m_t->queue().list(all).total, job ? JobJson::fromJob(*job, QString()) : QJsonObject()};
}

qint64 TestApi::add(const QJsonObject &options, qint64 runAtMs, qint64 parentId)
{
    NewJob job;
    job.type = TestTypes::Scripted;
    job.options = options;
    job.runAt = runAtMs;
    job.parentId = parentId;
    const auto added = m_t->queue().addJob(job);
    return added ? added.value().job.id : 0;
}

qint64 TestApi::addFuture()
{
    return add({}, QDateTime::currentMSecsSinceEpoch() + 86'400'000);
}

qint64 TestApi::addFor(const QString &url, const QJsonObject &options)
{
    NewJob job;
    job.type = TestTypes::Scripted;
    job.url = url;
    job.options = options;
    const auto added = m_t->queue().addJob(job);
    return added ? added.value().job.id : 0;
}

HostCooldown TestApi::pauseHost(const QString &host, const QString &kind, const QString &reason)
{
    const auto paused = m_t->queue().store().cooldowns().strike(
        host, QDateTime::currentMSecsSinceEpoch(), kind, reason, 0, m_t->queue().settings().throttle);
    return paused ? paused.value() : HostCooldown{};
}

QStringList TestApi::pausedHosts()
{
    QStringList hosts;
    for (const HostCooldown &c : m_t->queue().hostCooldowns())
        hosts << c.host;
    return hosts;
}

bool TestApi::waitForStatus(qint64 id, JobStatus status, int timeoutMs)
{
    return QTest::qWaitFor([&] { return m_t->status(id) == status; }, timeoutMs);
}

void TestApi::restartWith(const QVariantMap &environment, const std::function<void(ApiServer::Options &)> &adjust)
{
    m_client.reset();
    m_server.reset();
    QVariantMap env = environment;
    env.insert(DownloadEnv::DownloadDir, m_downloads->path());
    m_t = std::make_unique<TestCore>(testSettings(), false, env);
    makeServer({}, adjust);
    m_t->core().start();
}

QJsonObject TestApi::tool(const QString &name, const QString &query)
{
    const HttpResult r = m_client->get(QStringLiteral("/api/tools") + query);
    if (r.status != 200)
        qWarning("GET /api/tools%s: %d %s", qPrintable(query), r.status, r.body.constData());
    for (const QJsonValue &t : r.object().value(QStringLiteral("tools")).toArray()) {
        if (t.toObject().value(QStringLiteral("name")).toString() == name)
            return t.toObject();
    }
    return {};
}

QJsonObject TestApi::openApi()
{
    QFile file(QStringLiteral(":/api/openapi.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

void TestApi::pageNeedsNoToken()
{
    const QList<std::pair<QString, QByteArray>> files{{QStringLiteral("/"), "text/html"},
                                                      {QStringLiteral("/app.js"), "text/javascript"},
                                                      {QStringLiteral("/style.css"), "text/css"}};
    for (const auto &[path, type] : files) {
        const HttpResult r = m_client->send("GET", path, {}, {{"Authorization", {}}});
        QCOMPARE(r.status, 200);
        QVERIFY2(r.header("Content-Type").startsWith(type), r.header("Content-Type").constData());
        QVERIFY(!r.body.isEmpty());
        QVERIFY(r.header("Content-Security-Policy").contains("default-src 'self'"));
    }
    QVERIFY(m_client->get(QStringLiteral("/")).body.contains("<title>Spool</title>"));
}

void TestApi::everyApiRouteNeedsToken()
{
    const qint64 id = addFuture();
    for (const auto &[method, path] : m_server->routes()) {
        // The one open /api route: what a client asks before it trusts the server with the token.
        if (!path.startsWith(QLatin1String("/api/")) || path == QLatin1String("/api/identity"))
            continue;
        const QString concrete = QString(path)
                                     .replace(QStringLiteral("{id}"), QString::number(id))
                                     .replace(QStringLiteral("{host}"), QStringLiteral("example.org"));
        const HttpResult none = m_client->send(method, concrete, {}, {{"Authorization", {}}});
        QVERIFY2(
            none.status == 401,
            qPrintable(QStringLiteral("%1 %2: %3").arg(QString::fromLatin1(method), path).arg(none.status)));
        QCOMPARE(none.errorCode(), QStringLiteral("unauthorized"));
        QVERIFY(none.header("WWW-Authenticate").startsWith("Bearer"));
        const HttpResult wrong =
            m_client->send(method, concrete, {}, {{"Authorization", "Bearer wrong-token"}});
        QCOMPARE(wrong.status, 401);
    }
    // ?token= is for the event stream only.
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/jobs?token=test-token"), {}, {{"Authorization", {}}})
                 .status,
             401);
    QCOMPARE(
        m_client->send("GET", QStringLiteral("/api/jobs"), {}, {{"Authorization", "Basic dGVzdC10b2tlbg=="}})
            .status,
        401);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs")).status, 200);
}

namespace {
QByteArray expectedProof(const QByteArray &token, const QByteArray &challenge, const QString &dataDir)
{
    // Written out here as README and SECURITY.md describe it, not through the code under test.
    return QMessageAuthenticationCode::hash("spool-identity-v1\n" + challenge + '\n' +
                                                QFileInfo(dataDir).canonicalFilePath().toUtf8(),
                                            token, QCryptographicHash::Sha256)
        .toHex();
}
} // namespace

void TestApi::identityProvesTokenAndDataDirWithoutTheToken()
{
    // A fresh challenge gets HMAC-SHA256(token, "spool-identity-v1\n" + challenge + "\n" + canonical
    // data dir), without a token: a client checks whom it talks to before it sends one.
    const QByteArray challenge = QByteArray(31, '\x5a').toHex() + "0F";
    const HttpResult r =
        m_client->send("GET", QStringLiteral("/api/identity?challenge=") + QString::fromLatin1(challenge), {},
                       {{"Authorization", {}}});
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("Content-Type").startsWith("application/json"));
    QCOMPARE(r.object().keys(), QStringList{QStringLiteral("proof")});
    const QByteArray proof = r.object().value(QStringLiteral("proof")).toString().toLatin1();
    QCOMPARE(proof, expectedProof("test-token", challenge, m_t->dataDir()));
    // The proof names the token and the data dir: neither another token nor another dir makes it.
    QVERIFY(proof != expectedProof("other-token", challenge, m_t->dataDir()));
    QVERIFY(proof != expectedProof("test-token", challenge, m_downloads->path()));
    // Another challenge, another proof (a recorded answer is of no use); a wrong token changes nothing.
    const QByteArray other(64, 'a');
    const HttpResult second =
        m_client->send("GET", QStringLiteral("/api/identity?challenge=") + QString::fromLatin1(other), {},
                       {{"Authorization", "Bearer wrong-token"}});
    QCOMPARE(second.status, 200);
    QCOMPARE(second.object().value(QStringLiteral("proof")).toString().toLatin1(),
             expectedProof("test-token", other, m_t->dataDir()));
    // A server given its data dir through a symlink names the dir the link leads to.
    QTemporaryDir links;
    const QString link = links.filePath(QStringLiteral("data"));
    QVERIFY(QFile::link(m_t->dataDir(), link));
    makeServer({}, [&link](ApiServer::Options &o) { o.dataDir = link; });
    QCOMPARE(m_client
                 ->send("GET", QStringLiteral("/api/identity?challenge=") + QString::fromLatin1(other), {},
                        {{"Authorization", {}}})
                 .object()
                 .value(QStringLiteral("proof"))
                 .toString()
                 .toLatin1(),
             expectedProof("test-token", other, m_t->dataDir()));
    // The Host check holds here as everywhere.
    const QByteArray evil = "evil.example:" + QByteArray::number(m_server->port());
    QCOMPARE(m_client
                 ->send("GET", QStringLiteral("/api/identity?challenge=") + QString::fromLatin1(other), {},
                        {{"Authorization", {}}, {"Host", evil}})
                 .status,
             421);
}

void TestApi::identityRefusesABadChallenge_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("none") << QString();
    QTest::newRow("empty") << QStringLiteral("?challenge=");
    QTest::newRow("short") << QStringLiteral("?challenge=") + QString(62, QLatin1Char('a'));
    QTest::newRow("over-long") << QStringLiteral("?challenge=") + QString(66, QLatin1Char('a'));
    QTest::newRow("huge") << QStringLiteral("?challenge=") + QString(4000, QLatin1Char('a'));
    QTest::newRow("not hex") << QStringLiteral("?challenge=") + QString(63, QLatin1Char('a')) +
                                    QLatin1Char('g');
    QTest::newRow("spaces") << QStringLiteral("?challenge=%20") + QString(62, QLatin1Char('a')) +
                                   QStringLiteral("%20");
    QTest::newRow("line break") << QStringLiteral("?challenge=") + QString(32, QLatin1Char('a')) +
                                       QStringLiteral("%0A") + QString(31, QLatin1Char('a'));
    QTest::newRow("another name") << QStringLiteral("?nonce=") + QString(64, QLatin1Char('a'));
}

void TestApi::identityRefusesABadChallenge()
{
    QFETCH(QString, query);
    const HttpResult r =
        m_client->send("GET", QStringLiteral("/api/identity") + query, {}, {{"Authorization", {}}});
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), QStringLiteral("invalid_argument"));
    QVERIFY(!r.body.contains("proof"));
}

void TestApi::foreignHostIsMisdirected()
{
    // DNS rebinding: evil.example made to resolve to 127.0.0.1 reaches this port with its own name in
    // Host. Before the token, before anything: 421, the page included. The server's own address and
    // localhost are answered.
    const qint64 id = addFuture();
    const Snapshot before = snapshot(id);
    const QByteArray port = QByteArray::number(m_server->port());
    for (const QByteArray &host : {QByteArray("evil.example:") + port, QByteArray("evil.example"),
                                   QByteArray("127.0.0.1:1"), QByteArray("127.0.0.1.evil.example:") + port}) {
        for (const QString &path : {QStringLiteral("/"), QStringLiteral("/api/jobs"), QStringLiteral("/api/events")}) {
            const HttpResult r = m_client->send("GET", path, {}, {{"Host", host}});
            QVERIFY2(r.status == 421, qPrintable(QStringLiteral("%1 %2: %3").arg(QString::fromLatin1(host), path).arg(r.status)));
            QCOMPARE(r.errorCode(), QStringLiteral("misdirected"));
        }
        QCOMPARE(m_client->send("DELETE", QStringLiteral("/api/jobs/%1").arg(id), {}, {{"Host", host}}).status, 421);
    }
    QCOMPARE(snapshot(id), before);
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/jobs"), {}, {{"Host", "localhost:" + port}}).status, 200);
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/jobs"), {}, {{"Host", "127.0.0.1:" + port}}).status, 200);
    QCOMPARE(m_client->send("GET", QStringLiteral("/"), {}, {{"Host", "LOCALHOST:" + port}}).status, 200);
}

void TestApi::foreignOriginIsForbidden()
{
    const qint64 id = addFuture();
    const Snapshot before = snapshot(id);
    const QByteArray port = QByteArray::number(m_server->port());
    const ApiClient::Headers evil{{"Origin", "http://evil.example"}, {"Content-Type", "application/json"}};
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/jobs"), {}, evil).status, 403);
    const HttpResult post =
        m_client->send("POST", QStringLiteral("/api/jobs"), R"({"type":"test_scripted"})", evil);
    QCOMPARE(post.status, 403);
    QCOMPARE(post.errorCode(), QStringLiteral("forbidden"));
    QCOMPARE(m_client->send("DELETE", QStringLiteral("/api/jobs/%1").arg(id), {}, evil).status, 403);
    QCOMPARE(
        m_client->send("GET", QStringLiteral("/api/jobs"), {}, {{"Origin", "http://127.0.0.1:1"}}).status,
        403);
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/jobs"), {}, {{"Origin", "null"}}).status, 403);
    QCOMPARE(snapshot(id), before);
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/jobs"), {}, {{"Origin", "http://127.0.0.1:" + port}})
                 .status,
             200);
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/jobs"), {}, {{"Origin", "http://localhost:" + port}})
                 .status,
             200);
}

void TestApi::createJob()
{
    const HttpResult r =
        m_client->postJson(QStringLiteral("/api/jobs"),
                           QJsonObject{{QStringLiteral("type"), JobTypes::VideoDownload},
                                       {QStringLiteral("url"), QStringLiteral("https://example.com/watch/1")},
                                       {QStringLiteral("priority"), 7},
                                       {QStringLiteral("run_at"), QStringLiteral("2099-01-02T03:04:05Z")},
                                       {QStringLiteral("max_attempts"), 4},
                                       {QStringLiteral("options"),
                                        QJsonObject{{QStringLiteral("quality"), QStringLiteral("720p")}}}});
    QCOMPARE(r.status, 201);
    QVERIFY(r.header("Content-Type").startsWith("application/json"));
    const QJsonObject job = r.object();
    const qint64 id = job.value(QStringLiteral("id")).toInteger();
    QVERIFY(id > 0);
    QCOMPARE(job.value(QStringLiteral("type")).toString(), JobTypes::VideoDownload);
    QCOMPARE(job.value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(job.value(QStringLiteral("priority")).toInt(), 7);
    QCOMPARE(job.value(QStringLiteral("max_attempts")).toInt(), 4);
    QCOMPARE(job.value(QStringLiteral("attempts")).toInt(), 0);
    QCOMPARE(job.value(QStringLiteral("run_at")).toString(), QStringLiteral("2099-01-02T03:04:05.000Z"));
    QVERIFY(job.value(QStringLiteral("created_at")).toString().endsWith(QLatin1Char('Z')));
    QVERIFY(job.value(QStringLiteral("started_at")).isNull());
    QVERIFY(job.value(QStringLiteral("error")).isNull());
    QVERIFY(job.value(QStringLiteral("parent_job_id")).isNull());
    QCOMPARE(job.value(QStringLiteral("options")).toObject().value(QStringLiteral("quality")).toString(),
             QStringLiteral("720p"));
    QCOMPARE(job.value(QStringLiteral("log_dir")).toString(), m_t->core().logs().jobDir(id));
    QCOMPARE(m_t->queue().job(id)->priority, 7);
}

void TestApi::createDuplicateReturnsExisting()
{
    const QJsonObject body{{QStringLiteral("type"), JobTypes::VideoDownload},
                           {QStringLiteral("url"), QStringLiteral("https://example.com/watch/dup")},
                           {QStringLiteral("run_at"), QStringLiteral("2099-01-01T00:00:00Z")}};
    const HttpResult first = m_client->postJson(QStringLiteral("/api/jobs"), body);
    QCOMPARE(first.status, 201);
    const Snapshot before = snapshot(first.object().value(QStringLiteral("id")).toInteger());
    QJsonObject again = body;
    again.insert(QStringLiteral("url"), QStringLiteral("https://EXAMPLE.com/watch/dup#t=3"));
    const HttpResult second = m_client->postJson(QStringLiteral("/api/jobs"), again);
    QCOMPARE(second.status, 200);
    QCOMPARE(second.object().value(QStringLiteral("id")), first.object().value(QStringLiteral("id")));
    QCOMPARE(snapshot(first.object().value(QStringLiteral("id")).toInteger()), before);
}

void TestApi::createBatch()
{
    QJsonArray jobs;
    for (int i = 0; i < 3; ++i)
        jobs << QJsonObject{{QStringLiteral("type"), TestTypes::Scripted},
                            {QStringLiteral("title"), QStringLiteral("batch %1").arg(i)},
                            {QStringLiteral("run_at"), QStringLiteral("2099-01-01T00:00:00Z")}};
    const HttpResult r = m_client->postJson(QStringLiteral("/api/jobs"), jobs);
    QCOMPARE(r.status, 201);
    QCOMPARE(r.array().size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(r.array().at(i).toObject().value(QStringLiteral("title")).toString(),
                 QStringLiteral("batch %1").arg(i));
    QCOMPARE(snapshot(0).total, 3);
}

void TestApi::createBatchIsAllOrNothing()
{
    const qint64 watched = addFuture();
    const Snapshot before = snapshot(watched);
    const QJsonArray jobs{QJsonObject{{QStringLiteral("type"), TestTypes::Scripted}},
                          QJsonObject{{QStringLiteral("type"), JobTypes::VideoDownload},
                                      {QStringLiteral("url"), QStringLiteral("https://example.com/ok")}},
                          QJsonObject{{QStringLiteral("type"), JobTypes::VideoDownload},
                                      {QStringLiteral("url"), QStringLiteral("not a url")}}};
    const HttpResult r = m_client->postJson(QStringLiteral("/api/jobs"), jobs);
    QCOMPARE(r.status, 400);
    QVERIFY2(r.object()
                 .value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("message"))
                 .toString()
                 .contains(QLatin1String("job 3")),
             r.body.constData());
    QCOMPARE(snapshot(watched), before);
}

void TestApi::rejectedCreateChangesNothing_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QByteArray json = "application/json";
    const QString invalid = QStringLiteral("invalid_argument");
    QTest::newRow("malformed JSON") << json << QByteArray(R"({"type": "test_scripted")") << 400
                                    << QStringLiteral("malformed_json");
    QTest::newRow("a string") << json << QByteArray(R"("test_scripted")") << 400
                              << QStringLiteral("malformed_json");
    QTest::newRow("empty body") << json << QByteArray() << 400 << QStringLiteral("malformed_json");
    QTest::newRow("empty array") << json << QByteArray("[]") << 400 << invalid;
    QTest::newRow("array of numbers") << json << QByteArray("[1]") << 400 << invalid;
    QTest::newRow("no type") << json << QByteArray(R"({"url":"https://example.com/a"})") << 400 << invalid;
    QTest::newRow("unknown type") << json << QByteArray(R"({"type":"teleport"})") << 400 << invalid;
    QTest::newRow("type not a string") << json << QByteArray(R"({"type":5})") << 400 << invalid;
    QTest::newRow("no url") << json << QByteArray(R"({"type":"video_download"})") << 400 << invalid;
    QTest::newRow("invalid url") << json << QByteArray(R"({"type":"video_download","url":"not a url"})")
                                 << 400 << invalid;
    QTest::newRow("ftp url") << json << QByteArray(R"({"type":"video_download","url":"ftp://example.com/a"})")
                             << 400 << invalid;
    QTest::newRow("priority text") << json << QByteArray(R"({"type":"test_scripted","priority":"high"})")
                                   << 400 << invalid;
    QTest::newRow("priority too high")
        << json << QByteArray(R"({"type":"test_scripted","priority":5000})") << 400 << invalid;
    QTest::newRow("priority fraction")
        << json << QByteArray(R"({"type":"test_scripted","priority":1.5})") << 400 << invalid;
    QTest::newRow("unknown field") << json << QByteArray(R"({"type":"test_scripted","colour":"red"})") << 400
                                   << invalid;
    QTest::newRow("bad run_at") << json << QByteArray(R"({"type":"test_scripted","run_at":"tomorrow"})")
                                << 400 << invalid;
    QTest::newRow("max_attempts 0") << json << QByteArray(R"({"type":"test_scripted","max_attempts":0})")
                                    << 400 << invalid;
    QTest::newRow("options not object")
        << json << QByteArray(R"({"type":"test_scripted","options":[1]})") << 400 << invalid;
    QTest::newRow("unknown option")
        << json
        << QByteArray(R"({"type":"video_download","url":"https://example.com/b","options":{"warp":1}})")
        << 400 << invalid;
    // Every path a job writes stays inside the download folder.
    const auto video = [](const QByteArray &options) {
        return R"({"type":"video_download","url":"https://example.com/v","options":)" + options + "}";
    };
    QTest::newRow("download_dir outside") << json << video(R"({"download_dir":"/tmp"})") << 400 << invalid;
    QTest::newRow("download_dir climbing") << json << video(R"({"download_dir":"a/../../b"})") << 400 << invalid;
    QTest::newRow("download_dir ~") << json << video(R"({"download_dir":"~/x"})") << 400 << invalid;
    QTest::newRow("template absolute") << json << video(R"({"output_template":"/tmp/%(id)s.%(ext)s"})") << 400 << invalid;
    QTest::newRow("template climbing") << json << video(R"({"output_template":"../%(id)s.%(ext)s"})") << 400 << invalid;
    QTest::newRow("template without ext") << json << video(R"({"output_template":"%(title)s"})") << 400 << invalid;
    QTest::newRow("template dots and a field") << json << video(R"({"output_template":".%(album)s./%(id)s.%(ext)s"})")
                                             << 400 << invalid;
    QTest::newRow("template nested field in a folder")
        << json << video(R"({"output_template":"%(playlist.title)s/%(id)s.%(ext)s"})") << 400 << invalid;
    QTest::newRow("template default of dots")
        << json << video(R"({"output_template":"%(album|..)s/%(id)s.%(ext)s"})") << 400 << invalid;
    QTest::newRow("template bare percent") << json << video(R"({"output_template":"100%/%(id)s.%(ext)s"})") << 400 << invalid;
    QTest::newRow("template control character")
        << json << video(R"({"output_template":"a[2J/%(id)s.%(ext)s"})") << 400 << invalid;
    QTest::newRow("metadata file outside")
        << json << QByteArray(R"({"type":"metadata_extraction","url":"https://example.com/v","options":{"file":"/etc/passwd"}})")
        << 400 << invalid;
    QTest::newRow("metadata file climbing")
        << json << QByteArray(R"({"type":"metadata_extraction","url":"https://example.com/v","options":{"file":"../x.mp4"}})")
        << 400 << invalid;
    QTest::newRow("cleanup outside")
        << json << QByteArray(R"({"type":"cleanup","options":{"download_dir":"/"}})") << 400 << invalid;
    QTest::newRow("missing parent") << json
                                    << QByteArray(R"({"type":"test_scripted","parent_job_id":999999})") << 400
                                    << invalid;
    QTest::newRow("parent not a number")
        << json << QByteArray(R"({"type":"test_scripted","parent_job_id":"1"})") << 400 << invalid;
    QTest::newRow("text/plain") << QByteArray("text/plain") << QByteArray(R"({"type":"test_scripted"})")
                                << 415 << QStringLiteral("unsupported_media_type");
    QTest::newRow("no content type") << QByteArray() << QByteArray(R"({"type":"test_scripted"})") << 415
                                     << QStringLiteral("unsupported_media_type");
    QTest::newRow("form") << QByteArray("application/x-www-form-urlencoded")
                          << QByteArray("type=test_scripted") << 415
                          << QStringLiteral("unsupported_media_type");
    QByteArray huge =
        R"({"type":"test_scripted","title":")" + QByteArray(ApiServer::kMaxBodyBytes, 'x') + R"("})";
    QTest::newRow("over 1 MiB") << json << huge << 413 << QStringLiteral("payload_too_large");
}

void TestApi::rejectedCreateChangesNothing()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    const qint64 watched = addFuture();
    const Snapshot before = snapshot(watched);
    const HttpResult r =
        m_client->send("POST", QStringLiteral("/api/jobs"), body, {{"Content-Type", contentType}});
    QCOMPARE(r.status, status);
    QCOMPARE(r.errorCode(), code);
    QVERIFY(!r.object()
                 .value(QStringLiteral("error"))
                 .toObject()
                 .value(QStringLiteral("message"))
                 .toString()
                 .isEmpty());
    QCOMPARE(snapshot(watched), before);
}

void TestApi::pathOptionsInsideTheDownloadFolderAreAccepted()
{
    const QString inside = m_downloads->path() + QStringLiteral("/Archive/2026");
    const QList<QJsonObject> accepted{
        {{QStringLiteral("download_dir"), inside}},
        {{QStringLiteral("download_dir"), QStringLiteral("Archive/Music")}},
        {{QStringLiteral("output_template"),
          QStringLiteral("%(uploader,channel|Unknown)s/Season %(upload_date>%Y)s/%(title).100B [%(id)s].%(ext)s")}},
        {{QStringLiteral("output_template"), QStringLiteral("100%% %(title)s.%(ext)s")}},
    };
    int n = 0;
    for (const QJsonObject &options : accepted) {
        const QJsonObject body{{QStringLiteral("type"), QStringLiteral("video_download")},
                               {QStringLiteral("url"), QStringLiteral("https://example.com/ok-%1").arg(n++)},
                               {QStringLiteral("run_at"), QStringLiteral("2099-01-01T00:00:00Z")},
                               {QStringLiteral("options"), options}};
        const HttpResult r = m_client->send("POST", QStringLiteral("/api/jobs"), QJsonDocument(body).toJson(),
                                            {{"Content-Type", "application/json"}});
        QVERIFY2(r.status == 201, r.body.constData());
    }
}

void TestApi::listFiltersSortsAndPages()
{
    const qint64 dead = add({{QStringLiteral("outcome"), QStringLiteral("permanent")}});
    QVERIFY(waitForStatus(dead, JobStatus::Dead));
    QList<qint64> pending;
    for (int i = 0; i < 5; ++i)
        pending << addFuture();
    const qint64 child = add({}, QDateTime::currentMSecsSinceEpoch() + 86'400'000, pending.first());
    NewJob video;
    video.type = JobTypes::VideoDownload;
    video.url = QStringLiteral("https://example.com/watch/needle-video");
    video.runAt = QDateTime::currentMSecsSinceEpoch() + 86'400'000;
    const qint64 videoId = m_t->queue().addJob(video).value().job.id;

    auto ids = [this](const QString &query) {
        QList<qint64> list;
        const HttpResult r = m_client->get(QStringLiteral("/api/jobs") + query);
        for (const QJsonValue &job : r.object().value(QStringLiteral("jobs")).toArray())
            list << job.toObject().value(QStringLiteral("id")).toInteger();
        return list;
    };
    const HttpResult all = m_client->get(QStringLiteral("/api/jobs"));
    QCOMPARE(all.status, 200);
    QCOMPARE(all.object().value(QStringLiteral("total")).toInteger(), 8);
    QCOMPARE(all.object().value(QStringLiteral("limit")).toInt(), 100);
    QCOMPARE(all.object().value(QStringLiteral("offset")).toInt(), 0);
    QCOMPARE(ids(QString()), (QList<qint64>{dead, pending[0], pending[1], pending[2], pending[3], pending[4],
                                            child, videoId}));
    QCOMPARE(ids(QStringLiteral("?status=dead")), QList<qint64>{dead});
    QCOMPARE(ids(QStringLiteral("?status=dead,pending&type=test_scripted&limit=2")),
             (QList<qint64>{dead, pending[0]}));
    QCOMPARE(ids(QStringLiteral("?type=video_download")), QList<qint64>{videoId});
    QCOMPARE(ids(QStringLiteral("?parent_job_id=%1").arg(pending.first())), QList<qint64>{child});
    QVERIFY(!ids(QStringLiteral("?parent_job_id=0")).contains(child));
    QCOMPARE(ids(QStringLiteral("?q=needle")), QList<qint64>{videoId});
    QCOMPARE(ids(QStringLiteral("?q=needle+video")), QList<qint64>{});
    QCOMPARE(ids(QStringLiteral("?q=needle-video")), QList<qint64>{videoId});
    QCOMPARE(ids(QStringLiteral("?sort=-id&limit=3")), (QList<qint64>{videoId, child, pending[4]}));
    QCOMPARE(ids(QStringLiteral("?sort=-created_at&limit=1")), QList<qint64>{videoId});
    QCOMPARE(ids(QStringLiteral("?limit=3&offset=3")), (QList<qint64>{pending[2], pending[3], pending[4]}));
    const HttpResult page = m_client->get(QStringLiteral("/api/jobs?status=pending&limit=2&offset=2"));
    QCOMPARE(page.object().value(QStringLiteral("total")).toInteger(), 7);
    QCOMPARE(page.object().value(QStringLiteral("limit")).toInt(), 2);
    QCOMPARE(page.object().value(QStringLiteral("offset")).toInt(), 2);
}

void TestApi::listRejectsBadParameters_data()
{
    QTest::addColumn<QString>("query");
    QTest::newRow("status") << QStringLiteral("status=sleeping");
    QTest::newRow("limit 0") << QStringLiteral("limit=0");
    QTest::newRow("limit huge") << QStringLiteral("limit=100000");
    QTest::newRow("limit text") << QStringLiteral("limit=ten");
    QTest::newRow("offset negative") << QStringLiteral("offset=-1");
    QTest::newRow("parent text") << QStringLiteral("parent_job_id=abc");
    QTest::newRow("sort unknown") << QStringLiteral("sort=-url;drop");
}

void TestApi::listRejectsBadParameters()
{
    QFETCH(QString, query);
    const HttpResult r = m_client->get(QStringLiteral("/api/jobs?") + query);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), QStringLiteral("invalid_argument"));
}

void TestApi::getJobWithChildren()
{
    const qint64 parent = addFuture();
    const qint64 a = add({}, 0, parent);
    const qint64 b = add({}, 0, parent);
    const HttpResult r = m_client->get(QStringLiteral("/api/jobs/%1").arg(parent));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("id")).toInteger(), parent);
    QCOMPARE(r.object().value(QStringLiteral("children")).toArray(), (QJsonArray{a, b}));
    const HttpResult child = m_client->get(QStringLiteral("/api/jobs/%1").arg(a));
    QCOMPARE(child.object().value(QStringLiteral("parent_job_id")).toInteger(), parent);
    QCOMPARE(child.object().value(QStringLiteral("children")).toArray(), QJsonArray{});
    const HttpResult missing = m_client->get(QStringLiteral("/api/jobs/987654"));
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.errorCode(), QStringLiteral("not_found"));
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs/abc")).status, 404);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs/0")).status, 404);
}

void TestApi::wholeQueuePausesAndResumes()
{
    HttpResult state = m_client->get(QStringLiteral("/api/queue"));
    QCOMPARE(state.status, 200);
    const QJsonObject healthy{{QStringLiteral("ok"), true}, {QStringLiteral("error"), QJsonValue()},
                              {QStringLiteral("since"), QJsonValue()}, {QStringLiteral("pending_outcomes"), 0}};
    QCOMPARE(state.object(), (QJsonObject{{QStringLiteral("held"), false}, {QStringLiteral("running"), 0},
                                          {QStringLiteral("storage"), healthy}}));
    state = m_client->send("POST", QStringLiteral("/api/queue/pause"));
    QCOMPARE(state.status, 200);
    QCOMPARE(state.object().value(QStringLiteral("held")).toBool(), true);
    QVERIFY(m_t->dispatcher().isHeld());
    // Paused: a new job waits, and the pause is what the next start finds too.
    const qint64 id = add();
    QTest::qWait(300);
    QCOMPARE(m_t->status(id), JobStatus::Pending);
    QVERIFY(m_t->queue().store().state().isHeld());
    QCOMPARE(m_client->get(QStringLiteral("/api/queue")).object().value(QStringLiteral("held")).toBool(), true);
    state = m_client->send("POST", QStringLiteral("/api/queue/resume"));
    QCOMPARE(state.object().value(QStringLiteral("held")).toBool(), false);
    QVERIFY(waitForStatus(id, JobStatus::Completed));
    // A server that does not run the queue says so instead of pretending.
    ApiServer::Options options;
    options.token = QStringLiteral("t");
    ApiServer bare(m_t->queue(), m_t->core().logs(), options);
    const auto port = bare.listen();
    QVERIFY(port);
    ApiClient client(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port.value())), "t");
    const HttpResult unavailable = client.send("POST", QStringLiteral("/api/queue/pause"));
    QCOMPARE(unavailable.status, 503);
    QCOMPARE(unavailable.errorCode(), QStringLiteral("unavailable"));
    QVERIFY(!m_t->dispatcher().isHeld());
}

void TestApi::subscriptionsAreListedChangedSyncedAndRemoved()
{
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/queue/pause")).status, 200); // about the list: nothing runs
    const ApiClient::Headers json{{"Content-Type", "application/json"}};
    const HttpResult added = m_client->send(
        "POST", QStringLiteral("/api/jobs"),
        R"({"type":"channel_download","url":"https://example.org/@kept","options":{"subscribe_hours":6}})", json);
    QCOMPARE(added.status, 201);
    const qint64 job = added.object().value(QStringLiteral("id")).toInteger();
    HttpResult list = m_client->get(QStringLiteral("/api/subscriptions"));
    QCOMPARE(list.status, 200);
    const QJsonArray all = list.object().value(QStringLiteral("subscriptions")).toArray();
    QCOMPARE(all.size(), 1);
    const QJsonObject s = all.first().toObject();
    const qint64 id = s.value(QStringLiteral("id")).toInteger();
    QCOMPARE(s.value(QStringLiteral("url")).toString(), QStringLiteral("https://example.org/@kept"));
    QCOMPARE(s.value(QStringLiteral("interval_hours")).toDouble(), 6.0);
    QCOMPARE(s.value(QStringLiteral("last_job_id")).toInteger(), job);
    QVERIFY(JobJson::parseTime(s.value(QStringLiteral("next_check")).toString()));
    const QString path = QStringLiteral("/api/subscriptions/%1").arg(id);
    // The first sync is still queued: another now would be a duplicate.
    const HttpResult twice = m_client->send("POST", path + QStringLiteral("/sync"));
    QCOMPARE(twice.status, 409);
    QVERIFY(twice.errorMessage().contains(QStringLiteral("already queued")));
    HttpResult changed = m_client->send("PATCH", path, R"({"interval_hours":12})", json);
    QCOMPARE(changed.status, 200);
    QCOMPARE(changed.object().value(QStringLiteral("interval_hours")).toDouble(), 12.0);
    for (const char *bad : {R"({"interval_hours":0})", R"({"interval_hours":"12"})", R"({"interval":12})", "[]"}) {
        const HttpResult refused = m_client->send("PATCH", path, bad, json);
        QVERIFY2(refused.status == 400, bad);
    }
    QCOMPARE(m_client->get(QStringLiteral("/api/subscriptions")).object().value(QStringLiteral("subscriptions"))
                 .toArray().first().toObject().value(QStringLiteral("interval_hours")).toDouble(),
             12.0); // the refusals changed nothing
    QCOMPARE(m_client->send("DELETE", path).status, 200);
    QVERIFY(m_client->get(QStringLiteral("/api/subscriptions")).object().value(QStringLiteral("subscriptions")).toArray().isEmpty());
    QCOMPARE(m_client->send("DELETE", path).status, 404);
    QCOMPARE(m_client->send("POST", path + QStringLiteral("/sync")).status, 404);
    QVERIFY(m_t->queue().job(job)); // its jobs stay
}

void TestApi::pausedHostsAreListedAndResumed()
{
    HttpResult r = m_client->get(QStringLiteral("/api/hosts"));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("paused")).toArray(), QJsonArray{});
    // The throttle as the settings have it: YouTube's default rules, steps of 10 min to 6 h.
    const QJsonObject throttle = r.object().value(QStringLiteral("throttle")).toObject();
    QCOMPARE(throttle.value(QStringLiteral("enabled")).toBool(), true);
    QCOMPARE(throttle.value(QStringLiteral("cooldown_steps_s")).toArray(),
             (QJsonArray{600, 1800, 7200, 21600}));
    QCOMPARE(throttle.value(QStringLiteral("clean_period_s")).toDouble(), 3600.0);
    const QJsonObject youtube{{QStringLiteral("host"), QStringLiteral("youtube.com")},
                              {QStringLiteral("max_downloads"), 2},
                              {QStringLiteral("pause_min_s"), 10},
                              {QStringLiteral("pause_max_s"), 20},
                              {QStringLiteral("sleep_requests_s"), 0.75}};
    QCOMPARE(throttle.value(QStringLiteral("rules")).toArray().first().toObject(), youtube);

    // Two hosts pausing (soonest end first); a job of the first waits for it.
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    const HostCooldown busy = pauseHost(QStringLiteral("busy.example"), QStringLiteral("rate_limited"),
                                        QStringLiteral("HTTP Error 429: Too Many Requests"));
    QVERIFY(m_t->queue().store().cooldowns().setCooldown(QStringLiteral("slow.example"), before + 7'200'000,
                                                         QStringLiteral("by hand")));
    const qint64 waiting = addFor(QStringLiteral("https://busy.example/watch/1"));
    QTest::qWait(300);
    QCOMPARE(m_t->status(waiting), JobStatus::Pending);
    r = m_client->get(QStringLiteral("/api/hosts"));
    QCOMPARE(r.status, 200);
    const QJsonArray paused = r.object().value(QStringLiteral("paused")).toArray();
    QCOMPARE(paused.size(), 2);
    const QJsonObject first = paused.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("host")).toString(), QStringLiteral("busy.example"));
    QCOMPARE(first.value(QStringLiteral("until_ms")).toInteger(), busy.untilMs);
    QVERIFY(busy.untilMs >= before + 600'000); // the first step
    QCOMPARE(JobJson::parseTime(first.value(QStringLiteral("until")).toString()),
             std::optional<qint64>(busy.untilMs));
    QVERIFY(first.value(QStringLiteral("until")).toString().endsWith(QLatin1Char('Z')));
    QCOMPARE(JobJson::parseTime(first.value(QStringLiteral("since")).toString()),
             std::optional<qint64>(busy.sinceMs));
    QCOMPARE(first.value(QStringLiteral("kind")).toString(), QStringLiteral("rate_limited"));
    QCOMPARE(first.value(QStringLiteral("reason")).toString(),
             QStringLiteral("HTTP Error 429: Too Many Requests"));
    QCOMPARE(first.value(QStringLiteral("strikes")).toInt(), 1);
    QCOMPARE(paused.at(1).toObject().value(QStringLiteral("host")).toString(),
             QStringLiteral("slow.example"));
    QCOMPARE(paused.at(1).toObject().value(QStringLiteral("until_ms")).toInteger(), before + 7'200'000);

    // Resume now: the pause ends, the answer is the hosts still pausing, and the waiting job runs.
    r = m_client->send("POST", QStringLiteral("/api/hosts/busy.example/resume"));
    QCOMPARE(r.status, 200);
    const QJsonArray remaining = r.object().value(QStringLiteral("paused")).toArray();
    QCOMPARE(remaining.size(), 1);
    QCOMPARE(remaining.first().toObject().value(QStringLiteral("host")).toString(),
             QStringLiteral("slow.example"));
    QVERIFY(r.object().contains(QStringLiteral("throttle")));
    QCOMPARE(pausedHosts(), QStringList{QStringLiteral("slow.example")});
    QVERIFY(waitForStatus(waiting, JobStatus::Completed));
    // Not pausing any more: a 404, and nothing else changes.
    const HttpResult again = m_client->send("POST", QStringLiteral("/api/hosts/busy.example/resume"));
    QCOMPARE(again.status, 404);
    QCOMPARE(again.errorCode(), QStringLiteral("not_found"));
    QVERIFY2(again.errorMessage().contains(QStringLiteral("busy.example")), qPrintable(again.errorMessage()));
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/hosts/never.example/resume")).status, 404);
    QCOMPARE(pausedHosts(), QStringList{QStringLiteral("slow.example")});
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/hosts/slow.example/resume")).status, 200);
    QCOMPARE(m_client->get(QStringLiteral("/api/hosts")).object().value(QStringLiteral("paused")).toArray(),
             QJsonArray{});
    QVERIFY(pausedHosts().isEmpty());
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/hosts/slow.example/resume")).status, 405);
}

void TestApi::resumeRefusesABadHost_data()
{
    QTest::addColumn<QString>("host");
    QTest::newRow("empty") << QString();
    QTest::newRow("upper case") << QStringLiteral("Busy.Example");
    QTest::newRow("254 characters") << QString(250, QLatin1Char('a')) + QStringLiteral(".com");
    QTest::newRow("a space") << QStringLiteral("busy example");
    QTest::newRow("an underscore") << QStringLiteral("busy_example");
    QTest::newRow("a port") << QStringLiteral("busy.example:443");
    QTest::newRow("not ASCII") << QStringLiteral("b\u00fcsy.example");
    QTest::newRow("a newline") << QStringLiteral("busy.example\n");
    QTest::newRow("a percent") << QStringLiteral("busy%2eexample");
}

void TestApi::resumeRefusesABadHost()
{
    QFETCH(QString, host);
    // One pausing host, whose name the bad ones come close to: it stays paused.
    const HostCooldown busy =
        pauseHost(QStringLiteral("busy.example"), QStringLiteral("bot_check"), QStringLiteral("Sign in"));
    QVERIFY(busy.untilMs > 0);
    const HttpResult r = m_client->send("POST", QStringLiteral("/api/hosts/%1/resume").arg(host));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.errorCode(), QStringLiteral("invalid_argument"));
    QVERIFY2(r.errorMessage().contains(QStringLiteral("253")), qPrintable(r.errorMessage()));
    const QList<HostCooldown> after = m_t->queue().hostCooldowns();
    QCOMPARE(after.size(), 1);
    QCOMPARE(after.first().host, busy.host);
    QCOMPARE(after.first().untilMs, busy.untilMs);
    QCOMPARE(after.first().strikes, 1);
    // The longest name that is one is taken (and is simply not pausing).
    const QString longest = QString(249, QLatin1Char('a')) + QStringLiteral(".com");
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/hosts/%1/resume").arg(longest)).status, 404);
}

void TestApi::resumeNeedsTheToken()
{
    const HostCooldown busy =
        pauseHost(QStringLiteral("busy.example"), QStringLiteral("rate_limited"), QStringLiteral("429"));
    const QString path = QStringLiteral("/api/hosts/busy.example/resume");
    HttpResult r = m_client->send("POST", path, {}, {{"Authorization", {}}});
    QCOMPARE(r.status, 401);
    QCOMPARE(r.errorCode(), QStringLiteral("unauthorized"));
    QCOMPARE(m_client->send("POST", path, {}, {{"Authorization", "Bearer wrong-token"}}).status, 401);
    // A page of another site, even with the token, cannot end a pause.
    QCOMPARE(m_client->send("POST", path, {}, {{"Origin", "http://evil.example"}}).status, 403);
    // A body must be JSON, as for every other action.
    QCOMPARE(
        m_client
            ->send("POST", path, "host=busy.example", {{"Content-Type", "application/x-www-form-urlencoded"}})
            .status,
        415);
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/hosts"), {}, {{"Authorization", {}}}).status, 401);
    QCOMPARE(pausedHosts(), QStringList{QStringLiteral("busy.example")});
    QCOMPARE(m_t->queue().hostCooldowns().first().untilMs, busy.untilMs);
    QCOMPARE(m_client->send("POST", path).status, 200);
    QVERIFY(pausedHosts().isEmpty());
}

void TestApi::hostEventsFollowPausesAndResumes()
{
    RunLedger::instance().clear(); // the job's first run is the one the site refuses
    EventReader events(*m_client);
    QCOMPARE(events.open(), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("ready")));
    // The site answers the first run with a bot check: the dispatcher pauses the host (durably), then tells.
    const qint64 id =
        addFor(QStringLiteral("https://busy.example/watch/1"), {{QStringLiteral("strike_times"), 1}});
    QVERIFY(events.waitForEvent(QStringLiteral("host.paused")));
    const auto named = [&](const QString &name) {
        const QList<SseEvent> seen = events.events();
        const auto it =
            std::find_if(seen.cbegin(), seen.cend(), [&](const SseEvent &e) { return e.name == name; });
        return it == seen.cend() ? QJsonObject() : it->data;
    };
    const QJsonObject paused = named(QStringLiteral("host.paused"));
    QCOMPARE(paused.value(QStringLiteral("host")).toString(), QStringLiteral("busy.example"));
    QCOMPARE(paused.value(QStringLiteral("kind")).toString(), QStringLiteral("bot_check"));
    QCOMPARE(paused.value(QStringLiteral("strikes")).toInt(), 1);
    QCOMPARE(paused.value(QStringLiteral("until_ms")).toInteger(),
             m_t->queue().hostCooldowns().first().untilMs);
    // The event is the same object GET /api/hosts lists.
    QCOMPARE(m_client->get(QStringLiteral("/api/hosts")).object().value(QStringLiteral("paused")).toArray(),
             QJsonArray{paused});
    QVERIFY(waitForStatus(id, JobStatus::Pending));
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/hosts/busy.example/resume")).status, 200);
    QVERIFY(events.waitForEvent(QStringLiteral("hosts.changed")));
    QCOMPARE(named(QStringLiteral("hosts.changed")), (QJsonObject{{QStringLiteral("paused"), QJsonArray{}}}));
    QVERIFY(waitForStatus(id, JobStatus::Completed));
    // A refused resume announces nothing.
    events.clear();
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/hosts/busy.example/resume")).status, 404);
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/hosts/Busy.Example/resume")).status, 400);
    const qint64 marker = addFuture();
    QVERIFY(events.waitForEvent(QStringLiteral("job.added"), marker));
    QCOMPARE(named(QStringLiteral("hosts.changed")), QJsonObject());
}

void TestApi::hostsJsonMatchesSchema()
{
    const QJsonObject schemas =
        openApi().value(QStringLiteral("components")).toObject().value(QStringLiteral("schemas")).toObject();
    const auto sorted = [](QStringList keys) {
        keys.sort();
        return keys;
    };
    const auto required = [&](const QJsonObject &schema) {
        QStringList keys;
        for (const QJsonValue &key : schema.value(QStringLiteral("required")).toArray())
            keys << key.toString();
        return sorted(keys);
    };
    pauseHost(QStringLiteral("busy.example"), QStringLiteral("rate_limited"), QStringLiteral("429"));
    const QJsonObject hosts = m_client->get(QStringLiteral("/api/hosts")).object();
    const QJsonObject throttleSchema = schemas.value(QStringLiteral("Hosts"))
                                           .toObject()
                                           .value(QStringLiteral("properties"))
                                           .toObject()
                                           .value(QStringLiteral("throttle"))
                                           .toObject();
    const QList<std::pair<QJsonObject, QJsonObject>> pairs{
        {schemas.value(QStringLiteral("Hosts")).toObject(), hosts},
        {schemas.value(QStringLiteral("HostPause")).toObject(),
         hosts.value(QStringLiteral("paused")).toArray().first().toObject()},
        {throttleSchema, hosts.value(QStringLiteral("throttle")).toObject()},
        {schemas.value(QStringLiteral("HostRule")).toObject(), hosts.value(QStringLiteral("throttle"))
                                                                   .toObject()
                                                                   .value(QStringLiteral("rules"))
                                                                   .toArray()
                                                                   .first()
                                                                   .toObject()}};
    for (const auto &[schema, json] : pairs) {
        QVERIFY(!json.isEmpty());
        QCOMPARE(sorted(json.keys()), sorted(schema.value(QStringLiteral("properties")).toObject().keys()));
        QCOMPARE(sorted(json.keys()), required(schema));
    }
}

namespace {
QJsonValue stringOrNull(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonArray jsonArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &item : list)
        array << item;
    return array;
}

// A yt-dlp that answers --version only once open() was called: a check that takes as long as the
// test wants. It gives up waiting when its folder goes.
class GatedYtDlp final
{
public:
    explicit GatedYtDlp(const QString &version) : m_gate(m_dir.filePath(QStringLiteral("go")))
    {
        QFile script(path());
        if (script.open(QIODevice::WriteOnly))
            script.write("#!/bin/sh\nwhile [ ! -e '" + m_gate.toUtf8() + "' ] && [ -d '" + m_dir.path().toUtf8() +
                         "' ]; do sleep 0.05; done\necho " + version.toUtf8() + "\n");
        script.close();
        script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
    ~GatedYtDlp() { open(); }
    Q_DISABLE_COPY_MOVE(GatedYtDlp)

    QString path() const { return m_dir.filePath(QStringLiteral("yt-dlp")); }
    void open()
    {
        QFile gate(m_gate);
        (void)gate.open(QIODevice::WriteOnly);
    }

private:
    QTemporaryDir m_dir;
    QString m_gate;
};
} // namespace

void TestApi::toolsAreTheInstalledOnes()
{
    const HttpResult r = m_client->get(QStringLiteral("/api/tools"));
    QCOMPARE(r.status, 200);
    const QJsonArray tools = r.object().value(QStringLiteral("tools")).toArray();
    QStringList names;
    for (const QJsonValue &t : tools)
        names << t.toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(names, (QStringList{QStringLiteral("yt-dlp"), QStringLiteral("ffmpeg"), QStringLiteral("ffprobe"),
                                 QStringLiteral("js_runtime")}));
    // yt-dlp as the tool check finds it: the one on PATH (Debian's 2023.03.04 here), its release
    // and its age, with the warning an old one gets.
    const Toolchain::Tool installed = Toolchain::find(QStringLiteral("yt-dlp"));
    QVERIFY2(installed.ok(), qPrintable(installed.error));
    const QString version = Toolchain::shortVersion(installed.version);
    const QDate released = Toolchain::ytdlpReleaseDate(version);
    QVERIFY(released.isValid());
    const QJsonObject ytdlp = tools.at(0).toObject();
    QCOMPARE(ytdlp.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(ytdlp.value(QStringLiteral("path")).toString(), installed.path);
    QCOMPARE(ytdlp.value(QStringLiteral("version")).toString(), version);
    QCOMPARE(ytdlp.value(QStringLiteral("release_date")).toString(), released.toString(Qt::ISODate));
    const qint64 age = ytdlp.value(QStringLiteral("age_days")).toInteger(-1);
    QCOMPARE(age, released.daysTo(QDate::currentDate()));
    QCOMPARE(ytdlp.value(QStringLiteral("error")), QJsonValue(QJsonValue::Null));
    if (age > 90) {
        const QString warning = ytdlp.value(QStringLiteral("warning")).toString();
        QVERIFY2(warning.contains(QStringLiteral("%1 days old").arg(age)), qPrintable(warning));
    } else {
        QCOMPARE(ytdlp.value(QStringLiteral("warning")), QJsonValue(QJsonValue::Null));
    }
    for (const int i : {1, 2}) {
        const QJsonObject t = tools.at(i).toObject();
        const Toolchain::Tool found = Toolchain::find(t.value(QStringLiteral("name")).toString());
        QVERIFY2(t.value(QStringLiteral("ok")).toBool(), qPrintable(found.error));
        QCOMPARE(t.value(QStringLiteral("path")).toString(), found.path);
        QCOMPARE(t.value(QStringLiteral("version")).toString(), Toolchain::shortVersion(found.version));
        QVERIFY(t.value(QStringLiteral("version")).toString().front().isDigit()); // "5.1.6-0+deb12u1", not the line
        QCOMPARE(t.value(QStringLiteral("release_date")), QJsonValue(QJsonValue::Null));
        QCOMPARE(t.value(QStringLiteral("age_days")), QJsonValue(QJsonValue::Null));
    }
    // The JavaScript runtime, whatever this machine has (or lacks), and what a download gives yt-dlp for it.
    const Toolchain::Tool runtime = Toolchain::find(Toolchain::kJsRuntime);
    const QJsonObject js = tools.at(3).toObject();
    QCOMPARE(js.value(QStringLiteral("ok")).toBool(), runtime.ok());
    QCOMPARE(js.value(QStringLiteral("runtime")),
             runtime.ok() ? QJsonValue(runtime.name) : QJsonValue(QJsonValue::Null));
    QCOMPARE(js.value(QStringLiteral("path")), stringOrNull(runtime.path));
    QCOMPARE(js.value(QStringLiteral("version")), stringOrNull(runtime.version));
    QCOMPARE(js.value(QStringLiteral("error")), stringOrNull(runtime.error));
    QCOMPARE(js.value(QStringLiteral("passed_to_ytdlp")).toArray(),
             jsonArray(Toolchain::jsRuntimeArguments(version, runtime)));
    if (!runtime.ok()) {
        QVERIFY(!js.value(QStringLiteral("error")).toString().isEmpty());
        QVERIFY(js.value(QStringLiteral("passed_to_ytdlp")).toArray().isEmpty());
    }
    // Checked again on request: the same programs.
    const HttpResult again = m_client->get(QStringLiteral("/api/tools?refresh=1"));
    QCOMPARE(again.status, 200);
    QCOMPARE(again.object(), r.object());
}

void TestApi::aConfiguredToolThatIsMissingSaysWhatToInstall()
{
    // The path the settings give, as the core hands it to the workers: not there.
    const QString missing = m_downloads->filePath(QStringLiteral("no-such/yt-dlp"));
    restartWith({{DownloadEnv::YtDlpPath, missing}});
    QJsonObject ytdlp = tool(QStringLiteral("yt-dlp"));
    QCOMPARE(ytdlp.value(QStringLiteral("ok")).toBool(true), false);
    const QString error = ytdlp.value(QStringLiteral("error")).toString();
    QVERIFY2(error.contains(missing), qPrintable(error));
    QVERIFY2(error.contains(QStringLiteral("apt install yt-dlp")), qPrintable(error));
    for (const char *key : {"path", "version", "release_date", "age_days", "warning"})
        QVERIFY2(ytdlp.value(QLatin1String(key)).isNull(), key);
    // No yt-dlp: nothing to pass it. The other programs are still the ones on PATH.
    QCOMPARE(tool(QStringLiteral("js_runtime")).value(QStringLiteral("passed_to_ytdlp")).toArray(), QJsonArray{});
    QCOMPARE(tool(QStringLiteral("ffmpeg")).value(QStringLiteral("ok")).toBool(), true);
    // The settings changed back (as the welcome dialog hands the dispatcher a new environment): found again.
    m_t->dispatcher().setEnvironment({{DownloadEnv::DownloadDir, m_downloads->path()}});
    ytdlp = tool(QStringLiteral("yt-dlp"));
    QCOMPARE(ytdlp.value(QStringLiteral("ok")).toBool(), true);
    QCOMPARE(ytdlp.value(QStringLiteral("path")).toString(), Toolchain::find(QStringLiteral("yt-dlp")).path);
}

void TestApi::toolsNeedTheTokenAndAGoodRefresh()
{
    HttpResult r = m_client->send("GET", QStringLiteral("/api/tools"), {}, {{"Authorization", {}}});
    QCOMPARE(r.status, 401);
    QCOMPARE(r.errorCode(), QStringLiteral("unauthorized"));
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/tools"), {}, {{"Authorization", "Bearer wrong-token"}}).status,
             401);
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/tools"), {}, {{"Origin", "http://evil.example"}}).status, 403);
    for (const char *bad : {"?refresh=yes", "?refresh=2", "?refresh="}) {
        r = m_client->get(QStringLiteral("/api/tools") + QLatin1String(bad));
        QVERIFY2(r.status == 400, bad);
        QCOMPARE(r.errorCode(), QStringLiteral("invalid_argument"));
        QVERIFY2(r.errorMessage().contains(QStringLiteral("refresh")), qPrintable(r.errorMessage()));
    }
    QCOMPARE(m_client->get(QStringLiteral("/api/tools?refresh=0")).status, 200);
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/tools")).status, 405);
}

void TestApi::aSlowToolCheckDoesNotHoldTheServer()
{
    // A yt-dlp whose version check lasts until the test lets it answer, and short connection
    // deadlines: a connection waiting for that answer is not an idle one.
    GatedYtDlp slow(QStringLiteral("2025.11.12"));
    restartWith({{DownloadEnv::YtDlpPath, slow.path()}}, [](ApiServer::Options &o) {
        o.limits.idleMs = 300;
        o.limits.requestDeadlineMs = 300;
    });
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> waiting(network.get(m_client->request(QStringLiteral("/api/tools"))));
    QTest::qWait(100);
    // Meanwhile the server answers everything else.
    QCOMPARE(m_client->get(QStringLiteral("/api/stats")).status, 200);
    QVERIFY(!waiting->isFinished());
    // A request pipelined behind one that waits is not answered before it (nor at all: the
    // connection closes after the first answer, and the client asks again).
    const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(m_server->port()) + "\r\n";
    const QByteArray auth = "Authorization: Bearer test-token\r\n";
    auto pipelined = rawConnection();
    pipelined->write("GET /api/tools HTTP/1.1\r\n" + host + auth + "\r\nGET /api/stats HTTP/1.1\r\n" + host + auth +
                     "\r\n");
    // A client that goes away before its answer is ready.
    auto gone = rawConnection();
    gone->write("GET /api/tools HTTP/1.1\r\n" + host + auth + "\r\n");
    QTest::qWait(700); // past both deadlines
    gone->abort();
    QVERIFY(!waiting->isFinished());
    QCOMPARE(pipelined->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(pipelined->bytesAvailable(), 0);

    slow.open();
    QVERIFY(QTest::qWaitFor([&] { return waiting->isFinished(); }, 30'000));
    QCOMPARE(waiting->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QJsonArray tools = QJsonDocument::fromJson(waiting->readAll()).object().value(QStringLiteral("tools")).toArray();
    QCOMPARE(tools.size(), 4);
    const QJsonObject ytdlp = tools.at(0).toObject();
    QCOMPARE(ytdlp.value(QStringLiteral("path")).toString(), slow.path());
    QCOMPARE(ytdlp.value(QStringLiteral("version")).toString(), QStringLiteral("2025.11.12"));
    QCOMPARE(ytdlp.value(QStringLiteral("release_date")).toString(), QStringLiteral("2025-11-12"));
    // A yt-dlp that knows --js-runtimes: the runtime found here (if any, and not Deno) is named to it.
    QCOMPARE(tools.at(3).toObject().value(QStringLiteral("passed_to_ytdlp")).toArray(),
             jsonArray(Toolchain::jsRuntimeArguments(QStringLiteral("2025.11.12"),
                                                     Toolchain::find(Toolchain::kJsRuntime))));

    const QByteArray answers = readUntilClosed(*pipelined, 10'000);
    QCOMPARE(answers.count("HTTP/1.1 "), 1);
    QVERIFY2(answers.startsWith("HTTP/1.1 200"), answers.left(200).constData());
    QVERIFY2(answers.contains("\r\nConnection: close\r\n"), answers.left(400).constData());
    QVERIFY(answers.contains("\"2025.11.12\""));
    QVERIFY(!answers.contains("\"total\"")); // not the stats
    // The server is none the worse for the client that went.
    QCOMPARE(tool(QStringLiteral("yt-dlp")).value(QStringLiteral("version")).toString(), QStringLiteral("2025.11.12"));
}

void TestApi::aServerStoppingDuringAToolCheckDropsTheAnswers()
{
    // One check running, another queued behind it, and the server goes: neither answer is sent to
    // a connection that is gone, and nothing waits for the queued check.
    GatedYtDlp slow(QStringLiteral("2025.11.12"));
    restartWith({{DownloadEnv::YtDlpPath, slow.path()}});
    QNetworkAccessManager network;
    std::unique_ptr<QNetworkReply> first(network.get(m_client->request(QStringLiteral("/api/tools"))));
    std::unique_ptr<QNetworkReply> second(network.get(m_client->request(QStringLiteral("/api/tools?refresh=1"))));
    QTest::qWait(300);
    QVERIFY(!first->isFinished());
    slow.open(); // the running check ends (the server waits for it as it stops)
    m_client.reset();
    m_server.reset();
    QVERIFY(QTest::qWaitFor([&] { return first->isFinished() && second->isFinished(); }, 10'000));
    for (QNetworkReply *reply : {first.get(), second.get()})
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute), QVariant());
    makeServer(); // for cleanup()
}

void TestApi::toolsJsonMatchesSchema()
{
    const QJsonObject schemas =
        openApi().value(QStringLiteral("components")).toObject().value(QStringLiteral("schemas")).toObject();
    const auto sorted = [](QStringList keys) {
        keys.sort();
        return keys;
    };
    const auto required = [&](const QJsonObject &schema) {
        QStringList keys;
        for (const QJsonValue &key : schema.value(QStringLiteral("required")).toArray())
            keys << key.toString();
        return sorted(keys);
    };
    const QJsonObject answer = m_client->get(QStringLiteral("/api/tools")).object();
    const QJsonArray tools = answer.value(QStringLiteral("tools")).toArray();
    QCOMPARE(tools.size(), 4);
    QList<std::pair<QJsonObject, QJsonObject>> pairs{{schemas.value(QStringLiteral("Tools")).toObject(), answer}};
    for (const QJsonValue &t : tools) {
        const bool runtime = t.toObject().value(QStringLiteral("name")).toString() == QLatin1String("js_runtime");
        pairs.append({schemas.value(runtime ? QStringLiteral("JsRuntime") : QStringLiteral("Tool")).toObject(),
                      t.toObject()});
    }
    for (const auto &[schema, json] : pairs) {
        QVERIFY(!schema.isEmpty());
        QCOMPARE(sorted(json.keys()), sorted(schema.value(QStringLiteral("properties")).toObject().keys()));
        QCOMPARE(sorted(json.keys()), required(schema));
        const QJsonArray names = schema.value(QStringLiteral("properties"))
                                     .toObject()
                                     .value(QStringLiteral("name"))
                                     .toObject()
                                     .value(QStringLiteral("enum"))
                                     .toArray();
        if (json.contains(QStringLiteral("name")))
            QVERIFY(names.contains(json.value(QStringLiteral("name"))));
    }
}

void TestApi::retryOnlyDeadOrCancelled()
{
    const qint64 dead = add({{QStringLiteral("outcome"), QStringLiteral("permanent")}});
    const qint64 retrying = add({{QStringLiteral("outcome"), QStringLiteral("transient")},
                                 {QStringLiteral("not_before_ms"), QDateTime::currentMSecsSinceEpoch() + 600'000}});
    const qint64 completed = add();
    const qint64 pending = addFuture();
    QVERIFY(waitForStatus(dead, JobStatus::Dead));
    QVERIFY(waitForStatus(retrying, JobStatus::Retrying));
    QVERIFY(waitForStatus(completed, JobStatus::Completed));
    for (qint64 id : {retrying, completed, pending}) {
        const Snapshot before = snapshot(id);
        const HttpResult r = m_client->send("POST", QStringLiteral("/api/jobs/%1/retry").arg(id));
        QCOMPARE(r.status, 409);
        QCOMPARE(r.errorCode(), QStringLiteral("conflict"));
        QCOMPARE(snapshot(id), before);
    }
    const HttpResult r = m_client->send("POST", QStringLiteral("/api/jobs/%1/retry").arg(dead));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(r.object().value(QStringLiteral("attempts")).toInt(), 0);
    QVERIFY(r.object().value(QStringLiteral("error")).isNull());
    const qint64 cancelled = addFuture();
    QVERIFY(m_t->queue().cancel(cancelled));
    const HttpResult again = m_client->send("POST", QStringLiteral("/api/jobs/%1/retry").arg(cancelled));
    QCOMPARE(again.status, 200);
    QCOMPARE(again.object().value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/jobs/987654/retry")).status, 404);
}

void TestApi::cancelStopsRunningJob()
{
    const qint64 id = add({{QStringLiteral("block"), true}});
    QVERIFY(waitForStatus(id, JobStatus::Running));
    QVERIFY(m_t->dispatcher().runningIds().contains(id));
    const HttpResult r = m_client->send("DELETE", QStringLiteral("/api/jobs/%1").arg(id));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
    QCOMPARE(r.object().value(QStringLiteral("error")).toObject().value(QStringLiteral("class")).toString(),
             QStringLiteral("cancelled"));
    QVERIFY(QTest::qWaitFor([&] { return m_t->dispatcher().runningCount() == 0; }, 10'000));
    QCOMPARE(m_t->queue().job(id)->status, JobStatus::Cancelled);
}

void TestApi::cancelEndedOrUnknownJob()
{
    const qint64 completed = add();
    QVERIFY(waitForStatus(completed, JobStatus::Completed));
    const qint64 cancelled = addFuture();
    QCOMPARE(m_client->send("DELETE", QStringLiteral("/api/jobs/%1").arg(cancelled)).status, 200);
    for (qint64 id : {completed, cancelled}) {
        const Snapshot before = snapshot(id);
        const HttpResult r = m_client->send("DELETE", QStringLiteral("/api/jobs/%1").arg(id));
        QCOMPARE(r.status, 409);
        QCOMPARE(r.errorCode(), QStringLiteral("conflict"));
        QCOMPARE(snapshot(id), before);
    }
    QCOMPARE(m_client->send("DELETE", QStringLiteral("/api/jobs/987654")).status, 404);
}

void TestApi::pauseAndResume()
{
    const qint64 id = addFuture();
    HttpResult r = m_client->send("POST", QStringLiteral("/api/jobs/%1/pause").arg(id));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("paused"));
    Snapshot before = snapshot(id);
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/jobs/%1/pause").arg(id)).status, 409);
    QCOMPARE(snapshot(id), before);
    r = m_client->send("POST", QStringLiteral("/api/jobs/%1/resume").arg(id));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    before = snapshot(id);
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/jobs/%1/resume").arg(id)).status, 409);
    QCOMPARE(snapshot(id), before);
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/jobs/987654/pause")).status, 404);
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/jobs/987654/resume")).status, 404);
}

void TestApi::patchPriority()
{
    const qint64 id = addFuture();
    const HttpResult r = m_client->patchJson(QStringLiteral("/api/jobs/%1").arg(id),
                                             QJsonObject{{QStringLiteral("priority"), -12}});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(QStringLiteral("priority")).toInt(), -12);
    QCOMPARE(m_t->queue().job(id)->priority, -12);
    QCOMPARE(
        m_client->patchJson(QStringLiteral("/api/jobs/987654"), QJsonObject{{QStringLiteral("priority"), 1}})
            .status,
        404);
}

void TestApi::rejectedPatchChangesNothing_data()
{
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    const QByteArray json = "application/json";
    QTest::newRow("text") << json << QByteArray(R"({"priority":"high"})") << 400;
    QTest::newRow("too high") << json << QByteArray(R"({"priority":5000})") << 400;
    QTest::newRow("fraction") << json << QByteArray(R"({"priority":2.5})") << 400;
    QTest::newRow("other field") << json << QByteArray(R"({"priority":1,"status":"completed"})") << 400;
    QTest::newRow("empty object") << json << QByteArray("{}") << 400;
    QTest::newRow("array") << json << QByteArray("[1]") << 400;
    QTest::newRow("malformed") << json << QByteArray("{priority: 1}") << 400;
    QTest::newRow("text/plain") << QByteArray("text/plain") << QByteArray(R"({"priority":1})") << 415;
    QTest::newRow("over 1 MiB") << json
                                << (R"({"priority":1,"x":")" + QByteArray(ApiServer::kMaxBodyBytes, 'x') +
                                    R"("})")
                                << 413;
}

void TestApi::rejectedPatchChangesNothing()
{
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    const qint64 id = addFuture();
    const Snapshot before = snapshot(id);
    QCOMPARE(
        m_client->send("PATCH", QStringLiteral("/api/jobs/%1").arg(id), body, {{"Content-Type", contentType}})
            .status,
        status);
    QCOMPARE(snapshot(id), before);
}

void TestApi::actionBodyMustBeJson()
{
    // Actions need no body; one that is sent must still be JSON and within the size limit.
    const qint64 id = addFuture();
    const Snapshot before = snapshot(id);
    QCOMPARE(m_client
                 ->send("POST", QStringLiteral("/api/jobs/%1/pause").arg(id), "pause please",
                        {{"Content-Type", "text/plain"}})
                 .status,
             415);
    QCOMPARE(m_client
                 ->send("POST", QStringLiteral("/api/jobs/%1/pause").arg(id),
                        QByteArray(ApiServer::kMaxBodyBytes + 1, ' '), {{"Content-Type", "application/json"}})
                 .status,
             413);
    QCOMPARE(snapshot(id), before);
    QCOMPARE(m_client
                 ->send("POST", QStringLiteral("/api/jobs/%1/pause").arg(id), "{}",
                        {{"Content-Type", "application/json"}})
                 .status,
             200);
}

void TestApi::logFromOffset()
{
    const qint64 id = add({{QStringLiteral("progress_steps"), 3}, {QStringLiteral("log_lines"), 3}});
    QVERIFY(waitForStatus(id, JobStatus::Completed));
    const QByteArray whole = m_t->logText(id);
    // The worker's lines (job.log) among the queue's (rows), in time order.
    QVERIFY(whole.startsWith(QDateTime::fromMSecsSinceEpoch(m_t->queue().job(id)->startedAt, Qt::UTC)
                                 .toString(Qt::ISODateWithMs)
                                 .toUtf8()
                             + " INFO    Attempt 1 of"));
    QVERIFY(whole.endsWith("INFO    Completed\n"));
    QCOMPARE(whole.count('\n'), 5);
    QVERIFY(whole.indexOf("worker line 1") < whole.indexOf("worker line 3"));
    HttpResult r = m_client->get(QStringLiteral("/api/jobs/%1/log").arg(id));
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("Content-Type").startsWith("text/plain"));
    QCOMPARE(r.body, whole);
    QCOMPARE(r.header("X-Next-Offset").toLongLong(), whole.size());
    const qsizetype secondLine = whole.indexOf('\n') + 1;
    r = m_client->get(QStringLiteral("/api/jobs/%1/log?offset=%2").arg(id).arg(secondLine));
    QCOMPARE(r.body, whole.mid(secondLine));
    r = m_client->get(QStringLiteral("/api/jobs/%1/log?offset=%2").arg(id).arg(whole.size()));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.isEmpty());
    QCOMPARE(r.header("X-Next-Offset").toLongLong(), whole.size());
    r = m_client->get(QStringLiteral("/api/jobs/%1/log?offset=%2").arg(id).arg(whole.size() + 1000));
    QCOMPARE(r.header("X-Log-Restarted"), QByteArray("1"));
    QCOMPARE(r.body, whole);
    const qint64 fresh = addFuture();
    r = m_client->get(QStringLiteral("/api/jobs/%1/log").arg(fresh));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.isEmpty());
    QCOMPARE(r.header("X-Next-Offset"), QByteArray("0"));
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs/%1/log?offset=-1").arg(id)).status, 400);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs/%1/log?offset=abc").arg(id)).status, 400);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs/987654/log")).status, 404);
}

void TestApi::stats()
{
    const qint64 dead = add({{QStringLiteral("outcome"), QStringLiteral("permanent")}});
    addFuture();
    addFuture();
    QVERIFY(waitForStatus(dead, JobStatus::Dead));
    const HttpResult r = m_client->get(QStringLiteral("/api/stats"));
    QCOMPARE(r.status, 200);
    const QJsonObject byStatus = r.object().value(QStringLiteral("by_status")).toObject();
    QCOMPARE(byStatus.size(), allStatuses().size());
    QCOMPARE(byStatus.value(QStringLiteral("dead")).toInteger(), 1);
    QCOMPARE(byStatus.value(QStringLiteral("pending")).toInteger(), 2);
    QCOMPARE(byStatus.value(QStringLiteral("completed")).toInteger(), 0);
    QCOMPARE(r.object().value(QStringLiteral("by_type")).toObject().value(TestTypes::Scripted).toInteger(),
             3);
    QCOMPARE(
        r.object().value(QStringLiteral("by_type")).toObject().value(JobTypes::VideoDownload).toInteger(), 0);
    QCOMPARE(r.object().value(QStringLiteral("total")).toInteger(), 3);
}

void TestApi::wrongMethodIs405()
{
    const qint64 id = addFuture();
    const Snapshot before = snapshot(id);
    HttpResult r =
        m_client->send("PUT", QStringLiteral("/api/jobs"), "{}", {{"Content-Type", "application/json"}});
    QCOMPARE(r.status, 405);
    QCOMPARE(r.errorCode(), QStringLiteral("method_not_allowed"));
    QCOMPARE(r.header("Allow"), QByteArray("GET, POST"));
    QCOMPARE(m_client->send("DELETE", QStringLiteral("/api/stats")).status, 405);
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/jobs/%1/log").arg(id)).status, 405);
    r = m_client->send("GET", QStringLiteral("/api/jobs/%1/retry").arg(id));
    QCOMPARE(r.status, 405);
    QCOMPARE(r.header("Allow"), QByteArray("POST"));
    QCOMPARE(m_client->send("POST", QStringLiteral("/")).status, 405);
    QCOMPARE(snapshot(id), before);
}

void TestApi::unknownPathIs404()
{
    HttpResult r = m_client->get(QStringLiteral("/api/nothing"));
    QCOMPARE(r.status, 404);
    QCOMPARE(r.errorCode(), QStringLiteral("not_found"));
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs/1/2")).status, 404);
    QCOMPARE(m_client->send("GET", QStringLiteral("/index.php"), {}, {{"Authorization", {}}}).status, 404);
    // Without the token an unknown API path says nothing about what exists.
    QCOMPARE(m_client->send("GET", QStringLiteral("/api/nothing"), {}, {{"Authorization", {}}}).status, 401);
}

void TestApi::eventsDeliverEveryChange()
{
    EventReader events(*m_client);
    QCOMPARE(events.open(), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("ready")));
    const HttpResult created =
        m_client->postJson(QStringLiteral("/api/jobs"),
                           QJsonObject{{QStringLiteral("type"), TestTypes::Scripted},
                                       {QStringLiteral("run_at"), QStringLiteral("2099-01-01T00:00:00Z")}});
    const qint64 id = created.object().value(QStringLiteral("id")).toInteger();
    QVERIFY(events.waitForEvent(QStringLiteral("job.added"), id));
    QCOMPARE(m_client->send("DELETE", QStringLiteral("/api/jobs/%1").arg(id)).status, 200);
    QVERIFY(events.waitForEvent(QStringLiteral("job.changed"), id));
    QVERIFY(m_t->queue().remove(id));
    QVERIFY(events.waitForEvent(QStringLiteral("job.removed"), id));
    const QList<SseEvent> seen = events.events();
    for (qsizetype i = 1; i < seen.size(); ++i)
        QCOMPARE(seen[i].id, seen[i - 1].id + 1);
    const auto changed = std::find_if(
        seen.cbegin(), seen.cend(), [](const SseEvent &e) { return e.name == QLatin1String("job.changed"); });
    QCOMPARE(changed->data.value(QStringLiteral("status")).toString(), QStringLiteral("cancelled"));
    QCOMPARE(changed->data.value(QStringLiteral("type")).toString(), TestTypes::Scripted);
    QCOMPARE(m_server->eventClients(), 1);
    events.close();
    QVERIFY(QTest::qWaitFor([&] { return m_server->eventClients() == 0; }, 5000));
}

void TestApi::progressEventsAreCoalesced()
{
    EventReader events(*m_client);
    QCOMPARE(events.open(), 200);
    // Reports progress every 10 ms: ~100 reports a second must become a few events a second.
    const qint64 id = add({{QStringLiteral("block"), true}, {QStringLiteral("advance"), true}});
    QVERIFY(events.waitForEvent(QStringLiteral("job.progress"), id));
    events.clear();
    QElapsedTimer timer;
    timer.start();
    QTest::qWait(1500);
    const qint64 elapsed = timer.elapsed();
    const auto progress =
        std::count_if(events.events().cbegin(), events.events().cend(), [&](const SseEvent &e) {
            return e.name == QLatin1String("job.progress") &&
                   e.data.value(QStringLiteral("id")).toInteger() == id;
        });
    QVERIFY2(progress >= 2, qPrintable(QString::number(progress)));
    QVERIFY2(progress <= elapsed / 250 + 2,
             qPrintable(QStringLiteral("%1 events in %2 ms").arg(progress).arg(elapsed)));
    const auto last = std::find_if(events.events().crbegin(), events.events().crend(),
                                   [](const SseEvent &e) { return e.name == QLatin1String("job.progress"); });
    QVERIFY(last->data.value(QStringLiteral("progress"))
                .toObject()
                .value(QStringLiteral("downloaded_bytes"))
                .toInteger() > 0);
    QVERIFY(m_t->queue().cancel(id));
}

void TestApi::eventsReplayMissedAfterReconnect()
{
    EventReader events(*m_client);
    QCOMPARE(events.open(), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("ready")));
    const qint64 lastSeen = events.events().constLast().id;
    events.close();
    const qint64 a = addFuture();
    const qint64 b = addFuture();
    QVERIFY(m_t->queue().pause(a));
    // Reconnecting the way EventSource does: the Last-Event-ID header.
    QCOMPARE(events.open({{"Last-Event-ID", QByteArray::number(lastSeen)}}), 200);
    QVERIFY(events.waitFor([](const QList<SseEvent> &e) { return e.size() >= 3; }));
    QTest::qWait(100);
    const QList<SseEvent> replayed = events.events();
    QCOMPARE(replayed.size(), 3);
    QCOMPARE(replayed[0].name, QStringLiteral("job.added"));
    QCOMPARE(replayed[0].data.value(QStringLiteral("id")).toInteger(), a);
    QCOMPARE(replayed[1].data.value(QStringLiteral("id")).toInteger(), b);
    QCOMPARE(replayed[2].name, QStringLiteral("job.changed"));
    QCOMPARE(replayed[2].data.value(QStringLiteral("status")).toString(), QStringLiteral("paused"));
    QCOMPARE(replayed[0].id, lastSeen + 1);
    QCOMPARE(replayed[2].id, lastSeen + 3);
    // And live events continue on the replayed stream.
    const qint64 c = addFuture();
    QVERIFY(events.waitForEvent(QStringLiteral("job.added"), c));
    QCOMPARE(events.events().constLast().id, lastSeen + 4);
    // The same through the query parameter, from the middle.
    QCOMPARE(events.open({}, QStringLiteral("?last_event_id=%1").arg(lastSeen + 2)), 200);
    QVERIFY(events.waitFor([](const QList<SseEvent> &e) { return e.size() >= 2; }));
    QCOMPARE(events.events().first().id, lastSeen + 3);
}

void TestApi::eventsResetWhenTooOld()
{
    makeServer(EventHub::Options{5, 250});
    EventReader events(*m_client);
    QCOMPARE(events.open(), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("ready")));
    const qint64 lastSeen = events.events().constLast().id;
    events.close();
    for (int i = 0; i < 8; ++i)
        addFuture();
    QCOMPARE(events.open({{"Last-Event-ID", QByteArray::number(lastSeen)}}), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("reset")));
    QTest::qWait(100);
    QCOMPARE(events.events().size(), 1);
    QCOMPARE(events.events().first().id, lastSeen + 8);
    // An id from an earlier run (or a made-up one) is unknown: reset too.
    QCOMPARE(events.open({{"Last-Event-ID", "17"}}), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("reset")));
    QCOMPARE(events.open({{"Last-Event-ID", QByteArray::number(lastSeen + 100)}}), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("reset")));
    // Within the buffer: a plain replay.
    QCOMPARE(events.open({{"Last-Event-ID", QByteArray::number(lastSeen + 6)}}), 200);
    QVERIFY(events.waitFor([](const QList<SseEvent> &e) { return e.size() >= 2; }));
    QCOMPARE(events.events().first().name, QStringLiteral("job.added"));
    QCOMPARE(events.open({{"Last-Event-ID", "yesterday"}}), 400);
}

void TestApi::eventsAuth()
{
    EventReader events(*m_client);
    QCOMPARE(events.open({{"Authorization", {}}}), 401);
    QCOMPARE(events.open({{"Authorization", {}}}, QStringLiteral("?token=wrong")), 401);
    QCOMPARE(events.open({{"Origin", "http://evil.example"}}), 403);
    QCOMPARE(events.open({{"Authorization", {}}}, QStringLiteral("?token=test-token")), 200);
    QVERIFY(events.waitForEvent(QStringLiteral("ready")));
}

void TestApi::openApiDocumentMatchesServer()
{
    const QJsonObject document = openApi();
    QCOMPARE(m_client->get(QStringLiteral("/api/openapi.json")).object(), document);
    QCOMPARE(document.value(QStringLiteral("openapi")).toString(), QStringLiteral("3.0.3"));
    const QJsonObject paths = document.value(QStringLiteral("paths")).toObject();
    const QStringList methods{QStringLiteral("get"), QStringLiteral("post"), QStringLiteral("patch"),
                              QStringLiteral("delete"), QStringLiteral("put")};
    QSet<QString> documented;
    for (auto p = paths.constBegin(); p != paths.constEnd(); ++p) {
        for (const QString &method : methods) {
            if (p.value().toObject().contains(method))
                documented << method.toUpper() + QLatin1Char(' ') + p.key();
        }
    }
    QSet<QString> served;
    for (const auto &[method, path] : m_server->routes())
        served << QString::fromLatin1(method) + QLatin1Char(' ') + path;
    QCOMPARE(served, documented);

    // Every documented operation, called as documented, answers with one of its documented statuses.
    const qint64 id = addFuture();
    for (auto p = paths.constBegin(); p != paths.constEnd(); ++p) {
        for (const QString &method : methods) {
            const QJsonObject operation = p.value().toObject().value(method).toObject();
            if (operation.isEmpty())
                continue;
            const QString path = QString(p.key())
                                     .replace(QStringLiteral("{id}"), QString::number(id))
                                     .replace(QStringLiteral("{host}"), QStringLiteral("example.org"));
            const QJsonObject media = operation.value(QStringLiteral("requestBody"))
                                          .toObject()
                                          .value(QStringLiteral("content"))
                                          .toObject()
                                          .value(QStringLiteral("application/json"))
                                          .toObject();
            const QByteArray body =
                media.contains(QStringLiteral("example"))
                    ? QJsonDocument(media.value(QStringLiteral("example")).toObject()).toJson()
                    : QByteArray();
            HttpResult r;
            if (p.key() == QLatin1String("/api/events")) {
                EventReader events(*m_client);
                r.status = events.open();
            } else {
                r = m_client->send(method.toUpper().toLatin1(), path, body,
                                   body.isEmpty() ? ApiClient::Headers{}
                                                  : ApiClient::Headers{{"Content-Type", "application/json"}});
            }
            const QJsonObject responses = operation.value(QStringLiteral("responses")).toObject();
            QVERIFY2(
                responses.contains(QString::number(r.status)),
                qPrintable(QStringLiteral("%1 %2 answered %3").arg(method.toUpper(), p.key()).arg(r.status)));
            // Secured operations document the 401 they give without a token.
            const bool open = operation.contains(QStringLiteral("security")) &&
                              operation.value(QStringLiteral("security")).toArray().isEmpty();
            if (!open)
                QVERIFY2(responses.contains(QStringLiteral("401")), qPrintable(p.key()));
        }
    }
}

void TestApi::jobJsonMatchesSchema()
{
    const QJsonObject schema = openApi()
                                   .value(QStringLiteral("components"))
                                   .toObject()
                                   .value(QStringLiteral("schemas"))
                                   .toObject()
                                   .value(QStringLiteral("Job"))
                                   .toObject();
    QStringList required;
    for (const QJsonValue &key : schema.value(QStringLiteral("required")).toArray())
        required << key.toString();
    QStringList properties = schema.value(QStringLiteral("properties")).toObject().keys();
    const qint64 id = add({{QStringLiteral("outcome"), QStringLiteral("permanent")}});
    QVERIFY(waitForStatus(id, JobStatus::Dead));
    QStringList keys = m_client->get(QStringLiteral("/api/jobs?status=dead"))
                           .object()
                           .value(QStringLiteral("jobs"))
                           .toArray()
                           .first()
                           .toObject()
                           .keys();
    required.sort();
    properties.sort();
    keys.sort();
    QCOMPARE(keys, properties);
    QCOMPARE(keys, required);
    const QJsonObject progress = m_client->get(QStringLiteral("/api/jobs/%1").arg(id))
                                     .object()
                                     .value(QStringLiteral("progress"))
                                     .toObject();
    for (const char *key :
         {"percent", "downloaded_bytes", "total_bytes", "speed_bps", "eta_s", "items_done", "items_total"})
        QVERIFY2(progress.contains(QLatin1String(key)), key);
    const QJsonObject error = m_client->get(QStringLiteral("/api/jobs/%1").arg(id))
                                  .object()
                                  .value(QStringLiteral("error"))
                                  .toObject();
    QCOMPARE(error.value(QStringLiteral("class")).toString(), QStringLiteral("not_found"));
    QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
}

void TestApi::unfinishedRequestsAreCutOffBeforeAuthentication()
{
    // A client that never finishes its headers (or its body) must not hold a connection: before,
    // such a connection stayed open as long as the client liked.
    makeServer({}, [](ApiServer::Options &o) {
        o.limits.requestDeadlineMs = 400;
        o.limits.idleMs = 400;
    });
    const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(m_server->port()) + "\r\n";
    auto headers = rawConnection();
    headers->write("GET /api/jobs HTTP/1.1\r\n" + host);
    auto body = rawConnection();
    body->write("POST /api/jobs HTTP/1.1\r\n" + host + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"type\":");
    auto silent = rawConnection();
    QElapsedTimer clock;
    clock.start();
    const QByteArray toHeaders = readUntilClosed(*headers, 5'000);
    QVERIFY2(toHeaders.startsWith("HTTP/1.1 408"), toHeaders.constData());
    QVERIFY(toHeaders.contains("\"request_timeout\""));
    const QByteArray toBody = readUntilClosed(*body, 5'000);
    QVERIFY2(toBody.startsWith("HTTP/1.1 408"), toBody.constData());
    QCOMPARE(readUntilClosed(*silent, 5'000), QByteArray()); // nothing asked: closed without a word
    QCOMPARE(silent->state(), QAbstractSocket::UnconnectedState);
    // A whole request still works, and a kept-alive connection is closed once idle.
    auto kept = rawConnection();
    kept->write("GET / HTTP/1.1\r\n" + host + "\r\n");
    const QByteArray answer = readUntilClosed(*kept, 5'000);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.left(200).constData());
    QCOMPARE(kept->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs")).status, 200);
}

void TestApi::aHugeBodyIsRefusedAsItArrives()
{
    // "Content-Length: 10 GB" and then the bytes: refused once the limit is passed, without a
    // token, and the bytes are never kept.
    const QByteArray host = "Host: 127.0.0.1:" + QByteArray::number(m_server->port()) + "\r\n";
    auto socket = rawConnection();
    socket->write("POST /api/jobs HTTP/1.1\r\n" + host +
                  "Content-Type: application/json\r\nContent-Length: 10737418240\r\n\r\n");
    const QByteArray chunk(64 * 1024, 'x');
    QByteArray answer;
    for (int i = 0; i < 64 && socket->state() == QAbstractSocket::ConnectedState && answer.isEmpty(); ++i) {
        socket->write(chunk);
        socket->waitForBytesWritten(1'000);
        QTest::qWait(5);
        answer += socket->readAll();
    }
    answer += readUntilClosed(*socket, 5'000);
    QVERIFY2(answer.startsWith("HTTP/1.1 413"), answer.left(200).constData());
    QVERIFY(answer.contains("\"payload_too_large\""));
    QCOMPARE(socket->state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs")).status, 200);
}

void TestApi::connectionsBeyondTheCapAreRefused()
{
    makeServer({}, [](ApiServer::Options &o) { o.limits.maxConnections = 3; });
    std::vector<std::unique_ptr<QTcpSocket>> held;
    for (int i = 0; i < 3; ++i)
        held.push_back(rawConnection());
    QTest::qWait(100);
    auto extra = rawConnection();
    const QByteArray refused = readUntilClosed(*extra, 5'000);
    QVERIFY2(refused.startsWith("HTTP/1.1 503"), refused.constData());
    QVERIFY(refused.contains("\"too_many_connections\""));
    QVERIFY(refused.contains("Retry-After: 1"));
    held.front()->disconnectFromHost();
    held.erase(held.begin());
    QTest::qWait(100);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs")).status, 200);
}

void TestApi::eventStreamsBeyondTheCapAreRefused()
{
    makeServer({}, [](ApiServer::Options &o) {
        o.maxEventClients = 2;
        o.limits.idleMs = 300; // a stream is not an idle connection
    });
    const QByteArray request = "GET /api/events?token=test-token HTTP/1.1\r\nHost: 127.0.0.1:" +
                               QByteArray::number(m_server->port()) + "\r\n\r\n";
    std::vector<std::unique_ptr<QTcpSocket>> streams;
    for (int i = 0; i < 2; ++i) {
        streams.push_back(rawConnection());
        streams.back()->write(request);
    }
    QVERIFY(QTest::qWaitFor([&] { return m_server->eventClients() == 2; }, 5'000));
    auto third = rawConnection();
    third->write(request);
    QByteArray refused;
    QVERIFY(QTest::qWaitFor([&] {
        refused += third->readAll();
        return refused.contains("too_many_clients");
    }, 5'000));
    QVERIFY2(refused.startsWith("HTTP/1.1 503"), refused.constData());
    QVERIFY(refused.contains("Retry-After: 5"));
    QTest::qWait(800);
    for (const auto &stream : streams)
        QCOMPARE(stream->state(), QAbstractSocket::ConnectedState);
    QCOMPARE(m_server->eventClients(), 2);
}

void TestApi::aStalledEventReaderIsDroppedNotTheServer()
{
    makeServer({}, [](ApiServer::Options &o) { o.maxEventBacklogBytes = 64 * 1024; });
    auto reader = rawConnection();
    reader->setReadBufferSize(1); // reads nothing more: the kernel's buffers fill, then the server's
    reader->setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 4096);
    reader->write("GET /api/events?token=test-token HTTP/1.1\r\nHost: 127.0.0.1:" +
                  QByteArray::number(m_server->port()) + "\r\n\r\n");
    QVERIFY(QTest::qWaitFor([&] { return m_server->eventClients() == 1; }, 5'000));
    for (int batch = 0; batch < 40 && m_server->droppedEventClients() == 0; ++batch) {
        QList<NewJob> jobs;
        for (int i = 0; i < 250; ++i) {
            NewJob job;
            job.type = TestTypes::Scripted;
            job.title = QString(200, QLatin1Char('t'));
            job.runAt = QDateTime::currentMSecsSinceEpoch() + 86'400'000;
            jobs << job;
        }
        QVERIFY(m_t->queue().addJobs(jobs));
        QTest::qWait(20);
    }
    QCOMPARE(m_server->droppedEventClients(), 1);
    QCOMPARE(m_server->eventClients(), 0);
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs")).status, 200);
}

void TestApi::tokenAndEndpointFilesArePrivate()
{
    QTemporaryDir dir;
    const auto token = ApiToken::loadOrCreate(dir.path());
    QVERIFY(token);
    QVERIFY(token.value().size() >= 40);
    const auto mode = QFile::permissions(ApiToken::filePath(dir.path()));
    QCOMPARE(mode & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QCOMPARE(ApiToken::loadOrCreate(dir.path()).value(), token.value());
    QVERIFY(QFile::setPermissions(ApiToken::filePath(dir.path()),
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
    QCOMPARE(ApiToken::loadOrCreate(dir.path()).value(), token.value());
    QVERIFY(!(QFile::permissions(ApiToken::filePath(dir.path())) & QFileDevice::ReadOther));
    QVERIFY(ApiToken::generate() != ApiToken::generate());

    const ApiEndpoint endpoint{QStringLiteral("0.0.0.0"), 4321, QCoreApplication::applicationPid()};
    QVERIFY(endpoint.write(dir.path()));
    QCOMPARE(QFile::permissions(ApiEndpoint::filePath(dir.path())) &
                 ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
             QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const auto read = ApiEndpoint::read(dir.path());
    QVERIFY(read);
    QCOMPARE(read->port, 4321);
    QVERIFY(read->processAlive());
    QCOMPARE(read->baseUrl(), QUrl(QStringLiteral("http://127.0.0.1:4321")));
    ApiEndpoint::remove(dir.path());
    QVERIFY(!ApiEndpoint::read(dir.path()));
}

QTEST_GUILESS_MAIN(TestApi)
#include "tst_api.moc"
