#include "translations.h"
#include "welcomedialog.h"
#include "queue/dispatcher.h"
#include <QIcon>
#include <QTimer>
#include "cli.h"
#include "commandline.h"
#include "singleinstance.h"
#include "unixsignals.h"

#include "api/apiendpoint.h"
#include "api/apiserver.h"
#include "api/apisettings.h"
#include "api/apitoken.h"
#include "core/downloadsettings.h"
#include "core/spoolcore.h"
#include "store/database.h"
#include "mainwindow.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"
#include "workers/toolchain.h"

#include <QApplication>
#include <QHostAddress>
#include <QSettings>
#include <QTextStream>

#include <memory>
#include <optional>

namespace {
QString settingsPath(const CommandLine &cl)
{
    return cl.dataDir + QStringLiteral("/settings.ini");
}

SpoolCore::Options coreOptions(const CommandLine &cl)
{
    SpoolCore::Options options;
    options.dataDir = cl.dataDir;
    QSettings stored(settingsPath(cl), QSettings::IniFormat);
    options.settings.load(stored);
    if (cl.workers >= 0)
        options.settings.maxConcurrent = cl.workers;
    DownloadSettings downloads;
    downloads.downloadDir = cl.defaultDownloadDir;
    downloads.load(stored);
    if (!cl.downloadDir.isEmpty())
        downloads.downloadDir = cl.downloadDir;
    options.environment = downloads.environment();
    options.downloadWindow = downloads.window;
    // A shared queue: the command line wins over [queue] database and host_name.
    options.database = cl.database.isEmpty() ? stored.value(QStringLiteral("queue/database")).toString().trimmed()
                                             : cl.database;
    options.hostName = cl.hostName.isEmpty() ? stored.value(QStringLiteral("queue/host_name")).toString().trimmed()
                                             : cl.hostName;
    options.workerOnly = cl.workerOnly;
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
        else if (!tool.warning.isEmpty())
            err << QCoreApplication::translate("main", "Warning: %1").arg(tool.warning) << Qt::endl;
        // A yt-dlp that needs a JavaScript runtime for YouTube, and none to give it.
        if (tool.ok() && name == QLatin1String("yt-dlp") && Toolchain::ytdlpKnowsJsRuntimes(Toolchain::shortVersion(tool.version))) {
            if (const Toolchain::Tool js = Toolchain::find(Toolchain::kJsRuntime); !js.ok())
                err << QCoreApplication::translate("main", "Warning: %1").arg(js.error) << Qt::endl;
        }
    }
}

void addUrls(SpoolCore &core, const QStringList &urls, QTextStream &err)
{
    for (const QString &url : urls) {
        NewJob job;
        job.type = JobTypes::detectType(url);
        job.url = url;
        if (auto added = core.queue().addJob(job); !added)
            err << QCoreApplication::translate("main", "Not added: %1: %2").arg(url, added.error().message)
                << Qt::endl;
    }
}

ApiSettings apiSettings(const CommandLine &cl)
{
    ApiSettings settings;
    QSettings stored(settingsPath(cl), QSettings::IniFormat);
    settings.load(stored);
    if (!cl.apiBind.isEmpty())
        settings.bind = cl.apiBind;
    if (cl.apiPort) {
        settings.port = *cl.apiPort;
        settings.portExplicit = true;
    }
    if (!cl.apiToken.isEmpty())
        settings.token = cl.apiToken;
    return settings;
}

// Bound beyond the loopback interface, the API is reachable from the network, where its token
// travels in clear text (plain HTTP): it must then be one the user chose, not only the generated file's.
bool apiExposed(const ApiSettings &settings)
{
    return !QHostAddress(settings.bind).isLoopback();
}

QString exposedWarning(const QString &bind)
{
    return QCoreApplication::translate("main", "The HTTP API listens on %1, beyond this machine: anyone on the network can reach it, "
                                               "and its token travels in clear text. Use it only on a network you trust.")
        .arg(bind);
}

Expected<std::unique_ptr<ApiServer>> listenApi(SpoolCore &core, const ApiSettings &settings,
                                               const QString &token, const QString &dataDir)
{
    ApiServer::Options options;
    options.bind = settings.bind;
    options.port = settings.port;
    options.token = token;
    options.dataDir = dataDir;
    options.dispatcher = &core.dispatcher();
    options.subscriptions = &core.subscriptions();
    auto server = std::make_unique<ApiServer>(core.queue(), core.logs(), options);
    auto port = server->listen();
    // The default port may belong to another data dir's Spool: any free port does, api.json tells.
    if (!port && !settings.portExplicit) {
        options.port = 0;
        server = std::make_unique<ApiServer>(core.queue(), core.logs(), options);
        port = server->listen();
    }
    if (!port)
        return port.error();
    return server;
}

