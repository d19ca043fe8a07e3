#include "workers/metadataworker.h"

#include "logging/joblogger.h"
#include "workers/downloadenv.h"
#include "workers/processrunner.h"
#include "workers/toolchain.h"
#include "workers/ytdlp.h"
#include "workers/ytdlpoutcome.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

namespace {
QJsonObject probeFile(JobContext &ctx, const QString &file)
{
    const Toolchain::Tool ffprobe = Toolchain::find(QStringLiteral("ffprobe"), ctx.env(DownloadEnv::FfprobePath).toString());
    if (!ffprobe.ok()) {
        ctx.log().warning(ffprobe.error);
        return {};
    }
    ProcessRunner runner(ctx);
    runner.setCaptureStdout(true);
    const auto run = runner.run(ffprobe.path, {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-print_format"),
                                               QStringLiteral("json=compact=1"), QStringLiteral("-show_format"),
                                               QStringLiteral("-show_streams"), file});
    if (run.exitCode != 0)
        ctx.log().warning(QStringLiteral("ffprobe could not read %1").arg(file));
    return QJsonDocument::fromJson(run.stdoutData).object();
}

QString sidecarPath(const JobContext &ctx, const QString &file, const QJsonObject &info)
{
    if (!file.isEmpty()) {
        const QFileInfo fi(file);
        return fi.path() + QLatin1Char('/') + fi.completeBaseName() + QStringLiteral(".info.json");
    }
    const QString dir = ctx.env(DownloadEnv::DownloadDir).toString() + QStringLiteral("/metadata");
    QDir().mkpath(dir);
    return dir + QLatin1Char('/') + DownloadEnv::safeFolderName(info.value(QStringLiteral("id")).toString(QString::number(ctx.job().id))) + QStringLiteral(".info.json");
}

MediaInfo mediaFrom(const QJsonObject &info, const QJsonObject &probe)
{
    MediaInfo m;
    m.title = info.value(QStringLiteral("title")).toString();
    m.uploader = info.value(QStringLiteral("uploader")).toString(info.value(QStringLiteral("channel")).toString());
    m.durationS = info.value(QStringLiteral("duration")).toDouble(-1);
    if (m.durationS < 0)
        m.durationS = probe.value(QStringLiteral("format")).toObject().value(QStringLiteral("duration")).toString().toDouble();
    m.uploadDate = info.value(QStringLiteral("upload_date")).toString();
    return m;
}
} // namespace

Outcome MetadataWorker::run(JobContext &ctx)
{
    const Toolchain::Tool ytdlp = Toolchain::find(QStringLiteral("yt-dlp"), ctx.env(DownloadEnv::YtDlpPath).toString());
    if (!ytdlp.ok())
        return Outcome::permanent(QStringLiteral("missing_tool"), ytdlp.error);
    // The sidecar is written next to the file: the file must be inside the download folder.
    QString file;
    if (ctx.job().options.contains(QStringLiteral("file"))) {
        const auto inside = DownloadEnv::insideDownloadFolder(ctx, QStringLiteral("file"), false);
        if (const auto *refused = std::get_if<Outcome>(&inside))
            return *refused;
        file = std::get<QString>(inside);
    }
    ProcessRunner runner(ctx);
    runner.setCaptureStdout(true);
    runner.setLogFilter(&YtDlp::isSensitiveTrafficLine);
    const DownloadEnv::PrivateCookies cookies(ctx);
    if (!cookies.error().isEmpty())
        return Outcome::permanent(QStringLiteral("invalid_option"), cookies.error());
    const auto run = runner.run(ytdlp.path, DownloadEnv::commonArguments(ctx, cookies)
                                                << QStringLiteral("-J") << QStringLiteral("--skip-download")
                                                << QStringLiteral("--") << ctx.job().url);
    if (auto failed = YtDlpOutcome::failure(ctx, run))
        return *failed;
    QJsonObject info = YtDlp::lastJsonObject(run.stdoutData);
    if (info.isEmpty())
        return Outcome::transient(QStringLiteral("unknown"), QStringLiteral("yt-dlp printed no video information"));
    const QJsonObject probe = QFileInfo::exists(file) ? probeFile(ctx, file) : QJsonObject();
    if (!probe.isEmpty())
        info.insert(QStringLiteral("ffprobe"), probe);
    const QString sidecar = sidecarPath(ctx, file, info);
    QSaveFile out(sidecar);
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(info).toJson()) < 0 || !out.commit())
        return Outcome::transient(QStringLiteral("io_error"), QStringLiteral("cannot write %1: %2").arg(sidecar, out.errorString()));
    Outcome done = Outcome::completed({{QStringLiteral("sidecar"), sidecar}});
    done.media = mediaFrom(info, probe);
    done.mediaToParent = true;
    ctx.log().info(QStringLiteral("Wrote %1").arg(sidecar));
    return done;
}
