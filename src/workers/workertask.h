#pragma once

#include "workers/worker.h"

#include <QRunnable>

#include <functional>
#include <memory>

// The QRunnable that runs one attempt of a job on the pool: it calls the worker, turns an exception
// into a failed outcome, and hands the outcome over exactly once.
class WorkerTask final : public QRunnable
{
public:
    using Deliver = std::function<void(Outcome)>;

    WorkerTask(std::unique_ptr<Worker> worker, std::unique_ptr<JobContext> context, Deliver deliver);
    ~WorkerTask() override;
    Q_DISABLE_COPY_MOVE(WorkerTask)

    void run() override;

private:
    Outcome attempt();

    std::unique_ptr<Worker> m_worker;
    std::unique_ptr<JobContext> m_context;
    Deliver m_deliver;
};
