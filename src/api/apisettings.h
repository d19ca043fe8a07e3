#pragma once

#include <QString>

class QSettings;

// Where the local HTTP API listens and whether it runs: the [api] group of settings.ini, which the
// command line may override.
struct ApiSettings
{
    static constexpr quint16 kDefaultPort = 8765;

    bool enabled = true;
    QString bind = QStringLiteral("127.0.0.1");
    quint16 port = kDefaultPort;
    QString token; // empty: the data dir's token file
    // The port came from the user; when it is taken Spool reports it instead of picking another.
    bool portExplicit = false;

    void load(QSettings &settings);
};
