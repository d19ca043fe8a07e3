#include "commandline.h"

#include "api/hostsapi.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QStandardPaths>

#include <algorithm>

namespace {
const QList<std::pair<QString, CommandLine::Command>> &commands()
{
    using C = CommandLine::Command;
    static const QList<std::pair<QString, C>> list{
        {QStringLiteral("add"), C::Add},       {QStringLiteral("list"), C::List},
        {QStringLiteral("show"), C::Show},     {QStringLiteral("retry"), C::Retry},
        {QStringLiteral("cancel"), C::Cancel}, {QStringLiteral("log"), C::Log},
        {QStringLiteral("pause-queue"), C::PauseQueue}, {QStringLiteral("resume-queue"), C::ResumeQueue},
        {QStringLiteral("subscriptions"), C::Subscriptions}, {QStringLiteral("unsubscribe"), C::Unsubscribe},
        {QStringLiteral("hosts"), C::Hosts},   {QStringLiteral("tools"), C::Tools},
    };
    return list;
}

QString description()
{
    return CommandLine::tr(
        "Spool: a download manager built around a durable job queue.\n"
        "\n"
        "Commands for the running Spool of the same data dir:\n"
        "  add URL... [--type T] [--priority N] [--at TIME] [--every HOURS]\n"
        "                                                     add download jobs\n"
        "  list [--status S] [--json]                         list jobs\n"
        "  show ID [--json]                                   show one job\n"
        "  retry ID                                           run a dead or cancelled job again\n"
        "  cancel ID                                          cancel a job\n"
        "  log ID [--follow]                                  print a job's log\n"
        "  pause-queue                                        start nothing new (kept across restarts)\n"
        "  resume-queue                                       start jobs again\n"
        "  subscriptions [--json]                             channels and playlists kept in sync\n"
        "  unsubscribe ID                                     stop keeping one in sync\n"
        "  hosts [--json] [--resume HOST]                     hosts pausing after a rate limit; end a pause now\n"
        "  tools [--json]                                     yt-dlp, ffmpeg and the JavaScript runtime: versions, what is wrong");
}

struct Options
{
    QCommandLineOption headless{
        QStringLiteral("headless"),
        CommandLine::tr("Run the queue and the API without a window until SIGINT or SIGTERM.")};
    QCommandLineOption dataDir{QStringLiteral("data-dir"),
                               CommandLine::tr("Folder for the queue database, logs and settings."),
                               QStringLiteral("dir")};
    QCommandLineOption downloadDir{QStringLiteral("download-dir"), CommandLine::tr("Folder downloads go to."),
                                   QStringLiteral("dir")};
    QCommandLineOption workers{QStringLiteral("workers"),
                               CommandLine::tr("How many jobs run at once (1-64; 0 on a shared queue: this host "
                                                               "only monitors and controls, the others run the jobs)."),
                               QStringLiteral("n")};
    QCommandLineOption apiBind{QStringLiteral("api-bind"),
                               CommandLine::tr("IP address the HTTP API listens on (default 127.0.0.1)."),
                               QStringLiteral("addr")};
    QCommandLineOption apiPort{QStringLiteral("api-port"),
                               CommandLine::tr("Port of the HTTP API (default 8765; 0: any free port)."),
                               QStringLiteral("n")};
    QCommandLineOption apiToken{
        QStringLiteral("api-token"),
        CommandLine::tr("Token the HTTP API requires (default: a random one kept in <data dir>/api.token). "
                        "Visible to every local user in the process list: prefer --api-token-file or SPOOL_API_TOKEN."),
        QStringLiteral("token")};
    QCommandLineOption apiTokenFile{
        QStringLiteral("api-token-file"),
        CommandLine::tr("Read the API token from the first line of this file (keep it mode 0600)."), QStringLiteral("file")};
    QCommandLineOption database{
        QStringLiteral("database"),
        CommandLine::tr("The queue's database: a PostgreSQL URL (postgresql://user@host:port/db) shared by "
                        "several hosts; default: SQLite in the data dir. Leave the password out and keep it "
                        "in ~/.pgpass or PGPASSFILE: a command line is visible to every local user."),
        QStringLiteral("url")};
    QCommandLineOption hostName{
        QStringLiteral("host-name"),
        CommandLine::tr("This host's name in a shared queue's Worker column (default: the machine's name)."),
        QStringLiteral("name")};
    QCommandLineOption workerOnly{
        QStringLiteral("worker-only"),
        CommandLine::tr("With --headless: only run jobs of a shared queue (no API, no subscriptions)."),
    };
    QCommandLineOption type{QStringLiteral("type"),
                            CommandLine::tr("add: the job type (default: guessed from each URL)."),
                            QStringLiteral("type")};
    QCommandLineOption priority{QStringLiteral("priority"),
                                CommandLine::tr("add: priority from -1000 to 1000 (higher runs first)."),
                                QStringLiteral("n")};
    QCommandLineOption at{
        QStringLiteral("at"),
        CommandLine::tr(
            "add: start not before TIME (ISO 8601, local time unless a zone is given; or +30m, +2h, +1d)."),
        QStringLiteral("time")};
    QCommandLineOption every{QStringLiteral("every"),
                             CommandLine::tr("add: keep a channel or playlist in sync, checking it every N hours."),
                             QStringLiteral("hours")};
    QCommandLineOption status{
        QStringLiteral("status"),
        CommandLine::tr("list: only jobs with this status (or several, comma-separated)."),
        QStringLiteral("status")};
    QCommandLineOption follow{QStringLiteral("follow"),
                              CommandLine::tr("log: keep printing until the job ends.")};
    QCommandLineOption resume{QStringLiteral("resume"),
                              CommandLine::tr("hosts: end this host's pause now (its jobs may start)."),
                              QStringLiteral("host")};
    QCommandLineOption json{QStringLiteral("json"),
                            CommandLine::tr("list, show, subscriptions, hosts, tools: print the API's JSON.")};

