#pragma once

#include "core/expected.h"

#include <QHash>
#include <QString>

class Database;

// Host cool-downs after a 429: no job for the host starts before the cool-down ends. A cool-down
// that has ended is deleted, so the table holds only hosts cooling now.
class CooldownStore final
{
public:
    explicit CooldownStore(Database &db) : m_db(db) {}
    Q_DISABLE_COPY_MOVE(CooldownStore)

    // Keeps the later of an existing and the new end.
    Expected<bool> setCooldown(const QString &host, qint64 until, const QString &reason);
    // The hosts cooling at `now` and when each cool-down ends.
    QHash<QString, qint64> active(qint64 now);
    // Deletes cool-downs that ended at or before `now`; returns how many.
    int purgeEnded(qint64 now);

private:
    Database &m_db;
};
