#pragma once

#include "logging/logtail.h"

#include <QByteArray>

class LogStore;
class Store;

// A job's log as people read it (the window, GET /api/jobs/{id}/log, `spool logs`): the worker's
// lines from the job's job.log with the queue's lines from the database (JobEventStore) placed
// among them by time, in job.log's format. Read by byte offset into that combined text, as LogTail
// reads a file: each database line sits before the first file entry that is later than it, so
// the text only grows at its end while the file grows, and a read costs a few seeks per database
// line plus the bytes returned, never the whole file. On a shared queue (LogStore::sharedLines)
// the worker's entries are rows as well and the text is the rows alone, on whichever host reads
// it. Read on the thread that owns the store.
class JobLog final
{
public:
    JobLog(Store &store, const LogStore &logs) : m_store(store), m_logs(logs) {}

    // Whole lines from `offset` on, at most `maxBytes` (a longer single line is cut).
    LogTail::Chunk read(qint64 jobId, qint64 offset, qint64 maxBytes = 1 << 20) const;
    // The length of the combined text.
    qint64 size(qint64 jobId) const;
    // All of it (tests, small logs).
    QByteArray text(qint64 jobId) const;

private:
    Store &m_store;
    const LogStore &m_logs;
};