// The API, listening and announced in api.json; null when the settings turn it off.
Expected<std::unique_ptr<ApiServer>> startApi(SpoolCore &core, const CommandLine &cl)
{
    const ApiSettings settings = apiSettings(cl);
    if (!settings.enabled)
        return std::unique_ptr<ApiServer>();
    if (!settings.token.isEmpty() && settings.token.size() < ApiToken::kMinLength)
        return makeError(ErrorCode::InvalidArgument,
                         QCoreApplication::translate("main", "the API token must be at least %1 characters long").arg(ApiToken::kMinLength));
    if (apiExposed(settings) && settings.token.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QCoreApplication::translate("main", "the API would listen on %1, beyond this machine: give it a token of "
                                                             "at least %2 characters ([api] token in settings.ini, or --api-token)")
                             .arg(settings.bind)
                             .arg(ApiToken::kMinLength));
    const auto token =
        settings.token.isEmpty() ? ApiToken::loadOrCreate(cl.dataDir) : Expected<QString>(settings.token);
    if (!token)
        return token.error();
    auto server = listenApi(core, settings, token.value(), cl.dataDir);
    if (!server)
        return server.error();
    const ApiEndpoint endpoint{settings.bind, server.value()->port(), QCoreApplication::applicationPid()};
    if (!endpoint.write(cl.dataDir))
        return makeError(
            ErrorCode::Storage,
            QCoreApplication::translate("main", "cannot write %1").arg(ApiEndpoint::filePath(cl.dataDir)));
    return server;
}

int runCore(SpoolCore &core, QCoreApplication &app, MainWindow *window)
{
    UnixSignals signals_;
    // With a window, SIGTERM is the window's Quit: a plain quit() is a request the window turns
    // down when it closes into the tray, and Spool would go on running.
    QObject::connect(&signals_, &UnixSignals::terminationRequested, &app, [&app, window] {
        if (window)
            window->quit();
        else
            app.quit();
    });
    core.start();
    if (window)
        window->show();
    const int code = app.exec();
    core.shutdown();
    return code;
}

int handOver(SingleInstance &instance, const CommandLine &cl, QTextStream &err)
{
    if (!instance.handOver(cl.urls)) {
        err << QCoreApplication::translate("main", "Spool is already running for %1, but %2.")
                   .arg(cl.dataDir, instance.errorString())
            << Qt::endl;
        return 1;
    }
    // A plain int for %n: lupdate does not see a message whose count is a cast expression.
    const int count = static_cast<int>(cl.urls.size());
    if (count == 0)
        err << QCoreApplication::translate("main", "Spool is already running for %1.").arg(cl.dataDir)
            << Qt::endl;
    else
        err << QCoreApplication::translate("main", "Spool is already running for %1; handed it %n URL(s).",
                                           nullptr, count)
                   .arg(cl.dataDir)
            << Qt::endl;
    // A second headless start that brought nothing did not get what it asked for: a running server.
    return cl.headless && cl.urls.isEmpty() ? 1 : 0;
}

void acceptHandOvers(SingleInstance &instance, SpoolCore &core, QWidget *window, QTextStream &err)
{
    QObject::connect(&instance, &SingleInstance::urlsReceived, &core,
                     [&core, window, &err](const QStringList &urls) {
                         addUrls(core, urls, err);
                         if (window) {
                             window->show();
                             window->raise();
                             window->activateWindow();
                         }
                     });
}

// The data dir is ours: open the queue, start the API (and the window), run until asked to stop.
// First run only. Non-modal, so URLs handed over meanwhile still arrive; a folder chosen there
// applies to the downloads that start after it (with the command line's overrides on top).
void offerWelcome(const CommandLine &cl, SpoolCore &core, QWidget *window)
{
    QSettings stored(settingsPath(cl), QSettings::IniFormat);
    if (!WelcomeDialog::shouldShow(stored))
        return;
    auto *welcome = new WelcomeDialog(settingsPath(cl), cl.defaultDownloadDir, window);
    welcome->setAttribute(Qt::WA_DeleteOnClose);
    QObject::connect(welcome, &QDialog::accepted, &core,
                     [&cl, &core] { core.dispatcher().setEnvironment(coreOptions(cl).environment); });
    QTimer::singleShot(0, welcome, &QDialog::open); // once runCore() has shown the window
}

