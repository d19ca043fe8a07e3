#include "workers/ytdlpoutcome.h"

#include "logging/joblogger.h"
#include "workers/cancellationtoken.h"
#include "workers/downloadenv.h"
#include "workers/ytdlp.h"


namespace YtDlpOutcome {
std::optional<Outcome> failure(JobContext &ctx, const ProcessRunner::Result &run)
{
    if (!run.started)
        return Outcome::permanent(QStringLiteral("missing_tool"), QStringLiteral("yt-dlp could not be started: %1").arg(run.startError));
    if (run.outputTooLarge)
        return Outcome::permanent(QStringLiteral("output_too_large"),
                                  QStringLiteral("the program printed more than %1 MiB and was stopped; a listing this large is not read")
                                      .arg(run.outputLimit / (1024 * 1024)));
    if (run.cancelled)
        return Outcome::transient(QStringLiteral("cancelled"), QStringLiteral("stopped (%1)").arg(stopReasonName(ctx.token().reason())));
    if (run.exitCode == 0 && !run.crashed)
        return std::nullopt;
    const YtDlp::Failure f = YtDlp::classify(run.exitCode, run.stderrData, run.stdoutTail);
    Outcome out = f.retryable ? Outcome::transient(f.errorClass, f.message) : Outcome::permanent(f.errorClass, f.message);
    if (f.coolDownHost) {
        // The pause itself is the queue's: it escalates with every strike against the host.
        out.hostStrike = true;
        out.hostCooldownMs = f.retryAfterS >= 0 ? f.retryAfterS * 1000LL : 0;
        ctx.log().log(JobLogger::Level::Warning, QStringLiteral("host_refused"),
                      QStringLiteral("The site refused us (%1): it is paused for a while").arg(f.errorClass),
                      {{QStringLiteral("retry_after_s"), f.retryAfterS}});
    }
    return out;
}
} // namespace YtDlpOutcome
