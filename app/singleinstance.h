#pragma once

#include <QLocalServer>
#include <QLockFile>
#include <QObject>
#include <QStringList>

class QLocalSocket;

// One running Spool per data dir. The first launch takes <data dir>/instance.lock and listens on a
// local socket named after the data dir; a later launch finds the lock held and hands its URLs to
// the running instance over that socket instead of opening the same queue a second time.
class SingleInstance final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SingleInstance)
public:
    enum class Role { Primary, Secondary, Failed };

    explicit SingleInstance(const QString &dataDir, QObject *parent = nullptr);
    ~SingleInstance() override;

    // Primary: this process now owns the data dir. Secondary: another live process does.
    Role claim();
    // Secondary: sends the URLs (none: just "show yourself") and waits for the primary's answer.
    bool handOver(const QStringList &urls, int timeoutMs = 5000);
    QString errorString() const { return m_error; }
    // Derived from the canonical data dir and the user, so two users or two data dirs never meet.
    static QString serverName(const QString &dataDir);

Q_SIGNALS:
    void urlsReceived(const QStringList &urls);

private:
    bool listen();
    void handleConnection();
    void handleReadable(QLocalSocket *socket);

    QString m_dataDir;
    QLockFile m_lock;
    QLocalServer m_server;
    QString m_error;
};
