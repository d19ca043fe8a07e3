#include "store/archivestore.h"

#include "store/database.h"
#include "store/rows.h"

Expected<bool> ArchiveStore::archive(const QString &key, qint64 jobId, const QString &path, qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "INSERT INTO archive (key, job_id, path, created_at) VALUES (:key, :job, :path, :now)"
        " ON CONFLICT(key) DO UPDATE SET job_id = excluded.job_id, path = excluded.path"));
    q.bindValue(QStringLiteral(":key"), key);
    q.bindValue(QStringLiteral(":job"), jobId);
    q.bindValue(QStringLiteral(":path"), Rows::text(path));
    q.bindValue(QStringLiteral(":now"), now);
    const bool ok = m_db.run(q);
    q.finish();
    if (!ok)
        return m_db.storageError(QStringLiteral("archiving %1").arg(key));
    return true;
}

bool ArchiveStore::isArchived(const QString &key)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT 1 FROM archive WHERE key = :key"));
    q.bindValue(QStringLiteral(":key"), key);
    const bool found = m_db.run(q) && q.next();
    q.finish();
    return found;
}
