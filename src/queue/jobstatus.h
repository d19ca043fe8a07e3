#pragma once

#include <QList>
#include <QString>

#include <optional>

// The states a job moves through. See docs/queue.md for the transition table.
enum class JobStatus {
    Pending,   // waiting for its time, its parent or a free worker
    Running,   // claimed by a worker, holds a lease
    Retrying,  // an attempt failed transiently; waits for its backoff
    Paused,    // held by the user
    Completed, // done
    Dead,      // permanent failure or attempts exhausted: kept with its reason until the user acts
    Cancelled, // stopped by the user, or its parent ended without completing
};

QString statusName(JobStatus status);
// The name in the user's language, for messages.
QString statusWord(JobStatus status);
std::optional<JobStatus> statusFromName(QStringView name);
const QList<JobStatus> &allStatuses();

// Final states release the unique key (dead, cancelled) or keep it (completed); nothing runs again
// from them without a user's retry.
bool isFinal(JobStatus status);

// The one transition table. Every status change in the store is checked against it.
bool isTransitionAllowed(JobStatus from, JobStatus to);
// The states from which `to` may be entered, for single-statement guarded updates.
QList<JobStatus> allowedSources(JobStatus to);
