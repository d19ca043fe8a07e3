#include "testsupport.h"
#include "tst_apisupport.h"

#include "api/apiserver.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"

#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QWebSocket>

#include <csignal>
#include <unistd.h>

// A minimal Chrome DevTools Protocol client: commands over the page's WebSocket, answers by id.
class DevTools final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DevTools)
public:
    DevTools() { connect(&m_socket, &QWebSocket::textMessageReceived, this, &DevTools::handleMessage); }

    bool open(const QUrl &url)
    {
        m_socket.open(url);
        return QTest::qWaitFor([this] { return m_socket.state() == QAbstractSocket::ConnectedState; },
                               10'000);
    }

    QJsonObject call(const QString &method, const QJsonObject &params = {})
    {
        const int id = ++m_lastId;
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("id"), id},
                                                        {QStringLiteral("method"), method},
                                                        {QStringLiteral("params"), params}})
                                  .toJson(QJsonDocument::Compact)));
        [[maybe_unused]] const bool answered =
            QTest::qWaitFor([&] { return m_answers.contains(id); }, 15'000);
        return m_answers.take(id);
    }

    // Runs JavaScript in the page (promises awaited) and returns its value.
    QJsonValue evaluate(const QString &expression)
    {
        const QJsonObject answer =
            call(QStringLiteral("Runtime.evaluate"), {{QStringLiteral("expression"), expression},
                                                      {QStringLiteral("returnByValue"), true},
                                                      {QStringLiteral("awaitPromise"), true}});
        const QJsonObject result = answer.value(QStringLiteral("result")).toObject();
        if (result.contains(QStringLiteral("exceptionDetails")))
            m_problems << QString::fromUtf8(
                QJsonDocument(result.value(QStringLiteral("exceptionDetails")).toObject()).toJson());
        return result.value(QStringLiteral("result")).toObject().value(QStringLiteral("value"));
    }

    bool waitUntil(const QString &expression, int timeoutMs = 10'000)
    {
        return QTest::qWaitFor([&] { return evaluate(expression).toBool(); }, timeoutMs);
    }

    // Uncaught exceptions and console errors the page produced.
    QStringList problems() const { return m_problems; }

private:
    void handleMessage(const QString &text)
    {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        if (message.contains(QStringLiteral("id"))) {
            m_answers.insert(message.value(QStringLiteral("id")).toInt(), message);
            return;
        }
        const QString method = message.value(QStringLiteral("method")).toString();
        const QJsonObject params = message.value(QStringLiteral("params")).toObject();
        if (method == QLatin1String("Runtime.exceptionThrown") ||
            (method == QLatin1String("Runtime.consoleAPICalled") &&
             params.value(QStringLiteral("type")).toString() == QLatin1String("error")))
            m_problems << QString::fromUtf8(QJsonDocument(params).toJson(QJsonDocument::Compact));
    }

    QWebSocket m_socket;
    int m_lastId = 0;
    QHash<int, QJsonObject> m_answers;
    QStringList m_problems;
};

// The browser page in headless Chromium, driven over the DevTools protocol: it asks for the token,
// lists jobs with a status filter and paging, updates live from the event stream, retries and
// cancels through its buttons, and shows the selected job's log.
class TestWebPage final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void asksForTokenOnceThenListsJobs();
    void showsNewAndChangedJobsLive();
    void retryButtonRetriesDeadJob();
    void cancelButtonCancelsRunningJob();
    void selectedJobShowsItsLog();
    void filtersByStatusAndPages();
    void queueButtonPausesAndFollowsTheQueue();

private:
    bool startChromium();
    QString rowsExpression() const;
    qint64 addJob(const QJsonObject &options, qint64 runAtMs = 0);
    int rowCount();

    std::unique_ptr<TestCore> m_t;
    std::unique_ptr<ApiServer> m_server;
    std::unique_ptr<ApiClient> m_client;
    QTemporaryDir m_profile;
    QProcess m_chromium;
    DevTools m_devTools;
    qint64 m_dead = 0;
    qint64 m_blocked = 0;
};

