#pragma once

#include "workers/worker.h"

#include <QString>

#include <functional>
#include <optional>

// Retention for the download dir: deletes old media (with their sidecars), stale partial downloads
// and empty folders, by the job's options. Never follows a symlink, never leaves the root's file
// system and never deletes outside the root; refuses a root that is `/`, the home folder or a
// system folder.
//
// Options (all optional): max_age_days, keep_per_channel, max_total_bytes, part_max_age_hours
// (default 24), dry_run, download_dir (the configured download dir or a folder inside it).
class CleanupWorker final : public Worker
{
public:
    // Seams for tests; a real cleanup sets none.
    struct Hooks
    {
        // Called with each path right before it is deleted (or would be, in a dry run), after the
        // scan and the plan: a test changes the tree there, as a download or someone racing the
        // cleanup could.
        std::function<void(const QString &path)> beforeRemove;
        // The file system (device id) the walk stays on instead of the root's own: with one no
        // folder is on, every folder below the root is a mount point to the walk, without the
        // right to mount anything.
        std::optional<quint64> device;
    };

    explicit CleanupWorker(Hooks hooks = {}) : m_hooks(std::move(hooks)) {}
    Q_DISABLE_COPY_MOVE(CleanupWorker)

    Outcome run(JobContext &context) override;

    // Why a cleanup of the folder `canonicalPath` is refused ("it is a system folder"), or an empty
    // string when it is not: the file system's root, the home folder (QDir::homePath()) or a folder
    // holding it, and system folders: /usr, /etc and the like with everything below them; /var and
    // the folders in it, /home likewise; /run down to /run/media/<user>; /srv, /opt, /mnt,
    // /media, /tmp and /root themselves. A folder a user keeps in one of those (/srv/media,
    // /var/lib/spool/downloads, /mnt/nas, /run/media/<user>/<disk>) is fine.
    static QString unsafeRootReason(const QString &canonicalPath);

private:
    Hooks m_hooks;
};
