#include "store/sqldialect.h"

const SqlDialect &SqlDialect::sqlite()
{
    static const SqlDialect dialect = [] {
        SqlDialect d;
        // Qt's transaction() sends a plain BEGIN, which takes the write lock only at the first
        // write and can fail there with SQLITE_BUSY halfway through a unit of work.
        d.m_beginWrite = QStringLiteral("BEGIN IMMEDIATE");
        d.m_valuesOf = QStringLiteral("SELECT value FROM json_each(%1)");
        // Without statistics the planner prefers a full index plus a sort over the partial index
        // a claim is built on; naming it keeps every claim a short index walk.
        d.m_indexedBy = QStringLiteral(" INDEXED BY %1");
        d.m_greatest = QStringLiteral("MAX(%1, %2)");
        d.m_randomToken = QStringLiteral("(random() & 9223372036854775807)");
        return d;
    }();
    return dialect;
}

QString SqlDialect::valuesOf(const QString &parameter) const
{
    return m_valuesOf.arg(parameter);
}

QString SqlDialect::indexedBy(const QString &index) const
{
    return m_indexedBy.arg(index);
}

QString SqlDialect::greatest(const QString &a, const QString &b) const
{
    return m_greatest.arg(a, b);
}
