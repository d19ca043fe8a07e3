#pragma once

#include <QString>

// The SQL that differs between the database engines Spool's store speaks. Every statement of the
// stores is written once; where SQLite and PostgreSQL spell a thing differently, the statement asks
// the dialect. Today one dialect exists (SQLite); a PostgreSQL backend adds its own.
class SqlDialect final
{
public:
    static const SqlDialect &sqlite();

    // Starts a write transaction that holds the write lock from its first statement.
    QString beginWrite() const { return m_beginWrite; }
    // The values of a JSON array bound as one parameter, as a one-column row set named `value`.
    QString valuesOf(const QString &parameter) const;
    // A hint naming the index a query must use (empty where the planner needs none).
    QString indexedBy(const QString &index) const;
    // The larger of two values.
    QString greatest(const QString &a, const QString &b) const;
    // A fresh random 63-bit integer, evaluated once per row.
    QString randomToken() const { return m_randomToken; }

private:
    SqlDialect() = default;
    QString m_beginWrite;
    QString m_valuesOf;   // %1: the parameter
    QString m_indexedBy;  // %1: the index
    QString m_greatest;   // %1, %2
    QString m_randomToken;
};
