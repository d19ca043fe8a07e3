#include "workers/videodownloadworker.h"

#include "logging/joblogger.h"
#include "queue/jobpaths.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"
#include "workers/processrunner.h"
#include "workers/progressreporter.h"
#include "workers/toolchain.h"
#include "workers/ytdlpoutcome.h"
#include "workers/ytdlp.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace {
const QString kDefaultName = QStringLiteral("%(title).150B [%(id)s].%(ext)s");
// Unknown groups fall back to the uploader, as yt-dlp reports it.
const QString kDefaultFolder = QStringLiteral("%(uploader,channel|Videos)s");

QString outputTemplate(const JobContext &ctx, const QString &dir)
{
    const QJsonObject o = ctx.job().options;
    // The folder is literal text in yt-dlp's template: a title's "%(id)s" must stay text.
    const QString group = DownloadEnv::safeFolderName(o.value(QStringLiteral("group")).toString()).replace(QLatin1Char('%'), QStringLiteral("%%"));
    const QString folder = group.isEmpty() ? kDefaultFolder : group;
    const QString name = o.value(QStringLiteral("output_template")).toString(kDefaultName);
    return dir + QLatin1Char('/') + folder + QLatin1Char('/') + name;
}

std::optional<QStringList> formatArguments(const JobContext &ctx)
{
    const QJsonObject o = ctx.job().options;
    if (const QString format = o.value(QStringLiteral("format")).toString(); !format.isEmpty())
        return QStringList{QStringLiteral("-f"), format};
    const auto selection = YtDlp::formatForQuality(o.value(QStringLiteral("quality")).toString());
    if (!selection)
        return std::nullopt;
    return selection->isEmpty() ? QStringList() : QStringList{QStringLiteral("-f"), *selection};
}

QString lastLine(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return QString();
    const QList<QByteArray> lines = f.readAll().trimmed().split('\n');
    return lines.isEmpty() ? QString() : QString::fromUtf8(lines.last().trimmed());
}

QList<NewJob> metadataChild(const JobContext &ctx, const QString &file)
{
    const bool wanted = ctx.job().options.contains(QStringLiteral("metadata"))
                            ? ctx.job().options.value(QStringLiteral("metadata")).toBool()
                            : ctx.env(DownloadEnv::MetadataAfterDownload, false).toBool();
    if (!wanted)
        return {};
    NewJob child;
    child.type = JobTypes::MetadataExtraction;
    child.url = ctx.job().url;
    child.priority = ctx.job().priority;
    child.options = QJsonObject{{QStringLiteral("file"), file}};
    child.title = ctx.job().title;
    return {child};
}
} // namespace

