#include "core/spoolcore.h"

#include "core/clock.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "store/store.h"
#include "queue/maintenance.h"
#include "queue/sharedqueuefeed.h"
#include "queue/subscriptions.h"
#include "core/downloadwindow.h"
#include "workers/downloadenv.h"
#include "queue/jobtypes.h"
#include "workers/builtinworkers.h"
#include "workers/workerregistry.h"

#include <QDir>
#include <QSysInfo>

namespace {
constexpr qint64 kCheckpointSpacingMs = 60'000;
// On a shared queue a job's worker lines also go to the database, up to this much each: enough
// for every line that explains a download; a cleanup's long list stays whole in its host's file.
constexpr qint64 kSharedLogCapBytes = 1 << 20;
}

SpoolCore::SpoolCore(Options options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    if (m_options.clock) {
        m_clock = m_options.clock;
    } else {
        m_ownClock = std::make_unique<SystemClock>();
        m_clock = m_ownClock.get();
    }
    m_registry = std::make_unique<WorkerRegistry>();
    registerBuiltinWorkers(*m_registry);
}

SpoolCore::~SpoolCore()
{
    if (m_dispatcher && !m_stopped)
        shutdown();
    // Order matters: workers and observers go before the store they use.
    m_feed.reset();
    m_subscriptions.reset();
    m_maintenance.reset();
    m_dispatcher.reset();
    m_queue.reset();
    m_store.reset();
}

QString SpoolCore::databasePath() const
{
    return isShared() ? m_options.database : m_options.dataDir + QStringLiteral("/queue.sqlite");
}

QString SpoolCore::hostName() const
{
    const QString name = m_options.hostName.isEmpty() ? QSysInfo::machineHostName() : m_options.hostName;
    return name.isEmpty() ? QStringLiteral("localhost") : name;
}

Expected<bool> SpoolCore::open()
{
    if (!QDir().mkpath(m_options.dataDir))
        return makeError(ErrorCode::Storage, QStringLiteral("cannot create the data folder %1").arg(m_options.dataDir));
    const auto window = DownloadWindow::parse(m_options.downloadWindow);
    if (!window)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("the download window '%1' is not HH:MM-HH:MM").arg(m_options.downloadWindow));
    m_store = std::make_unique<Store>(databasePath(), m_options.store);
    if (auto opened = m_store->open(); !opened)
        return opened;
    m_logs = std::make_unique<LogStore>(m_options.dataDir + QStringLiteral("/logs/jobs"),
                                        m_options.settings.logCapBytes, m_clock);
    if (isShared())
        m_logs->setSharedLines(std::min<qint64>(m_options.settings.logCapBytes, kSharedLogCapBytes));
    m_queue = std::make_unique<JobQueue>(*m_store, m_options.settings, *m_clock, m_logs.get());
    m_dispatcher = std::make_unique<Dispatcher>(*m_queue, *m_registry, *m_logs, *m_clock);
    m_dispatcher->setEnvironment(m_options.environment);
    m_queue->setDownloadFolder([d = m_dispatcher.get()] { return d->environment().value(DownloadEnv::DownloadDir).toString(); });
    m_dispatcher->setWorkerName(hostName());
    m_dispatcher->setShared(isShared());
    m_maintenance = std::make_unique<Maintenance>(*m_queue, *m_clock);
    m_subscriptions = std::make_unique<Subscriptions>(*m_queue, *m_clock);
    if (isShared()) {
        m_feed = std::make_unique<SharedQueueFeed>(*m_queue);
        m_feed->setAddedRowsWanted(!m_options.workerOnly);
        if (!m_feed->start())
            return makeError(ErrorCode::Storage, QStringLiteral("cannot listen for the other hosts' changes (LISTEN spool)"));
    }
    if (!window->isAlwaysOpen()) {
        m_dispatcher->setGate([w = *window](const QString &type, qint64 now) -> qint64 {
            const bool download = type == JobTypes::VideoDownload || JobTypes::listsVideos(type);
            return download ? w.opensAt(now) : 0;
        });
    }
    // A quiet queue is the cheapest moment to fold the WAL back into the database.
    connect(m_dispatcher.get(), &Dispatcher::idle, this, [this] {
        const qint64 now = m_clock->nowMs();
        if (now - m_lastCheckpointMs >= kCheckpointSpacingMs) {
            m_lastCheckpointMs = now;
            m_store->database().checkpoint();
        }
    });
    return true;
}

void SpoolCore::start()
{
    m_dispatcher->start();
    if (m_options.workerOnly)
        return;
    m_maintenance->start();
    m_subscriptions->start();
}

bool SpoolCore::shutdown()
{
    m_stopped = true;
    return m_dispatcher->shutdown(m_options.settings.shutdownGraceMs);
}
