#include "singleinstance.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QThread>

#include <unistd.h>

namespace {
constexpr qint64 kMaxMessageBytes = 1024 * 1024;

QString lockPath(const QString &dataDir)
{
    QDir().mkpath(dataDir);
    return dataDir + QStringLiteral("/instance.lock");
}
} // namespace

SingleInstance::SingleInstance(const QString &dataDir, QObject *parent)
    : QObject(parent), m_dataDir(dataDir), m_lock(lockPath(dataDir))
{
    // The lock is stale only when its process is gone, never because it is old: Spool runs for weeks.
    m_lock.setStaleLockTime(0);
    connect(&m_server, &QLocalServer::newConnection, this, &SingleInstance::handleConnection);
}

SingleInstance::~SingleInstance()
{
    m_server.close();
    if (m_lock.isLocked())
        m_lock.unlock();
}

QString SingleInstance::serverName(const QString &dataDir)
{
    QString canonical = QFileInfo(dataDir).canonicalFilePath();
    if (canonical.isEmpty())
        canonical = QFileInfo(dataDir).absoluteFilePath();
    const QByteArray key = canonical.toUtf8() + '\0' + QByteArray::number(::getuid());
    const QString name = QStringLiteral("spool-")
                         + QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(24));
    // In the user's own runtime folder (XDG_RUNTIME_DIR, or the private folder Qt makes and checks
    // in its place), never at a predictable name in /tmp that another user could take first.
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return runtime.isEmpty() ? QDir(dataDir).absoluteFilePath(QStringLiteral("instance.socket"))
                             : runtime + QLatin1Char('/') + name;
}

SingleInstance::Role SingleInstance::claim()
{
    if (m_lock.tryLock(0))
        return listen() ? Role::Primary : Role::Failed;
    if (m_lock.error() == QLockFile::LockFailedError)
        return Role::Secondary;
    m_error = tr("cannot create %1").arg(lockPath(m_dataDir));
    return Role::Failed;
}

bool SingleInstance::listen()
{
    const QString name = serverName(m_dataDir);
    // Holding the lock means no live instance owns the name: a socket left by a crash is stale.
    QLocalServer::removeServer(name);
    m_server.setSocketOptions(QLocalServer::UserAccessOption);
    if (m_server.listen(name))
        return true;
    m_error = tr("cannot listen on %1: %2").arg(name, m_server.errorString());
    return false;
}

bool SingleInstance::handOver(const QStringList &urls, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    QLocalSocket socket;
    // The primary may hold the lock a moment before it listens: try until the deadline.
    while (true) {
        socket.connectToServer(serverName(m_dataDir));
        if (socket.waitForConnected(qMax<qint64>(1, deadline.remainingTime())))
            break;
        if (deadline.hasExpired()) {
            m_error = tr("the running instance does not answer: %1").arg(socket.errorString());
            return false;
        }
        QThread::msleep(100);
    }
    const QJsonObject message{{QStringLiteral("urls"), QJsonArray::fromStringList(urls)}};
    socket.write(QJsonDocument(message).toJson(QJsonDocument::Compact) + '\n');
    while (!socket.canReadLine() && socket.waitForReadyRead(qMax<qint64>(1, deadline.remainingTime()))) {
    }
    if (socket.readLine().trimmed() == "ok")
        return true;
    m_error = tr("the running instance did not confirm");
    return false;
}

void SingleInstance::handleConnection()
{
    while (QLocalSocket *socket = m_server.nextPendingConnection()) {
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] { handleReadable(socket); });
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
    }
}

void SingleInstance::handleReadable(QLocalSocket *socket)
{
    if (socket->bytesAvailable() > kMaxMessageBytes) {
        socket->abort();
        return;
    }
    if (!socket->canReadLine())
        return;
    const QJsonObject message = QJsonDocument::fromJson(socket->readLine()).object();
    QStringList urls;
    for (const QJsonValue &url : message.value(QStringLiteral("urls")).toArray())
        urls << url.toString();
    socket->write("ok\n");
    socket->flush();
    Q_EMIT urlsReceived(urls);
}
