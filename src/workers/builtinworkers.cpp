#include "workers/builtinworkers.h"

#include "queue/jobtypes.h"
#include "workers/channelworker.h"
#include "workers/cleanupworker.h"
#include "workers/metadataworker.h"
#include "workers/videodownloadworker.h"
#include "workers/workerregistry.h"

void registerBuiltinWorkers(WorkerRegistry &registry)
{
    registry.add(JobTypes::ChannelDownload, [] { return std::make_unique<ChannelWorker>(); });
    registry.add(JobTypes::PlaylistDownload, [] { return std::make_unique<ChannelWorker>(); });
    registry.add(JobTypes::VideoDownload, [] { return std::make_unique<VideoDownloadWorker>(); });
    registry.add(JobTypes::MetadataExtraction, [] { return std::make_unique<MetadataWorker>(); });
    registry.add(JobTypes::Cleanup, [] { return std::make_unique<CleanupWorker>(); });
}
