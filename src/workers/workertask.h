#pragma once

#include "workers/worker.h"

#include <QRunnable>

#include <atomic>

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
    // Set once run() has begun: until then the pool may still give the task back (tryTake).
    std::shared_ptr<const std::atomic<bool>> began() const { return m_began; }

private:
    Outcome attempt();

    std::unique_ptr<Worker> m_worker;
    std::unique_ptr<JobContext> m_context;
    Deliver m_deliver;
    std::shared_ptr<std::atomic<bool>> m_began = std::make_shared<std::atomic<bool>>(false);
};
