#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

class Database;

// A channel or playlist re-synced periodically.
struct Subscription
{
    qint64 id = 0;
    QString url;
    QString type;
    qint64 intervalS = 0;
    QJsonObject options;
    int priority = 0;
    qint64 nextRunAt = 0;
    qint64 lastJobId = 0;
};

// Subscriptions: one per URL; saving again updates interval, options and the next run.
class SubscriptionStore final
{
public:
    explicit SubscriptionStore(Database &db) : m_db(db) {}
    Q_DISABLE_COPY_MOVE(SubscriptionStore)

    bool save(const Subscription &subscription, qint64 now);
    QList<Subscription> due(qint64 now);
    QList<Subscription> all();
    std::optional<Subscription> find(qint64 id);
    std::optional<qint64> nextDue();
    bool reschedule(qint64 id, qint64 nextRunAt);
    bool remove(qint64 id); // false: no such subscription, or the database refused
    QString lastError() const;

private:
    Database &m_db;
};
