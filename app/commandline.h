#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

// What the command line asked for.
struct CommandLine
{
    bool headless = false;
    QString dataDir;
    QString downloadDir;        // from --download-dir; empty: from the settings
    QString defaultDownloadDir; // when neither says
    int workers = 0; // 0: from settings
    QStringList urls;
    QString error; // set when the command line is unusable

    static CommandLine parse(const QCoreApplication &app);
};
