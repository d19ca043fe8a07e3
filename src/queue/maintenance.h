#pragma once

#include <QObject>
#include <QTimer>

class Clock;
class JobQueue;

// Periodic upkeep: prunes completed and cancelled jobs past the retention period (with their logs)
// and checkpoints the WAL. Dead jobs are kept until the user acts on them.
class Maintenance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Maintenance)
public:
    Maintenance(JobQueue &queue, Clock &clock, QObject *parent = nullptr);

    void start();
    // Returns how many jobs were pruned.
    int runOnce();

Q_SIGNALS:
    void pruned(int count);

private:
    JobQueue &m_queue;
    Clock &m_clock;
    QTimer m_timer;
};
