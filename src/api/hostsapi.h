#pragma once

#include "api/apireply.h"
#include "api/apirequest.h"

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>

class JobQueue;

// The handlers of /api/hosts: the hosts pausing after a rate limit or a bot check, "resume now",
// and the throttle rules that hold while none is pausing. A refused request changes nothing.
class HostsApi final
{
    Q_DECLARE_TR_FUNCTIONS(HostsApi)
public:
    explicit HostsApi(JobQueue &queue) : m_queue(queue) {}
    Q_DISABLE_COPY_MOVE(HostsApi)

    ApiReply list(const ApiRequest &request);
    ApiReply resume(const ApiRequest &request);

    // What {host} takes: a host name as jobs record it (1 to 253 lowercase letters, digits, dots and
    // dashes). The command line checks --resume with it too.
    static bool isHostName(const QString &host);
    static constexpr qsizetype kMaxHostLength = 253;

private:
    QJsonObject hosts() const;
    QJsonObject throttle() const;

    JobQueue &m_queue;
};
