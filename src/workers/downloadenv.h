#pragma once

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include "workers/worker.h"

#include <variant>

class JobContext;

// The settings a download-type worker reads from the environment and the job's options, in one
// place: tool paths, folders, network behaviour, cookies.
namespace DownloadEnv {
inline const QString DownloadDir = QStringLiteral("download_dir");
inline const QString YtDlpPath = QStringLiteral("ytdlp_path");
inline const QString FfmpegPath = QStringLiteral("ffmpeg_path");
inline const QString FfprobePath = QStringLiteral("ffprobe_path");
inline const QString SocketTimeoutS = QStringLiteral("socket_timeout_s");
inline const QString Retries = QStringLiteral("ytdlp_retries");
inline const QString RateLimit = QStringLiteral("rate_limit");
inline const QString CookiesFile = QStringLiteral("cookies_file");
inline const QString CookiesFromBrowser = QStringLiteral("cookies_from_browser");
inline const QString MetadataAfterDownload = QStringLiteral("metadata_after_download");
inline const QString ExtractorArgs = QStringLiteral("extractor_args");       // lines "[site] extractor:args"
inline const QString PoTokenProvider = QStringLiteral("po_token_provider"); // a PO token provider's URL

// One line of the extractor-arguments setting: an optional site (its subdomains too) and yt-dlp's
// --extractor-args value, "youtube.com youtube:player_client=default,-tv" or "generic:impersonate".
// False, with why, for a line that is neither.
bool parseExtractorArgs(const QString &line, QString *site, QString *args, QString *why);
// The --extractor-args for a job on `jobHost`: every line whose site covers it (or that has none),
// and, for YouTube, the PO token provider's address (the bgutil HTTP provider's base_url).
QStringList extractorArguments(const QString &jobHost, const QStringList &lines, const QString &poTokenProvider);

// A private copy of the cookies file (job option, else the settings) for one run of yt-dlp: mode
// 0600 in the job's folder, removed when this goes. yt-dlp writes its cookie jar back into the
// file it is given; the user's file must stay as the user left it.
class PrivateCookies final
{
public:
    explicit PrivateCookies(JobContext &context);
    ~PrivateCookies();
    Q_DISABLE_COPY_MOVE(PrivateCookies)
    QString path() const { return m_copy; } // empty: no cookies file configured (or no copy)
    QString error() const { return m_error; } // set when the configured file could not be copied

private:
    QString m_copy;
    QString m_error;
};

// yt-dlp's common arguments plus cookies (the private copy) and the bandwidth cap (job options
// win over settings).
QStringList commonArguments(const JobContext &context, const PrivateCookies &cookies);
// The folder (or file) the job's option `key` names inside the configured download folder, a
// relative one joined to it, or the folder itself without the option; refused (a permanent
// "invalid_path") when it is outside, by its text or through a symlink. A folder is created.
std::variant<QString, Outcome> insideDownloadFolder(const JobContext &context, const QString &key, bool folder);
// yt-dlp arguments that keep the values of these fields from naming "." or "..".
QStringList folderFieldGuard(const QStringList &fields);
// A folder name made from a channel or playlist title: no separators, no leading dots.
QString safeFolderName(const QString &title);
} // namespace DownloadEnv