    QList<QCommandLineOption> all() const
    {
        return {headless, dataDir, downloadDir, workers, apiBind, apiPort, apiToken, apiTokenFile, database, hostName,
                workerOnly, type,  priority,    at,      every,   status,  follow,   resume, json};
    }
};

bool validHostName(const QString &name)
{
    if (name.isEmpty() || name.size() > 64)
        return false;
    return std::all_of(name.cbegin(), name.cend(), [](QChar c) {
        return c.isLetterOrNumber() || c == u'.' || c == u'-' || c == u'_';
    });
}

std::optional<int> number(const QString &text, int low, int high)
{
    bool ok = false;
    const int n = text.toInt(&ok);
    return ok && n >= low && n <= high ? std::optional<int>(n) : std::nullopt;
}

QString readValues(const QCommandLineParser &parser, const Options &o, CommandLine &cl)
{
    cl.headless = parser.isSet(o.headless);
    const QString dataDir = parser.isSet(o.dataDir)
                                ? parser.value(o.dataDir)
                                : QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    cl.dataDir = QFileInfo(dataDir).absoluteFilePath();
    cl.downloadDir = parser.value(o.downloadDir);
    cl.defaultDownloadDir =
        QStandardPaths::writableLocation(QStandardPaths::MoviesLocation) + QStringLiteral("/Spool");
    if (parser.isSet(o.workers)) {
        const auto n = number(parser.value(o.workers), 0, 64);
        if (!n)
            return CommandLine::tr("--workers takes a number from 0 to 64");
        cl.workers = *n;
    }
    if (parser.isSet(o.apiBind)) {
        cl.apiBind = parser.value(o.apiBind);
        if (QHostAddress(cl.apiBind).isNull())
            return CommandLine::tr("--api-bind takes an IP address, such as 127.0.0.1 or 0.0.0.0");
    }
    if (parser.isSet(o.apiPort)) {
        const auto n = number(parser.value(o.apiPort), 0, 65535);
        if (!n)
            return CommandLine::tr("--api-port takes a port number from 0 to 65535");
        cl.apiPort = static_cast<quint16>(*n);
    }
    cl.apiToken = parser.value(o.apiToken);
    cl.apiTokenInArguments = parser.isSet(o.apiToken);
    if (!parser.isSet(o.apiToken) && parser.isSet(o.apiTokenFile)) {
        QFile file(parser.value(o.apiTokenFile));
        if (!file.open(QIODevice::ReadOnly))
            return CommandLine::tr("--api-token-file: cannot read %1").arg(parser.value(o.apiTokenFile));
        cl.apiToken = QString::fromUtf8(file.readLine(4096)).trimmed();
        if (cl.apiToken.isEmpty())
            return CommandLine::tr("--api-token-file: %1 holds no token on its first line").arg(parser.value(o.apiTokenFile));
    } else if (!parser.isSet(o.apiToken)) {
        cl.apiToken = qEnvironmentVariable("SPOOL_API_TOKEN").trimmed();
    }
    cl.database = parser.value(o.database).trimmed();
    if (parser.isSet(o.database) && !cl.database.startsWith(QLatin1String("postgresql://"))
        && !cl.database.startsWith(QLatin1String("postgres://")))
        return CommandLine::tr("--database takes a PostgreSQL URL, such as postgresql://spool@nas:5432/spool");
    cl.hostName = parser.value(o.hostName).trimmed();
    if (parser.isSet(o.hostName) && !validHostName(cl.hostName))
        return CommandLine::tr("--host-name takes 1 to 64 letters, digits, '.', '-' or '_'");
    cl.workerOnly = parser.isSet(o.workerOnly);
    if (cl.workerOnly && !cl.headless)
        return CommandLine::tr("--worker-only goes with --headless");
    if (cl.workerOnly && cl.workers == 0)
        return CommandLine::tr("--worker-only runs jobs: it needs --workers 1 or more");
    return {};
}

QString readCommand(const QCommandLineParser &parser, const Options &o, CommandLine &cl)
{
    using C = CommandLine::Command;
    cl.type = parser.value(o.type);
    if (parser.isSet(o.priority)) {
        cl.priority = number(parser.value(o.priority), -1000, 1000);
        if (!cl.priority)
            return CommandLine::tr("--priority takes a number from -1000 to 1000");
    }
    if (parser.isSet(o.every)) {
        cl.every = number(parser.value(o.every), 1, 24 * 365);
        if (!cl.every)
            return CommandLine::tr("--every takes a number of hours from 1 to 8760");
    }
    cl.at = parser.value(o.at);
    cl.status = parser.value(o.status);
    cl.follow = parser.isSet(o.follow);
    cl.resumeHost = parser.value(o.resume).trimmed().toLower();
    cl.json = parser.isSet(o.json);
    const bool addOnly = parser.isSet(o.type) || parser.isSet(o.priority) || parser.isSet(o.at) || parser.isSet(o.every);
    if (addOnly && cl.command != C::Add)
        return CommandLine::tr("--type, --priority, --at and --every go with 'add'");
    if (parser.isSet(o.status) && cl.command != C::List)
        return CommandLine::tr("--status goes with 'list'");
    if (cl.follow && cl.command != C::Log)
        return CommandLine::tr("--follow goes with 'log'");
    if (parser.isSet(o.resume) && cl.command != C::Hosts)
        return CommandLine::tr("--resume goes with 'hosts'");
    if (parser.isSet(o.resume) && !HostsApi::isHostName(cl.resumeHost))
        return CommandLine::tr(
            "--resume takes a host name as 'spool hosts' shows it, such as www.youtube.com");
    if (cl.json && cl.command != C::List && cl.command != C::Show && cl.command != C::Subscriptions &&
        cl.command != C::Hosts && cl.command != C::Tools)
        return CommandLine::tr("--json goes with 'list', 'show', 'subscriptions', 'hosts' or 'tools'");
    return {};
}

QString checkArguments(CommandLine &cl)
{
    using C = CommandLine::Command;
    const qsizetype n = cl.commandArguments.size();
    switch (cl.command) {
    case C::None:
        return {};
    case C::Add:
        return n == 0 ? CommandLine::tr("'add' needs at least one URL") : QString();
    case C::List:
        return n == 0 ? QString() : CommandLine::tr("'list' takes no arguments");
    case C::PauseQueue:
    case C::ResumeQueue:
    case C::Subscriptions:
    case C::Hosts:
    case C::Tools:
        return n == 0 ? QString() : CommandLine::tr("this command takes no arguments");
    case C::Unsubscribe:
        break;
    case C::Show:
    case C::Retry:
    case C::Cancel:
    case C::Log:
        break;
    }
    bool ok = false;
    if (n != 1 || cl.commandArguments.first().toLongLong(&ok) <= 0 || !ok)
        return cl.command == C::Unsubscribe ? CommandLine::tr("'unsubscribe' takes one subscription id (see 'spool subscriptions')")
                                            : CommandLine::tr("this command takes one job id");
    return {};
}
// `spool add URL...` is a command; anything else positional is URLs to add.
void splitPositional(const QStringList &positional, CommandLine &cl)
{
    for (const auto &[name, command] : commands()) {
        if (!positional.isEmpty() && positional.first() == name) {
            cl.command = command;
            cl.commandArguments = positional.mid(1);
            return;
        }
    }
    cl.urls = positional;
}
} // namespace

CommandLine CommandLine::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(description());
    const QCommandLineOption help = parser.addHelpOption();
    const QCommandLineOption version = parser.addVersionOption();
    const Options o;
    parser.addOptions(o.all());
    parser.addPositionalArgument(QStringLiteral("urls"),
                                 CommandLine::tr("URLs to add, or a command and its arguments."),
                                 QStringLiteral("[url...] | command [args...]"));
    CommandLine cl;
    const bool parsed = parser.parse(arguments);
    cl.showHelp = parser.isSet(help) || parser.isSet(QStringLiteral("help-all"));
    cl.showVersion = parser.isSet(version);
    cl.helpText = parser.helpText();
    if (!parsed) {
        cl.error = parser.errorText();
        return cl;
    }
    splitPositional(parser.positionalArguments(), cl);
    cl.error = readValues(parser, o, cl);
    if (cl.error.isEmpty())
        cl.error = readCommand(parser, o, cl);
    if (cl.error.isEmpty())
        cl.error = checkArguments(cl);
    return cl;
}
