#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <optional>

// What the command line asked for: run Spool (with a window or --headless), or one subcommand that
// talks to the running instance of the same data dir.
struct CommandLine
{
    Q_DECLARE_TR_FUNCTIONS(CommandLine)

public:
    enum class Command { None, Add, List, Show, Retry, Cancel, Log, PauseQueue, ResumeQueue, Subscriptions, Unsubscribe, Hosts, Tools };

    bool headless = false;
    QString dataDir;            // absolute
    QString downloadDir;        // from --download-dir; empty: from the settings
    QString defaultDownloadDir; // when neither says
    int workers = -1;           // -1: from settings; 0: none (a host that monitors a shared queue)
    QStringList urls;

    QString apiBind;                // empty: from the settings
    std::optional<quint16> apiPort; // unset: from the settings
    QString apiToken;               // --api-token, --api-token-file or SPOOL_API_TOKEN; empty: the settings', else the data dir's token file
    bool apiTokenInArguments = false; // given with --api-token: visible to every local user (ps)
    QString database;               // a postgresql:// URL; empty: [queue] database, else SQLite
    QString hostName;               // empty: [queue] host_name, else the machine's name
    bool workerOnly = false;        // --headless --worker-only: runs jobs, no API

    Command command = Command::None;
    QStringList commandArguments; // what follows the subcommand's name
    QString type;                 // add --type
    std::optional<int> priority;  // add --priority
    std::optional<int> every;     // add --every: hours between re-syncs of a channel or playlist
    QString at;                   // add --at
    QString status;               // list --status
    bool follow = false;          // log --follow
    QString resumeHost;           // hosts --resume, lowercased; empty: list the hosts
    bool json = false;            // list/show/subscriptions/hosts/tools --json

    bool showHelp = false;
    bool showVersion = false;
    QString helpText;
    QString error; // set when the command line is unusable

    // Works before the application object exists, so main() can choose which one to create.
    static CommandLine parse(const QStringList &arguments);
    bool wantsWindow() const
    {
        return !headless && command == Command::None && !showHelp && !showVersion && error.isEmpty();
    }
};
