#include "api/apiidentity.h"

#include <QFileInfo>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

#include <algorithm>
#include <cctype>

namespace ApiIdentity {
QByteArray newChallenge()
{
    QByteArray bytes(kChallengeBytes, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), bytes.size() / 4);
    return bytes.toHex();
}

bool isChallenge(const QByteArray &challenge)
{
    if (challenge.size() != 2 * kChallengeBytes)
        return false;
    return std::all_of(challenge.cbegin(), challenge.cend(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

QString canonicalDataDir(const QString &dataDir)
{
    if (dataDir.isEmpty())
        return {};
    const QString canonical = QFileInfo(dataDir).canonicalFilePath();
    return canonical.isEmpty() ? QFileInfo(dataDir).absoluteFilePath() : canonical;
}

QByteArray proof(const QByteArray &token, const QByteArray &challenge, const QString &canonicalDir)
{
    const QByteArray message = "spool-identity-v1\n" + challenge + '\n' + canonicalDir.toUtf8();
    return QMessageAuthenticationCode::hash(message, token, QCryptographicHash::Sha256).toHex();
}
} // namespace ApiIdentity
