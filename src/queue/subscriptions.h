#pragma once

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

private:
    void handleJobAdded(const Job &job);
    void arm();

    JobQueue &m_queue;
    Clock &m_clock;
    QTimer m_timer;
};
