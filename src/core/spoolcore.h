#pragma once

#include "core/expected.h"
#include "core/settings.h"
#include "store/store.h"

#include <QObject>
#include <QString>
#include <QVariantMap>

#include <memory>

class Clock;
class Dispatcher;
class JobQueue;
class LogStore;
class Maintenance;
class SharedQueueFeed;
class Subscriptions;
class WorkerRegistry;

// Everything that runs the queue, wired together: store, queue service, logs, workers, dispatcher,
// maintenance. Shared by the desktop app and headless mode. Lives on the main thread.
class SpoolCore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SpoolCore)
public:
    struct Options
    {
        QString dataDir;
        QueueSettings settings = QueueSettings::defaults();
        Clock *clock = nullptr; // null: the system clock
        QVariantMap environment; // handed to workers (tool paths, download dir)
        QString downloadWindow;  // "HH:MM-HH:MM" (local time): downloads start only inside it
        Store::Options store;
        // Where the queue lives: empty for SQLite in the data dir, or a postgresql:// URL that
        // several hosts share.
        QString database;
        QString hostName;        // this host in a shared queue (the Worker column); empty: the machine's name
        bool workerOnly = false; // runs jobs only: no subscriptions, no pruning (the full hosts do those)
    };

    explicit SpoolCore(Options options, QObject *parent = nullptr);
    ~SpoolCore() override;

    // Opens (or creates) the database and the log folder. Nothing runs yet.
    Expected<bool> open();
    // Rescues jobs a crash left running and starts dispatching and maintenance.
    void start();
    // Graceful: stop claiming, let running jobs stop, hand back the rest. True if all ended in time.
    bool shutdown();

    QString dataDir() const { return m_options.dataDir; }
    // The SQLite file in the data dir, or the PostgreSQL URL (with its password, if it has one).
    QString databasePath() const;
    bool isShared() const { return !m_options.database.isEmpty(); }
    QString hostName() const;
    QueueSettings &settings() { return m_options.settings; }
    Store &store() { return *m_store; }
    JobQueue &queue() { return *m_queue; }
    LogStore &logs() { return *m_logs; }
    WorkerRegistry &workers() { return *m_registry; }
    Dispatcher &dispatcher() { return *m_dispatcher; }
    Subscriptions &subscriptions() { return *m_subscriptions; }
    Maintenance &maintenance() { return *m_maintenance; }
    Clock &clock() { return *m_clock; }

private:
    Options m_options;
    std::unique_ptr<Clock> m_ownClock;
    Clock *m_clock = nullptr;
    std::unique_ptr<Store> m_store;
    std::unique_ptr<LogStore> m_logs;
    std::unique_ptr<WorkerRegistry> m_registry;
    std::unique_ptr<JobQueue> m_queue;
    std::unique_ptr<Dispatcher> m_dispatcher;
    std::unique_ptr<Maintenance> m_maintenance;
    std::unique_ptr<Subscriptions> m_subscriptions;
    std::unique_ptr<SharedQueueFeed> m_feed;
    bool m_stopped = false;
    qint64 m_lastCheckpointMs = 0;
};
