#include "queue/joblog.h"

#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "store/store.h"

#include <QDateTime>
#include <QFile>

#include <algorithm>

namespace {
constexpr qsizetype kTimeLength = 24; // 2026-12-02T22:00:00.123Z: orders as text
constexpr qint64 kProbeBytes = 4096;

struct DbLine
{
    QByteArray at;
    bool start = false; // an attempt's start goes before file entries of its own millisecond
    QByteArray text;
    qint64 filePos = 0; // where in the file it sits
};

// The first entry of job.log at or after `pos` (an entry's first line starts with its time,
// continuation lines with spaces): its offset and time, or the file's size when there is none.
struct Probe
{
    qint64 start = 0;
    QByteArray at;
};

Probe entryAtOrAfter(QFile &file, qint64 size, qint64 pos)
{
    qint64 lineStart = pos;
    if (pos > 0) { // skip to the start of the next line
        qint64 p = pos - 1;
        lineStart = -1;
        while (p < size && file.seek(p)) {
            const QByteArray block = file.read(kProbeBytes);
            if (block.isEmpty())
                break;
            const qsizetype nl = block.indexOf('\n');
            if (nl >= 0) {
                lineStart = p + nl + 1;
                break;
            }
            p += block.size();
        }
        if (lineStart < 0)
            return {size, {}};
    }
    while (lineStart < size && file.seek(lineStart)) {
        const QByteArray head = file.read(kProbeBytes);
        const qsizetype nl = head.indexOf('\n');
        if (!head.startsWith(' ')) {
            // An unfinished last line that has no time yet counts as later than everything.
            return {lineStart, nl < 0 && head.size() < kTimeLength ? QByteArray(kTimeLength, '~')
                                                                   : head.left(kTimeLength)};
        }
        if (nl < 0) // a long continuation line: find its end
            return entryAtOrAfter(file, size, lineStart + head.size());
        lineStart += nl + 1;
    }
    return {size, {}};
}

// The file's size up to its last newline: a line being written is not there yet.
qint64 completeLines(QFile &file)
{
    qint64 end = file.size();
    while (end > 0) {
        const qint64 from = std::max<qint64>(0, end - kProbeBytes);
        if (!file.seek(from))
            return 0;
        const QByteArray block = file.read(end - from);
        const qsizetype nl = block.lastIndexOf('\n');
        if (nl >= 0)
            return from + nl + 1;
        end = from;
    }
    return 0;
}

// The first entry later than `line` (for a start: at or after it), by binary search over a file
// whose entries are in time order.
qint64 insertionPoint(QFile &file, qint64 size, const DbLine &line)
{
    const auto after = [&line](const Probe &p) { return line.start ? p.at >= line.at : p.at > line.at; };
    qint64 lo = 0;
    qint64 hi = size;
    while (lo < hi) {
        const qint64 mid = lo + (hi - lo) / 2;
        const Probe p = entryAtOrAfter(file, size, mid);
        if (p.start >= size || after(p))
            hi = mid;
        else
            lo = p.start + 1;
    }
    return entryAtOrAfter(file, size, lo).start;
}

QList<DbLine> databaseLines(Store &store, qint64 jobId)
{
    QList<DbLine> lines;
    for (const JobEventStore::Line &line : store.events().lines(jobId)) {
        const QString at = QDateTime::fromMSecsSinceEpoch(line.at, Qt::UTC).toString(Qt::ISODateWithMs);
        lines << DbLine{at.toUtf8(), line.event == QLatin1String("started"),
                        JobLogger::humanLine(at, line.level, line.message), 0};
    }
    std::stable_sort(lines.begin(), lines.end(), [](const DbLine &a, const DbLine &b) {
        return a.at != b.at ? a.at < b.at : a.start > b.start;
    });
    return lines;
}
} // namespace

qint64 JobLog::size(qint64 jobId) const
{
    QFile file(m_logs.humanLogPath(jobId));
    qint64 total = !m_logs.sharedLines() && file.open(QIODevice::ReadOnly) ? completeLines(file) : 0;
    for (const DbLine &line : databaseLines(m_store, jobId))
        total += line.text.size();
    return total;
}

LogTail::Chunk JobLog::read(qint64 jobId, qint64 offset, qint64 maxBytes) const
{
    QList<DbLine> lines = databaseLines(m_store, jobId);

    // On a shared queue the worker's entries are rows too: the text is the same on every host.
    QFile file(m_logs.humanLogPath(jobId));
    const bool haveFile = !m_logs.sharedLines() && file.open(QIODevice::ReadOnly);
    const qint64 fileSize = haveFile ? completeLines(file) : 0;
    qint64 total = fileSize;
    qint64 previous = 0;
    for (DbLine &line : lines) {
        line.filePos = haveFile ? std::max(previous, insertionPoint(file, fileSize, line)) : 0;
        previous = line.filePos;
        total += line.text.size();
    }

    LogTail::Chunk chunk;
    chunk.exists = haveFile || !lines.isEmpty();
    if (offset < 0 || offset > total) {
        offset = 0;
        chunk.restarted = true;
    }
    // Walk the combined text: file bytes up to each line's position, then the line.
    const qint64 want = std::max<qint64>(1, maxBytes);
    qint64 merged = 0;  // offset in the combined text of filePos
    qint64 filePos = 0; // offset in the file
    const auto takeFile = [&](qint64 upTo) {
        const qint64 length = upTo - filePos;
        const qint64 from = std::max<qint64>(offset, merged);
        if (from < merged + length && chunk.data.size() < want) {
            const qint64 n = std::min(merged + length - from, want - chunk.data.size());
            if (file.seek(filePos + (from - merged)))
                chunk.data += file.read(n);
        }
        merged += length;
        filePos = upTo;
    };
    for (const DbLine &line : lines) {
        takeFile(line.filePos);
        const qint64 from = std::max<qint64>(offset, merged);
        if (from < merged + line.text.size() && chunk.data.size() < want)
            chunk.data += line.text.mid(from - merged, want - chunk.data.size());
        merged += line.text.size();
    }
    takeFile(fileSize);
    LogTail::keepWholeLines(chunk, offset, want);
    return chunk;
}

QByteArray JobLog::text(qint64 jobId) const
{
    QByteArray out;
    qint64 offset = 0;
    while (true) {
        const LogTail::Chunk chunk = read(jobId, offset);
        if (chunk.data.isEmpty() || chunk.restarted)
            return out;
        out += chunk.data;
        offset = chunk.nextOffset;
    }
}
