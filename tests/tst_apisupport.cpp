#include "tst_apisupport.h"

#include "api/apiendpoint.h"
#include "api/apitoken.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTest>
#include <QTimer>

#include <csignal>

namespace {
bool waitForReply(QNetworkReply *reply, int timeoutMs)
{
    if (reply->isFinished())
        return true;
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    return reply->isFinished();
}
} // namespace

QByteArray HttpResult::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

QJsonObject HttpResult::object() const
{
    return QJsonDocument::fromJson(body).object();
}

QJsonArray HttpResult::array() const
{
    return QJsonDocument::fromJson(body).array();
}

QString HttpResult::errorCode() const
{
    return object().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

QString HttpResult::errorMessage() const
{
    return object().value(QStringLiteral("error")).toObject().value(QStringLiteral("message")).toString();
}

ApiClient::ApiClient(QUrl base, QByteArray token) : m_base(std::move(base)), m_token(std::move(token)) {}

QUrl ApiClient::url(const QString &path) const
{
    QUrl url = m_base;
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    return url;
}

QNetworkRequest ApiClient::request(const QString &path, const Headers &headers) const
{
    QNetworkRequest request(url(path));
    bool ownAuth = false;
    for (const auto &[name, value] : headers) {
        ownAuth = ownAuth || name.compare("Authorization", Qt::CaseInsensitive) == 0;
        if (!value.isEmpty())
            request.setRawHeader(name, value);
    }
    if (!ownAuth)
        request.setRawHeader("Authorization", "Bearer " + m_token);
    return request;
}

HttpResult ApiClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                           const Headers &headers)
{
    std::unique_ptr<QNetworkReply> reply(m_network.sendCustomRequest(request(path, headers), method, body));
    HttpResult result;
    if (!waitForReply(reply.get(), 30'000))
        return result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    return result;
}

HttpResult ApiClient::postJson(const QString &path, const QJsonValue &json)
{
    const QByteArray body =
        json.isArray() ? QJsonDocument(json.toArray()).toJson() : QJsonDocument(json.toObject()).toJson();
    return send("POST", path, body, {{"Content-Type", "application/json"}});
}

HttpResult ApiClient::patchJson(const QString &path, const QJsonValue &json)
{
    return send("PATCH", path, QJsonDocument(json.toObject()).toJson(),
                {{"Content-Type", "application/json"}});
}

EventReader::EventReader(ApiClient &client) : m_client(client) {}

EventReader::~EventReader()
{
    close();
}

int EventReader::open(const ApiClient::Headers &headers, const QString &query)
{
    close();
    m_events.clear();
    m_reply = m_network.get(m_client.request(QStringLiteral("/api/events") + query, headers));
    connect(m_reply, &QNetworkReply::readyRead, this, &EventReader::handleReadyRead);
    (void)QTest::qWaitFor(
        [this] {
            return !m_reply || m_reply->isFinished() ||
                   m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid();
        },
        10'000);
    return m_reply ? m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() : 0;
}

void EventReader::close()
{
    if (!m_reply)
        return;
    disconnect(m_reply, nullptr, this, nullptr);
    m_reply->abort();
    m_reply->deleteLater();
    m_reply = nullptr;
    m_buffer.clear();
}

void EventReader::handleReadyRead()
{
    m_buffer += m_reply->readAll();
    qsizetype end;
    while ((end = m_buffer.indexOf("\n\n")) >= 0) {
        const QByteArray block = m_buffer.left(end);
        m_buffer.remove(0, end + 2);
        SseEvent event;
        for (const QByteArray &line : block.split('\n')) {
            if (line.startsWith("id: "))
                event.id = line.mid(4).toLongLong();
            else if (line.startsWith("event: "))
                event.name = QString::fromUtf8(line.mid(7));
            else if (line.startsWith("data: "))
                event.data = QJsonDocument::fromJson(line.mid(6)).object();
        }
        if (!event.name.isEmpty())
            m_events << event;
    }
}

bool EventReader::waitFor(const std::function<bool(const QList<SseEvent> &)> &done, int timeoutMs)
{
    return QTest::qWaitFor([&] { return done(m_events); }, timeoutMs);
}

bool EventReader::waitForEvent(const QString &name, qint64 jobId, int timeoutMs)
{
    return waitFor(
        [&](const QList<SseEvent> &events) {
            return std::any_of(events.cbegin(), events.cend(), [&](const SseEvent &e) {
                return e.name == name &&
                       (jobId == 0 || e.data.value(QStringLiteral("id")).toInteger() == jobId);
            });
        },
        timeoutMs);
}

QString SpoolProcess::binary()
{
    return QStringLiteral(SPOOL_TEST_BINARY_DIR "/app/spool");
}

SpoolProcess::SpoolProcess(const QString &dataDir, const QString &downloadDir, const QString &token)
    : m_dataDir(dataDir), m_downloadDir(downloadDir), m_token(token.toUtf8())
{
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    QObject::connect(&m_process, &QProcess::readyRead, [this] { m_output += m_process.readAll(); });
}

SpoolProcess::~SpoolProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool SpoolProcess::start(const QStringList &extraArguments)
{
    ApiEndpoint::remove(m_dataDir);
    QStringList arguments{QStringLiteral("--headless"),
                          QStringLiteral("--data-dir"),
                          m_dataDir,
                          QStringLiteral("--download-dir"),
                          m_downloadDir,
                          QStringLiteral("--api-port"),
                          QStringLiteral("0")};
    if (!m_token.isEmpty())
        arguments << QStringLiteral("--api-token") << QString::fromUtf8(m_token);
    m_output.clear();
    m_process.start(binary(), arguments + extraArguments);
    if (!m_process.waitForStarted(10'000))
        return false;
    std::optional<ApiEndpoint> endpoint;
    (void)QTest::qWaitFor(
        [&] {
            endpoint = ApiEndpoint::read(m_dataDir);
            return endpoint || m_process.state() == QProcess::NotRunning;
        },
        20'000);
    if (!endpoint || endpoint->pid != m_process.processId())
        return false;
    // Without --api-token the instance made one and keeps it in the data dir.
    const QByteArray token = m_token.isEmpty() ? ApiToken::read(m_dataDir).toUtf8() : m_token;
    m_client = std::make_unique<ApiClient>(endpoint->baseUrl(), token);
    return m_client->get(QStringLiteral("/api/stats")).status == 200;
}

int SpoolProcess::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
    ::kill(static_cast<pid_t>(m_process.processId()), SIGTERM);
    (void)QTest::qWaitFor([this] { return m_process.state() == QProcess::NotRunning; }, timeoutMs);
    if (m_process.state() != QProcess::NotRunning)
        return -1;
    return m_process.exitStatus() == QProcess::NormalExit ? m_process.exitCode() : -1;
}

qint64 addVideoJob(ApiClient &client, const QUrl &url)
{
    const HttpResult r = client.postJson(QStringLiteral("/api/jobs"),
                                         QJsonObject{{QStringLiteral("type"), QStringLiteral("video_download")},
                                                     {QStringLiteral("url"), url.toString()}});
    return r.status == 201 ? r.object().value(QStringLiteral("id")).toInteger() : 0;
}

QJsonObject jobJson(ApiClient &client, qint64 id)
{
    return client.get(QStringLiteral("/api/jobs/%1").arg(id)).object();
}

SpoolRun runSpool(const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    process.start(SpoolProcess::binary(), arguments);
    SpoolRun run;
    if (!process.waitForStarted(10'000))
        return run;
    (void)QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs);
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished(5000);
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}
