#include "store/joblisting.h"

#include "store/database.h"
#include "store/rows.h"
#include "store/sqldialect.h"

#include <QSqlQuery>

using namespace Rows;

namespace {
// Sort keys a caller may ask for, and the columns they map to.
const QHash<QString, QString> kSortColumns{
    {QStringLiteral("id"), QStringLiteral("id")},
    {QStringLiteral("created_at"), QStringLiteral("created_at")},
    {QStringLiteral("updated_at"), QStringLiteral("updated_at")},
    {QStringLiteral("finished_at"), QStringLiteral("finished_at")},
    {QStringLiteral("started_at"), QStringLiteral("started_at")},
    {QStringLiteral("priority"), QStringLiteral("priority")},
    {QStringLiteral("status"), QStringLiteral("status")},
    {QStringLiteral("type"), QStringLiteral("type")},
    {QStringLiteral("title"), QStringLiteral("title")},
    {QStringLiteral("attempts"), QStringLiteral("attempts")},
    {QStringLiteral("run_at"), QStringLiteral("run_at")},
    {QStringLiteral("progress"), QStringLiteral("progress_percent")},
    {QStringLiteral("worker"), QStringLiteral("worker")},
};

struct Where
{
    QString sql;
    QVariantMap binds;
};

Where whereFor(const JobFilter &filter, const SqlDialect &dialect)
{
    QStringList where;
    Where w;
    // Each status and type once, in one order: a filter's SQL (one cached statement per shape)
    // has a bounded number of shapes, whatever a client repeats.
    QList<JobStatus> statuses = filter.statuses;
    std::sort(statuses.begin(), statuses.end());
    statuses.erase(std::unique(statuses.begin(), statuses.end()), statuses.end());
    QStringList types = filter.types;
    types.sort();
    types.removeDuplicates();
    if (!statuses.isEmpty())
        where << QStringLiteral("status IN (%1)").arg(statusList(statuses));
    if (!types.isEmpty()) {
        QStringList names;
        for (int i = 0; i < types.size(); ++i) {
            names << QStringLiteral(":type%1").arg(i);
            w.binds.insert(names.last(), types[i]);
        }
        where << QStringLiteral("type IN (%1)").arg(names.join(QLatin1Char(',')));
    }
    if (filter.parentId) {
        where << (*filter.parentId == 0 ? QStringLiteral("parent_job_id IS NULL")
                                        : QStringLiteral("parent_job_id = :parent"));
        if (*filter.parentId != 0)
            w.binds.insert(QStringLiteral(":parent"), *filter.parentId);
    }
    if (filter.textMatches) {
        where << QStringLiteral("id IN (") + dialect.intValuesOf(QStringLiteral(":matches")) + QLatin1Char(')');
        w.binds.insert(QStringLiteral(":matches"), *filter.textMatches);
    } else if (filter.text.size() >= 3) {
        where << QStringLiteral("id IN (") + dialect.textSearch() + QLatin1Char(')');
        w.binds.insert(QStringLiteral(":text"), dialect.textSearchValue(filter.text));
    } else if (!filter.text.isEmpty()) {
        where << QStringLiteral("(title LIKE :text ESCAPE '\\' OR url LIKE :text ESCAPE '\\')");
        w.binds.insert(QStringLiteral(":text"), SqlDialect::containsPattern(filter.text));
    }
    w.sql = where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    return w;
}
} // namespace

qint64 JobListing::count(const JobFilter &filter)
{
    if (filter.text.isEmpty() && (!filter.parentId || *filter.parentId == 0)) {
        // Status, type and "top level": the trigger-maintained counts answer at once.
        qint64 total = 0;
        QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT status, type, top_level, SUM(n) FROM job_counts GROUP BY status, type, top_level HAVING SUM(n) > 0"));
        if (!m_db.run(q))
            return 0;
        while (q.next()) {
            const auto status = statusFromName(q.value(0).toString());
            const bool statusOk = filter.statuses.isEmpty() || (status && filter.statuses.contains(*status));
            const bool typeOk = filter.types.isEmpty() || filter.types.contains(q.value(1).toString());
            const bool levelOk = !filter.parentId || q.value(2).toBool();
            if (statusOk && typeOk && levelOk)
                total += q.value(3).toLongLong();
        }
        q.finish();
        return total;
    }
    const Where w = whereFor(filter, m_db.dialect());
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT COUNT(*) FROM jobs") + w.sql);
    for (auto it = w.binds.cbegin(); it != w.binds.cend(); ++it)
        q.bindValue(it.key(), it.value());
    qint64 total = 0;
    if (m_db.run(q) && q.next())
        total = q.value(0).toLongLong();
    q.finish();
    return total;
}

