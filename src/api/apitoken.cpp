#include "api/apitoken.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>

namespace {
constexpr auto kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

Expected<QString> writeNew(const QString &path)
{
    const QString token = ApiToken::generate();
    const QString temporary = path + QStringLiteral(".new");
    QFile::remove(temporary);
    QFile file(temporary);
    // Created with the final mode: there is never a moment when others may read the token.
    if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, kOwnerOnly) ||
        file.write(token.toLatin1()) < 0 || !file.flush())
        return makeError(ErrorCode::Storage,
                         QStringLiteral("cannot write %1: %2").arg(temporary, file.errorString()));
    file.close();
    if (!QFile::rename(temporary, path)) {
        QFile::remove(temporary);
        return makeError(ErrorCode::Storage, QStringLiteral("cannot create %1").arg(path));
    }
    return token;
}
} // namespace

namespace ApiToken {
QString filePath(const QString &dataDir)
{
    return dataDir + QStringLiteral("/api.token");
}

QString read(const QString &dataDir)
{
    QFile file(filePath(dataDir));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromLatin1(file.read(4096)).trimmed();
}

Expected<QString> loadOrCreate(const QString &dataDir)
{
    if (!QDir().mkpath(dataDir))
        return makeError(ErrorCode::Storage, QStringLiteral("cannot create the data folder %1").arg(dataDir));
    const QString path = filePath(dataDir);
    const QString stored = read(dataDir);
    if (stored.isEmpty())
        return writeNew(path);
    constexpr auto kMine = kOwnerOnly | QFileDevice::ReadUser | QFileDevice::WriteUser;
    if (QFile::permissions(path) & ~kMine)
        QFile::setPermissions(path, kOwnerOnly);
    return stored;
}

QString generate()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return QString::fromLatin1(
        bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
}

bool matches(const QByteArray &given, const QByteArray &expected)
{
    if (expected.isEmpty() || given.size() != expected.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < given.size(); ++i)
        difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return difference == 0;
}
} // namespace ApiToken
