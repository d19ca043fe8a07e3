#include "store/subscriptionstore.h"

#include "store/database.h"
#include "store/rows.h"

using namespace Rows;

namespace {
const QString kSubscriptionColumns =
    QStringLiteral("id, url, type, interval_s, options, priority, next_run_at, last_job_id");

Subscription subscriptionFrom(const QSqlQuery &q)
{
    Subscription s;
    s.id = q.value(0).toLongLong();
    s.url = q.value(1).toString();
    s.type = q.value(2).toString();
    s.intervalS = q.value(3).toLongLong();
    s.options = fromJsonText(q.value(4).toString());
    s.priority = q.value(5).toInt();
    s.nextRunAt = q.value(6).toLongLong();
    s.lastJobId = q.value(7).toLongLong();
    return s;
}

QList<Subscription> fetchSubscriptions(QSqlQuery &q)
{
    QList<Subscription> out;
    while (q.next())
        out << subscriptionFrom(q);
    q.finish();
    return out;
}
} // namespace

bool SubscriptionStore::save(const Subscription &s, qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "INSERT INTO subscriptions (url, type, interval_s, options, priority, next_run_at, last_job_id, created_at)"
        " VALUES (:url, :type, :interval, :options, :priority, :next, :last, :now)"
        " ON CONFLICT(url) DO UPDATE SET type = excluded.type, interval_s = excluded.interval_s,"
        " options = excluded.options, priority = excluded.priority, next_run_at = excluded.next_run_at,"
        " last_job_id = excluded.last_job_id, enabled = 1"));
    q.bindValue(QStringLiteral(":url"), s.url);
    q.bindValue(QStringLiteral(":type"), s.type);
    q.bindValue(QStringLiteral(":interval"), s.intervalS);
    q.bindValue(QStringLiteral(":options"), toJsonText(s.options));
    q.bindValue(QStringLiteral(":priority"), s.priority);
    q.bindValue(QStringLiteral(":next"), s.nextRunAt);
    q.bindValue(QStringLiteral(":last"), nullIfZero(s.lastJobId));
    q.bindValue(QStringLiteral(":now"), now);
    const bool ok = m_db.run(q);
    q.finish();
    return ok;
}

QList<Subscription> SubscriptionStore::due(qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kSubscriptionColumns
                                 + QStringLiteral(" FROM subscriptions WHERE enabled = 1 AND next_run_at <= :now ORDER BY next_run_at"));
    q.bindValue(QStringLiteral(":now"), now);
    return m_db.run(q) ? fetchSubscriptions(q) : QList<Subscription>();
}

QList<Subscription> SubscriptionStore::all()
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kSubscriptionColumns + QStringLiteral(" FROM subscriptions ORDER BY id"));
    return m_db.run(q) ? fetchSubscriptions(q) : QList<Subscription>();
}

std::optional<Subscription> SubscriptionStore::find(qint64 id)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kSubscriptionColumns + QStringLiteral(" FROM subscriptions WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    const QList<Subscription> found = m_db.run(q) ? fetchSubscriptions(q) : QList<Subscription>();
    return found.isEmpty() ? std::nullopt : std::optional<Subscription>(found.first());
}

std::optional<qint64> SubscriptionStore::nextDue()
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT MIN(next_run_at) FROM subscriptions WHERE enabled = 1"));
    std::optional<qint64> out;
    if (m_db.run(q) && q.next() && !q.value(0).isNull())
        out = q.value(0).toLongLong();
    q.finish();
    return out;
}

bool SubscriptionStore::reschedule(qint64 id, qint64 nextRunAt)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("UPDATE subscriptions SET next_run_at = :next WHERE id = :id"));
    q.bindValue(QStringLiteral(":next"), nextRunAt);
    q.bindValue(QStringLiteral(":id"), id);
    const bool ok = m_db.run(q);
    q.finish();
    return ok;
}

bool SubscriptionStore::remove(qint64 id)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("DELETE FROM subscriptions WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    const bool ok = m_db.run(q) && q.numRowsAffected() > 0;
    q.finish();
    return ok;
}

QString SubscriptionStore::lastError() const
{
    return m_db.lastError();
}
