#pragma once

#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

// Where a job may write: every path a job names (its download_dir, its output_template, a metadata
// job's file) stays inside the host's download folder. Checked twice: when the job is added (the
// text alone, and against the adding host's folder) and when it runs (against the running host's
// folder, symlinks resolved), because on a shared queue the two hosts differ.
namespace JobPaths {
// What an output template is made of, once it is known to be safe: the yt-dlp fields that name a
// folder (a value of "." or ".." there would climb out, and yt-dlp keeps such values as they are).
struct Template
{
    QStringList folderFields;
};

// The template, or why it is refused: absolute, "." or ".." as a folder, a folder whose own text
// is only dots around fields, a field form that can produce dots from literal text (a default or a
// replacement of dots), a file name not ending in ".%(ext)s", control characters.
std::variant<Template, QString> parseTemplate(const QString &outputTemplate);

// A folder or file option as text: not empty, no ".." part, no control character, no "~". Absolute
// or relative (then relative to the download folder).
std::optional<QString> pathProblem(const QString &path);

// The path the option names on this host: a relative one joined to the download folder, an
// absolute one kept. Empty when the option is refused by pathProblem.
QString resolve(const QString &path, const QString &downloadDir);

// Whether the option names a place inside downloadDir, by its text (both cleaned; no file system).
bool isInside(const QString &path, const QString &downloadDir);

// Whether an existing (or, for a file, its existing folder) path is inside downloadDir once every
// symlink is resolved: a folder inside that links elsewhere is outside.
bool isReallyInside(const QString &path, const QString &downloadDir);
} // namespace JobPaths
