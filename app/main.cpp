#include "commandline.h"
#include "unixsignals.h"

#include "core/spoolcore.h"
#include "mainwindow.h"
#include "core/downloadsettings.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"
#include "workers/toolchain.h"

#include <QApplication>
#include <QSettings>
#include <QTextStream>

#include <memory>

namespace {
SpoolCore::Options coreOptions(const CommandLine &cl)
{
    SpoolCore::Options options;
    options.dataDir = cl.dataDir;
    QSettings stored(cl.dataDir + QStringLiteral("/settings.ini"), QSettings::IniFormat);
    options.settings.load(stored);
    if (cl.workers > 0)
        options.settings.maxConcurrent = cl.workers;
    DownloadSettings downloads;
    downloads.downloadDir = cl.defaultDownloadDir;
    downloads.load(stored);
    if (!cl.downloadDir.isEmpty())
        downloads.downloadDir = cl.downloadDir;
    options.environment = downloads.environment();
    options.downloadWindow = downloads.window;
    return options;
}

void reportTools(const QVariantMap &env, QTextStream &err)
{
    // Checked once at start, so a missing yt-dlp is said up front, not only when a job dies of it.
    for (const auto &[name, key] : {std::pair{QStringLiteral("yt-dlp"), DownloadEnv::YtDlpPath},
                                    std::pair{QStringLiteral("ffmpeg"), DownloadEnv::FfmpegPath}}) {
        const Toolchain::Tool tool = Toolchain::find(name, env.value(key).toString());
        if (!tool.ok())
            err << QCoreApplication::translate("main", "Warning: %1").arg(tool.error) << Qt::endl;
    }
}

void addUrls(SpoolCore &core, const QStringList &urls, QTextStream &err)
{
    for (const QString &url : urls) {
        NewJob job;
        job.type = JobTypes::detectType(url);
        job.url = url;
        if (auto added = core.queue().addJob(job); !added)
            err << QCoreApplication::translate("main", "Not added: %1: %2").arg(url, added.error().message) << Qt::endl;
    }
}

int runCore(SpoolCore &core, QCoreApplication &app, QWidget *window)
{
    UnixSignals signals_;
    QObject::connect(&signals_, &UnixSignals::terminationRequested, &app, [&app] { app.quit(); });
    core.start();
    if (window)
        window->show();
    const int code = app.exec();
    core.shutdown();
    return code;
}
} // namespace

int main(int argc, char *argv[])
{
    // Headless mode must not need a display, so pick the application class before creating it.
    bool headless = false;
    for (int i = 1; i < argc; ++i)
        headless = headless || qstrcmp(argv[i], "--headless") == 0;
    std::unique_ptr<QCoreApplication> app = headless ? std::make_unique<QCoreApplication>(argc, argv)
                                                     : std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spool"));
    QCoreApplication::setOrganizationName(QStringLiteral("spool"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPOOL_VERSION));

    const CommandLine cl = CommandLine::parse(*app);
    QTextStream err(stderr);
    if (!cl.error.isEmpty()) {
        err << cl.error << Qt::endl;
        return 2;
    }
    const SpoolCore::Options options = coreOptions(cl);
    reportTools(options.environment, err);
    SpoolCore core(options);
    if (auto opened = core.open(); !opened) {
        err << QCoreApplication::translate("main", "Spool cannot start: %1").arg(opened.error().message) << Qt::endl;
        return 1;
    }
    addUrls(core, cl.urls, err);
    if (headless)
        return runCore(core, *app, nullptr);
    MainWindow window(core);
    return runCore(core, *app, &window);
}
