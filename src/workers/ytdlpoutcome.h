#pragma once

#include "workers/processrunner.h"
#include "workers/worker.h"

#include <optional>

// Turns a finished yt-dlp run into a failed Outcome (or nothing when it succeeded): start errors,
// cancellation, and classified errors with a host cool-down for rate limits.
namespace YtDlpOutcome {
std::optional<Outcome> failure(JobContext &context, const ProcessRunner::Result &run);
}
