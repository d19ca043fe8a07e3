#include "store/sqldialect.h"

const SqlDialect &SqlDialect::sqlite()
{
    static const SqlDialect dialect = [] {
        SqlDialect d;
        // Qt's transaction() sends a plain BEGIN, which takes the write lock only at the first
        // write and can fail there with SQLITE_BUSY halfway through a unit of work.
        d.m_beginWrite = QStringLiteral("BEGIN IMMEDIATE");
        d.m_valuesOf = QStringLiteral("SELECT value FROM json_each(%1)");
        d.m_intValuesOf = d.m_valuesOf;
        d.m_intMember = QStringLiteral("(SELECT value FROM json_each(%1) WHERE key = %2)");
        // Without statistics the planner prefers a full index plus a sort over the partial index
        // a claim is built on; naming it keeps every claim a short index walk.
        d.m_indexedBy = QStringLiteral(" INDEXED BY %1");
        d.m_greatest = QStringLiteral("MAX(%1, %2)");
        d.m_allOf = QStringLiteral("MIN(%1) = 1");
        d.m_randomToken = QStringLiteral("(random() & 9223372036854775807)");
        // SQLite would give the largest id + 1, so an id removed at the top would come back.
        d.m_newJobId = QStringLiteral("MAX(COALESCE((SELECT MAX(id) FROM jobs), 0),"
                                      " (SELECT value FROM queue_state WHERE key = 'last_removed_id')) + 1");
        // One writer at a time: the claim's transaction already holds the database.
        d.m_skipLocked = QString();
        // The trigram FTS5 index: any substring of three characters or more, without a scan.
        d.m_textSearch = QStringLiteral("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH :text");
        return d;
    }();
    return dialect;
}

const SqlDialect &SqlDialect::postgresql()
{
    static const SqlDialect dialect = [] {
        SqlDialect d;
        d.m_postgresql = true;
        // Rows are locked as they are written; claims lock what they take (skipLocked).
        d.m_beginWrite = QStringLiteral("BEGIN");
        d.m_valuesOf = QStringLiteral("SELECT value FROM json_array_elements_text(CAST(%1 AS json)) AS e(value)");
        d.m_intValuesOf = QStringLiteral(
            "SELECT CAST(value AS bigint) AS value FROM json_array_elements_text(CAST(%1 AS json)) AS e(value)");
        d.m_intMember = QStringLiteral("CAST(CAST(%1 AS json) ->> %2 AS bigint)");
        d.m_indexedBy = QString();
        d.m_greatest = QStringLiteral("GREATEST(%1, %2)");
        d.m_allOf = QStringLiteral("bool_and(%1)");
        d.m_randomToken = QStringLiteral("CAST(floor(random() * 9223372036854775807) AS bigint)");
        // A sequence never hands out an id twice, whatever was removed.
        d.m_newJobId = QStringLiteral("nextval('jobs_id_seq')");
        d.m_skipLocked = QStringLiteral(" FOR UPDATE SKIP LOCKED");
        d.m_transactionLock = QStringLiteral("SELECT pg_advisory_xact_lock(hashtext(:key))");
        // pg_trgm's GIN index on title and url answers ILIKE '%...%' without a scan.
        d.m_textSearch = QStringLiteral("SELECT id FROM jobs WHERE title ILIKE :text OR url ILIKE :text");
        return d;
    }();
    return dialect;
}

QString SqlDialect::containsPattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
        .replace(QLatin1Char('%'), QLatin1String("\\%"))
        .replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

QString SqlDialect::textSearchValue(const QString &text) const
{
    if (m_postgresql)
        return containsPattern(text);
    // One FTS5 phrase.
    QString phrase = text;
    phrase.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + phrase + QLatin1Char('"');
}

QString SqlDialect::recordsOf(const QString &parameter, const QList<Column> &columns) const
{
    QStringList parts;
    if (m_postgresql) {
        for (const Column &c : columns)
            parts << c.first + QLatin1Char(' ') + (c.second == QLatin1String("double") ? QStringLiteral("double precision") : c.second);
        return QStringLiteral("SELECT * FROM json_to_recordset(CAST(%1 AS json)) AS r(%2)")
            .arg(parameter, parts.join(QStringLiteral(", ")));
    }
    for (const Column &c : columns) {
        const QString type = c.second == QLatin1String("bigint")   ? QStringLiteral("INTEGER")
                             : c.second == QLatin1String("double") ? QStringLiteral("REAL")
                                                                   : QStringLiteral("TEXT");
        parts << QStringLiteral("CAST(json_extract(value, '$.%1') AS %2) AS %1").arg(c.first, type);
    }
    return QStringLiteral("SELECT %1 FROM json_each(%2)").arg(parts.join(QStringLiteral(", ")), parameter);
}
