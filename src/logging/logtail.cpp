#include "logging/logtail.h"

#include <QFile>

namespace LogTail {
void keepWholeLines(Chunk &chunk, qint64 offset, qint64 maxBytes)
{
    const qsizetype lastNewline = chunk.data.lastIndexOf('\n');
    if (lastNewline >= 0)
        chunk.data.truncate(lastNewline + 1);
    else if (chunk.data.size() < maxBytes)
        chunk.data.clear();
    chunk.nextOffset = offset + chunk.data.size();
}

Chunk read(const QString &path, qint64 offset, qint64 maxBytes)
{
    Chunk chunk;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        chunk.nextOffset = offset;
        return chunk;
    }
    chunk.exists = true;
    const qint64 size = file.size();
    if (offset > size || offset < 0) {
        offset = 0;
        chunk.restarted = true;
    }
    if (!file.seek(offset)) {
        chunk.nextOffset = offset;
        return chunk;
    }
    chunk.data = file.read(qMax<qint64>(1, maxBytes));
    keepWholeLines(chunk, offset, maxBytes);
    return chunk;
}

} // namespace LogTail
