#pragma once

#include "core/expected.h"

#include <QJsonObject>
#include <QList>
#include <QString>

class Database;

// The queue's own lines in a job's log: started, completed, retry scheduled, failed for good,
// recovered, handed back. They are rows written in the same transaction as the change they
// describe, so a line is there exactly when its change is durable, costs no file and no sync of its
// own, and any process on the database can read it. What a worker writes while it runs (its
// messages, the programs' output) stays in the job's files (LogStore); JobLog shows both as
// one log. The "started" line is written by a trigger on the claim.
class JobEventStore final
{
public:
    struct Line
    {
        qint64 at = 0; // ms since the epoch
        QString level; // debug, info, warning, error
        QString event;
        QString message;
    };

    explicit JobEventStore(Database &db) : m_db(db) {}
    Q_DISABLE_COPY_MOVE(JobEventStore)

    Expected<bool> append(qint64 jobId, qint64 at, const QString &level, const QString &event, const QString &message,
                          const QJsonObject &fields = {});
    struct Entry
    {
        qint64 jobId = 0;
        qint64 at = 0;
        QString level;
        QString event;
        QString message;
        QJsonObject fields;
    };
    // Many lines in one statement, in the order given.
    Expected<bool> appendMany(const QList<Entry> &entries);
    // In the order written.
    QList<Line> lines(qint64 jobId);

private:
    Database &m_db;
};
