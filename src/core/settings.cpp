#include "core/settings.h"

#include "queue/jobtypes.h"

#include <QSettings>

QueueSettings QueueSettings::defaults()
{
    QueueSettings s;
    for (const QString &type : JobTypes::all()) {
        TypePolicy p;
        p.needsUrl = JobTypes::needsUrl(type);
        if (JobTypes::listsVideos(type))
            p.stallTimeoutMs = 300'000; // enumerating a big channel prints nothing for a while
        p.hostThrottled = type == JobTypes::VideoDownload;
        if (type == JobTypes::Cleanup) {
            p.retry.maxAttempts = 2;
            p.maxConcurrent = 1;
        }
        s.types.insert(type, p);
    }
    return s;
}

void QueueSettings::load(QSettings &settings)
{
    settings.beginGroup(QStringLiteral("queue"));
    maxConcurrent = qMax(1, settings.value(QStringLiteral("max_concurrent"), maxConcurrent).toInt());
    retentionDays = settings.value(QStringLiteral("retention_days"), retentionDays).toInt();
    logCapBytes = settings.value(QStringLiteral("log_cap_bytes"), logCapBytes).toLongLong();
    shutdownGraceMs = settings.value(QStringLiteral("shutdown_grace_ms"), shutdownGraceMs).toLongLong();
    localQueue = qBound(0, settings.value(QStringLiteral("local_queue"), localQueue).toInt(), 256);
    settings.endGroup();
    throttle.load(settings);
    for (auto it = types.begin(); it != types.end(); ++it) {
        settings.beginGroup(QStringLiteral("type.") + it.key());
        TypePolicy &p = it.value();
        p.retry.maxAttempts = qMax(1, settings.value(QStringLiteral("max_attempts"), p.retry.maxAttempts).toInt());
        p.retry.baseDelayMs = settings.value(QStringLiteral("backoff_base_ms"), p.retry.baseDelayMs).toLongLong();
        p.retry.maxDelayMs = settings.value(QStringLiteral("backoff_max_ms"), p.retry.maxDelayMs).toLongLong();
        p.maxConcurrent = settings.value(QStringLiteral("max_concurrent"), p.maxConcurrent).toInt();
        p.stallTimeoutMs = settings.value(QStringLiteral("stall_timeout_ms"), p.stallTimeoutMs).toLongLong();
        p.maxRunTimeMs = settings.value(QStringLiteral("max_run_time_ms"), p.maxRunTimeMs).toLongLong();
        p.leaseMs = qMax<qint64>(1000, settings.value(QStringLiteral("lease_ms"), p.leaseMs).toLongLong());
        settings.endGroup();
    }
}

void QueueSettings::save(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("queue"));
    settings.setValue(QStringLiteral("max_concurrent"), maxConcurrent);
    settings.setValue(QStringLiteral("retention_days"), retentionDays);
    settings.setValue(QStringLiteral("log_cap_bytes"), logCapBytes);
    settings.setValue(QStringLiteral("shutdown_grace_ms"), shutdownGraceMs);
    settings.setValue(QStringLiteral("local_queue"), localQueue);
    settings.endGroup();
    throttle.save(settings);
    for (auto it = types.cbegin(); it != types.cend(); ++it) {
        settings.beginGroup(QStringLiteral("type.") + it.key());
        const TypePolicy &p = it.value();
        settings.setValue(QStringLiteral("max_attempts"), p.retry.maxAttempts);
        settings.setValue(QStringLiteral("backoff_base_ms"), p.retry.baseDelayMs);
        settings.setValue(QStringLiteral("backoff_max_ms"), p.retry.maxDelayMs);
        settings.setValue(QStringLiteral("max_concurrent"), p.maxConcurrent);
        settings.setValue(QStringLiteral("stall_timeout_ms"), p.stallTimeoutMs);
        settings.setValue(QStringLiteral("max_run_time_ms"), p.maxRunTimeMs);
        settings.setValue(QStringLiteral("lease_ms"), p.leaseMs);
        settings.endGroup();
    }
}
