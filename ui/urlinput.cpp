#include "urlinput.h"

#include "queue/jobqueue.h"
#include "queue/jobtypes.h"

#include <QMimeData>
#include <QRegularExpression>
#include <QUrl>

namespace UrlInput {
QStringList entriesFromText(const QString &text)
{
    QStringList out;
    for (const QString &piece : text.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts)) {
        if (!piece.startsWith(QLatin1Char('#')))
            out << piece;
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
