#pragma once

#include "queue/job.h"

#include <QStringList>

class JobQueue;
class QMimeData;

// Turns what a user drops, pastes or types into jobs: one URL per entry, the type detected from
// the URL unless overridden, and every entry checked before anything is added.
namespace UrlInput {
struct Batch
{
    QList<NewJob> jobs;
    QStringList invalid; // "entry: reason", for the user
};

QStringList entriesFromText(const QString &text);
QStringList entriesFromMime(const QMimeData *mime);
// `type` empty: detect per URL. `base` supplies priority, start time and options for every job.
Batch prepare(const QStringList &entries, const JobQueue &queue, const QString &type = QString(), const NewJob &base = {});
} // namespace UrlInput
