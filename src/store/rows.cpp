#include "store/rows.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Rows {
const QString kJobColumns = QStringLiteral(
    "id, type, status, priority, url, options, parent_job_id, unique_key, attempts, max_attempts, run_at,"
    " created_at, started_at, finished_at, updated_at, lease_until, worker, progress_percent,"
    " downloaded_bytes, total_bytes, speed_bps, eta_s, items_done, items_total, error_class,"
    " error_message, result, title, uploader, duration_s, upload_date, host, claim_id");

QString jobColumns(const QString &alias)
{
    QStringList out;
    for (const QString &column : kJobColumns.split(QLatin1Char(',')))
        out << alias + QLatin1Char('.') + column.trimmed();
    return out.join(QStringLiteral(", "));
}

Job jobFrom(const QSqlQuery &q)
{
    Job job;
    int c = 0;
    job.id = q.value(c++).toLongLong();
    job.type = q.value(c++).toString();
    job.status = statusFromName(q.value(c++).toString()).value_or(JobStatus::Dead);
    job.priority = q.value(c++).toInt();
    job.url = q.value(c++).toString();
    job.options = fromJsonText(q.value(c++).toString());
    job.parentId = q.value(c++).toLongLong();
    job.uniqueKey = q.value(c++).toString();
    job.attempts = q.value(c++).toInt();
    job.maxAttempts = q.value(c++).toInt();
    job.runAt = q.value(c++).toLongLong();
    job.createdAt = q.value(c++).toLongLong();
    job.startedAt = q.value(c++).toLongLong();
    job.finishedAt = q.value(c++).toLongLong();
    job.updatedAt = q.value(c++).toLongLong();
    job.leaseUntil = q.value(c++).toLongLong();
    job.worker = q.value(c++).toString();
    const QVariant percent = q.value(c++);
    job.progress.percent = percent.isNull() ? -1 : percent.toDouble();
    job.progress.downloadedBytes = q.value(c++).toLongLong();
    const QVariant total = q.value(c++);
    job.progress.totalBytes = total.isNull() ? -1 : total.toLongLong();
    const QVariant speed = q.value(c++);
    job.progress.speedBps = speed.isNull() ? -1 : speed.toDouble();
    const QVariant eta = q.value(c++);
    job.progress.etaSeconds = eta.isNull() ? -1 : eta.toLongLong();
    job.progress.itemsDone = q.value(c++).toInt();
    job.progress.itemsTotal = q.value(c++).toInt();
    job.errorClass = q.value(c++).toString();
    job.errorMessage = q.value(c++).toString();
    job.result = fromJsonText(q.value(c++).toString());
    job.title = q.value(c++).toString();
    job.uploader = q.value(c++).toString();
    const QVariant duration = q.value(c++);
    job.durationS = duration.isNull() ? -1 : duration.toDouble();
    job.uploadDate = q.value(c++).toString();
    job.host = q.value(c++).toString();
    job.claimId = q.value(c++).toLongLong();
    return job;
}

QList<Job> fetchJobs(QSqlQuery &query)
{
    QList<Job> out;
    while (query.next())
        out << jobFrom(query);
    return out; // the caller asks Database::completed() whether every row came, then it finishes

}

QList<Job> readJobs(QSqlQuery &query)
{
    QList<Job> out = fetchJobs(query);
    query.finish(); // an unfinished read holds a snapshot and starves checkpoints
    return out;
}

QList<qint64> readIds(QSqlQuery &query)
{
    QList<qint64> out;
    while (query.next())
        out << query.value(0).toLongLong();
    query.finish();
    return out;
}

QHash<QString, qint64> readKeyedValues(QSqlQuery &query)
{
    QHash<QString, qint64> out;
    while (query.next())
        out.insert(query.value(0).toString(), query.value(1).toLongLong());
    query.finish();
    return out;
}

QString toJsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject fromJsonText(const QString &text)
{
    // The empty object is the common case (no options, no result): no parser for it.
    if (text.size() <= 2)
        return {};
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString jsonArray(const QStringList &values)
{
    if (values.isEmpty())
        return QStringLiteral("[]");
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact));
}

QString jsonArray(const QList<qint64> &ids)
{
    QString list;
    list.reserve(ids.size() * 8 + 2);
    list += QLatin1Char('[');
    for (qint64 id : ids) {
        if (list.size() > 1)
            list += QLatin1Char(',');
        list += QString::number(id);
    }
    return list + QLatin1Char(']');
}

QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

QVariant nullIfZero(qint64 value)
{
    return value == 0 ? QVariant() : QVariant(value);
}

QVariant nullIfNegative(double value)
{
    return value < 0 ? QVariant() : QVariant(value);
}

QVariant nullIfNegative(qint64 value)
{
    return value < 0 ? QVariant() : QVariant(value);
}

QString statusList(const QList<JobStatus> &statuses)
{
    QStringList quoted;
    for (JobStatus s : statuses)
        quoted << QLatin1Char('\'') + statusName(s) + QLatin1Char('\'');
    return quoted.join(QLatin1Char(','));
}
} // namespace Rows
