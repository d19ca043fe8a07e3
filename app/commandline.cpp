#include "commandline.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QStandardPaths>

CommandLine CommandLine::parse(const QCoreApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QCoreApplication::translate("CommandLine", "Spool: a download manager built around a durable job queue."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(QStringLiteral("headless"),
                                      QCoreApplication::translate("CommandLine", "Run the queue without a window until SIGINT or SIGTERM."));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QCoreApplication::translate("CommandLine", "Folder for the queue database, logs and settings."),
                                     QStringLiteral("dir"));
    const QCommandLineOption downloadDir(QStringLiteral("download-dir"),
                                         QCoreApplication::translate("CommandLine", "Folder downloads go to."),
                                         QStringLiteral("dir"));
    const QCommandLineOption workers(QStringLiteral("workers"),
                                     QCoreApplication::translate("CommandLine", "How many jobs run at once."),
                                     QStringLiteral("n"));
    parser.addOptions({headless, dataDir, downloadDir, workers});
    parser.addPositionalArgument(QStringLiteral("urls"), QCoreApplication::translate("CommandLine", "URLs to add."),
                                 QStringLiteral("[url...]"));
    parser.process(app);

    CommandLine cl;
    cl.headless = parser.isSet(headless);
    cl.dataDir = parser.isSet(dataDir) ? parser.value(dataDir)
                                       : QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation);
    cl.downloadDir = parser.value(downloadDir);
    cl.defaultDownloadDir = QStandardPaths::writableLocation(QStandardPaths::MoviesLocation) + QStringLiteral("/Spool");
    if (parser.isSet(workers)) {
        bool ok = false;
        cl.workers = parser.value(workers).toInt(&ok);
        if (!ok || cl.workers < 1 || cl.workers > 64)
            cl.error = QCoreApplication::translate("CommandLine", "--workers takes a number from 1 to 64");
    }
    cl.urls = parser.positionalArguments();
    return cl;
}
