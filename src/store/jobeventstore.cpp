#include "store/jobeventstore.h"

#include "store/database.h"
#include "store/rows.h"

Expected<bool> JobEventStore::append(qint64 jobId, qint64 at, const QString &level, const QString &event,
                                     const QString &message, const QJsonObject &fields)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("INSERT INTO job_events (job_id, at, level, event, message, fields)"
                                                " VALUES (:job, :at, :level, :event, :message, :fields)"));
    q.bindValue(QStringLiteral(":job"), jobId);
    q.bindValue(QStringLiteral(":at"), at);
    q.bindValue(QStringLiteral(":level"), level);
    q.bindValue(QStringLiteral(":event"), event);
    q.bindValue(QStringLiteral(":message"), message);
    q.bindValue(QStringLiteral(":fields"), Rows::toJsonText(fields));
    if (!m_db.run(q) || !m_db.completed(q))
        return m_db.storageError(QStringLiteral("writing the job log"));
    return true;
}

QList<JobEventStore::Line> JobEventStore::lines(qint64 jobId)
{
    QSqlQuery &q = m_db.prepared(
        QStringLiteral("SELECT at, level, event, message FROM job_events WHERE job_id = :job ORDER BY id"));
    q.bindValue(QStringLiteral(":job"), jobId);
    QList<Line> out;
    if (!m_db.run(q))
        return out;
    while (q.next())
        out << Line{q.value(0).toLongLong(), q.value(1).toString(), q.value(2).toString(), q.value(3).toString()};
    q.finish();
    return out;
}
