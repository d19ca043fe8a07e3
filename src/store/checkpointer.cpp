#include "store/checkpointer.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>

Checkpointer::Checkpointer(QString path, int busyTimeoutMs) : m_path(std::move(path)), m_busyTimeoutMs(busyTimeoutMs)
{
    m_thread = std::thread([this] { loop(); });
}

Checkpointer::~Checkpointer()
{
    detach();
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void Checkpointer::attach(sqlite3 *writer)
{
    m_writer = writer;
    sqlite3_wal_hook(writer, &Checkpointer::walHook, this);
}

void Checkpointer::detach()
{
    if (!m_writer)
        return;
    sqlite3_wal_hook(m_writer, nullptr, nullptr);
    m_writer = nullptr;
}

Checkpointer::Stats Checkpointer::stats() const
{
    std::lock_guard lock(m_mutex);
    return m_stats;
}

int Checkpointer::walHook(void *self, sqlite3 *db, const char *, int pages)
{
    static_cast<Checkpointer *>(self)->written(db, pages);
    return SQLITE_OK;
}

void Checkpointer::written(sqlite3 *db, int pages)
{
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        m_walPages = pages;
        m_stats.walPages = pages;
        m_dirty = true;
        // The hook gives the log's whole length: frames a checkpoint could not copy yet (a reader
        // still needs them) count once, not as a reason to try again after every commit.
        if (pages < m_checkpointedPages)
            m_checkpointedPages = 0; // the log started again
        wake = pages >= m_checkpointedPages + kThresholdPages;
    }
    if (wake)
        m_wake.notify_one();
    if (pages >= kWriterCatchUpPages) {
        // The log restarts on the next write only if it was copied to its end with no write in
        // between: here, between this writer's transactions, that holds.
        sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        std::lock_guard lock(m_mutex);
        ++m_stats.writerFallbacks;
    }
}

void Checkpointer::loop()
{
    std::unique_lock lock(m_mutex);
    while (!m_stop) {
        m_wake.wait_for(lock, std::chrono::seconds(1),
                        [this] { return m_stop || m_walPages >= m_checkpointedPages + kThresholdPages; });
        if (m_stop || !m_dirty)
            continue;
        m_dirty = false;
        m_checkpointedPages = m_walPages;
        m_walPages = 0; // until the next commit says how long the log is
        lock.unlock();
        checkpointOnce();
        lock.lock();
    }
    lock.unlock();
    if (m_own)
        sqlite3_close_v2(m_own);
}

void Checkpointer::checkpointOnce()
{
    if (!m_own) {
        const QByteArray path = m_path.toUtf8();
        if (sqlite3_open_v2(path.constData(), &m_own, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
            std::lock_guard lock(m_mutex);
            m_stats.lastError = QString::fromUtf8(sqlite3_errmsg(m_own));
            sqlite3_close_v2(m_own);
            m_own = nullptr;
            return;
        }
        sqlite3_busy_timeout(m_own, m_busyTimeoutMs);
        // A connection learns that the file is in WAL mode when it first reads it; until then a
        // checkpoint does nothing.
        sqlite3_exec(m_own, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
    }
    int logFrames = 0;
    int copied = 0;
    const int rc = sqlite3_wal_checkpoint_v2(m_own, nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
    std::lock_guard lock(m_mutex);
    ++m_stats.checkpoints;
    if (rc == SQLITE_OK || rc == SQLITE_BUSY) {
        m_stats.lastError.clear();
        // The next wake-up: a threshold's worth of frames past what is copied now (the log may
        // restart in between; then the hook's length is small and the wait is a second at most).
        m_checkpointedPages = std::max(logFrames, 0);
    } else {
        m_stats.lastError = QString::fromUtf8(sqlite3_errstr(rc));
    }
}
