#pragma once

#include "workers/worker.h"

// metadata_extraction: `yt-dlp -J` on the URL (and ffprobe on the downloaded file, when there is
// one) into an .info.json sidecar; title, uploader, duration and upload date into the job record
// and its parent's.
class MetadataWorker final : public Worker
{
public:
    Outcome run(JobContext &context) override;
};
