#include "api/apiserver.h"

#include "api/apiidentity.h"
#include "api/apitoken.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "store/store.h"

#include <QFile>
#include <QFutureWatcher>
#include <QHostAddress>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QMetaEnum>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrlQuery>

namespace {
// On a connection whose answer is still being made (answerLater): 1, or 2 once another request came
// pipelined behind it.
constexpr char kAnswerPending[] = "spool_answer_pending";

QByteArray methodName(QHttpServerRequest::Method method)
{
    // Qt names them "Get", "Post", ...; HTTP and the route table say "GET", "POST".
    const char *key = QMetaEnum::fromType<QHttpServerRequest::Method>().valueToKey(static_cast<int>(method));
    return key ? QByteArray(key).toUpper() : QByteArrayLiteral("UNKNOWN");
}

// Files compiled into the program (resources/web/, src/api/openapi.json).
QByteArray resource(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

bool isJson(const QByteArray &contentType)
{
    return contentType.split(';').first().trimmed().toLower() == "application/json";
}

QByteArray originOf(const QString &host, quint16 port)
{
    const QHostAddress address(host);
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    return "http://" + (v6 ? '[' + host.toLatin1() + ']' : host.toLatin1()) + ':' + QByteArray::number(port);
}
} // namespace

ApiServer::ApiServer(JobQueue &queue, const LogStore &logs, Options options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_token(m_options.token.toUtf8()),
      m_identityDir(ApiIdentity::canonicalDataDir(m_options.dataDir)), m_queue(queue), m_jobs(queue, logs),
      m_queueApi(m_options.dispatcher, m_options.subscriptions), m_hostsApi(queue),
      m_toolsApi(m_options.dispatcher), m_hub(queue, logs, m_options.events),
      m_streams(m_hub, m_options.keepAliveMs, m_options.maxEventBacklogBytes)
{
    addRoutes();
    if (m_options.dispatcher)
        connect(m_options.dispatcher, &Dispatcher::heldChanged, &m_hub, &EventHub::queueHeld);
    m_http.setMissingHandler([this](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
        handle(request, std::move(responder));
    });
}

ApiServer::~ApiServer()
{
    m_streams.closeAll();
}

void ApiServer::addRoutes()
{
    addStatic(QStringLiteral("/"), QStringLiteral(":/web/index.html"), "text/html; charset=utf-8");
    addStatic(QStringLiteral("/app.js"), QStringLiteral(":/web/app.js"), "text/javascript; charset=utf-8");
    addStatic(QStringLiteral("/style.css"), QStringLiteral(":/web/style.css"), "text/css; charset=utf-8");
    m_router.add("GET", QStringLiteral("/api/openapi.json"), Target{[](const ApiRequest &) {
                     return ApiReply::text(resource(QStringLiteral(":/api/openapi.json")), "application/json");
                 }});
    m_router.add("GET", QStringLiteral("/api/identity"),
                 Target{[this](const ApiRequest &r) { return identity(r); }, Access::Open});
    addJobRoute("GET", QStringLiteral("/api/jobs"), &JobsApi::list);
    addJobRoute("POST", QStringLiteral("/api/jobs"), &JobsApi::create, true);
    addJobRoute("GET", QStringLiteral("/api/jobs/{id}"), &JobsApi::get);
    addJobRoute("PATCH", QStringLiteral("/api/jobs/{id}"), &JobsApi::update, true);
    addJobRoute("DELETE", QStringLiteral("/api/jobs/{id}"), &JobsApi::cancel);
    addJobRoute("POST", QStringLiteral("/api/jobs/{id}/retry"), &JobsApi::retry);
    addJobRoute("POST", QStringLiteral("/api/jobs/{id}/pause"), &JobsApi::pause);
    addJobRoute("POST", QStringLiteral("/api/jobs/{id}/resume"), &JobsApi::resume);
    addJobRoute("GET", QStringLiteral("/api/jobs/{id}/log"), &JobsApi::log);
    addJobRoute("GET", QStringLiteral("/api/stats"), &JobsApi::stats);
    m_router.add("GET", QStringLiteral("/api/queue"), Target{[this](const ApiRequest &) { return m_queueApi.state(std::nullopt); }});
    m_router.add("POST", QStringLiteral("/api/queue/pause"), Target{[this](const ApiRequest &) { return m_queueApi.state(true); }});
    m_router.add("POST", QStringLiteral("/api/queue/resume"), Target{[this](const ApiRequest &) { return m_queueApi.state(false); }});
    m_router.add("GET", QStringLiteral("/api/subscriptions"), Target{[this](const ApiRequest &r) { return m_queueApi.subscriptions(r); }});
    m_router.add("PATCH", QStringLiteral("/api/subscriptions/{id}"),
                 Target{[this](const ApiRequest &r) { return m_queueApi.updateSubscription(r); }, Access::Token, true});
    m_router.add("DELETE", QStringLiteral("/api/subscriptions/{id}"),
                 Target{[this](const ApiRequest &r) { return m_queueApi.removeSubscription(r); }});
    m_router.add("POST", QStringLiteral("/api/subscriptions/{id}/sync"),
                 Target{[this](const ApiRequest &r) { return m_queueApi.syncSubscription(r); }});
    m_router.add("GET", QStringLiteral("/api/hosts"),
                 Target{[this](const ApiRequest &r) { return m_hostsApi.list(r); }});
    m_router.add("POST", QStringLiteral("/api/hosts/{host}/resume"),
                 Target{[this](const ApiRequest &r) { return m_hostsApi.resume(r); }});
    m_router.add("GET", QStringLiteral("/api/tools"),
                 Target{{}, Access::Token, false, [this](const ApiRequest &r) { return m_toolsApi.list(r); }});
    m_router.add("GET", QStringLiteral("/api/events"), Target{{}, Access::TokenOrQuery});
}

void ApiServer::addJobRoute(const QByteArray &method, const QString &path,
                            ApiReply (JobsApi::*handler)(const ApiRequest &), bool jsonBody)
{
    m_router.add(method, path,
                 Target{[this, handler](const ApiRequest &r) { return (m_jobs.*handler)(r); }, Access::Token,
                        jsonBody});
}

void ApiServer::addStatic(const QString &path, const QString &resourcePath, const QByteArray &contentType)
{
    auto serve = [path = resourcePath, contentType](const ApiRequest &) {
        ApiReply reply = ApiReply::text(resource(path), contentType);
        // The page holds the token in sessionStorage: no framing, no foreign scripts, no referrer.
        reply.headers << qMakePair(QByteArray("Content-Security-Policy"),
                                   QByteArray("default-src 'self'; frame-ancestors 'none'; base-uri 'none'"))
                      << qMakePair(QByteArray("X-Frame-Options"), QByteArray("DENY"))
                      << qMakePair(QByteArray("Referrer-Policy"), QByteArray("no-referrer"));
        return reply;
    };
    m_router.add("GET", path, Target{serve, Access::Open});
}

Expected<quint16> ApiServer::listen()
{
    QHostAddress address;
    if (!address.setAddress(m_options.bind))
        return makeError(
            ErrorCode::InvalidArgument,
            QStringLiteral("the API bind address '%1' is not an IP address").arg(m_options.bind));
    auto tcp = std::make_unique<ConnectionGuard>(m_options.limits);
    if (!tcp->listen(address, m_options.port))
        return makeError(ErrorCode::Conflict, QStringLiteral("the API cannot listen on %1 port %2: %3")
                                                  .arg(m_options.bind)
                                                  .arg(m_options.port)
                                                  .arg(tcp->errorString()));
    m_port = tcp->serverPort();
    QTcpServer *server = tcp.release();
    server->setParent(&m_http); // its connections go with the HTTP server
    m_http.bind(server);
    return m_port;
}

QList<QPair<QByteArray, QString>> ApiServer::routes() const
{
    QList<QPair<QByteArray, QString>> list;
    for (const Router::Route &route : m_router.routes())
        list << qMakePair(route.method, route.path);
    return list;
}

void ApiServer::handle(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    if (QTcpSocket *socket = responder.socket(); socket->property(kAnswerPending).isValid()) {
        // Pipelined behind an answer still being made: QHttpServer would have this one answered
        // first, out of order. It is left unanswered and the connection closes after the pending
        // answer; a client that pipelines sends again what was not answered (RFC 9112, 9.3.2).
        socket->setProperty(kAnswerPending, 2);
        return;
    }
    ConnectionGuard::requestArrived(responder.socket());
    const Router::Match match = m_router.match(methodName(request.method()), request.url().path());
    QJsonValue body;
    if (auto refused = screen(request, match, body)) {
        refused->send(responder);
        return;
    }
    const Target &target = match.route->handler;
    if (target.later) {
        // Not a read of the queue: the unreachable-database rule below does not apply to it.
        answerLater(target.later(ApiRequest{request, match.id, body, match.host}), std::move(responder));
        return;
    }
    if (!target.reply) {
        openEvents(request, std::move(responder));
        return;
    }
    ApiReply reply = target.reply(ApiRequest{request, match.id, body, match.host});
    // A shared queue whose server went away (before or during this request): what was read is
    // not the queue, so the answer is "unavailable, try again", never an empty list or a 404.
    if (reply.status < 500 && match.route->handler.access != Access::Open && m_queue.store().database().isUnreachable()
        && request.url().path() != QLatin1String("/api/openapi.json")) {
        reply = ApiReply::fromError(m_queue.store().database().storageError(QStringLiteral("reading the queue")));
    }
    reply.send(responder);
}

std::optional<ApiReply> ApiServer::screen(const QHttpServerRequest &request, const Router::Match &match,
                                          QJsonValue &body) const
{
    if (auto refused = checkHost(request))
        return refused;
    const QString path = request.url().path();
    const bool api = path == QLatin1String("/api") || path.startsWith(QLatin1String("/api/"));
    if (api) {
        if (auto refused = checkOrigin(request))
            return refused;
        if (auto refused = checkToken(request, match.route ? match.route->handler.access : Access::Token))
            return refused;
    }
    if (!match.route && match.allowed.isEmpty())
        return ApiReply::error(404, QStringLiteral("not_found"),
                               QStringLiteral("no such resource: %1").arg(path));
    if (!match.route) {
        ApiReply reply = ApiReply::error(405, QStringLiteral("method_not_allowed"),
                                         QStringLiteral("%1 does not accept %2")
                                             .arg(path, QString::fromLatin1(methodName(request.method()))));
        reply.headers << qMakePair(QByteArray("Allow"), match.allowed.join(", "));
        return reply;
    }
    return readBody(request, match.route->handler, body);
}

bool ApiServer::boundToEveryInterface() const
{
    const QHostAddress bind(m_options.bind);
    return bind == QHostAddress::AnyIPv4 || bind == QHostAddress::AnyIPv6 || bind == QHostAddress::Any;
}

std::optional<ApiReply> ApiServer::checkHost(const QHttpServerRequest &request) const
{
    const QString host = QString::fromLatin1(request.value("Host")).trimmed().toLower();
    // host:port, [v6]:port; the port is always named (this server never listens on 80 for that).
    QString name = host;
    bool portOk = false;
    if (const qsizetype colon = host.lastIndexOf(QLatin1Char(':')); colon > 0 && !host.endsWith(QLatin1Char(']'))) {
        portOk = host.mid(colon + 1).toUShort() == m_port;
        name = host.left(colon);
    }
    if (name.startsWith(QLatin1Char('[')) && name.endsWith(QLatin1Char(']')))
        name = name.mid(1, name.size() - 2);
    const QHostAddress named(name);
    bool known = name == QLatin1String("localhost") || (!named.isNull() && (named.isLoopback() || named == QHostAddress(m_options.bind)));
    // Bound to every interface, the page may be opened under any of the machine's addresses: an
    // address is not a name someone else can point here.
    if (boundToEveryInterface())
        known = known || !named.isNull();
    if (portOk && known)
        return std::nullopt;
    return ApiReply::error(421, QStringLiteral("misdirected"),
                           QStringLiteral("this server answers only requests to its own address (Host: %1:%2), not to %3")
                               .arg(m_options.bind)
                               .arg(m_port)
                               .arg(host.isEmpty() ? QStringLiteral("a request without Host") : host.left(100)));
}

std::optional<ApiReply> ApiServer::checkOrigin(const QHttpServerRequest &request) const
{
    // Browsers name the page's origin on cross-origin requests and on POST/PATCH/DELETE; a page of
    // another site must not drive the API even if it somehow has the token.
    const QByteArray origin = request.value("Origin");
    if (origin.isEmpty())
        return std::nullopt;
    QList<QByteArray> own{originOf(QStringLiteral("127.0.0.1"), m_port),
                          originOf(QStringLiteral("localhost"), m_port),
                          originOf(QStringLiteral("::1"), m_port), originOf(m_options.bind, m_port)};
    // Bound to every interface, the page may be opened under any of the machine's names.
    if (boundToEveryInterface())
        own << "http://" + request.value("Host");
    if (own.contains(origin))
        return std::nullopt;
    return ApiReply::error(
        403, QStringLiteral("forbidden"),
        QStringLiteral("requests from %1 are not allowed").arg(QString::fromLatin1(origin)));
}

std::optional<ApiReply> ApiServer::checkToken(const QHttpServerRequest &request, Access access) const
{
    if (access == Access::Open)
        return std::nullopt;
    const QByteArray header = request.value("Authorization");
    QByteArray given;
    if (header.left(7).toLower() == "bearer ")
        given = header.mid(7).trimmed();
    // EventSource cannot send headers, so the event stream alone also takes ?token=.
    if (given.isEmpty() && access == Access::TokenOrQuery)
        given = request.query().queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded).toUtf8();
    if (ApiToken::matches(given, m_token))
        return std::nullopt;
    ApiReply reply = ApiReply::error(
        401, QStringLiteral("unauthorized"),
        given.isEmpty() ? QStringLiteral("an 'Authorization: Bearer <token>' header is required")
                        : QStringLiteral("the token is not valid"));
    reply.headers << qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Bearer realm=\"spool\""));
    return reply;
}

