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
    // A title is a stranger's: no separator, no control character (C0, DEL, C1), and no name that
    // means a folder of its own ("", ".", "..", " .." once trimmed): such a name is empty.
    QString name = title;
    static const QRegularExpression unsafe(QStringLiteral("[/\\\\\\x00-\\x1f\\x7f-\\x9f]"));
    name.replace(unsafe, QStringLiteral("_"));
    name = name.trimmed();
    while (name.startsWith(QLatin1Char('.')))
        name = name.mid(1).trimmed();
    return name.left(150).trimmed();
}
} // namespace DownloadEnv
