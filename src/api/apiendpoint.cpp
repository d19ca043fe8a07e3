#include "api/apiendpoint.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <cerrno>
#include <csignal>

QString ApiEndpoint::filePath(const QString &dataDir)
{
    return dataDir + QStringLiteral("/api.json");
}

std::optional<ApiEndpoint> ApiEndpoint::read(const QString &dataDir)
{
    QFile file(filePath(dataDir));
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(file.read(64 * 1024)).object();
    ApiEndpoint endpoint;
    endpoint.bind = o.value(QStringLiteral("bind")).toString();
    endpoint.port = static_cast<quint16>(o.value(QStringLiteral("port")).toInt());
    endpoint.pid = o.value(QStringLiteral("pid")).toInteger();
    if (endpoint.port == 0 || endpoint.pid <= 0)
        return std::nullopt;
    return endpoint;
}

void ApiEndpoint::remove(const QString &dataDir)
{
    QFile::remove(filePath(dataDir));
}

bool ApiEndpoint::write(const QString &dataDir) const
{
    const QJsonObject o{
        {QStringLiteral("bind"), bind}, {QStringLiteral("port"), port}, {QStringLiteral("pid"), pid}};
    QSaveFile file(filePath(dataDir));
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return file.commit();
}

QUrl ApiEndpoint::baseUrl() const
{
    QHostAddress address(bind);
    if (address.isNull() || address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
        address = QHostAddress::LocalHost;
    else if (address == QHostAddress::AnyIPv6)
        address = QHostAddress::LocalHostIPv6;
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    url.setHost(address.toString());
    url.setPort(port);
    return url;
}

bool ApiEndpoint::processAlive() const
{
    // Signal 0 checks existence only; EPERM means it exists but belongs to someone else.
    return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}
