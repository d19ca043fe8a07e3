#pragma once

#include "workers/worker.h"

// video_download: one video into the download dir through yt-dlp, with live progress, resume of
// .part files, the final path in the result, and a metadata child job when enabled.
class VideoDownloadWorker final : public Worker
{
public:
    Outcome run(JobContext &context) override;
};
