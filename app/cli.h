#pragma once

#include "commandline.h"
#include "terminaltext.h"

#include <QByteArray>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QTextStream>
#include <QUrl>

#include <memory>

class QNetworkAccessManager;

// The subcommands (add, list, show, retry, cancel, log, hosts, tools...): each one HTTP call or a few to the running
// instance of the same data dir, found through <data dir>/api.json and authorised with its token.
// The token goes only to a program that has just proved it is that instance (GET /api/identity).
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
    // What the program on the port of api.json showed about itself.
    enum class Identity {
        Proven,     // the data dir's Spool: it knows the token
        Absent,     // nothing listens there
        Unproven,   // something answered, but not with a proof
        OtherToken, // a proof, but not one made with this token for this data dir
    };
    struct Response
    {
        int status = 0; // 0: no HTTP answer at all
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QString networkError;
        bool connectionRefused = false;
        Identity identity = Identity::Proven; // otherwise the request was not sent

        QJsonObject object() const;
        QByteArray header(const QByteArray &name) const;
    };

    bool findInstance();
    Identity proveIdentity();
    // Sends the token, after a fresh proof of identity; a Response with `identity` set if there was none.
    Response request(const QByteArray &method, const QString &path, const QByteArray &json = {});
    // One HTTP exchange. Without the token it is a probe of an unknown program: its answer is
    // bounded in time and size.
    Response send(const QByteArray &method, const QString &path, const QByteArray &json, bool withToken);
    int fail(const Response &response);
    int noInstance();
    int notProven(Identity identity);
    qint64 idArgument() const;

    int add();
    int list();
    int show();
    int act(const QByteArray &method, const QString &path);
    int queue(const QByteArray &method, const QString &path);
    int subscriptions();
    int hosts();
    void printHosts(const QJsonArray &paused);
    int tools();
    void printTools(const QJsonArray &tools);
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
    QString m_identityDir; // the canonical data dir, as the proof names it
    std::unique_ptr<QNetworkAccessManager> m_network;
};
