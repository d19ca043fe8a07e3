#include "workers/workerregistry.h"

void WorkerRegistry::add(const QString &type, WorkerFactory factory)
{
    m_factories.insert(type, std::move(factory));
}

std::unique_ptr<Worker> WorkerRegistry::create(const QString &type) const
{
    const auto it = m_factories.constFind(type);
    return it == m_factories.cend() ? nullptr : (*it)();
}
