#pragma once

#include <QDate>
#include <QList>
#include <QString>
#include <QStringList>

#include <utility>

// Finds the external programs Spool drives (yt-dlp, ffmpeg, ffprobe) and checks that they run.
namespace Toolchain {
struct Tool
{
    QString name;
    QString path;    // resolved absolute path, empty when not found
    QString version; // first line of its version output
    QString error;   // why it cannot be used, with what to install
    QString warning; // usable, but something is wrong (a yt-dlp too old for YouTube)
    bool ok() const { return error.isEmpty() && !path.isEmpty(); }
};

// The name find() takes for the JavaScript runtime yt-dlp needs for YouTube since 2025.11: the
// first usable of Deno (2.0+), Node (20+) and QuickJS (2023-12-09+, or QuickJS-ng), its name in
// Tool::name ("deno", "node", "quickjs").
inline const QString kJsRuntime = QStringLiteral("js-runtime");

// `configured`: a path from the settings, or empty to search PATH. Results are cached per
// (name, configured) for the life of the process: a version check costs a process start.
Tool find(const QString &name, const QString &configured = QString());
// Several at once, in order: (name, configured) pairs; for a pool thread.
QList<Tool> findAll(const QList<std::pair<QString, QString>> &wanted);
// The version number of a version line: "ffmpeg version 5.1.6-0+deb12u1 Copyright …" → "5.1.6-0+deb12u1".
QString shortVersion(const QString &versionLine);
// The JavaScript runtime, searched in `dirs` (empty: PATH); not cached.
Tool findJsRuntime(const QStringList &dirs = {});
// The release date a yt-dlp version names ("2025.11.12", nightly "2025.11.12.232456"); invalid if none.
QDate ytdlpReleaseDate(const QString &version);
// True from 2025.11.12 on, the first release that takes --js-runtimes.
bool ytdlpKnowsJsRuntimes(const QString &version);
// A warning when yt-dlp is older than `maxAgeDays` on `today` (YouTube changes weekly), else empty.
QString ytdlpAgeWarning(const QString &version, const QDate &today, int maxAgeDays = 90);
// What to pass yt-dlp for the runtime: Deno is its default and needs nothing; another runtime is
// named with its path; nothing for a yt-dlp that predates the option or without a runtime.
QStringList jsRuntimeArguments(const QString &ytdlpVersion, const Tool &runtime);
// Forgets cached results (after the user changed a path in the settings).
void forget();
// How to install a missing tool on Debian.
QString installHint(const QString &name);
} // namespace Toolchain
