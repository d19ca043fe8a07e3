#pragma once

#include <QList>
#include <QString>

#include <utility>

// The SQL that differs between the database engines Spool's store speaks (SQLite, PostgreSQL).
// Every statement of the stores is written once; where the engines spell a thing differently,
// the statement asks the dialect. The schemas themselves are in Migrations, one list per engine.
class SqlDialect final
{
public:
    static const SqlDialect &sqlite();
    static const SqlDialect &postgresql();

    // Starts a write transaction that holds the write lock from its first statement.
    QString beginWrite() const { return m_beginWrite; }
    // The values of a JSON array of strings bound as one parameter, as a one-column row set
    // named `value`; intValuesOf for an array of integers.
    QString valuesOf(const QString &parameter) const { return m_valuesOf.arg(parameter); }
    QString intValuesOf(const QString &parameter) const { return m_intValuesOf.arg(parameter); }
    // A JSON array of objects bound as one parameter, as a row set with one column per member:
    // each column named as its member, typed "bigint", "double" or "text" (a bigint may come as a
    // JSON string, for values beyond a double's 53 bits).
    using Column = std::pair<QString, QString>;
    QString recordsOf(const QString &parameter, const QList<Column> &columns) const;
    // The integer under the key `key` (an SQL expression) of a JSON object bound as `parameter`.
    QString intMember(const QString &parameter, const QString &key) const { return m_intMember.arg(parameter, key); }
    // A hint naming the index a query must use (empty where the planner needs none).
    QString indexedBy(const QString &index) const { return m_indexedBy.isEmpty() ? QString() : m_indexedBy.arg(index); }
    // The larger of two values.
    QString greatest(const QString &a, const QString &b) const { return m_greatest.arg(a, b); }
    // True when a condition holds for every row of a group.
    QString allOf(const QString &condition) const { return m_allOf.arg(condition); }
    // A fresh random 63-bit integer, evaluated once per row.
    QString randomToken() const { return m_randomToken; }
    // The id of a job being inserted: never one that was handed out before.
    QString newJobId() const { return m_newJobId; }
    // After a SELECT of rows to claim: lock them, skipping rows another host is claiming.
    QString skipLocked() const { return m_skipLocked; }
    // A statement that holds, until the transaction ends, a lock named by the text bound as :key,
    // so that hosts do one thing at a time (empty where one writer is all there is).
    QString transactionLock() const { return m_transactionLock; }
    // The ids of jobs whose title or URL contains :text (three characters or more), and the value
    // to bind as :text for `text`.
    QString textSearch() const { return m_textSearch; }
    QString textSearchValue(const QString &text) const;
    // A LIKE pattern (ESCAPE '\\') matching any text that contains `text`, wildcards taken literally.
    static QString containsPattern(const QString &text);

private:
    SqlDialect() = default;
    bool m_postgresql = false;
    QString m_beginWrite;
    QString m_valuesOf;    // %1: the parameter
    QString m_intValuesOf; // %1: the parameter
    QString m_intMember;   // %1: the parameter, %2: the key
    QString m_indexedBy;   // %1: the index
    QString m_greatest;    // %1, %2
    QString m_allOf;       // %1
    QString m_randomToken;
    QString m_newJobId;
    QString m_skipLocked;
    QString m_transactionLock;
    QString m_textSearch;
};
