#include "store/jobeventstore.h"

#include "store/database.h"
#include "store/rows.h"
#include "store/sqldialect.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>

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

Expected<bool> JobEventStore::appendMany(const QList<Entry> &entries)
{
    if (entries.isEmpty())
        return true;
    QJsonArray rows;
    for (const Entry &e : entries)
        rows.append(QJsonObject{{QStringLiteral("e_job"), e.jobId},
                                {QStringLiteral("e_at"), QString::number(e.at)},
                                {QStringLiteral("e_level"), e.level},
                                {QStringLiteral("e_event"), e.event},
                                {QStringLiteral("e_message"), e.message},
                                {QStringLiteral("e_fields"), Rows::toJsonText(e.fields)}});
    static const QList<SqlDialect::Column> kColumns{
        {QStringLiteral("e_job"), QStringLiteral("bigint")},   {QStringLiteral("e_at"), QStringLiteral("bigint")},
        {QStringLiteral("e_level"), QStringLiteral("text")},   {QStringLiteral("e_event"), QStringLiteral("text")},
        {QStringLiteral("e_message"), QStringLiteral("text")}, {QStringLiteral("e_fields"), QStringLiteral("text")}};
    // The rows keep the array's order: ids follow it, and a log reads in id order. Lines of a job
    // removed meanwhile are dropped, not left behind.
    QSqlQuery &q = m_db.prepared(QStringLiteral("INSERT INTO job_events (job_id, at, level, event, message, fields)"
                                                " SELECT e_job, e_at, e_level, e_event, e_message, e_fields FROM (")
                                 + m_db.dialect().recordsOf(QStringLiteral(":rows"), kColumns)
                                 + QStringLiteral(") AS e WHERE EXISTS (SELECT 1 FROM jobs WHERE jobs.id = e_job)"));
    q.bindValue(QStringLiteral(":rows"), QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact)));
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
