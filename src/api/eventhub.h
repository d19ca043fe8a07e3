#pragma once

#include "queue/job.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>

#include <deque>
#include <optional>

class JobQueue;
class LogStore;
struct HostCooldown;

// The API's event feed: turns every queue change into a numbered server-sent event, coalesces
// progress (at most one event per job per interval), and keeps the latest events in a ring buffer
// so a client that reconnects with Last-Event-ID gets exactly what it missed.
class EventHub final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventHub)
public:
    struct Options
    {
        int capacity = 10'000;
        int progressIntervalMs = 250;
    };
    struct Event
    {
        qint64 id = 0;
        QByteArray frame; // the complete text/event-stream frame, ready to write
    };

    EventHub(JobQueue &queue, const LogStore &logs, Options options, QObject *parent = nullptr);

    qint64 lastId() const { return m_nextId - 1; }
    // The events after `lastEventId`, or nothing when some of them are no longer buffered (or the id
    // was never issued by this run): then the client must reload.
    std::optional<QList<Event>> since(qint64 lastEventId) const;
    static QByteArray frame(qint64 id, const QByteArray &name, const QJsonObject &data);
    // "queue.changed": the whole queue was paused or resumed.
    void queueHeld(bool held);

Q_SIGNALS:
    void eventPublished(const EventHub::Event &event);

private:
    void handleAdded(const Job &job);
    void handleChanged(const Job &job);
    void handleRemoved(qint64 id);
    void handleProgress(qint64 id, const JobProgress &progress);
    void handleCooledDown(const HostCooldown &cooldown);
    void handleCooldownsChanged();
    void flushProgress();
    void publish(const QByteArray &name, const QJsonObject &data);

    JobQueue &m_queue;
    const LogStore &m_logs;
    Options m_options;
    qint64 m_firstId = 0; // the first id this run issues
    qint64 m_nextId = 0;
    std::deque<Event> m_buffer;
    QHash<qint64, JobProgress> m_pendingProgress;
    QTimer m_progressTimer;
};
