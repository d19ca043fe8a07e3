#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QNetworkReply;

// Shared by the API, command-line, headless and web-page tests: a synchronous HTTP client (it keeps
// the event loop running, so a server in the same process answers), a server-sent events reader,
// and a real `spool --headless` process.

struct HttpResult
{
    int status = 0; // 0: no HTTP answer
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    QByteArray header(const QByteArray &name) const;
    QJsonObject object() const;
    QJsonArray array() const;
    QString errorCode() const;    // error.code of an error body
    QString errorMessage() const; // error.message
};

class ApiClient final
{
public:
    ApiClient(QUrl base, QByteArray token);
    Q_DISABLE_COPY_MOVE(ApiClient)

    using Headers = QList<QPair<QByteArray, QByteArray>>;
    // Sends the token unless `headers` has an Authorization header (an empty value: none at all).
    HttpResult send(const QByteArray &method, const QString &path, const QByteArray &body = {},
                    const Headers &headers = {});
    HttpResult get(const QString &path) { return send("GET", path); }
    HttpResult postJson(const QString &path, const QJsonValue &json);
    HttpResult patchJson(const QString &path, const QJsonValue &json);
    QUrl url(const QString &path) const;
    // A request to `path` with the token, unless `headers` bring their own Authorization
    // (an empty value leaves a header out).
    QNetworkRequest request(const QString &path, const Headers &headers = {}) const;
    QUrl base() const { return m_base; }
    QByteArray token() const { return m_token; }

private:
    QUrl m_base;
    QByteArray m_token;
    QNetworkAccessManager m_network;
};

struct SseEvent
{
    qint64 id = 0;
    QString name;
    QJsonObject data;
};

// Reads GET /api/events as it arrives.
class EventReader final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventReader)
public:
    explicit EventReader(ApiClient &client);
    ~EventReader() override;

    // Opens the stream (forgetting the events read so far) and waits for its headers; returns the status.
    int open(const ApiClient::Headers &headers = {}, const QString &query = QString());
    void close();
    bool waitFor(const std::function<bool(const QList<SseEvent> &)> &done, int timeoutMs = 10'000);
    bool waitForEvent(const QString &name, qint64 jobId = 0, int timeoutMs = 10'000);
    QList<SseEvent> events() const { return m_events; }
    void clear() { m_events.clear(); }

private:
    void handleReadyRead();

    ApiClient &m_client;
    QNetworkAccessManager m_network;
    QPointer<QNetworkReply> m_reply;
    QByteArray m_buffer;
    QList<SseEvent> m_events;
};

// A real `spool --headless` over a temporary data dir, found through its api.json.
class SpoolProcess final
{
public:
    static QString binary();
    // An empty token: none on the command line, so the instance uses (or makes) its token file.
    explicit SpoolProcess(const QString &dataDir, const QString &downloadDir,
                          const QString &token = QStringLiteral("test-token-of-thirty-two-characters"));
    ~SpoolProcess();
    Q_DISABLE_COPY_MOVE(SpoolProcess)

    // Starts it and waits until its API answers.
    bool start(const QStringList &extraArguments = {});
    // SIGTERM, then waits for the exit (the event loop keeps running); returns the exit code or -1.
    int stop(int timeoutMs = 30'000);
    ApiClient &client() { return *m_client; }
    QString dataDir() const { return m_dataDir; }
    QString output() const { return QString::fromUtf8(m_output); }
    QProcess &process() { return m_process; }

private:
    QString m_dataDir;
    QString m_downloadDir;
    QByteArray m_token;
    QProcess m_process;
    QByteArray m_output;
    std::unique_ptr<ApiClient> m_client;
};

// A video_download job added through POST /api/jobs: its id, or 0 when refused.
qint64 addVideoJob(ApiClient &client, const QUrl &url);
// GET /api/jobs/{id}.
QJsonObject jobJson(ApiClient &client, qint64 id);

// Runs `spool <arguments>` to the end (event loop kept running); returns exit code, stdout, stderr.
struct SpoolRun
{
    int exitCode = -1;
    QString out;
    QString err;
};
SpoolRun runSpool(const QStringList &arguments, int timeoutMs = 30'000);