std::optional<ApiReply> ApiServer::readBody(const QHttpServerRequest &request, const Target &target,
                                            QJsonValue &body) const
{
    const QByteArray data = request.body();
    if (data.size() > kMaxBodyBytes)
        return ApiReply::error(413, QStringLiteral("payload_too_large"),
                               QStringLiteral("the body is larger than %1 bytes").arg(kMaxBodyBytes));
    const auto method = request.method();
    const bool writes =
        method == QHttpServerRequest::Method::Post || method == QHttpServerRequest::Method::Patch;
    if (!writes || (!target.jsonBody && data.isEmpty()))
        return std::nullopt;
    if (!isJson(request.value("Content-Type")))
        return ApiReply::error(415, QStringLiteral("unsupported_media_type"),
                               QStringLiteral("the body must be application/json"));
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(data, &error);
    if (error.error != QJsonParseError::NoError)
        return ApiReply::error(400, QStringLiteral("malformed_json"),
                               QStringLiteral("the body is not valid JSON: %1 at byte %2")
                                   .arg(error.errorString())
                                   .arg(error.offset));
    body = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
    return std::nullopt;
}

ApiReply ApiServer::identity(const ApiRequest &request) const
{
    // Open, so a client can check whom it talks to before it hands over the token; what it gives
    // away is an HMAC of a message the client chose, which reveals nothing of the key.
    const QByteArray challenge =
        request.http.query().queryItemValue(QStringLiteral("challenge"), QUrl::FullyDecoded).toLatin1();
    if (!ApiIdentity::isChallenge(challenge))
        return ApiReply::error(400, QStringLiteral("invalid_argument"),
                               QStringLiteral("challenge must be %1 random bytes as %2 hex digits")
                                   .arg(ApiIdentity::kChallengeBytes)
                                   .arg(2 * ApiIdentity::kChallengeBytes));
    const QByteArray proof = ApiIdentity::proof(m_token, challenge, m_identityDir);
    return ApiReply::json(QJsonObject{{QStringLiteral("proof"), QString::fromLatin1(proof)}});
}

