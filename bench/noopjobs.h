#pragma once

#include "core/settings.h"
#include "queue/job.h"

// The no-op jobs the queue benchmarks drain: a type that needs no URL (so JobQueue takes it without
// one and no unique key keeps identical jobs apart), on top of the real defaults, whose per-type
// limits shape how the dispatcher claims. A URL may still be given, for the host it puts the job on.
inline const QString kNoopType = QStringLiteral("bench_noop");

inline QueueSettings noopSettings(int workers)
{
    QueueSettings settings = QueueSettings::defaults();
    settings.maxConcurrent = workers;
    TypePolicy noop;
    noop.needsUrl = false;
    settings.types.insert(kNoopType, noop);
    return settings;
}

inline NewJob noopJob(const QString &url = QString())
{
    NewJob job;
    job.type = kNoopType;
    job.url = url;
    return job;
}
