#pragma once

#include <QList>
#include <QString>

#include <utility>

// Finds the external programs Spool drives (yt-dlp, ffmpeg, ffprobe) and checks that they run.
namespace Toolchain {
struct Tool
{
    QString name;
    QString path;    // resolved absolute path, empty when not found
    QString version; // first line of its version output
    QString error;   // why it cannot be used, with what to install
    bool ok() const { return error.isEmpty() && !path.isEmpty(); }
};

// `configured`: a path from the settings, or empty to search PATH. Results are cached per
// (name, configured) for the life of the process: a version check costs a process start.
Tool find(const QString &name, const QString &configured = QString());
// Several at once, in order: (name, configured) pairs; for a pool thread.
QList<Tool> findAll(const QList<std::pair<QString, QString>> &wanted);
// The version number of a version line: "ffmpeg version 5.1.6-0+deb12u1 Copyright …" → "5.1.6-0+deb12u1".
QString shortVersion(const QString &versionLine);
// Forgets cached results (after the user changed a path in the settings).
void forget();
// How to install a missing tool on Debian.
QString installHint(const QString &name);
} // namespace Toolchain
