#pragma once

#include "workers/worker.h"

#include <QString>

// Retention for the download dir: deletes old media (with their sidecars), stale partial downloads
// and empty folders, by the job's options. Never follows a symlink and never deletes outside the root.
//
// Options (all optional): max_age_days, keep_per_channel, max_total_bytes, part_max_age_hours
// (default 24), dry_run, download_dir (the configured download dir or a folder inside it).
class CleanupWorker final : public Worker
{
public:
    CleanupWorker() = default;
    Q_DISABLE_COPY_MOVE(CleanupWorker)

    Outcome run(JobContext &context) override;

    // Why `path` must not be deleted when cleaning `canonicalRoot`, or an empty string when it may
    // be. Checked again right before every deletion, since the tree can change after the scan.
    static QString refusalReason(const QString &canonicalRoot, const QString &path);
};
