#include "commandline.h"
#include "unixsignals.h"

#include "core/spoolcore.h"
#include "mainwindow.h"
#include "queue/jobqueue.h"

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
    options.environment.insert(QStringLiteral("download_dir"), cl.downloadDir);
    return options;
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
    SpoolCore core(coreOptions(cl));
    if (auto opened = core.open(); !opened) {
        err << QCoreApplication::translate("main", "Spool cannot start: %1").arg(opened.error().message) << Qt::endl;
        return 1;
    }
    if (headless)
        return runCore(core, *app, nullptr);
    MainWindow window(core);
    return runCore(core, *app, &window);
}
