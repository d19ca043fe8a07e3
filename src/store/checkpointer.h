#pragma once

#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

struct sqlite3;

struct CheckpointStats
{
    qint64 checkpoints = 0;     // checkpoints run by the background thread
    int walPages = 0;           // the log's length after the last commit
    qint64 writerFallbacks = 0; // checkpoints the writer ran itself: the log outgrew kWriterCatchUpPages
    QString lastError;
};

// Copies the write-ahead log back into the database file on a thread of its own, over a
// connection of its own, so no commit waits for it. SQLite's automatic checkpoint runs inside the
// commit that crosses 1,000 WAL pages and syncs the database file there: a stall of several
// milliseconds on the thread that committed (the window's, the dispatcher's) every few thousand
// writes. With this, commits only append to the WAL; the writer's WAL hook tells the checkpointer
// how large the log has grown, and it checkpoints (PASSIVE: never blocks writers or readers) once
// that passes the threshold, or a second after the last write otherwise.
class Checkpointer final
{
public:
    using Stats = CheckpointStats;

    // The log size (pages) that wakes the checkpointer, as SQLite's own default.
    static constexpr int kThresholdPages = 1000;
    // Under writes without pause no passive checkpoint reaches the log's end, and SQLite starts the
    // log again only once one has. Past this length the writer checkpoints itself between two
    // transactions: the background thread has copied nearly everything by then, so this is one
    // sync of the database file per 32 MB of log instead of one per 4 MB.
    static constexpr int kWriterCatchUpPages = 8 * kThresholdPages;

    Checkpointer(QString path, int busyTimeoutMs);
    ~Checkpointer();
    Checkpointer(const Checkpointer &) = delete;
    Checkpointer &operator=(const Checkpointer &) = delete;

    // Takes over checkpointing for this writer connection (installs its WAL hook, which also turns
    // SQLite's automatic checkpoint off). detach() before the connection closes.
    void attach(sqlite3 *writer);
    void detach();
    Stats stats() const;

private:
    static int walHook(void *self, sqlite3 *db, const char *schema, int pages);
    void written(sqlite3 *db, int pages);
    void loop();
    void checkpointOnce();

    QString m_path;
    int m_busyTimeoutMs;
    sqlite3 *m_writer = nullptr;
    sqlite3 *m_own = nullptr; // used by the background thread only
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    int m_walPages = 0;
    int m_checkpointedPages = 0; // the log length at the last checkpoint, while frames remain uncopied
    bool m_dirty = false;
    Stats m_stats;
    std::thread m_thread;
};
