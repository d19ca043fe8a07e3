#pragma once

#include "core/expected.h"
#include "store/store.h"

#include <QObject>
#include <QTimer>

class Clock;
class JobQueue;
struct Job;

// Channels and playlists kept in sync: a channel or playlist job added with the option
// "subscribe_hours" is re-enqueued every that many hours. Subscriptions live in the database, so
// they survive restarts; the timer fires exactly when the next one falls due.
class Subscriptions final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Subscriptions)
public:
    Subscriptions(JobQueue &queue, Clock &clock, QObject *parent = nullptr);

    void start();
    // Enqueues every due subscription; returns how many jobs it added.
    int runDue();
    int nextWakeInMs() const { return m_timer.isActive() ? m_timer.interval() : -1; }

    // For the user: what is kept in sync, and changing it.
    QList<Subscription> list() const;
    Expected<Subscription> find(qint64 id) const;
    Expected<bool> unsubscribe(qint64 id);
    Expected<bool> syncNow(qint64 id);     // a sync job now; the next one an interval after it
    Expected<bool> setInterval(qint64 id, double hours);

Q_SIGNALS:
    void changed();

private:
    void handleJobAdded(const Job &job);
    static NewJob syncJob(const Subscription &s);
    void arm();

    JobQueue &m_queue;
    bool m_started = false;
    Clock &m_clock;
    QTimer m_timer;
    bool m_adding = false; // a sync of ours is being added
};
