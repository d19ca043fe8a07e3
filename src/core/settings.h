#pragma once

#include "core/throttle.h"

#include <QHash>
#include <QString>

class QSettings;

// Backoff for transient failures: base * 2^(attempt-1), capped, with +/- jitter.
struct RetryPolicy
{
    int maxAttempts = 5;
    qint64 baseDelayMs = 15'000;
    qint64 maxDelayMs = 3'600'000;
    double jitter = 0.2; // fraction of the delay, both ways
};

// What a job type may do: how often it retries, how many run at once, when it counts as hung.
struct TypePolicy
{
    bool needsUrl = true;
    RetryPolicy retry;
    int maxConcurrent = 0;            // 0: only the global limit applies
    qint64 stallTimeoutMs = 120'000;  // no progress for this long: ended and retried
    qint64 maxRunTimeMs = 6 * 3'600'000;
    qint64 leaseMs = 60'000;          // extended by every heartbeat
    bool hostThrottled = false;       // a download from a site: its host's rule (ThrottleSettings) holds
};

// Settings of the queue core. Loaded from QSettings; every field has a sane default.
struct QueueSettings
{
    int maxConcurrent = 3;
    QHash<QString, TypePolicy> types;
    ThrottleSettings throttle;
    int retentionDays = 30;                  // completed/cancelled jobs older than this are pruned
    qint64 logCapBytes = 16 * 1024 * 1024;   // per log file
    qint64 shutdownGraceMs = 10'000;
    qint64 maintenanceIntervalMs = 3'600'000;
    qint64 watchdogIntervalMs = 1'000;
    qint64 progressFlushMs = 1'000;          // how often progress and leases reach the database
    int localQueue = 64;                     // quick jobs claimed ahead per worker (0: none; see Dispatcher)

    TypePolicy policy(const QString &type) const { return types.value(type); }
    bool knows(const QString &type) const { return types.contains(type); }

    static QueueSettings defaults();
    void load(QSettings &settings);
    void save(QSettings &settings) const;
};
