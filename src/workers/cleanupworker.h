#pragma once

#include "workers/worker.h"

#include <QString>

// Retention for the download dir: deletes old media (with their sidecars), stale partial downloads
// and empty folders, by the job's options. Never follows a symlink and never deletes outside the root;
// refuses a root that is `/`, the home folder or a system folder.
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

    // Why a cleanup of the folder `canonicalPath` is refused ("it is a system folder"), or an empty
    // string when it is not: the file system's root, the home folder (QDir::homePath()) or a folder
    // holding it, and system folders: /usr, /etc and the like with everything below them; /var and
    // the folders in it, /home likewise; /run down to /run/media/<user>; /srv, /opt, /mnt,
    // /media, /tmp and /root themselves. A folder a user keeps in one of those (/srv/media,
    // /var/lib/spool/downloads, /mnt/nas, /run/media/<user>/<disk>) is fine.
    static QString unsafeRootReason(const QString &canonicalPath);
};
