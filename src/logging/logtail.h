#pragma once

#include <QByteArray>
#include <QString>

// Incremental reads of a growing log file by byte offset: only whole lines, never the whole file.
namespace LogTail {
struct Chunk
{
    QByteArray data;      // whole lines only (unless one line is longer than maxBytes)
    qint64 nextOffset = 0;
    bool restarted = false; // the file shrank (it was replaced): data starts from 0
    bool exists = false;
};

Chunk read(const QString &path, qint64 offset, qint64 maxBytes = 1 << 20);
// Cuts chunk.data read from `offset` back to whole lines and sets nextOffset: a partial last line
// is left for the next read, unless a single line fills all `maxBytes`.
void keepWholeLines(Chunk &chunk, qint64 offset, qint64 maxBytes);
} // namespace LogTail
