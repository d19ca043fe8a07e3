#include "urlinput.h"

#include "queue/jobqueue.h"
#include "queue/jobtypes.h"

#include <QMimeData>
#include <QRegularExpression>
#include <QUrl>

namespace UrlInput {
QStringList entriesFromText(const QString &text)
{
    // One entry per line; a line of several URLs separated by spaces gives one entry each, but a
    // line of words stays whole, so the user sees the line they typed in the error.
    static const QRegularExpression space(QStringLiteral("\\s+"));
    QStringList out;
    for (const QString &raw : text.split(QLatin1Char('\n'))) {
        const QString line = raw.trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        const QStringList pieces = line.split(space, Qt::SkipEmptyParts);
        const bool allUrls = std::all_of(pieces.cbegin(), pieces.cend(),
                                         [](const QString &p) { return p.contains(QLatin1String("://")); });
        if (pieces.size() > 1 && allUrls)
            out << pieces;
        else
            out << line;
    }
    return out;
}

QStringList entriesFromMime(const QMimeData *mime)
{
    if (!mime)
        return {};
    if (mime->hasUrls()) {
        QStringList out;
        for (const QUrl &url : mime->urls())
            out << url.toString();
        return out;
    }
    return mime->hasText() ? entriesFromText(mime->text()) : QStringList();
}

Batch prepare(const QStringList &entries, const JobQueue &queue, const QString &type, const NewJob &base)
{
    Batch batch;
    for (const QString &entry : entries) {
        NewJob job = base;
        job.url = entry.trimmed();
        job.type = type.isEmpty() ? JobTypes::detectType(job.url) : type;
        if (auto problem = queue.validate(job))
            batch.invalid << QStringLiteral("%1: %2").arg(entry, problem->message);
        else
            batch.jobs << job;
    }
    return batch;
}
} // namespace UrlInput
