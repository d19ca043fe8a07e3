#include "store/store.h"

Store::Store(QString path, Options options)
    : m_db(std::move(path), options), m_archive(m_db), m_jobs(m_db, m_archive), m_listing(m_db),
      m_subscriptions(m_db), m_cooldowns(m_db), m_state(m_db), m_events(m_db)
{
}