QList<Job> JobListing::page(const JobFilter &filter)
{
    const Where w = whereFor(filter, m_db.dialect());
    const QString column = kSortColumns.value(filter.sort, QStringLiteral("id"));
    const QString order = filter.descending ? QStringLiteral(" DESC") : QString();
    QSqlQuery &rows = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns + QStringLiteral(" FROM jobs") + w.sql
                               + QStringLiteral(" ORDER BY ") + column + order + QStringLiteral(", id") + order
                               + QStringLiteral(" LIMIT :limit OFFSET :offset"));
    for (auto it = w.binds.cbegin(); it != w.binds.cend(); ++it)
        rows.bindValue(it.key(), it.value());
    rows.bindValue(QStringLiteral(":limit"), qBound(0, filter.limit, 100000));
    rows.bindValue(QStringLiteral(":offset"), qMax(0, filter.offset));
    if (!m_db.run(rows))
        return {};
    return readJobs(rows);
}

QList<qint64> JobListing::ids(const JobFilter &filter)
{
    const Where w = whereFor(filter, m_db.dialect());
    const QString column = kSortColumns.value(filter.sort, QStringLiteral("id"));
    const QString order = filter.descending ? QStringLiteral(" DESC") : QString();
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT id FROM jobs") + w.sql + QStringLiteral(" ORDER BY ") + column
                            + order + QStringLiteral(", id") + order);
    for (auto it = w.binds.cbegin(); it != w.binds.cend(); ++it)
        q.bindValue(it.key(), it.value());
    return m_db.run(q) ? readIds(q) : QList<qint64>();
}

QList<Job> JobListing::jobsInOrder(const QList<qint64> &ids)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns
                            + QStringLiteral(" FROM jobs WHERE id IN (") + m_db.dialect().intValuesOf(QStringLiteral(":ids")) + QStringLiteral(")"));
    q.bindValue(QStringLiteral(":ids"), jsonArray(ids));
    if (!m_db.run(q))
        return {};
    QHash<qint64, Job> byId;
    for (Job &job : readJobs(q))
        byId.insert(job.id, std::move(job));
    QList<Job> out;
    for (qint64 id : ids) {
        if (auto it = byId.find(id); it != byId.end())
            out << *it;
    }
    return out;
}

bool JobListing::resolveText(JobFilter &filter, int maxMatches, TextOverflow overflow)
{
    filter.textMatches.reset();
    if (filter.text.size() < 3)
        return true;
    QSqlQuery &q = m_db.prepared(m_db.dialect().textSearch() + QStringLiteral(" LIMIT :limit"));
    q.bindValue(QStringLiteral(":text"), m_db.dialect().textSearchValue(filter.text));
    q.bindValue(QStringLiteral(":limit"), maxMatches + 1);
    if (!m_db.run(q))
        return true;
    QList<qint64> ids;
    while (q.next())
        ids << q.value(0).toLongLong();
    q.finish();
    const bool complete = ids.size() <= maxMatches;
    if (!complete && overflow == TextOverflow::SearchDirectly)
        return true; // still exact: every count and page searches again
    if (!complete)
        ids.resize(maxMatches);
    filter.textMatches = jsonArray(ids);
    return complete;
}

JobPage JobListing::list(const JobFilter &filter)
{
    JobFilter resolved = filter;
    resolveText(resolved);
    return JobPage{page(resolved), count(resolved)};
}

QHash<QString, qint64> JobListing::countsBy(const QString &sql)
{
    QSqlQuery &q = m_db.prepared(sql);
    return m_db.run(q) ? readKeyedValues(q) : QHash<QString, qint64>();
}

QHash<QString, qint64> JobListing::countByStatus()
{
    return countsBy(QStringLiteral("SELECT status, SUM(n) FROM job_counts GROUP BY status HAVING SUM(n) > 0"));
}

QHash<QString, qint64> JobListing::countByType()
{
    return countsBy(QStringLiteral("SELECT type, SUM(n) FROM job_counts GROUP BY type HAVING SUM(n) > 0"));
}
