#pragma once

#include "core/expected.h"

#include <QString>

// The API's bearer token: random, created at first start and kept in the data dir, readable by the
// owner only (mode 0600), so only the same user's programs can talk to the running instance.
namespace ApiToken {
// A token someone could guess is no token: one given by the user (command line, environment,
// settings) is refused when shorter.
inline constexpr qsizetype kMinLength = 32;
QString filePath(const QString &dataDir);
// The stored token, created first if there is none. Fixes the file's mode if it was loosened.
Expected<QString> loadOrCreate(const QString &dataDir);
// The stored token, or an empty string when there is none (the command line's read-only view).
QString read(const QString &dataDir);
QString generate();
// Compares in constant time, so the response time does not leak how much of a guess was right.
bool matches(const QByteArray &given, const QByteArray &expected);
} // namespace ApiToken
