#pragma once

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

// The listening socket of the API, with the limits that must hold before a request is even read
// (so before its token is checked): how many connections at once, how long a request may take to
// arrive whole, how many bytes it may have, how long an idle keep-alive connection stays. A
// refused connection gets a short JSON answer (503, 408, 413) and is closed; QHttpServer never
// sees what it sent.
class ConnectionGuard final : public QTcpServer
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionGuard)
public:
    struct Limits
    {
        int maxConnections = 64;
        int requestDeadlineMs = 10'000; // from the connection (or the last request) to a whole request
        int idleMs = 30'000;            // a keep-alive connection with nothing asked is closed
        qint64 maxRequestBytes = 1024 * 1024 + 64 * 1024; // head and body together
    };

    explicit ConnectionGuard(Limits limits, QObject *parent = nullptr);
    int connections() const { return m_connections; }

    // A whole request came on this socket: its deadline and byte count start again.
    static void requestArrived(QTcpSocket *socket);
    // The socket now carries an event stream: no deadline, no byte count (it only receives).
    static void streaming(QTcpSocket *socket);
    // An answer is being made on another thread: no deadline while `pending` (the client waits for
    // it, it is not slow), then the idle one again.
    static void answerPending(QTcpSocket *socket, bool pending);
    // The raw answer the guard gives when it refuses: a JSON error in the API's shape.
    static QByteArray refusal(int status, const QByteArray &reason, const QString &code, const QString &message,
                              int retryAfterS = 0);

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    Limits m_limits;
    int m_connections = 0;
};
