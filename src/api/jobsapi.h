#pragma once

#include "api/apireply.h"
#include "api/apirequest.h"
#include "queue/joblog.h"

#include <QString>

class JobQueue;
class LogStore;
struct Job;
struct JobFilter;

// The handlers of /api/jobs... and /api/stats: translate requests into JobQueue calls and the
// results into JSON. Every check that can refuse a request runs before anything is written.
class JobsApi final
{
public:
    JobsApi(JobQueue &queue, const LogStore &logs);
    Q_DISABLE_COPY_MOVE(JobsApi)

    ApiReply create(const ApiRequest &request);
    ApiReply list(const ApiRequest &request);
    ApiReply get(const ApiRequest &request);
    ApiReply update(const ApiRequest &request);
    ApiReply cancel(const ApiRequest &request);
    ApiReply retry(const ApiRequest &request);
    ApiReply pause(const ApiRequest &request);
    ApiReply resume(const ApiRequest &request);
    ApiReply log(const ApiRequest &request);
    ApiReply stats(const ApiRequest &request);

    static const QStringList &sortKeys();

private:
    QJsonObject toJson(const Job &job) const;
    ApiReply jobReply(const Job &job, int status = 200) const;
    std::optional<ApiReply> parseFilter(const ApiRequest &request, JobFilter &filter) const;

    JobQueue &m_queue;
    const LogStore &m_logs;
    JobLog m_log;
};
