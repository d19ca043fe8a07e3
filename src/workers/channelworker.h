#pragma once

#include "workers/worker.h"

// channel_download and playlist_download: enumerates the source with `yt-dlp -J --flat-playlist`,
// records its title, and completes with one video_download child per entry that is neither queued,
// done nor archived — in source order, with the parent's priority. Running it again adds only the
// new entries (incremental sync).
class ChannelWorker final : public Worker
{
public:
    Outcome run(JobContext &context) override;
};
