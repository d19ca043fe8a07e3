#pragma once

#include "queue/job.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

// Everything Spool knows about talking to yt-dlp: the arguments it passes, the progress lines it
// asks for, and what its error messages mean. Pure functions, so they are tested without a process.
namespace YtDlp {
// Prefix of the progress lines Spool asks yt-dlp to print (--progress-template).
inline constexpr char kProgressTag[] = "[spool] ";

// Arguments every run gets: no user config (reproducible), one progress line per update,
// machine-readable progress, traffic headers (Retry-After of a 429 is visible only there).
QStringList baseArguments(int socketTimeoutS, int retries);
QString progressTemplate();

struct ProgressLine
{
    JobProgress progress;
    QString status; // downloading, finished, error
    QString id;
    QString title;
};
std::optional<ProgressLine> parseProgress(const QByteArray &line);

// "-f" selection for a quality profile (best, 2160p, 1080p, 720p, 480p, 360p, audio), or empty for
// yt-dlp's default. Unknown profiles give nullopt.
std::optional<QString> formatForQuality(const QString &quality);

// What a failed run means.
struct Failure
{
    QString errorClass; // rate_limited, bot_check, server_error, network, timeout, not_found,
                        // unsupported, unavailable, auth_required, forbidden, disk_full, unknown
    QString message;    // the most telling line of yt-dlp's output
    bool retryable = false;
    bool coolDownHost = false;
    int retryAfterS = -1; // from a Retry-After header, when yt-dlp printed one
};
// `stderrText`: all of stderr; `stdoutTail`: the last lines of stdout (traffic headers, "Got error").
Failure classify(int exitCode, const QByteArray &stderrText, const QByteArray &stdoutTail);
// A Retry-After header value in seconds (delta-seconds or an HTTP date), or -1.
int parseRetryAfter(const QByteArray &headerLine, qint64 nowMs);
// Lines of --print-traffic that must never reach a log file (they carry cookies).
bool isSensitiveTrafficLine(const QByteArray &line);

// The JSON object yt-dlp -J printed: the last line of stdout that is one (with --print-traffic,
// header dumps share stdout with it).
QJsonObject lastJsonObject(const QByteArray &stdoutData);

// What identifies a video across channels, playlists and single adds: extractor + id, lower case
// ("youtube:dQw4w9WgXcQ"); for generic extractors, whose ids are per page, the media's address.
QString mediaKey(const QString &extractor, const QString &id, const QString &url);
// The media key of an enumerated entry. A listing comes from a stranger's page: its claim that an
// entry is "youtube:<id>" is taken only when the entry's address is on a site of that name
// (www.youtube.com for Youtube, YoutubeTab); otherwise the entry is known by its address alone, so
// a forged entry cannot stand for (and hide) a real video.
QString entryKey(const QJsonObject &entry);
// Whether a host is this machine or a private network: loopback, private, link-local and unique
// local addresses written as such (IPv4, IPv6, IPv4 in IPv6), and "localhost" names. Names that
// only resolve to such addresses are not looked up.
bool isPrivateHost(const QString &host);
// Where an enumerated entry is downloaded from: its URL, or its page when the URL is only an id.
QString entryUrl(const QJsonObject &entry);
// The entries of a listing (`-J --flat-playlist`). A channel or playlist page that holds one video
// is answered with that video, not a playlist: it is one entry (downloaded from its page, never
// from the format URL yt-dlp resolved, which expires).
QJsonArray listingEntries(const QJsonObject &listing);
} // namespace YtDlp
