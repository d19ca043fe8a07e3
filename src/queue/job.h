#pragma once

#include "queue/jobstatus.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

// Live progress of a running job. Unknown values are negative.
struct JobProgress
{
    double percent = -1;
    qint64 downloadedBytes = 0;
    qint64 totalBytes = -1;
    double speedBps = -1;
    qint64 etaSeconds = -1;
    int itemsDone = 0;
    int itemsTotal = 0;

    // True when the work moved forward (bytes, percent or items), not just a repeated report.
    bool advancedFrom(const JobProgress &before) const;
    bool operator==(const JobProgress &) const = default;
    QJsonObject toJson() const;
};

// One row of the queue.
struct Job
{
    qint64 id = 0;
    QString type;
    JobStatus status = JobStatus::Pending;
    int priority = 0;
    QString url;
    QJsonObject options;
    qint64 parentId = 0; // 0: no parent
    QString uniqueKey;
    int attempts = 0;
    int maxAttempts = 0;
    qint64 runAt = 0; // ms since epoch, UTC; all times below likewise (0: not set)
    qint64 createdAt = 0;
    qint64 startedAt = 0;
    qint64 finishedAt = 0;
    qint64 updatedAt = 0;
    qint64 leaseUntil = 0;
    QString worker;
    JobProgress progress;
    QString errorClass;
    QString errorMessage;
    QJsonObject result;
    QString title;
    QString uploader;
    double durationS = -1;
    QString uploadDate; // YYYYMMDD as yt-dlp reports it
    QString host;       // of the URL, lower case: 429 cool-downs apply per host
    qint64 claimId = 0; // the claim a running job is under; a worker's writes must carry it

    bool isValid() const { return id > 0; }
    // What a person sees as the name: the title once known, else the URL, else the type.
    QString displayName() const;
};

// What a caller asks to enqueue. Validated by JobQueue before anything is written.
struct NewJob
{
    QString type;
    QString url;
    int priority = 0;
    QJsonObject options;
    qint64 parentId = 0;
    QString uniqueKey;
    int maxAttempts = 0; // 0: the type's default
    qint64 runAt = 0;    // 0: now
    QString title;
    bool skipIfArchived = false; // a video already downloaded for good is not queued again
};

Q_DECLARE_METATYPE(Job)
Q_DECLARE_METATYPE(JobProgress)
