#pragma once

#include <QObject>
#include <QSet>
#include <QTimer>

class JobQueue;

// The changes other hosts make to a shared (PostgreSQL) queue, as the database tells them
// (LISTEN/NOTIFY): collected for a moment, read back in a few statements and announced through
// JobQueue like this host's own, so a job added elsewhere starts here at once and a monitoring
// window, the API's event stream and the tray follow the whole queue without polling.
class SharedQueueFeed final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SharedQueueFeed)
public:
    explicit SharedQueueFeed(JobQueue &queue, QObject *parent = nullptr);

    // Subscribes; false on SQLite, whose one process announces every change itself.
    bool start();
    // Reads and announces what was told so far (normally on a short timer).
    void flush();
    // Whether jobs added elsewhere are read back and announced one by one (jobAdded), for a
    // window, the API and the tray; without, one sharedWorkAdded() wakes the dispatcher and the
    // read (a round trip before every claim) is saved: a worker-only host shows nothing.
    void setAddedRowsWanted(bool wanted) { m_addedRowsWanted = wanted; }

private:
    void handleChange(const QString &change);

    JobQueue &m_queue;
    QTimer m_flushTimer;
    QSet<qint64> m_added;
    QSet<qint64> m_changed;
    QSet<qint64> m_removed;
    bool m_state = false;
    bool m_subscriptions = false;
    bool m_addedRowsWanted = true;
};
