#pragma once

#include "workers/worker.h"

#include <QHash>
#include <QStringList>

// Which worker runs which job type.
class WorkerRegistry final
{
public:
    WorkerRegistry() = default;
    Q_DISABLE_COPY_MOVE(WorkerRegistry)

    void add(const QString &type, WorkerFactory factory);
    bool has(const QString &type) const { return m_factories.contains(type); }
    std::unique_ptr<Worker> create(const QString &type) const;
    QStringList types() const { return m_factories.keys(); }

private:
    QHash<QString, WorkerFactory> m_factories;
};
