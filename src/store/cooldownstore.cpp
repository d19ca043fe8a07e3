#include "store/cooldownstore.h"

#include "core/throttle.h"
#include "store/database.h"
#include "store/rows.h"
#include "store/sqldialect.h"

namespace {
const QString kColumns = QStringLiteral("host, until_ms, since_ms, kind, reason, strikes");

HostCooldown readCooldown(const QSqlQuery &q)
{
    return HostCooldown{q.value(0).toString(), q.value(1).toLongLong(), q.value(2).toLongLong(),
                        q.value(3).toString(), q.value(4).toString(), q.value(5).toInt()};
}
} // namespace

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

std::optional<HostCooldown> CooldownStore::find(const QString &host)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM host_cooldowns WHERE host = :host"));
    q.bindValue(QStringLiteral(":host"), host);
    std::optional<HostCooldown> out;
    if (m_db.run(q) && q.next())
        out = readCooldown(q);
    q.finish();
    return out;
}

Expected<HostCooldown> CooldownStore::strike(const QString &host, qint64 now, const QString &kind, const QString &reason,
                                             qint64 atLeastUntil, const ThrottleSettings &throttle)
{
    // Read, then write: the caller's unit holds the writer (SQLite); on a shared queue two hosts
    // striking at the same moment may count one strike less, which only shortens one pause.
    const std::optional<HostCooldown> before = find(host);
    HostCooldown c{host, 0, now, kind, reason, 1};
    if (before && before->untilMs > now) {
        // Refused again while paused (downloads that were already running when the first came
        // back): the same event, not one more strike; only a longer Retry-After extends it.
        if (atLeastUntil <= before->untilMs)
            return *before;
        c = *before;
        c.untilMs = atLeastUntil;
    } else {
        if (before && before->untilMs + throttle.cleanPeriodMs > now)
            c.strikes = before->strikes + 1;
        c.untilMs = qMax(now + throttle.cooldownStepMs(c.strikes), atLeastUntil);
    }
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "INSERT INTO host_cooldowns (host, until_ms, since_ms, kind, reason, strikes)"
        " VALUES (:host, :until, :since, :kind, :reason, :strikes)"
        " ON CONFLICT(host) DO UPDATE SET until_ms = excluded.until_ms, since_ms = excluded.since_ms,"
        " kind = excluded.kind, reason = excluded.reason, strikes = excluded.strikes"));
    q.bindValue(QStringLiteral(":host"), host);
    q.bindValue(QStringLiteral(":until"), c.untilMs);
    q.bindValue(QStringLiteral(":since"), c.sinceMs);
    q.bindValue(QStringLiteral(":kind"), Rows::text(kind));
    q.bindValue(QStringLiteral(":reason"), Rows::text(reason.left(500)));
    q.bindValue(QStringLiteral(":strikes"), c.strikes);
    const bool ok = m_db.run(q);
    q.finish();
    if (!ok)
        return m_db.storageError(QStringLiteral("cooling down %1").arg(host));
    return c;
}

Expected<bool> CooldownStore::resume(const QString &host, qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("UPDATE host_cooldowns SET until_ms = :now WHERE host = :host AND until_ms > :now"));
    q.bindValue(QStringLiteral(":host"), host);
    q.bindValue(QStringLiteral(":now"), now);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("resuming %1").arg(host));
    const bool resumed = q.numRowsAffected() > 0;
    q.finish();
    return resumed;
}

QHash<QString, qint64> CooldownStore::active(qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT host, until_ms FROM host_cooldowns WHERE until_ms > :now"));
    q.bindValue(QStringLiteral(":now"), now);
    return m_db.run(q) ? Rows::readKeyedValues(q) : QHash<QString, qint64>();
}

QList<HostCooldown> CooldownStore::activeDetails(qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kColumns
                                 + QStringLiteral(" FROM host_cooldowns WHERE until_ms > :now ORDER BY until_ms, host"));
    q.bindValue(QStringLiteral(":now"), now);
    QList<HostCooldown> out;
    if (m_db.run(q)) {
        while (q.next())
            out << readCooldown(q);
    }
    q.finish();
    return out;
}

int CooldownStore::purgeEnded(qint64 now, qint64 keepMs)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("DELETE FROM host_cooldowns WHERE until_ms <= :before"));
    q.bindValue(QStringLiteral(":before"), now - keepMs);
    const int purged = m_db.run(q) ? q.numRowsAffected() : 0;
    q.finish();
    return purged;
}
