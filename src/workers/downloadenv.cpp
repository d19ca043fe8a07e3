#include "workers/downloadenv.h"

#include "workers/worker.h"
#include "workers/ytdlp.h"

#include <QRegularExpression>

namespace DownloadEnv {
namespace {
QString optionOrEnv(const JobContext &context, const QString &key)
{
    const QString option = context.job().options.value(key).toString();
    return option.isEmpty() ? context.env(key).toString() : option;
}
} // namespace

QStringList commonArguments(const JobContext &context)
{
    QStringList args = YtDlp::baseArguments(context.env(SocketTimeoutS, 20).toInt(), context.env(Retries, 10).toInt());
    if (const QString cookies = optionOrEnv(context, CookiesFile); !cookies.isEmpty())
        args << QStringLiteral("--cookies") << cookies;
    if (const QString browser = optionOrEnv(context, CookiesFromBrowser); !browser.isEmpty())
        args << QStringLiteral("--cookies-from-browser") << browser;
    if (const QString rate = optionOrEnv(context, RateLimit); !rate.isEmpty())
        args << QStringLiteral("--limit-rate") << rate;
    if (const QString ffmpeg = context.env(FfmpegPath).toString(); !ffmpeg.isEmpty())
        args << QStringLiteral("--ffmpeg-location") << ffmpeg;
    return args;
}

QString downloadDir(const JobContext &context)
{
    return optionOrEnv(context, DownloadDir);
}

QString safeFolderName(const QString &title)
{
    QString name = title;
    name.replace(QRegularExpression(QStringLiteral("[/\\\\\\x00-\\x1f]")), QStringLiteral("_"));
    while (name.startsWith(QLatin1Char('.')))
        name.remove(0, 1);
    return name.trimmed().left(150);
}
} // namespace DownloadEnv