Outcome VideoDownloadWorker::run(JobContext &ctx)
{
    const Toolchain::Tool ytdlp = Toolchain::find(QStringLiteral("yt-dlp"), ctx.env(DownloadEnv::YtDlpPath).toString());
    if (!ytdlp.ok())
        return Outcome::permanent(QStringLiteral("missing_tool"), ytdlp.error);
    const auto folder = DownloadEnv::insideDownloadFolder(ctx, DownloadEnv::DownloadDir, true);
    if (const auto *refused = std::get_if<Outcome>(&folder))
        return *refused;
    const QString dir = std::get<QString>(folder);
    // Checked again here: the job may come from another host's queue, or from before the check.
    const QString name = ctx.job().options.value(QStringLiteral("output_template")).toString(kDefaultName);
    const auto shape = JobPaths::parseTemplate(name);
    if (const auto *why = std::get_if<QString>(&shape))
        return Outcome::permanent(QStringLiteral("invalid_option"), *why);
    QStringList folderFields = std::get<JobPaths::Template>(shape).folderFields;
    if (DownloadEnv::safeFolderName(ctx.job().options.value(QStringLiteral("group")).toString()).isEmpty())
        folderFields << QStringLiteral("uploader") << QStringLiteral("channel");
    const auto format = formatArguments(ctx);
    if (!format)
        return Outcome::permanent(QStringLiteral("invalid_option"),
                                  QStringLiteral("unknown quality '%1'").arg(ctx.job().options.value(QStringLiteral("quality")).toString()));
    const QString pathFile = ctx.log().dir() + QStringLiteral("/filepath.txt");
    const QString keyFile = ctx.log().dir() + QStringLiteral("/mediakey.txt");
    QDir().mkpath(ctx.log().dir());
    QFile::remove(pathFile);
    QFile::remove(keyFile);
    const DownloadEnv::PrivateCookies cookies(ctx);
    if (!cookies.error().isEmpty())
        return Outcome::permanent(QStringLiteral("invalid_option"), cookies.error());
    QStringList args = DownloadEnv::commonArguments(ctx, cookies) + *format + DownloadEnv::folderFieldGuard(folderFields);
    args << QStringLiteral("-o") << outputTemplate(ctx, dir) << QStringLiteral("--print-to-file")
         << QStringLiteral("after_move:%(filepath)s") << pathFile
         // Who the video is to yt-dlp (extractor, id, address), so a channel listing it later knows
         // it is already here.
         << QStringLiteral("--print-to-file") << QStringLiteral("after_move:%(extractor_key)s\t%(id)s\t%(webpage_url)s")
         << keyFile << QStringLiteral("--") << ctx.job().url;
    ctx.log().info(QStringLiteral("yt-dlp %1 downloading %2").arg(ytdlp.version, ctx.job().url));

    ProcessRunner runner(ctx);
    runner.setLogFilter(&YtDlp::isSensitiveTrafficLine);
    bool titled = !ctx.job().title.isEmpty();
    runner.setLineHandler([&](const QByteArray &line, bool fromStderr) {
        if (fromStderr)
            return;
        if (const auto p = YtDlp::parseProgress(line)) {
            ctx.progress().report(p->progress);
            if (!titled && !p->title.isEmpty()) {
                ctx.progress().setTitle(p->title);
                titled = true;
            }
        }
    });
    const ProcessRunner::Result run = runner.run(ytdlp.path, args);
    if (auto failed = YtDlpOutcome::failure(ctx, run))
        return *failed;
    const QString file = lastLine(pathFile);
    if (file.isEmpty() || !QFileInfo::exists(file))
        return Outcome::transient(QStringLiteral("unknown"), QStringLiteral("yt-dlp finished but reported no file"));
    // The last word: whatever the template made of the video's fields, the file is in the folder.
    if (!JobPaths::isReallyInside(file, dir))
        return Outcome::permanent(QStringLiteral("invalid_path"),
                                  QStringLiteral("yt-dlp saved %1, which is not inside the download folder %2").arg(file, dir));
    Outcome done = Outcome::completed({{QStringLiteral("file"), file}, {QStringLiteral("bytes"), QFileInfo(file).size()}});
    // Who the video is, as yt-dlp saw what it downloaded (one line, tab-separated: yt-dlp reads a
    // template with line breaks as having no "after_move:").
    QString real;
    if (const QStringList media = lastLine(keyFile).split(QLatin1Char('\t')); media.size() == 3)
        real = YtDlp::mediaKey(media[0], media[1], media[2]);
    // The job's own key is remembered only when it names what was downloaded: yt-dlp's key, or one
    // made from the job's own address. A listing's claim ("youtube:<id>" for a file elsewhere)
    // must not mark a real video as downloaded.
    const Job &job = ctx.job();
    const QString canonical = JobTypes::canonicalUrl(job.url);
    const QString own = job.uniqueKey;
    if (!own.isEmpty() && (own == real || own == QStringLiteral("url:") + canonical || own == job.type + QLatin1Char(':') + canonical))
        done.archiveKeys << own;
    else if (!own.isEmpty())
        ctx.log().warning(QStringLiteral("The listing called this video %1, but yt-dlp downloaded %2; only that is remembered")
                              .arg(own, real.isEmpty() ? canonical : real));
    if (!real.isEmpty() && real != own)
        done.archiveKeys << real;
    if (done.archiveKeys.isEmpty())
        done.archiveKeys << QStringLiteral("url:") + canonical;
    done.archivePath = file;
    done.children = metadataChild(ctx, file);
    ctx.log().info(QStringLiteral("Saved %1").arg(file));
    return done;
}
