#pragma once

#include "store/archivestore.h"
#include "store/cooldownstore.h"
#include "store/database.h"
#include "store/jobeventstore.h"
#include "store/joblisting.h"
#include "store/jobstore.h"
#include "store/queuestatestore.h"
#include "store/subscriptionstore.h"

#include <QString>

// The queue's database and the store of each aggregate over its one connection. Every SQL
// statement of Spool lives in these stores. Like its Database, a Store belongs to one thread.
class Store final
{
public:
    using Options = Database::Options;
    using Sync = Database::Sync;

    explicit Store(QString path, Options options = {});
    Q_DISABLE_COPY_MOVE(Store)

    Expected<bool> open() { return m_db.open(); }
    bool isOpen() const { return m_db.isOpen(); }
    QString path() const { return m_db.path(); }

    Database &database() { return m_db; }
    JobStore &jobs() { return m_jobs; }
    JobListing &listing() { return m_listing; }
    SubscriptionStore &subscriptions() { return m_subscriptions; }
    ArchiveStore &archive() { return m_archive; }
    CooldownStore &cooldowns() { return m_cooldowns; }
    QueueStateStore &state() { return m_state; }
    JobEventStore &events() { return m_events; }

private:
    Database m_db;
    ArchiveStore m_archive;
    JobStore m_jobs;
    JobListing m_listing;
    SubscriptionStore m_subscriptions;
    CooldownStore m_cooldowns;
    QueueStateStore m_state;
    JobEventStore m_events;
};
