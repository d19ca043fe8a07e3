#pragma once

#include "api/eventhub.h"

#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <optional>

class QHttpServerResponder;
class QTcpSocket;

// The open text/event-stream connections. QHttpServer 6.4 has no streaming response type, but a
// handler may keep the QHttpServerResponder it was given: it owns the connection, and writeBody()
// may be called again and again without ever finishing the response. So each client's responder is
// kept here until its socket disconnects, and every hub event is written to all of them.
class EventStreams final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventStreams)
public:
    // A client more than maxBacklogBytes behind is not reading: it is dropped (it reconnects with
    // Last-Event-ID and catches up), so a stalled reader never grows the process.
    EventStreams(EventHub &hub, int keepAliveMs, qint64 maxBacklogBytes = 8 * 1024 * 1024, QObject *parent = nullptr);
    ~EventStreams() override;

    // Answers with the stream's headers, then what the client missed since `lastEventId` (or a
    // `reset` event when that is no longer known), then stays open.
    void open(QHttpServerResponder &&responder, std::optional<qint64> lastEventId);
    int count() const { return static_cast<int>(m_clients.size()); }
    qint64 dropped() const { return m_dropped; } // clients dropped for falling behind
    void closeAll();

private:
    // The reconnection delay, then a `ready` event, the missed events, or a `reset` event.
    QByteArray greeting(std::optional<qint64> lastEventId) const;
    void handleEvent(const EventHub::Event &event);
    void sendKeepAlive();
    void write(QTcpSocket *socket, const QByteArray &frame);
    void drop(QTcpSocket *socket);

    EventHub &m_hub;
    qint64 m_maxBacklogBytes;
    qint64 m_dropped = 0;
    QTimer m_keepAlive;
    std::map<QTcpSocket *, std::unique_ptr<QHttpServerResponder>> m_clients;
};
