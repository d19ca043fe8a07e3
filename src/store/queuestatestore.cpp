#include "store/queuestatestore.h"

#include "store/database.h"

bool QueueStateStore::isHeld()
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT value FROM queue_state WHERE key = 'held'"));
    const bool held = m_db.run(q) && q.next() && q.value(0).toInt() != 0;
    q.finish();
    return held;
}

bool QueueStateStore::setHeld(bool held)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("UPDATE queue_state SET value = :held WHERE key = 'held'"));
    q.bindValue(QStringLiteral(":held"), held ? 1 : 0);
    const bool ok = m_db.run(q);
    q.finish();
    return ok;
}
