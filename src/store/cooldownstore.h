#pragma once

#include "core/expected.h"

#include <QHash>
#include <QList>
#include <QMetaType>
#include <QString>

class Database;
struct ThrottleSettings;

// A host paused after a rate limit or a bot check.
struct HostCooldown
{
    QString host;
    qint64 untilMs = 0; // no job for the host starts before this
    qint64 sinceMs = 0; // when the last pause began
    QString kind;       // what caused it: rate_limited, bot_check
    QString reason;     // the telling line of the failure
    int strikes = 0;    // pauses in a row (each without a clean period between)
};
Q_DECLARE_METATYPE(HostCooldown)

// Host cool-downs: no job for a cooling host starts before its cool-down ends. Repeated pauses
// escalate; a row is kept for the clean period after its pause ended, so a host that is rate
// limited again soon after pauses longer, and one that stayed clean starts over.
class CooldownStore final
{
public:
    explicit CooldownStore(Database &db) : m_db(db) {}
    Q_DISABLE_COPY_MOVE(CooldownStore)

    // Keeps the later of an existing and the new end (a pause set by hand or a test).
    Expected<bool> setCooldown(const QString &host, qint64 until, const QString &reason);
    // One more strike against the host at `now`: its pause is the throttle's step for the strikes
    // in a row, and never ends before `atLeastUntil` (a Retry-After) or an existing pause.
    Expected<HostCooldown> strike(const QString &host, qint64 now, const QString &kind, const QString &reason,
                                  qint64 atLeastUntil, const ThrottleSettings &throttle);
    // Ends the host's pause now (the user's "Resume now"); the strikes are kept. False: not cooling.
    Expected<bool> resume(const QString &host, qint64 now);
    // The hosts cooling at `now` and when each cool-down ends.
    QHash<QString, qint64> active(qint64 now);
    // The same with what caused each, soonest end first.
    QList<HostCooldown> activeDetails(qint64 now);
    // Deletes cool-downs that ended at least `keepMs` before `now`; returns how many.
    int purgeEnded(qint64 now, qint64 keepMs = 0);

private:
    std::optional<HostCooldown> find(const QString &host);

    Database &m_db;
};
