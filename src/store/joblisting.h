#pragma once

#include "queue/job.h"
#include "store/jobstore.h"

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

class Database;

// How a list of jobs is filtered, sorted and paged. Sort keys are whitelisted column names.
struct JobFilter
{
    QList<JobStatus> statuses; // empty: any
    QStringList types;         // empty: any
    std::optional<qint64> parentId; // 0: top-level jobs only
    QString text;              // substring of title or URL (case-insensitive)
    // The ids of the jobs that match `text`, as the JSON array the queries read, found and
    // written once by resolveText(); when set, the text is not searched again for every count
    // and page.
    std::optional<QString> textMatches;
    QString sort = QStringLiteral("id");
    bool descending = false;
    int limit = 100;
    int offset = 0;
};

struct JobPage
{
    QList<Job> jobs;
    qint64 total = 0;
};

// The read side of the jobs table for people: filtered, sorted, paged lists, text search over
// titles and URLs (a trigram index), and counts by status and type (kept by triggers).
class JobListing final
{
public:
    explicit JobListing(Database &db) : m_db(db) {}
    Q_DISABLE_COPY_MOVE(JobListing)

    JobPage list(const JobFilter &filter);
    // Evaluates a text search of three characters or more once and keeps the matching ids in
    // the filter, so the count and every page look jobs up by id instead of searching again.
    // When more than maxMatches jobs match, SearchDirectly leaves the filter to search every
    // time (exact, but slow for a term found in most jobs) and KeepFirst keeps the first
    // maxMatches by id (bounded time; the result is capped). Returns false when capped.
    enum class TextOverflow { SearchDirectly, KeepFirst };
    static constexpr int kMaxTextMatches = 200000;
    bool resolveText(JobFilter &filter, int maxMatches = kMaxTextMatches,
                     TextOverflow overflow = TextOverflow::SearchDirectly);
    // The two halves of list(), for a view that pages through rows itself.
    qint64 count(const JobFilter &filter);
    QList<Job> page(const JobFilter &filter);
    // Every matching id in order (no paging), and rows by id in the given order: a view that
    // knows the ids jumps to any row without an OFFSET scan.
    QList<qint64> ids(const JobFilter &filter);
    QList<Job> jobsInOrder(const QList<qint64> &ids);
    QHash<QString, qint64> countByStatus();
    QHash<QString, qint64> countByType();

private:
    QHash<QString, qint64> countsBy(const QString &sql);

    Database &m_db;
};