void TestWebPage::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("chromium")).isEmpty())
        SPOOL_SKIP_UNLESS_REQUIRED("chromium is not installed (./dev.sh installs it)");
    m_t = std::make_unique<TestCore>(testSettings(), false);
    ApiServer::Options options;
    options.token = QStringLiteral("web-token");
    options.dispatcher = &m_t->dispatcher();
    m_server = std::make_unique<ApiServer>(m_t->queue(), m_t->core().logs(), options);
    const auto port = m_server->listen();
    QVERIFY(port);
    m_client = std::make_unique<ApiClient>(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port.value())),
                                           "web-token");
    m_t->core().start();
    m_dead = addJob({{QStringLiteral("outcome"), QStringLiteral("permanent")}});
    m_blocked = addJob({{QStringLiteral("block"), true}, {QStringLiteral("advance"), true}}); // alive: no lease runs out
    QVERIFY(QTest::qWaitFor(
        [&] {
            return m_t->status(m_dead) == JobStatus::Dead && m_t->status(m_blocked) == JobStatus::Running;
        },
        10'000));
    QVERIFY(startChromium());
}

void TestWebPage::cleanupTestCase()
{
    if (m_chromium.state() != QProcess::NotRunning) {
        // Chromium runs in a process group of its own: its renderer and helper processes go with it.
        const auto group = static_cast<pid_t>(m_chromium.processId());
        ::kill(-group, SIGTERM);
        if (!m_chromium.waitForFinished(10'000))
            ::kill(-group, SIGKILL);
        m_chromium.waitForFinished(5000);
    }
    m_server.reset();
    m_t.reset();
}

bool TestWebPage::startChromium()
{
    m_chromium.setChildProcessModifier([] { ::setpgid(0, 0); });
    // Headless Chromium without a session bus complains a lot on stderr; none of it matters here.
    m_chromium.setStandardOutputFile(QProcess::nullDevice());
    m_chromium.setStandardErrorFile(QProcess::nullDevice());
    m_chromium.start(QStringLiteral("chromium"),
                     {QStringLiteral("--headless"), QStringLiteral("--no-sandbox"),
                      QStringLiteral("--disable-gpu"), QStringLiteral("--disable-dev-shm-usage"),
                      QStringLiteral("--disable-background-networking"), QStringLiteral("--no-first-run"),
                      QStringLiteral("--disable-component-update"), QStringLiteral("--disable-sync"),
                      QStringLiteral("--remote-allow-origins=*"),
                      QStringLiteral("--user-data-dir=") + m_profile.path(),
                      QStringLiteral("--remote-debugging-port=0"), QStringLiteral("about:blank")});
    if (!m_chromium.waitForStarted(10'000))
        return false;
    // With port 0 Chromium picks one and writes it to DevToolsActivePort in its profile.
    QFile active(m_profile.filePath(QStringLiteral("DevToolsActivePort")));
    if (!QTest::qWaitFor([&] { return active.exists() && active.size() > 0; }, 30'000) ||
        !active.open(QIODevice::ReadOnly))
        return false;
    const int port = active.readLine().trimmed().toInt();
    ApiClient devtools(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), {});
    QUrl page;
    for (const QJsonValue &target : devtools.get(QStringLiteral("/json/list")).array()) {
        if (target.toObject().value(QStringLiteral("type")).toString() == QLatin1String("page"))
            page = QUrl(target.toObject().value(QStringLiteral("webSocketDebuggerUrl")).toString());
    }
    if (!page.isValid() || !m_devTools.open(page))
        return false;
    m_devTools.call(QStringLiteral("Runtime.enable"));
    m_devTools.call(QStringLiteral("Page.enable"));
    return true;
}

qint64 TestWebPage::addJob(const QJsonObject &options, qint64 runAtMs)
{
    NewJob job;
    job.type = TestTypes::Scripted;
    job.options = options;
    job.runAt = runAtMs;
    const auto added = m_t->queue().addJob(job);
    return added ? added.value().job.id : 0;
}

int TestWebPage::rowCount()
{
    return m_devTools.evaluate(QStringLiteral("document.querySelectorAll('#job-rows tr.job').length"))
        .toInt();
}

void TestWebPage::asksForTokenOnceThenListsJobs()
{
    m_devTools.call(QStringLiteral("Page.navigate"),
                    {{QStringLiteral("url"), m_client->url(QStringLiteral("/")).toString()}});
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.readyState === 'complete' && !!document.getElementById('token-form')")));
    QVERIFY(m_devTools.waitUntil(QStringLiteral("!document.getElementById('token-form').hidden")));
    QVERIFY(m_devTools.evaluate(QStringLiteral("document.getElementById('main').hidden")).toBool());
    m_devTools.evaluate(QStringLiteral("document.getElementById('token-input').value = 'web-token';"
                                       "document.getElementById('token-form').requestSubmit(); true"));
    QVERIFY(
        m_devTools.waitUntil(QStringLiteral("document.querySelectorAll('#job-rows tr.job').length === 2")));
    QCOMPARE(m_devTools.evaluate(QStringLiteral("sessionStorage.getItem('spool.token')")).toString(),
             QStringLiteral("web-token"));
    // Kept for the tab: a reload goes straight to the list.
    m_devTools.call(QStringLiteral("Page.reload"));
    QVERIFY(
        m_devTools.waitUntil(QStringLiteral("document.querySelectorAll('#job-rows tr.job').length === 2")));
    QVERIFY(m_devTools.evaluate(QStringLiteral("document.getElementById('token-form').hidden")).toBool());
    QVERIFY(m_devTools.waitUntil(QStringLiteral("document.getElementById('live').textContent === 'live'")));
    QCOMPARE(
        m_devTools
            .evaluate(QStringLiteral("document.querySelector('tr.job[data-id=\"%1\"] td.status').textContent")
                          .arg(m_dead))
            .toString(),
        QStringLiteral("dead"));
    QVERIFY2(m_devTools.problems().isEmpty(), qPrintable(m_devTools.problems().join(QLatin1Char('\n'))));
}

void TestWebPage::showsNewAndChangedJobsLive()
{
    const HttpResult created =
        m_client->postJson(QStringLiteral("/api/jobs"),
                           QJsonObject{{QStringLiteral("type"), TestTypes::Scripted},
                                       {QStringLiteral("title"), QStringLiteral("added while watching")},
                                       {QStringLiteral("run_at"), QStringLiteral("2099-01-01T00:00:00Z")}});
    QCOMPARE(created.status, 201);
    const qint64 id = created.object().value(QStringLiteral("id")).toInteger();
    const QString row = QStringLiteral("document.querySelector('tr.job[data-id=\"%1\"]')").arg(id);
    QVERIFY(m_devTools.waitUntil(row + QStringLiteral(" !== null")));
    QCOMPARE(m_devTools.evaluate(row + QStringLiteral(".querySelector('td.name').textContent")).toString(),
             QStringLiteral("added while watching"));
    QCOMPARE(m_client->send("POST", QStringLiteral("/api/jobs/%1/pause").arg(id)).status, 200);
    QVERIFY(
        m_devTools.waitUntil(row + QStringLiteral(".querySelector('td.status').textContent === 'paused'")));
    QVERIFY2(m_devTools.problems().isEmpty(), qPrintable(m_devTools.problems().join(QLatin1Char('\n'))));
}

void TestWebPage::retryButtonRetriesDeadJob()
{
    // Held, so the retried job stays pending long enough to be seen as such.
    m_t->dispatcher().setHeld(true);
    const QString button =
        QStringLiteral("document.querySelector('tr.job[data-id=\"%1\"] button.retry')").arg(m_dead);
    QVERIFY(m_devTools.waitUntil(button + QStringLiteral(" !== null")));
    m_devTools.evaluate(button + QStringLiteral(".click(); true"));
    QVERIFY(QTest::qWaitFor([&] { return m_t->status(m_dead) == JobStatus::Pending; }, 10'000));
    const HttpResult job = m_client->get(QStringLiteral("/api/jobs/%1").arg(m_dead));
    QCOMPARE(job.object().value(QStringLiteral("status")).toString(), QStringLiteral("pending"));
    QCOMPARE(job.object().value(QStringLiteral("attempts")).toInt(), 0);
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.querySelector('tr.job[data-id=\"%1\"] td.status').textContent === 'pending'")
            .arg(m_dead)));
    QVERIFY(m_devTools.waitUntil(button + QStringLiteral(" === null")));
    m_t->dispatcher().setHeld(false);
    QVERIFY(QTest::qWaitFor([&] { return m_t->status(m_dead) == JobStatus::Dead; }, 10'000));
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.querySelector('tr.job[data-id=\"%1\"] td.status').textContent === 'dead'")
            .arg(m_dead)));
}

void TestWebPage::cancelButtonCancelsRunningJob()
{
    QCOMPARE(m_t->status(m_blocked), JobStatus::Running);
    const QString button =
        QStringLiteral("document.querySelector('tr.job[data-id=\"%1\"] button.cancel')").arg(m_blocked);
    QVERIFY(m_devTools.waitUntil(button + QStringLiteral(" !== null")));
    m_devTools.evaluate(button + QStringLiteral(".click(); true"));
    QVERIFY(QTest::qWaitFor([&] { return m_t->status(m_blocked) == JobStatus::Cancelled; }, 10'000));
    QCOMPARE(m_client->get(QStringLiteral("/api/jobs/%1").arg(m_blocked))
                 .object()
                 .value(QStringLiteral("status"))
                 .toString(),
             QStringLiteral("cancelled"));
    QVERIFY(QTest::qWaitFor([&] { return m_t->dispatcher().runningCount() == 0; }, 10'000));
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral(
            "document.querySelector('tr.job[data-id=\"%1\"] td.status').textContent === 'cancelled'")
            .arg(m_blocked)));
}

void TestWebPage::selectedJobShowsItsLog()
{
    m_devTools.evaluate(
        QStringLiteral("document.querySelector('tr.job[data-id=\"%1\"] td.name').click(); true").arg(m_dead));
    QVERIFY(m_devTools.waitUntil(QStringLiteral("!document.getElementById('log-pane').hidden")));
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.getElementById('log').textContent.includes('Attempt 1 of')")));
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.getElementById('log').textContent.includes('scripted permanent failure')")));
    QVERIFY(
        m_devTools
            .evaluate(QStringLiteral(
                          "document.querySelector('tr.job[data-id=\"%1\"]').classList.contains('selected')")
                          .arg(m_dead))
            .toBool());
}

void TestWebPage::filtersByStatusAndPages()
{
    for (int i = 0; i < 30; ++i)
        addJob({}, QDateTime::currentMSecsSinceEpoch() + 86'400'000);
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.getElementById('page-info').textContent.endsWith('of 33')")));
    QCOMPARE(rowCount(), 25);
    m_devTools.evaluate(QStringLiteral("document.getElementById('next').click(); true"));
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.getElementById('page-info').textContent.startsWith('26')")));
    QCOMPARE(rowCount(), 8);
    QVERIFY(m_devTools.evaluate(QStringLiteral("document.getElementById('next').disabled")).toBool());
    m_devTools.evaluate(QStringLiteral("const s = document.getElementById('status-filter'); s.value = 'dead';"
                                       "s.dispatchEvent(new Event('change')); true"));
    QVERIFY(m_devTools.waitUntil(
        QStringLiteral("document.getElementById('page-info').textContent === '1–1 of 1'")));
    QCOMPARE(rowCount(), 1);
    QCOMPARE(m_devTools.evaluate(QStringLiteral("document.querySelector('#job-rows tr.job').dataset.id"))
                 .toString(),
             QString::number(m_dead));
    QVERIFY2(m_devTools.problems().isEmpty(), qPrintable(m_devTools.problems().join(QLatin1Char('\n'))));
}

void TestWebPage::queueButtonPausesAndFollowsTheQueue()
{
    const QString button = QStringLiteral("document.getElementById('queue-toggle')");
    QVERIFY(m_devTools.waitUntil(button + QStringLiteral(".textContent === 'Pause queue' && !") + button + QStringLiteral(".hidden")));
    m_devTools.evaluate(button + QStringLiteral(".click(); true"));
    QVERIFY(QTest::qWaitFor([&] { return m_t->dispatcher().isHeld(); }, 10'000));
    QVERIFY(m_devTools.waitUntil(button + QStringLiteral(".textContent === 'Resume queue'")));
    QVERIFY(m_devTools.waitUntil(QStringLiteral("document.getElementById('stats').classList.contains('held')")));
    // Resumed elsewhere (the window, the tray, a script): the page hears of it.
    m_t->dispatcher().setHeld(false);
    QVERIFY(m_devTools.waitUntil(button + QStringLiteral(".textContent === 'Pause queue'")));
    QVERIFY2(m_devTools.problems().isEmpty(), qPrintable(m_devTools.problems().join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestWebPage)
#include "tst_webpage.moc"
