#include "workers/toolchain.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QVersionNumber>

namespace Toolchain {
namespace {
QMutex g_mutex;
QHash<QString, Tool> g_cache;

// Runs `program args` and returns its output's first line with a version in it, or empty.
QString versionOutput(const QString &program, const QStringList &args)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, args);
    if (!process.waitForFinished(15'000)) {
        process.kill();
        process.waitForFinished(1000);
        return QString();
    }
    for (const QString &line : QString::fromUtf8(process.readAll()).split(QLatin1Char('\n'))) {
        if (line.contains(QRegularExpression(QStringLiteral("\\d"))))
            return line.trimmed().left(200);
    }
    return QString();
}

Tool probe(const QString &name, const QString &configured);
} // namespace

Tool findJsRuntime(const QStringList &dirs)
{
    struct Candidate
    {
        const char *name;
        const char *program;
        QStringList args;
    };
    const Candidate candidates[] = {{"deno", "deno", {QStringLiteral("--version")}},
                                    {"node", "node", {QStringLiteral("--version")}},
                                    {"quickjs", "qjs", {QStringLiteral("-h")}}};
    QStringList tooOld;
    for (const Candidate &c : candidates) {
        const QString path = dirs.isEmpty() ? QStandardPaths::findExecutable(QLatin1String(c.program))
                                            : QStandardPaths::findExecutable(QLatin1String(c.program), dirs);
        if (path.isEmpty())
            continue;
        const QString line = versionOutput(path, c.args);
        bool fits = false;
        QString version;
        if (qstrcmp(c.name, "quickjs") == 0) {
            // "QuickJS version 2024-01-13"; QuickJS-ng: "QuickJS-ng version 0.10.1" (every version fits).
            const auto m = QRegularExpression(QStringLiteral("version\\s+(\\S+)")).match(line);
            version = m.captured(1);
            const QDate date = QDate::fromString(version, QStringLiteral("yyyy-MM-dd"));
            fits = line.contains(QLatin1String("-ng")) ? !version.isEmpty() : date.isValid() && date >= QDate(2023, 12, 9);
        } else {
            const auto m = QRegularExpression(QStringLiteral("(\\d+\\.\\d+(?:\\.\\d+)?)")).match(line);
            version = m.captured(1);
            const QVersionNumber number = QVersionNumber::fromString(version);
            fits = !number.isNull() && number.majorVersion() >= (qstrcmp(c.name, "deno") == 0 ? 2 : 20);
        }
        if (fits)
            return Tool{QLatin1String(c.name), path, version, QString(), QString()};
        tooOld << QStringLiteral("%1 %2").arg(QLatin1String(c.name), version.isEmpty() ? QStringLiteral("?") : version);
    }
    Tool none;
    none.name = kJsRuntime;
    none.error = QCoreApplication::translate("Toolchain", "No JavaScript runtime for yt-dlp (it needs one for YouTube since 2025.11)%1. "
                                                          "Install Deno 2 or newer (deno.com), or Node.js 20 or newer; "
                                                          "Debian 12's nodejs 18 is too old.")
                     .arg(tooOld.isEmpty() ? QString()
                                           : QCoreApplication::translate("Toolchain", "; too old: %1").arg(tooOld.join(QStringLiteral(", "))));
    return none;
}

QDate ytdlpReleaseDate(const QString &version)
{
    const auto m = QRegularExpression(QStringLiteral("^(\\d{4})\\.(\\d{1,2})\\.(\\d{1,2})")).match(version.trimmed());
    return m.hasMatch() ? QDate(m.captured(1).toInt(), m.captured(2).toInt(), m.captured(3).toInt()) : QDate();
}

bool ytdlpKnowsJsRuntimes(const QString &version)
{
    const QDate date = ytdlpReleaseDate(version);
    return date.isValid() && date >= QDate(2025, 11, 12);
}

QString ytdlpAgeWarning(const QString &version, const QDate &today, int maxAgeDays)
{
    const QDate date = ytdlpReleaseDate(version);
    if (!date.isValid() || date.daysTo(today) <= maxAgeDays)
        return QString();
    return QCoreApplication::translate("Toolchain", "yt-dlp %1 is %2 days old: sites such as YouTube change every week and an "
                                                    "old yt-dlp fails there. Update it.")
        .arg(version)
        .arg(date.daysTo(today));
}

QStringList jsRuntimeArguments(const QString &ytdlpVersion, const Tool &runtime)
{
    if (!runtime.ok() || runtime.name == QLatin1String("deno") || !ytdlpKnowsJsRuntimes(ytdlpVersion))
        return {};
    return {QStringLiteral("--js-runtimes"), runtime.name + QLatin1Char(':') + runtime.path};
}

namespace {
Tool probe(const QString &name, const QString &configured)
{
    if (name == kJsRuntime)
        return findJsRuntime();
    Tool tool;
    tool.name = name;
    tool.path = configured.isEmpty() ? QStandardPaths::findExecutable(name) : configured;
    if (tool.path.isEmpty() || !QFileInfo(tool.path).isExecutable()) {
        tool.error = configured.isEmpty()
                         ? QCoreApplication::translate("Toolchain", "%1 was not found on PATH. %2").arg(name, installHint(name))
                         : QCoreApplication::translate("Toolchain", "%1 at %2 is missing or not executable. %3")
                               .arg(name, configured, installHint(name));
        tool.path.clear();
        return tool;
    }
    QProcess process;
    const bool isYtDlp = name == QLatin1String("yt-dlp");
    process.start(tool.path, {isYtDlp ? QStringLiteral("--version") : QStringLiteral("-version")});
    if (!process.waitForFinished(30'000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        process.kill();
        tool.error = QCoreApplication::translate("Toolchain", "%1 at %2 does not run (%3). %4")
                         .arg(name, tool.path, process.errorString(), installHint(name));
        return tool;
    }
    tool.version = QString::fromUtf8(process.readAllStandardOutput()).section(QLatin1Char('\n'), 0, 0).trimmed();
    if (isYtDlp)
        tool.warning = ytdlpAgeWarning(tool.version, QDate::currentDate());
    return tool;
}
} // namespace

Tool find(const QString &name, const QString &configured)
{
    const QString key = name + QLatin1Char('\n') + configured;
    {
        QMutexLocker lock(&g_mutex);
        if (auto it = g_cache.constFind(key); it != g_cache.cend())
            return *it;
    }
    const Tool tool = probe(name, configured);
    QMutexLocker lock(&g_mutex);
    g_cache.insert(key, tool);
    return tool;
}

QList<Tool> findAll(const QList<std::pair<QString, QString>> &wanted)
{
    QList<Tool> tools;
    for (const auto &[name, configured] : wanted)
        tools.append(find(name, configured));
    return tools;
}

QString shortVersion(const QString &versionLine)
{
    for (const QString &word : versionLine.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (word.front().isDigit())
            return word;
    }
    return versionLine.left(40);
}

void forget()
{
    QMutexLocker lock(&g_mutex);
    g_cache.clear();
}

QString installHint(const QString &name)
{
    const QString package = name == QLatin1String("ffprobe") ? QStringLiteral("ffmpeg") : name;
    return QCoreApplication::translate("Toolchain", "Install it with \"sudo apt install %1\", or set its path in the settings.")
        .arg(package);
}
} // namespace Toolchain
