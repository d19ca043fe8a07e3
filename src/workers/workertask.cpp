#include "workers/workertask.h"

#include "logging/joblogger.h"

#include <exception>

WorkerTask::WorkerTask(std::unique_ptr<Worker> worker, std::unique_ptr<JobContext> context, Deliver deliver)
    : m_worker(std::move(worker)), m_context(std::move(context)), m_deliver(std::move(deliver))
{
    setAutoDelete(true);
}

WorkerTask::~WorkerTask() = default;

Outcome WorkerTask::attempt()
{
    try {
        return m_worker->run(*m_context);
    } catch (const std::exception &e) {
        return Outcome::transient(QStringLiteral("exception"), QString::fromLocal8Bit(e.what()));
    } catch (...) {
        return Outcome::transient(QStringLiteral("exception"), QStringLiteral("unknown exception"));
    }
}

void WorkerTask::run()
{
    m_began->store(true);
    Outcome outcome = attempt();
    m_context->log().flush();
    m_deliver(std::move(outcome));
}
