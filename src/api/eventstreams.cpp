#include "api/eventstreams.h"

#include <QHttpServerResponder>
#include <QJsonObject>
#include <QTcpSocket>

EventStreams::EventStreams(EventHub &hub, int keepAliveMs, qint64 maxBacklogBytes, QObject *parent)
    : QObject(parent), m_hub(hub), m_maxBacklogBytes(maxBacklogBytes)
{
    connect(&hub, &EventHub::eventPublished, this, &EventStreams::handleEvent);
    m_keepAlive.setInterval(keepAliveMs);
    connect(&m_keepAlive, &QTimer::timeout, this, &EventStreams::sendKeepAlive);
    m_keepAlive.start();
}

EventStreams::~EventStreams()
{
    closeAll();
}

void EventStreams::open(QHttpServerResponder &&responder, std::optional<qint64> lastEventId)
{
    auto kept = std::make_unique<QHttpServerResponder>(std::move(responder));
    QTcpSocket *socket = kept->socket();
    kept->writeStatusLine(QHttpServerResponder::StatusCode::Ok);
    kept->writeHeaders({{"Content-Type", "text/event-stream; charset=utf-8"},
                        {"Cache-Control", "no-store"},
                        {"X-Content-Type-Options", "nosniff"},
                        {"X-Accel-Buffering", "no"}});
    kept->writeBody(greeting(lastEventId));
    if (socket->state() != QAbstractSocket::ConnectedState)
        return; // gone already: its disconnected() will not come again
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { drop(socket); });
    m_clients[socket] = std::move(kept);
}

QByteArray EventStreams::greeting(std::optional<qint64> lastEventId) const
{
    QByteArray text = "retry: 2000\n\n";
    const qint64 last = m_hub.lastId();
    // A fresh client gets an id at once, so even a reconnect before the first event misses nothing.
    if (!lastEventId)
        return text + EventHub::frame(last, "ready", {{QStringLiteral("last_event_id"), last}});
    const auto missed = m_hub.since(*lastEventId);
    if (!missed)
        return text + EventHub::frame(last, "reset", {{QStringLiteral("last_event_id"), last}});
    for (const EventHub::Event &event : *missed)
        text += event.frame;
    return text;
}

void EventStreams::closeAll()
{
    auto clients = std::exchange(m_clients, {});
    for (auto &[socket, responder] : clients) {
        disconnect(socket, nullptr, this, nullptr);
        socket->disconnectFromHost();
    }
}

void EventStreams::handleEvent(const EventHub::Event &event)
{
    QList<QTcpSocket *> sockets;
    for (const auto &entry : m_clients)
        sockets << entry.first;
    for (QTcpSocket *socket : sockets)
        write(socket, event.frame);
}

void EventStreams::sendKeepAlive()
{
    // A comment line: keeps proxies from timing the stream out and reveals dead peers.
    for (const auto &entry : m_clients)
        entry.second->writeBody(QByteArrayLiteral(": keep-alive\n\n"));
}

void EventStreams::write(QTcpSocket *socket, const QByteArray &frame)
{
    const auto it = m_clients.find(socket);
    if (it == m_clients.end())
        return;
    if (socket->state() != QAbstractSocket::ConnectedState || socket->bytesToWrite() > m_maxBacklogBytes) {
        m_dropped += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
        drop(socket);
        socket->disconnectFromHost();
        return;
    }
    it->second->writeBody(frame);
}

void EventStreams::drop(QTcpSocket *socket)
{
    disconnect(socket, nullptr, this, nullptr);
    m_clients.erase(socket);
}
