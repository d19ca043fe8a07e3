#include "store/cooldownstore.h"

#include "store/database.h"
#include "store/rows.h"
#include "store/sqldialect.h"

Expected<bool> CooldownStore::setCooldown(const QString &host, qint64 until, const QString &reason)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "INSERT INTO host_cooldowns (host, until_ms, reason) VALUES (:host, :until, :reason)"
        " ON CONFLICT(host) DO UPDATE SET until_ms = ") + m_db.dialect().greatest(QStringLiteral("host_cooldowns.until_ms"), QStringLiteral("excluded.until_ms"))
        + QStringLiteral(", reason = excluded.reason"));
    q.bindValue(QStringLiteral(":host"), host);
    q.bindValue(QStringLiteral(":until"), until);
    q.bindValue(QStringLiteral(":reason"), Rows::text(reason));
    const bool ok = m_db.run(q);
    q.finish();
    if (!ok)
        return m_db.storageError(QStringLiteral("cooling down %1").arg(host));
    return true;
}

QHash<QString, qint64> CooldownStore::active(qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT host, until_ms FROM host_cooldowns WHERE until_ms > :now"));
    q.bindValue(QStringLiteral(":now"), now);
    return m_db.run(q) ? Rows::readKeyedValues(q) : QHash<QString, qint64>();
}

int CooldownStore::purgeEnded(qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("DELETE FROM host_cooldowns WHERE until_ms <= :now"));
    q.bindValue(QStringLiteral(":now"), now);
    const int purged = m_db.run(q) ? q.numRowsAffected() : 0;
    q.finish();
    return purged;
}
