#pragma once

#include "commandline.h"
#include "terminaltext.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QTextStream>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

// The subcommands (add, list, show, retry, cancel, log): each one HTTP call or a few to the running
// instance of the same data dir, found through <data dir>/api.json and authorised with its token.
class Cli final
{
    Q_DECLARE_TR_FUNCTIONS(Cli)
public:
    explicit Cli(const CommandLine &commandLine);
    ~Cli();
    Q_DISABLE_COPY_MOVE(Cli)

    // The process exit code: 0 done, 1 refused or no instance.
    int run();

private:
    struct Response
    {
        int status = 0; // 0: no HTTP answer at all
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QString networkError;

        QJsonObject object() const;
        QByteArray header(const QByteArray &name) const;
    };

    bool findInstance();
    Response request(const QByteArray &method, const QString &path, const QByteArray &json = {});
    int fail(const Response &response);
    int noInstance();
    qint64 idArgument() const;

    int add();
    int list();
    int show();
    int act(const QByteArray &method, const QString &path);
    int queue(const QByteArray &method, const QString &path);
    int subscriptions();
    int log();
    bool jobEnded(qint64 id);
    std::optional<QString> runAt();

    const CommandLine &m_cl;
    TerminalText m_outDevice; // what is printed is made safe for a terminal
    TerminalText m_errDevice;
    QTextStream m_out;
    QTextStream m_err;
    QUrl m_base;
    QByteArray m_token;
    std::unique_ptr<QNetworkAccessManager> m_network;
};
