#include "workers/channelworker.h"

#include "logging/joblogger.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"
#include "workers/processrunner.h"
#include "workers/progressreporter.h"
#include "workers/toolchain.h"
#include "workers/ytdlp.h"
#include "workers/ytdlpoutcome.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QUrl>

namespace {
// Options a channel passes down to each of its videos.
const QStringList kInherited{QStringLiteral("quality"),     QStringLiteral("format"),
                             QStringLiteral("output_template"), QStringLiteral("download_dir"),
                             QStringLiteral("cookies_file"), QStringLiteral("cookies_from_browser"),
                             QStringLiteral("rate_limit"),   QStringLiteral("metadata")};

QStringList enumerateArguments(const JobContext &ctx, const DownloadEnv::PrivateCookies &cookies)
{
    const QJsonObject o = ctx.job().options;
    QStringList args = DownloadEnv::commonArguments(ctx, cookies);
    args.removeAll(QStringLiteral("--no-playlist"));
    args << QStringLiteral("-J") << QStringLiteral("--flat-playlist");
    if (const int max = o.value(QStringLiteral("max_items")).toInt(); max > 0)
        args << QStringLiteral("--playlist-end") << QString::number(max);
    if (const QString after = o.value(QStringLiteral("date_after")).toString(); !after.isEmpty())
        args << QStringLiteral("--dateafter") << after;
    if (const QString before = o.value(QStringLiteral("date_before")).toString(); !before.isEmpty())
        args << QStringLiteral("--datebefore") << before;
    return args << QStringLiteral("--") << ctx.job().url;
}

QString sourceTitle(const QJsonObject &json)
{
    for (const char *key : {"title", "playlist_title", "channel", "uploader", "id"}) {
        const QString value = json.value(QLatin1String(key)).toString();
        if (!value.isEmpty())
            return value;
    }
    return QString();
}

// The source of a page that holds one video: its channel, else the video's own title.
QString singleVideoSource(const QJsonObject &video)
{
    for (const char *key : {"channel", "uploader", "title", "id"}) {
        const QString value = video.value(QLatin1String(key)).toString();
        if (!value.isEmpty())
            return value;
    }
    return QString();
}

NewJob videoFor(const JobContext &ctx, const QJsonObject &entry, const QString &group)
{
    NewJob video;
    video.type = JobTypes::VideoDownload;
    video.url = YtDlp::entryUrl(entry);
    video.title = entry.value(QStringLiteral("title")).toString();
    video.priority = ctx.job().priority;
    video.uniqueKey = YtDlp::entryKey(entry);
    video.skipIfArchived = true;
    for (const QString &key : kInherited) {
        if (ctx.job().options.contains(key))
            video.options.insert(key, ctx.job().options.value(key));
    }
    video.options.insert(QStringLiteral("group"), group);
    video.options.insert(QStringLiteral("source_id"), entry.value(QStringLiteral("id")).toString());
    return video;
}
} // namespace

Outcome ChannelWorker::run(JobContext &ctx)
{
    const Toolchain::Tool ytdlp = Toolchain::find(QStringLiteral("yt-dlp"), ctx.env(DownloadEnv::YtDlpPath).toString());
    if (!ytdlp.ok())
        return Outcome::permanent(QStringLiteral("missing_tool"), ytdlp.error);
    ctx.log().info(QStringLiteral("yt-dlp %1 enumerating %2").arg(ytdlp.version, ctx.job().url));
    ProcessRunner runner(ctx);
    runner.setCaptureStdout(true);
    runner.setLogFilter(&YtDlp::isSensitiveTrafficLine);
    const DownloadEnv::PrivateCookies cookies(ctx);
    if (!cookies.error().isEmpty())
        return Outcome::permanent(QStringLiteral("invalid_option"), cookies.error());
    const ProcessRunner::Result run = runner.run(ytdlp.path, enumerateArguments(ctx, cookies));
    if (auto failed = YtDlpOutcome::failure(ctx, run))
        return *failed;
    const QJsonObject json = YtDlp::lastJsonObject(run.stdoutData);
    if (json.isEmpty())
        return Outcome::transient(QStringLiteral("unknown"), QStringLiteral("yt-dlp printed no playlist information"));
    const QJsonArray entries = YtDlp::listingEntries(json);
    const bool single = !json.contains(QStringLiteral("entries")) && !entries.isEmpty();
    if (single)
        ctx.log().info(QStringLiteral("The page holds a single video: one entry"));
    // A single video's own title is not its channel's: the folder is named after the uploader.
    const QString title = single ? singleVideoSource(json) : sourceTitle(json);
    // A stranger's page may list addresses inside the network (a router, a cloud's metadata
    // service): not fetched, unless the channel itself is on such a host.
    const bool privateSource = YtDlp::isPrivateHost(QUrl(ctx.job().url).host());
    int refused = 0;
    Outcome done = Outcome::completed({{QStringLiteral("title"), title}, {QStringLiteral("entries"), entries.size()}});
    for (const QJsonValue &entry : entries) {
        NewJob video = videoFor(ctx, entry.toObject(), title);
        if (video.url.isEmpty() || video.uniqueKey.isEmpty())
            continue;
        if (!privateSource && YtDlp::isPrivateHost(QUrl(video.url).host())) {
            if (++refused <= 5)
                ctx.log().warning(QStringLiteral("Not downloading %1: a private or local address listed by a public page").arg(video.url));
            continue;
        }
        done.children << video;
    }
    if (refused > 0) {
        done.result.insert(QStringLiteral("refused_private"), refused);
        ctx.log().warning(QStringLiteral("%1 entries pointed to private or local addresses and were left out").arg(refused));
    }
    done.media = MediaInfo{title, json.value(QStringLiteral("uploader")).toString(), -1, QString()};
    done.clearUniqueKey = true;
    JobProgress p;
    p.itemsDone = p.itemsTotal = static_cast<int>(entries.size());
    p.percent = 100;
    ctx.progress().report(p);
    ctx.log().info(QStringLiteral("\"%1\": %2 entries").arg(title).arg(entries.size()));
    return done;
}
