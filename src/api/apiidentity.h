#pragma once

#include <QByteArray>
#include <QString>

// Proof that the program on a port is the Spool of a data dir, before the command line sends it the
// token: the client sends a fresh random challenge to GET /api/identity (an open route), and only a
// program that knows the token can answer HMAC-SHA256(token, "spool-identity-v1\n" + challenge +
// "\n" + canonical data dir). A stranger on a port a dead Spool left, or the Spool of another data
// dir (another token, another dir), cannot; a recorded answer is worthless for the next challenge.
namespace ApiIdentity {
inline constexpr qsizetype kChallengeBytes = 32;
// kChallengeBytes from the system's random source, as lowercase hex.
QByteArray newChallenge();
// Exactly kChallengeBytes as hex digits (either case): what the server agrees to sign.
bool isChallenge(const QByteArray &challenge);
// The data dir as both sides name it: symlinks resolved (absolute when it does not exist).
QString canonicalDataDir(const QString &dataDir);
// The answer to `challenge`, as lowercase hex. `canonicalDir` comes from canonicalDataDir().
QByteArray proof(const QByteArray &token, const QByteArray &challenge, const QString &canonicalDir);
} // namespace ApiIdentity
