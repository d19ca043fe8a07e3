#pragma once

#include "api/apireply.h"
#include "api/apirequest.h"
#include "api/apirouter.h"
#include "api/eventhub.h"
#include "api/connectionguard.h"
#include "api/eventstreams.h"
#include "api/hostsapi.h"
#include "api/jobsapi.h"
#include "api/queueapi.h"
#include "api/toolsapi.h"
#include "core/expected.h"

#include <QFuture>
#include <QHttpServer>
#include <QObject>

#include <functional>

class Dispatcher;
class Subscriptions;
class JobQueue;
class LogStore;

// The local HTTP API: JSON over HTTP for the job queue, server-sent events for live changes, and the
// browser page. An observer of the queue like the UI: it calls JobQueue and listens to its signals.
// Every request passes the same thin gate first: Origin, bearer token, route, size, content type.
class ApiServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiServer)
public:
    static constexpr qint64 kMaxBodyBytes = 1024 * 1024;

    struct Options
    {
        QString bind = QStringLiteral("127.0.0.1");
        quint16 port = 0; // 0: any free port
        QString token;
        QString dataDir; // named in the proof of GET /api/identity, which the command line checks
        EventHub::Options events;
        int keepAliveMs = 15'000;
        ConnectionGuard::Limits limits;
        int maxEventClients = 32;
        qint64 maxEventBacklogBytes = 8 * 1024 * 1024;
        Dispatcher *dispatcher = nullptr;       // /api/queue: pause and resume the whole queue (503 without)
        Subscriptions *subscriptions = nullptr; // /api/subscriptions (503 without)
    };

    ApiServer(JobQueue &queue, const LogStore &logs, Options options, QObject *parent = nullptr);
    ~ApiServer() override;

    // Starts listening; returns the port.
    Expected<quint16> listen();
    quint16 port() const { return m_port; }
    QString bindAddress() const { return m_options.bind; }
    // Method and path template of every route, as the OpenAPI document must list them.
    QList<QPair<QByteArray, QString>> routes() const;
    int eventClients() const { return m_streams.count(); }
    qint64 droppedEventClients() const { return m_streams.dropped(); }

private:
    enum class Access { Open, Token, TokenOrQuery };
    struct Target
    {
        std::function<ApiReply(const ApiRequest &)> reply; // unset (and no `later`): the event stream
        Access access = Access::Token;
        bool jsonBody = false; // requires an application/json body
        // Instead of `reply`: an answer made on another thread (it must not keep the request).
        std::function<QFuture<ApiReply>(const ApiRequest &)> later = {};
    };
    using Router = ApiRouter<Target>;

    void addRoutes();
    void addJobRoute(const QByteArray &method, const QString &path,
                     ApiReply (JobsApi::*handler)(const ApiRequest &), bool jsonBody = false);
    void addStatic(const QString &path, const QString &resourcePath, const QByteArray &contentType);
    void handle(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    std::optional<ApiReply> screen(const QHttpServerRequest &request, const Router::Match &match,
                                   QJsonValue &body) const;
    bool boundToEveryInterface() const; // 0.0.0.0 or ::
    std::optional<ApiReply> checkOrigin(const QHttpServerRequest &request) const;
    // DNS rebinding: a page of another site whose name was made to resolve to this machine names
    // that site in Host. Only this server's own address (or localhost) is answered.
    std::optional<ApiReply> checkHost(const QHttpServerRequest &request) const;
    std::optional<ApiReply> checkToken(const QHttpServerRequest &request, Access access) const;
    std::optional<ApiReply> readBody(const QHttpServerRequest &request, const Target &target,
                                     QJsonValue &body) const;
    void openEvents(const QHttpServerRequest &request, QHttpServerResponder &&responder);
    // Sends the reply once `future` has it; the event loop serves other connections meanwhile.
    void answerLater(const QFuture<ApiReply> &future, QHttpServerResponder &&responder);
    // GET /api/identity: proves, without the token travelling, that this is the data dir's Spool.
    ApiReply identity(const ApiRequest &request) const;

    Options m_options;
    QByteArray m_token;
    QString m_identityDir; // the canonical data dir
    quint16 m_port = 0;
    QHttpServer m_http;
    JobQueue &m_queue;
    JobsApi m_jobs;
    QueueApi m_queueApi;
    HostsApi m_hostsApi;
    ToolsApi m_toolsApi;
    EventHub m_hub;
    EventStreams m_streams; // after m_http: closed before the server's sockets go
    Router m_router;
};
