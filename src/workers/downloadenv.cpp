#include "workers/downloadenv.h"

#include "core/throttle.h"
#include "workers/toolchain.h"
#include "workers/worker.h"
#include "queue/jobpaths.h"
#include "workers/ytdlp.h"

#include "logging/joblogger.h"

#include <QCoreApplication>
#include <QDir>
#include <QUrl>
#include <QFile>
#include <QRegularExpression>

#include <fcntl.h>
#include <unistd.h>

namespace DownloadEnv {
namespace {
QString optionOrEnv(const JobContext &context, const QString &key)
{
    const QString option = context.job().options.value(key).toString();
    return option.isEmpty() ? context.env(key).toString() : option;
}
} // namespace

PrivateCookies::PrivateCookies(JobContext &context)
{
    const QString source = optionOrEnv(context, CookiesFile);
    if (source.isEmpty())
        return;
    QFile in(source);
    if (!in.open(QIODevice::ReadOnly)) {
        m_error = QStringLiteral("cannot read the cookies file %1: %2").arg(source, in.errorString());
        return;
    }
    const QByteArray content = in.readAll();
    const QString dir = context.log().dir();
    QDir().mkpath(dir);
    const QString copy = dir + QStringLiteral("/cookies.private.txt");
    QFile::remove(copy);
    // Created 0600 from the start, never through a link left in its place.
    const int fd = ::open(QFile::encodeName(copy).constData(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        m_error = QStringLiteral("cannot make a private copy of the cookies file in %1").arg(dir);
        return;
    }
    qsizetype written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.constData() + written, static_cast<size_t>(content.size() - written));
        if (n <= 0)
            break;
        written += n;
    }
    ::close(fd);
    if (written != content.size()) {
        QFile::remove(copy);
        m_error = QStringLiteral("cannot make a private copy of the cookies file in %1").arg(dir);
        return;
    }
    m_copy = copy;
}

PrivateCookies::~PrivateCookies()
{
    if (!m_copy.isEmpty())
        QFile::remove(m_copy);
}

QStringList commonArguments(const JobContext &context, const PrivateCookies &cookies)
{
    QStringList args = YtDlp::baseArguments(context.env(SocketTimeoutS, 20).toInt(), context.env(Retries, 10).toInt());
    if (!cookies.path().isEmpty())
        args << QStringLiteral("--cookies") << cookies.path();
    if (const QString browser = optionOrEnv(context, CookiesFromBrowser); !browser.isEmpty())
        args << QStringLiteral("--cookies-from-browser") << browser;
    if (const QString rate = optionOrEnv(context, RateLimit); !rate.isEmpty())
        args << QStringLiteral("--limit-rate") << rate;
    if (const QString ffmpeg = context.env(FfmpegPath).toString(); !ffmpeg.isEmpty())
        args << QStringLiteral("--ffmpeg-location") << ffmpeg;
    // yt-dlp from 2025.11 solves YouTube's challenges with a JavaScript runtime: Deno by default,
    // another one only when named.
    const Toolchain::Tool ytdlp = Toolchain::find(QStringLiteral("yt-dlp"), context.env(YtDlpPath).toString());
    if (ytdlp.ok() && Toolchain::ytdlpKnowsJsRuntimes(Toolchain::shortVersion(ytdlp.version)))
        args << Toolchain::jsRuntimeArguments(Toolchain::shortVersion(ytdlp.version), Toolchain::find(Toolchain::kJsRuntime));
    args << extractorArguments(QUrl(context.job().url).host(), context.env(ExtractorArgs).toStringList(),
                               context.env(PoTokenProvider).toString());
    // Spaced requests to a site that bans the hurried (the pause between downloads is the queue's).
    const HostRule rule = context.settings().throttle.ruleFor(QUrl(context.job().url).host());
    if (rule.sleepRequestsS > 0)
        args << QStringLiteral("--sleep-requests") << QString::number(rule.sleepRequestsS);
    return args;
}

bool parseExtractorArgs(const QString &line, QString *site, QString *args, QString *why)
{
    static const QRegularExpression shape(QStringLiteral("^\\s*(?:([a-z0-9.-]+)\\s+)?([a-z0-9_-]+:\\S+)\\s*$"),
                                          QRegularExpression::CaseInsensitiveOption);
    const auto m = shape.match(line);
    if (!m.hasMatch() || m.captured(1).startsWith(QLatin1Char('.')) || m.captured(1).endsWith(QLatin1Char('.'))) {
        if (why)
            *why = QCoreApplication::translate("DownloadEnv", "\"%1\" is not an extractor argument: write an optional site, "
                                                             "then the extractor and its arguments, like "
                                                             "\"youtube.com youtube:player_client=default\"")
                       .arg(line.left(80));
        return false;
    }
    *site = m.captured(1).toLower();
    *args = m.captured(2);
    return true;
}

QStringList extractorArguments(const QString &jobHost, const QStringList &lines, const QString &poTokenProvider)
{
    QStringList out;
    for (const QString &line : lines) {
        QString site;
        QString value;
        if (parseExtractorArgs(line, &site, &value, nullptr) && (site.isEmpty() || siteCovers(site, jobHost)))
            out << QStringLiteral("--extractor-args") << value;
    }
    const QUrl provider(poTokenProvider.trimmed());
    const bool youtube = siteCovers(QStringLiteral("youtube.com"), jobHost) || siteCovers(QStringLiteral("youtu.be"), jobHost);
    if (youtube && provider.isValid() && (provider.scheme() == QLatin1String("http") || provider.scheme() == QLatin1String("https"))
        && !provider.host().isEmpty())
        out << QStringLiteral("--extractor-args")
            << QStringLiteral("youtubepot-bgutilhttp:base_url=") + provider.toString(QUrl::FullyEncoded);
    return out;
}

std::variant<QString, Outcome> insideDownloadFolder(const JobContext &context, const QString &key, bool folder)
{
    const QString configured = context.env(DownloadDir).toString();
    const auto refused = [&key](const QString &why) {
        return Outcome::permanent(QStringLiteral("invalid_path"), QStringLiteral("option '%1' %2").arg(key, why));
    };
    if (configured.isEmpty() || !QDir::isAbsolutePath(configured))
        return Outcome::permanent(QStringLiteral("invalid_path"),
                                  QStringLiteral("the download folder '%1' is not an absolute path").arg(configured));
    const QJsonValue option = context.job().options.value(key);
    if (option.isUndefined())
        return QDir::cleanPath(configured);
    const QString requested = option.toString();
    if (const auto problem = JobPaths::pathProblem(requested))
        return refused(*problem);
    const QString path = JobPaths::resolve(requested, configured);
    if (!JobPaths::isInside(path, configured))
        return refused(QStringLiteral("is not inside the download folder %1").arg(configured));
    if (folder && !QDir().mkpath(path))
        return Outcome::permanent(QStringLiteral("invalid_path"), QStringLiteral("cannot create the folder '%1'").arg(path));
    if (!JobPaths::isReallyInside(path, configured))
        return refused(QStringLiteral("leads outside the download folder %1 through a symlink").arg(configured));
    return path;
}

QStringList folderFieldGuard(const QStringList &fields)
{
    if (fields.isEmpty())
        return {};
    // A value yt-dlp keeps as it is (".." stays ".."), and that a precision can cut down to "..":
    // a start of dots or blanks becomes "_" before any folder is named from it.
    return {QStringLiteral("--replace-in-metadata"), fields.join(QLatin1Char(',')), QStringLiteral("^[\\s.]+"),
            QStringLiteral("_")};
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
