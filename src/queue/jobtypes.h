#pragma once

#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// The job types Spool knows, what each needs to be valid, and the options each accepts.
namespace JobTypes {
inline const QString ChannelDownload = QStringLiteral("channel_download");
inline const QString PlaylistDownload = QStringLiteral("playlist_download");
inline const QString VideoDownload = QStringLiteral("video_download");
inline const QString MetadataExtraction = QStringLiteral("metadata_extraction");
inline const QString Cleanup = QStringLiteral("cleanup");

const QStringList &all();
bool isKnown(const QString &type);
// Download and metadata jobs act on a URL; cleanup acts on the download dir.
bool needsUrl(const QString &type);
// Channels and playlists list videos and queue one child job per video.
bool listsVideos(const QString &type);

// An option a job type accepts, and the JSON type it must have. Unknown keys are refused.
struct OptionSpec
{
    QString key;
    QJsonValue::Type type;
};
QList<OptionSpec> options(const QString &type);
// Why a URL cannot be downloaded, or nothing when it can.
std::optional<QString> urlProblem(const QString &url);
// The download type a URL most likely wants: channel pages, playlists, else a single video.
QString detectType(const QString &url);
// The same source written differently (case of host, trailing slash, fragment) maps to one key.
QString canonicalUrl(const QString &url);
} // namespace JobTypes
