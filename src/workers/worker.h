#pragma once

#include "core/expected.h"
#include "core/settings.h"
#include "queue/job.h"
#include "store/store.h"

#include <QJsonObject>
#include <QList>
#include <QVariantMap>

#include <functional>
#include <memory>
#include <optional>

class CancellationToken;
class JobLogger;
class ProgressReporter;

// What one attempt of a job came to. A worker returns exactly one.
struct Outcome
{
    enum class Kind { Completed, Failed };
    Kind kind = Kind::Completed;
    QJsonObject result;
    QList<NewJob> children;  // added, in order, when the job completes (atomic with completion);
                             // a child the queue refuses is skipped with its reason, not fatal
    QStringList skipped;     // entries the worker itself could not turn into jobs, with why
    QString errorClass;      // short code: network, rate_limited, not_found, missing_tool, ...
    QString message;
    bool retryable = false;  // transient: retry with backoff; else the job goes to dead
    qint64 notBeforeMs = 0;  // earliest retry (Retry-After); 0: backoff alone decides
    qint64 hostCooldownMs = 0;       // no job for this job's host starts for at least this long (Retry-After)
    bool hostStrike = false;         // rate limited or bot-checked: the host pauses (escalating) and the
                                     // job waits for it, uncharged
    std::optional<MediaInfo> media;  // facts learned about the video, saved on the job
    bool mediaToParent = false;      // ...and on its parent (metadata of a downloaded video)
    bool clearUniqueKey = false;     // a finished sync frees its key so the source can sync again
    QStringList archiveKeys;         // a video downloaded for good, under every key it is known by:
                                     // remembered past pruning, so no channel downloads it again
    QString archivePath;

    static Outcome completed(QJsonObject result = {});
    static Outcome transient(QString errorClass, QString message, qint64 notBeforeMs = 0);
    static Outcome permanent(QString errorClass, QString message);
};

// Everything a worker gets for one attempt. Valid for the duration of Worker::run().
class JobContext final
{
public:
    using ChildAdder = std::function<Expected<QList<Job>>(const QList<NewJob> &)>;

    JobContext(Job job, ProgressReporter &progress, JobLogger &log, CancellationToken &token,
               const QueueSettings &settings, QVariantMap environment, ChildAdder addChildren);
    Q_DISABLE_COPY_MOVE(JobContext)

    const Job &job() const { return m_job; }
    ProgressReporter &progress() { return m_progress; }
    JobLogger &log() { return m_log; }
    CancellationToken &token() { return m_token; }
    const QueueSettings &settings() const { return m_settings; }
    // Tool paths, download dir and the like, set by the application.
    QVariant env(const QString &key, const QVariant &fallback = {}) const { return m_env.value(key, fallback); }
    // Adds children now, while the job still runs. They start once this job completes.
    Expected<QList<Job>> addChildren(const QList<NewJob> &children);

private:
    Job m_job;
    ProgressReporter &m_progress;
    JobLogger &m_log;
    CancellationToken &m_token;
    const QueueSettings &m_settings;
    QVariantMap m_env;
    ChildAdder m_addChildren;
};

// The code that runs one job type. Runs on a pool thread; may block; checks the token.
class Worker
{
public:
    Worker() = default;
    virtual ~Worker() = default;
    Q_DISABLE_COPY_MOVE(Worker)
    virtual Outcome run(JobContext &context) = 0;
};

using WorkerFactory = std::function<std::unique_ptr<Worker>()>;
