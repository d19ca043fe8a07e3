#include "workers/worker.h"

Outcome Outcome::completed(QJsonObject result)
{
    Outcome o;
    o.kind = Kind::Completed;
    o.result = std::move(result);
    return o;
}

Outcome Outcome::transient(QString errorClass, QString message, qint64 notBeforeMs)
{
    Outcome o;
    o.kind = Kind::Failed;
    o.errorClass = std::move(errorClass);
    o.message = std::move(message);
    o.retryable = true;
    o.notBeforeMs = notBeforeMs;
    return o;
}

Outcome Outcome::permanent(QString errorClass, QString message)
{
    Outcome o;
    o.kind = Kind::Failed;
    o.errorClass = std::move(errorClass);
    o.message = std::move(message);
    return o;
}

JobContext::JobContext(Job job, ProgressReporter &progress, JobLogger &log, CancellationToken &token,
                       const QueueSettings &settings, QVariantMap environment, ChildAdder addChildren)
    : m_job(std::move(job)), m_progress(progress), m_log(log), m_token(token), m_settings(settings),
      m_env(std::move(environment)), m_addChildren(std::move(addChildren))
{
}

Expected<QList<Job>> JobContext::addChildren(const QList<NewJob> &children)
{
    if (!m_addChildren)
        return makeError(ErrorCode::Conflict, QStringLiteral("adding children is not available here"));
    return m_addChildren(children);
}
