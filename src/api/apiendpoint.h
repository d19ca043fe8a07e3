#pragma once

#include <QString>
#include <QUrl>

#include <optional>

// Where the running instance of a data dir serves its API: <data dir>/api.json, written (mode 0600)
// once the API listens and removed on a clean stop. The command line finds the instance through it.
struct ApiEndpoint
{
    QString bind;
    quint16 port = 0;
    qint64 pid = 0;

    static QString filePath(const QString &dataDir);
    static std::optional<ApiEndpoint> read(const QString &dataDir);
    static void remove(const QString &dataDir);
    bool write(const QString &dataDir) const;

    // The address a client on this machine connects to (an "any" bind is reached over loopback).
    QUrl baseUrl() const;
    // False when the recorded process is gone: the file is a leftover of a crash.
    bool processAlive() const;
};
