#pragma once

#include "queue/job.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QStringList>
#include <QVariant>

// How values travel between the stores and their rows: the job columns in order, JSON text,
// lists bound as one parameter, and the "none" conventions of the schema.
namespace Rows {
// Every column a Job is read from, in the order jobFrom() reads them.
extern const QString kJobColumns;
// kJobColumns, each prefixed with a table alias ("j.id, j.type, ...").
QString jobColumns(const QString &alias);
Job jobFrom(const QSqlQuery &query);
// Reads every row of an executed query as a Job. A step can fail after the first row (a write
// with RETURNING that runs out of disk): ask Database::completed() before trusting the rows.
QList<Job> fetchJobs(QSqlQuery &query);
// The rows of a read, then the query finished.
QList<Job> readJobs(QSqlQuery &query);

// The first column of every row as ids, then the query finished.
QList<qint64> readIds(QSqlQuery &query);
// (text, integer) rows as a map, then the query finished.
QHash<QString, qint64> readKeyedValues(QSqlQuery &query);

QString toJsonText(const QJsonObject &object);
QJsonObject fromJsonText(const QString &text);
// Lists bound as one parameter and read back as rows with the dialect's valuesOf().
QString jsonArray(const QStringList &values);
QString jsonArray(const QList<qint64> &ids);
// Qt binds a null QString as SQL NULL; text columns here are NOT NULL with '' for "none".
QVariant text(const QString &value);
QVariant nullIfZero(qint64 value);
QVariant nullIfNegative(double value);
QVariant nullIfNegative(qint64 value);
QString statusList(const QList<JobStatus> &statuses);
} // namespace Rows
