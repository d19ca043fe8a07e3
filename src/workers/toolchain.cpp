#include "workers/toolchain.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QHash>
#include <QMutex>
#include <QProcess>
#include <QStandardPaths>

namespace Toolchain {
namespace {
QMutex g_mutex;
QHash<QString, Tool> g_cache;

Tool probe(const QString &name, const QString &configured)
{
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