int serve(const CommandLine &cl, QCoreApplication &app, SingleInstance &instance, QTextStream &err)
{
    const SpoolCore::Options options = coreOptions(cl);
    if (options.settings.maxConcurrent == 0 && options.database.isEmpty()) {
        err << QCoreApplication::translate("main", "--workers 0 is for a host that monitors a shared queue (with --database): "
                                                   "on its own queue Spool must run jobs; to hold them, pause the queue.")
            << Qt::endl;
        return 2;
    }
    reportTools(options.environment, err);
    SpoolCore core(options);
    if (auto opened = core.open(); !opened) {
        err << QCoreApplication::translate("main", "Spool cannot start: %1").arg(opened.error().message)
            << Qt::endl;
        return 1;
    }
    if (core.dispatcher().isHeld())
        err << QCoreApplication::translate("main", "The queue is paused: no job starts until it is resumed "
                                                   "(spool resume-queue, or Pause queue in the window).")
            << Qt::endl;
    if (core.isShared())
        err << QCoreApplication::translate("main", "Shared queue %1; this host is \"%2\".")
                   .arg(Database::displayLocation(core.databasePath()), core.hostName())
            << Qt::endl;
    if (options.settings.maxConcurrent == 0)
        err << QCoreApplication::translate("main", "This host runs no jobs (--workers 0): it monitors and controls the "
                                                   "shared queue; the other hosts run the jobs.")
            << Qt::endl;
    addUrls(core, cl.urls, err);
    if (cl.workerOnly)
        return runCore(core, app, nullptr); // runs jobs only: the full hosts serve the API
    auto api = startApi(core, cl);
    if (!api) {
        err << QCoreApplication::translate("main", "The HTTP API cannot start: %1").arg(api.error().message)
            << Qt::endl;
        if (cl.headless)
            return 1; // a headless Spool without its API cannot be reached at all
    }
    QString exposed; // the warning, when the API is reachable beyond this machine
    if (api && api.value()) {
        const ApiSettings wanted = apiSettings(cl);
        if (cl.apiTokenInArguments)
            err << QCoreApplication::translate("main", "Warning: --api-token is visible to every local user in the process list; "
                                                       "give it with --api-token-file or SPOOL_API_TOKEN instead.")
                << Qt::endl;
        if (wanted.port != 0 && api.value()->port() != wanted.port)
            err << QCoreApplication::translate("main", "Port %1 is in use (by another program, or the Spool of another data dir): the HTTP API listens on port %2 "
                                                       "instead (the command line finds it in %3).")
                       .arg(wanted.port)
                       .arg(api.value()->port())
                       .arg(ApiEndpoint::filePath(cl.dataDir))
                << Qt::endl;
        if (apiExposed(wanted)) {
            exposed = exposedWarning(wanted.bind);
            err << exposed << Qt::endl;
        }
    }
    std::unique_ptr<MainWindow> window = cl.headless ? nullptr : std::make_unique<MainWindow>(core);
    if (window && !exposed.isEmpty())
        window->showWarning(exposed);
    acceptHandOvers(instance, core, window.get(), err);
    if (window)
        offerWelcome(cl, core, window.get());
    const int code = runCore(core, app, window.get());
    if (api && api.value())
        ApiEndpoint::remove(cl.dataDir);
    return code;
}

int runInstance(const CommandLine &cl, QCoreApplication &app, QTextStream &err)
{
    SingleInstance instance(cl.dataDir);
    switch (instance.claim()) {
    case SingleInstance::Role::Secondary:
        return handOver(instance, cl, err);
    case SingleInstance::Role::Failed:
        err << QCoreApplication::translate("main", "Spool cannot start: %1").arg(instance.errorString())
            << Qt::endl;
        return 1;
    case SingleInstance::Role::Primary:
        break;
    }
    return serve(cl, app, instance, err);
}

// Help, version and usage errors; nothing when the command line asks for real work.
std::optional<int> answerDirectly(const CommandLine &cl)
{
    if (cl.showHelp) {
        QTextStream(stdout) << cl.helpText;
        return 0;
    }
    if (cl.showVersion) {
        QTextStream(stdout) << QCoreApplication::applicationName() << ' '
                            << QCoreApplication::applicationVersion() << Qt::endl;
        return 0;
    }
    if (!cl.error.isEmpty()) {
        QTextStream(stderr) << cl.error << Qt::endl;
        return 2;
    }
    return std::nullopt;
}
} // namespace

int main(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    // Headless mode and the subcommands must not need a display: pick the application class first.
    const bool widgets = CommandLine::parse(arguments).wantsWindow();
    std::unique_ptr<QCoreApplication> app =
        widgets ? std::make_unique<QApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("spool"));
    QCoreApplication::setOrganizationName(QStringLiteral("spool"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SPOOL_VERSION));
    // Before the command line is parsed for real, so its help and errors are translated too.
    const CommandLine early = CommandLine::parse(QCoreApplication::arguments());
    installTranslations(*app, Translations::languageSetting(settingsPath(early)));
    if (widgets) {
        QGuiApplication::setDesktopFileName(QStringLiteral("io.github.spool.Spool")); // Wayland app id = .desktop name
        QGuiApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("io.github.spool.Spool"),
                                                        QIcon(QStringLiteral(":/icons/io.github.spool.Spool.png"))));
    }

    // Parsed again now that the application exists: Qt's own options are gone, help names the program.
    const CommandLine cl = CommandLine::parse(QCoreApplication::arguments());
    if (const auto code = answerDirectly(cl))
        return *code;
    if (cl.command != CommandLine::Command::None)
        return Cli(cl).run();
    QTextStream err(stderr);
    return runInstance(cl, *app, err);
}
