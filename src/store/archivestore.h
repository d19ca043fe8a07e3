#pragma once

#include "core/expected.h"

#include <QString>

class Database;

// Videos downloaded for good, by dedup key: survives pruning of the jobs that fetched them, so no
// channel or playlist downloads them again.
class ArchiveStore final
{
public:
    explicit ArchiveStore(Database &db) : m_db(db) {}
    Q_DISABLE_COPY_MOVE(ArchiveStore)

    Expected<bool> archive(const QString &key, qint64 jobId, const QString &path, qint64 now);
    bool isArchived(const QString &key);

private:
    Database &m_db;
};
