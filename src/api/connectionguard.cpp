#include "api/connectionguard.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace {
// One connection as the guard sees it. Its readyRead slot is connected before QHttpServer's, so
// it counts (and, once refused, swallows) what arrives before the parser reads it.
class GuardedSocket final : public QTcpSocket
{
public:
    GuardedSocket(const ConnectionGuard::Limits &limits, QObject *parent) : QTcpSocket(parent), m_limits(limits)
    {
        connect(this, &QTcpSocket::readyRead, this, &GuardedSocket::count);
        m_deadline.setSingleShot(true);
        connect(&m_deadline, &QTimer::timeout, this, &GuardedSocket::expire);
        m_deadline.start(m_limits.requestDeadlineMs);
    }

    void requestArrived()
    {
        m_bytes = 0;
        if (!m_streaming)
            m_deadline.start(m_limits.idleMs);
    }

    void streaming()
    {
        m_streaming = true;
        m_deadline.stop();
    }

    void answerPending(bool pending)
    {
        if (m_streaming)
            return;
        if (pending)
            m_deadline.stop(); // and count() starts none for what is pipelined meanwhile
        else
            m_deadline.start(m_bytes == 0 ? m_limits.idleMs : m_limits.requestDeadlineMs);
    }

private:
    void count()
    {
        if (m_refused) {
            readAll();
            return;
        }
        if (m_streaming)
            return;
        // The first byte of a request after an idle pause: the request must now come whole in time.
        if (m_bytes == 0 && m_deadline.remainingTime() > m_limits.requestDeadlineMs)
            m_deadline.start(m_limits.requestDeadlineMs);
        m_bytes += bytesAvailable();
        if (m_bytes > m_limits.maxRequestBytes)
            refuse(ConnectionGuard::refusal(413, "Payload Too Large", QStringLiteral("payload_too_large"),
                                            QStringLiteral("the request is larger than %1 bytes").arg(m_limits.maxRequestBytes)));
    }

    void expire()
    {
        if (m_bytes == 0) { // nothing asked (since the last answer): a quiet close
            disconnectFromHost();
            return;
        }
        refuse(ConnectionGuard::refusal(408, "Request Timeout", QStringLiteral("request_timeout"),
                                        QStringLiteral("the request did not arrive whole within %1 ms")
                                            .arg(m_limits.requestDeadlineMs)));
    }

    void refuse(const QByteArray &answer)
    {
        m_refused = true;
        m_deadline.stop();
        readAll();
        write(answer);
        disconnectFromHost();
    }

    const ConnectionGuard::Limits &m_limits;
    QTimer m_deadline;
    qint64 m_bytes = 0;
    bool m_streaming = false;
    bool m_refused = false;
};

GuardedSocket *guarded(QTcpSocket *socket)
{
    return dynamic_cast<GuardedSocket *>(socket);
}
} // namespace

ConnectionGuard::ConnectionGuard(Limits limits, QObject *parent) : QTcpServer(parent), m_limits(limits) {}

void ConnectionGuard::requestArrived(QTcpSocket *socket)
{
    if (auto *s = guarded(socket))
        s->requestArrived();
}

void ConnectionGuard::streaming(QTcpSocket *socket)
{
    if (auto *s = guarded(socket))
        s->streaming();
}

void ConnectionGuard::answerPending(QTcpSocket *socket, bool pending)
{
    if (auto *s = guarded(socket))
        s->answerPending(pending);
}

QByteArray ConnectionGuard::refusal(int status, const QByteArray &reason, const QString &code, const QString &message,
                                    int retryAfterS)
{
    const QByteArray body = QJsonDocument(QJsonObject{{QStringLiteral("error"),
                                                       QJsonObject{{QStringLiteral("code"), code},
                                                                   {QStringLiteral("message"), message}}}})
                                .toJson(QJsonDocument::Compact);
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason +
                      "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size()) +
                      "\r\nConnection: close\r\n";
    if (retryAfterS > 0)
        head += "Retry-After: " + QByteArray::number(retryAfterS) + "\r\n";
    return head + "\r\n" + body;
}

void ConnectionGuard::incomingConnection(qintptr descriptor)
{
    auto *socket = new GuardedSocket(m_limits, this);
    if (!socket->setSocketDescriptor(descriptor)) {
        delete socket;
        return;
    }
    if (m_connections >= m_limits.maxConnections) {
        // Answered and closed here, never handed to the HTTP server.
        socket->write(refusal(503, "Service Unavailable", QStringLiteral("too_many_connections"),
                              QStringLiteral("this server has %1 connections open; try again").arg(m_connections), 1));
        socket->disconnectFromHost();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (socket->state() == QAbstractSocket::UnconnectedState)
            socket->deleteLater();
        return;
    }
    ++m_connections;
    connect(socket, &QTcpSocket::disconnected, this, [this] { --m_connections; });
    addPendingConnection(socket);
}