void ApiServer::answerLater(const QFuture<ApiReply> &future, QHttpServerResponder &&responder)
{
    // QHttpServer 6.4 lets a handler keep its responder and answer later (as EventStreams does).
    // A watcher, not QFuture::then(this, ...): 6.4's continuation asserts, on the pool thread, that
    // its context still lives; a watcher simply goes with this server.
    auto kept = std::make_shared<QHttpServerResponder>(std::move(responder));
    const QPointer<QTcpSocket> socket = kept->socket();
    socket->setProperty(kAnswerPending, 1);
    ConnectionGuard::answerPending(socket, true);
    auto *watcher = new QFutureWatcher<ApiReply>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [watcher, kept, socket] {
        watcher->deleteLater();
        // A client that went away meanwhile: its socket is gone (or going), and with it the answer.
        if (!socket || socket->state() != QAbstractSocket::ConnectedState)
            return;
        const bool answered = watcher->future().resultCount() > 0; // else dropped: the server is stopping
        const bool close = !answered || socket->property(kAnswerPending).toInt() > 1;
        socket->setProperty(kAnswerPending, QVariant());
        if (answered) {
            ApiReply reply = watcher->result();
            if (close)
                reply.headers << qMakePair(QByteArray("Connection"), QByteArray("close"));
            reply.send(*kept);
        }
        if (close)
            socket->disconnectFromHost();
        else
            ConnectionGuard::answerPending(socket, false);
    });
    watcher->setFuture(future);
}

void ApiServer::openEvents(const QHttpServerRequest &request, QHttpServerResponder &&responder)
{
    QByteArray last = request.value("Last-Event-ID").trimmed();
    if (last.isEmpty())
        last = request.query().queryItemValue(QStringLiteral("last_event_id")).toLatin1();
    std::optional<qint64> lastId;
    if (!last.isEmpty()) {
        bool ok = false;
        lastId = last.toLongLong(&ok);
        if (!ok) {
            ApiReply::error(400, QStringLiteral("invalid_argument"),
                            QStringLiteral("Last-Event-ID must be an event id"))
                .send(responder);
            return;
        }
    }
    if (m_streams.count() >= m_options.maxEventClients) {
        ApiReply reply = ApiReply::error(503, QStringLiteral("too_many_clients"),
                                         QStringLiteral("%1 event streams are open already; try again later")
                                             .arg(m_streams.count()));
        reply.headers << qMakePair(QByteArray("Retry-After"), QByteArray("5"));
        reply.send(responder);
        return;
    }
    ConnectionGuard::streaming(responder.socket());
    m_streams.open(std::move(responder), lastId);
}
