#include "store/jobstore.h"

#include "core/throttle.h"

#include "store/archivestore.h"
#include "store/database.h"
#include "store/rows.h"
#include "store/sqldialect.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QUrl>

using namespace Rows;

namespace {
// Claimable: waiting or backed off, parent done, and due (its time has come and it was staged).
// The condition of the partial indexes jobs_claim and jobs_claim_host, which claims name: rows
// scheduled for later, rows of types at their cap and rows of cooling hosts are never walked.
const QString kClaimable = QStringLiteral("status IN ('pending','retrying') AND waiting_parent = 0 AND due = 1");
// More lanes than this (distinct hosts of the claimable types while some host cools down) and the
// claim walks each type's lane and skips the cooling hosts' rows instead.
constexpr int kMaxLanes = 200;
// From this many jobs added at once, they are added with a few statements for all of them.
constexpr qsizetype kInsertManyFrom = 4;

QString statusesFrom(JobStatus to)
{
    QStringList sources;
    for (JobStatus s : allowedSources(to))
        sources << statusName(s);
    return jsonArray(sources);
}

// Whether a job under `parent` (the row of parentId, if there is one) waits for it; an error when
// no job may be added under it.
Expected<bool> waitsForParent(qint64 parentId, const Job *parent)
{
    if (!parent)
        return makeError(ErrorCode::InvalidArgument,
                         QCoreApplication::translate("JobQueue", "parent job %1 does not exist").arg(parentId));
    if (parent->status == JobStatus::Dead || parent->status == JobStatus::Cancelled)
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "parent job %1 is %2")
                                                  .arg(parentId)
                                                  .arg(statusWord(parent->status)));
    return parent->status != JobStatus::Completed;
}

// The host of a job's URL, as host cool-downs name it.
QString hostOf(const QString &url)
{
    const QString host = url.isEmpty() ? QString() : QUrl(url).host().toLower();
    return host.isNull() ? QStringLiteral("") : host; // never NULL: the column is NOT NULL
}

QString leasesJson(const QHash<QString, qint64> &leases)
{
    QJsonObject object;
    for (auto it = leases.cbegin(); it != leases.cend(); ++it)
        object.insert(it.key(), it.value());
    return toJsonText(object);
}
} // namespace

JobStore::JobStore(Database &db, ArchiveStore &archive) : m_db(db), m_archive(archive) {}

Error JobStore::noSuchJob(qint64 id)
{
    return makeError(ErrorCode::NotFound, QCoreApplication::translate("JobQueue", "job %1 does not exist").arg(id));
}

Expected<QList<Job>> JobStore::runReturning(QSqlQuery &query, const QString &what)
{
    if (!m_db.run(query))
        return m_db.storageError(what);
    QList<Job> rows = fetchJobs(query);
    if (!m_db.completed(query))
        return m_db.storageError(what);
    return rows;
}

Expected<Job> JobStore::updatedJob(QSqlQuery &query, qint64 id, const QString &what)
{
    auto rows = runReturning(query, what);
    if (!rows)
        return rows.error();
    if (rows.value().isEmpty())
        return noSuchJob(id);
    return rows.value().first();
}

std::optional<Job> JobStore::activeJobWithKey(const QString &uniqueKey)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns
                                 + QStringLiteral(" FROM jobs WHERE unique_key = :key AND status NOT IN ('dead','cancelled')"));
    q.bindValue(QStringLiteral(":key"), uniqueKey);
    if (!m_db.run(q))
        return std::nullopt;
    const QList<Job> found = readJobs(q);
    return found.isEmpty() ? std::nullopt : std::optional<Job>(found.first());
}

Expected<JobStore::Inserted> JobStore::insertOne(const NewJob &job, qint64 now)
{
    if (!job.uniqueKey.isEmpty()) {
        if (auto existing = activeJobWithKey(job.uniqueKey))
            return Inserted{*existing, true, false};
        if (job.skipIfArchived && m_archive.isArchived(job.uniqueKey))
            return Inserted{Job{}, true, true};
    }
    bool waiting = false;
    if (job.parentId > 0) {
        const auto parent = this->job(job.parentId);
        auto waits = waitsForParent(job.parentId, parent ? &*parent : nullptr);
        if (!waits)
            return waits.error();
        waiting = waits.value();
    }
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "INSERT INTO jobs (id, type, status, priority, url, options, parent_job_id, waiting_parent, unique_key,"
        " max_attempts, run_at, due, created_at, updated_at, title, host) VALUES ("
        " ") + m_db.dialect().newJobId() + QStringLiteral(","
        " :type, 'pending', :priority, :url, :options, :parent, :waiting, :key, :max, :run_at, :due, :now, :now, :title, :host)"
        " RETURNING ") + kJobColumns);
    const qint64 runAt = job.runAt > 0 ? job.runAt : now;
    q.bindValue(QStringLiteral(":type"), job.type);
    q.bindValue(QStringLiteral(":priority"), job.priority);
    q.bindValue(QStringLiteral(":url"), text(job.url));
    q.bindValue(QStringLiteral(":options"), toJsonText(job.options));
    q.bindValue(QStringLiteral(":parent"), nullIfZero(job.parentId));
    q.bindValue(QStringLiteral(":waiting"), waiting ? 1 : 0);
    q.bindValue(QStringLiteral(":key"), job.uniqueKey.isEmpty() ? QVariant() : QVariant(job.uniqueKey));
    q.bindValue(QStringLiteral(":max"), job.maxAttempts);
    q.bindValue(QStringLiteral(":run_at"), runAt);
    q.bindValue(QStringLiteral(":due"), runAt <= now ? 1 : 0);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":title"), text(job.title));
    q.bindValue(QStringLiteral(":host"), hostOf(job.url));
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("adding a job"));
    const QList<Job> rows = fetchJobs(q);
    if (!m_db.completed(q) || rows.isEmpty())
        return m_db.storageError(QStringLiteral("adding a job"));
    return Inserted{rows.first(), false, false};
}

Expected<bool> JobStore::checkParentFence(qint64 parentId, const Fence &fence)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT 1 FROM jobs WHERE id = :id AND status = 'running' AND claim_id = :claim"));
    q.bindValue(QStringLiteral(":id"), parentId);
    q.bindValue(QStringLiteral(":claim"), fence.claimId);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("adding jobs"));
    const bool held = q.next();
    q.finish();
    if (!held)
        return makeError(ErrorCode::Fenced, QStringLiteral("job %1 is no longer this worker's: it was taken over").arg(parentId));
    return true;
}

Expected<QList<JobStore::Inserted>> JobStore::insert(const QList<NewJob> &jobs, qint64 now, std::optional<Fence> parentFence)
{
    Database::Transaction tx(m_db);
    if (!tx.active())
        return m_db.storageError(QStringLiteral("adding jobs"));
    if (parentFence && !jobs.isEmpty()) {
        if (auto held = checkParentFence(jobs.first().parentId, *parentFence); !held)
            return held.error();
    }
    QList<Inserted> out;
    if (jobs.size() >= kInsertManyFrom) {
        auto many = insertMany(jobs, now);
        if (!many)
            return many.error();
        out = many.value();
    } else {
        out.reserve(jobs.size());
        for (const NewJob &job : jobs) {
            auto inserted = insertOne(job, now);
            if (!inserted)
                return inserted.error();
            out << inserted.value();
        }
    }
    if (!tx.commit())
        return m_db.storageError(QStringLiteral("adding jobs"));
    return out;
}

Expected<QList<qint64>> JobStore::newIds(int count)
{
    QList<qint64> ids;
    if (count <= 0)
        return ids;
    if (m_db.backend() == Database::Backend::Postgresql) {
        QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT nextval('jobs_id_seq') FROM generate_series(1, :n)"));
        q.bindValue(QStringLiteral(":n"), count);
        if (!m_db.run(q))
            return m_db.storageError(QStringLiteral("adding jobs"));
        while (q.next())
            ids << q.value(0).toLongLong();
        if (!m_db.completed(q) || ids.size() != count)
            return m_db.storageError(QStringLiteral("adding jobs"));
        std::sort(ids.begin(), ids.end());
        return ids;
    }
    // One writer holds the database for the whole transaction: the next ids are free.
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + m_db.dialect().newJobId());
    if (!m_db.run(q) || !q.next())
        return m_db.storageError(QStringLiteral("adding jobs"));
    const qint64 first = q.value(0).toLongLong();
    q.finish();
    for (int i = 0; i < count; ++i)
        ids << first + i;
    return ids;
}

Expected<QList<JobStore::Inserted>> JobStore::insertMany(const QList<NewJob> &jobs, qint64 now)
{
    // The same decisions as insertOne() for each job in turn, with a few statements for all of
    // them: the active jobs and archived videos under their keys, their parents, then one INSERT.
    const SqlDialect &d = m_db.dialect();
    constexpr qsizetype kChunk = 500;
    QStringList keys;
    QList<qint64> parentIds;
    for (const NewJob &job : jobs) {
        if (!job.uniqueKey.isEmpty())
            keys << job.uniqueKey;
        if (job.parentId > 0)
            parentIds << job.parentId;
    }
    keys.removeDuplicates();
    QHash<QString, Job> active;
    QSet<QString> archived;
    for (qsizetype i = 0; i < keys.size(); i += kChunk) {
        const QString chunk = jsonArray(keys.mid(i, kChunk));
        QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns + QStringLiteral(" FROM jobs WHERE unique_key IN (")
                                     + d.valuesOf(QStringLiteral(":keys")) + QStringLiteral(") AND status NOT IN ('dead','cancelled')"));
        q.bindValue(QStringLiteral(":keys"), chunk);
        auto found = runReturning(q, QStringLiteral("adding jobs"));
        if (!found)
            return found.error();
        for (const Job &job : found.value())
            active.insert(job.uniqueKey, job);
        QSqlQuery &a = m_db.prepared(QStringLiteral("SELECT key FROM archive WHERE key IN (") + d.valuesOf(QStringLiteral(":keys"))
                                     + QLatin1Char(')'));
        a.bindValue(QStringLiteral(":keys"), chunk);
        if (!m_db.run(a))
            return m_db.storageError(QStringLiteral("adding jobs"));
        while (a.next())
            archived.insert(a.value(0).toString());
        if (!m_db.completed(a))
            return m_db.storageError(QStringLiteral("adding jobs"));
    }
    QHash<qint64, Job> parents;
    for (const Job &parent : this->jobs(parentIds))
        parents.insert(parent.id, parent);

    QList<Inserted> out(jobs.size());
    QList<int> fresh;                 // indexes of the jobs to insert
    QHash<QString, int> firstWithKey; // a key's first fresh job in this batch
    QList<std::pair<int, int>> sameAs; // (index, index of the fresh job it repeats)
    QList<bool> waiting(jobs.size(), false);
    for (int i = 0; i < jobs.size(); ++i) {
        const NewJob &job = jobs[i];
        if (!job.uniqueKey.isEmpty()) {
            if (const auto it = active.constFind(job.uniqueKey); it != active.cend()) {
                out[i] = Inserted{*it, true, false};
                continue;
            }
            if (const auto it = firstWithKey.constFind(job.uniqueKey); it != firstWithKey.cend()) {
                sameAs.append({i, *it});
                continue;
            }
            if (job.skipIfArchived && archived.contains(job.uniqueKey)) {
                out[i] = Inserted{Job{}, true, true};
                continue;
            }
        }
        if (job.parentId > 0) {
            const auto parent = parents.constFind(job.parentId);
            auto waits = waitsForParent(job.parentId, parent == parents.cend() ? nullptr : &*parent);
            if (!waits)
                return waits.error();
            waiting[i] = waits.value();
        }
        if (!job.uniqueKey.isEmpty())
            firstWithKey.insert(job.uniqueKey, i);
        fresh << i;
    }
    auto ids = newIds(static_cast<int>(fresh.size()));
    if (!ids)
        return ids.error();
    static const QList<SqlDialect::Column> kColumns{
        {QStringLiteral("c_id"), QStringLiteral("bigint")},      {QStringLiteral("c_type"), QStringLiteral("text")},
        {QStringLiteral("c_priority"), QStringLiteral("bigint")}, {QStringLiteral("c_url"), QStringLiteral("text")},
        {QStringLiteral("c_options"), QStringLiteral("text")},   {QStringLiteral("c_parent"), QStringLiteral("bigint")},
        {QStringLiteral("c_waiting"), QStringLiteral("bigint")}, {QStringLiteral("c_key"), QStringLiteral("text")},
        {QStringLiteral("c_max"), QStringLiteral("bigint")},     {QStringLiteral("c_run_at"), QStringLiteral("bigint")},
        {QStringLiteral("c_due"), QStringLiteral("bigint")},     {QStringLiteral("c_title"), QStringLiteral("text")},
        {QStringLiteral("c_host"), QStringLiteral("text")}};
    const QString sql = QStringLiteral(
        "INSERT INTO jobs (id, type, status, priority, url, options, parent_job_id, waiting_parent, unique_key,"
        " max_attempts, run_at, due, created_at, updated_at, title, host)"
        " SELECT c_id, c_type, 'pending', c_priority, c_url, c_options, c_parent, c_waiting, c_key, c_max, c_run_at,"
        " c_due, :now, :now, c_title, c_host FROM (") + d.recordsOf(QStringLiteral(":rows"), kColumns)
        + QStringLiteral(") AS c ORDER BY c_id RETURNING ") + kJobColumns;
    QHash<qint64, int> indexOfId;
    for (qsizetype k = 0; k < fresh.size(); k += kChunk) {
        QJsonArray rows;
        for (qsizetype j = k; j < qMin(fresh.size(), k + kChunk); ++j) {
            const int i = fresh[j];
            const NewJob &job = jobs[i];
            const qint64 id = ids.value()[j];
            indexOfId.insert(id, i);
            const qint64 runAt = job.runAt > 0 ? job.runAt : now;
            rows.append(QJsonObject{
                {QStringLiteral("c_id"), QString::number(id)},
                {QStringLiteral("c_type"), job.type},
                {QStringLiteral("c_priority"), job.priority},
                {QStringLiteral("c_url"), job.url.isNull() ? QString(QStringLiteral("")) : job.url},
                {QStringLiteral("c_options"), toJsonText(job.options)},
                {QStringLiteral("c_parent"), job.parentId > 0 ? QJsonValue(QString::number(job.parentId)) : QJsonValue()},
                {QStringLiteral("c_waiting"), waiting[i] ? 1 : 0},
                {QStringLiteral("c_key"), job.uniqueKey.isEmpty() ? QJsonValue() : QJsonValue(job.uniqueKey)},
                {QStringLiteral("c_max"), job.maxAttempts},
                {QStringLiteral("c_run_at"), QString::number(runAt)},
                {QStringLiteral("c_due"), runAt <= now ? 1 : 0},
                {QStringLiteral("c_title"), job.title.isNull() ? QString(QStringLiteral("")) : job.title},
                {QStringLiteral("c_host"), hostOf(job.url)}});
        }
        QSqlQuery &q = m_db.prepared(sql);
        q.bindValue(QStringLiteral(":now"), now);
        q.bindValue(QStringLiteral(":rows"), QString::fromUtf8(QJsonDocument(rows).toJson(QJsonDocument::Compact)));
        if (!m_db.run(q)) {
            if (m_db.lastWasUniqueViolation())
                return makeError(ErrorCode::Conflict, QCoreApplication::translate(
                                                          "JobQueue", "the same source was added meanwhile elsewhere; try again"));
            return m_db.storageError(QStringLiteral("adding jobs"));
        }
        const QList<Job> inserted = fetchJobs(q);
        if (!m_db.completed(q) || inserted.size() != rows.size())
            return m_db.storageError(QStringLiteral("adding jobs"));
        for (const Job &job : inserted)
            out[indexOfId.value(job.id)] = Inserted{job, false, false};
    }
    for (const auto &[i, first] : std::as_const(sameAs))
        out[i] = Inserted{out[first].job, true, false};
    return out;
}

std::optional<Job> JobStore::job(qint64 id)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns + QStringLiteral(" FROM jobs WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    if (!m_db.run(q))
        return std::nullopt;
    const QList<Job> rows = readJobs(q);
    return rows.isEmpty() ? std::nullopt : std::optional<Job>(rows.first());
}

QList<Job> JobStore::jobs(const QList<qint64> &ids)
{
    // A few statements for many ids: on a server each statement is a round trip.
    constexpr qsizetype kChunk = 500;
    QList<Job> out;
    const QString sql = QStringLiteral("SELECT ") + kJobColumns + QStringLiteral(" FROM jobs WHERE id IN (")
                        + m_db.dialect().intValuesOf(QStringLiteral(":ids")) + QStringLiteral(") ORDER BY id");
    for (qsizetype i = 0; i < ids.size(); i += kChunk) {
        QSqlQuery &q = m_db.prepared(sql); // again for each run: on PostgreSQL a run replaces it
        q.bindValue(QStringLiteral(":ids"), jsonArray(ids.mid(i, kChunk)));
        if (!m_db.run(q))
            break;
        out << readJobs(q);
    }
    return out;
}

QList<Job> JobStore::readyJobs(qint64 now, int limit)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns
                                 + QStringLiteral(" FROM jobs WHERE status IN ('pending','retrying') AND waiting_parent = 0"
                                                  " AND run_at <= :now ORDER BY priority DESC, run_at, id LIMIT :limit"));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":limit"), limit);
    if (!m_db.run(q))
        return {};
    return readJobs(q);
}

QList<Job> JobStore::jobsWithStatus(JobStatus status)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns
                                 + QStringLiteral(" FROM jobs WHERE status = :status ORDER BY id"));
    q.bindValue(QStringLiteral(":status"), statusName(status));
    if (!m_db.run(q))
        return {};
    return readJobs(q);
}

Expected<QList<Job>> JobStore::expiredLeases(qint64 now, const QList<qint64> &except, int limit)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT ") + kJobColumns
                                 + QStringLiteral(" FROM jobs WHERE status = 'running' AND lease_until < :now AND id NOT IN (")
                                 + m_db.dialect().intValuesOf(QStringLiteral(":ids"))
                                 + QStringLiteral(") ORDER BY id LIMIT :limit"));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":ids"), jsonArray(except));
    q.bindValue(QStringLiteral(":limit"), limit);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("reading expired leases"));
    const QList<Job> jobs = fetchJobs(q);
    if (!m_db.completed(q))
        return m_db.storageError(QStringLiteral("reading expired leases"));
    return jobs;
}

QList<qint64> JobStore::childIds(qint64 parentId)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT id FROM jobs WHERE parent_job_id = :p ORDER BY id"));
    q.bindValue(QStringLiteral(":p"), parentId);
    return m_db.run(q) ? readIds(q) : QList<qint64>();
}

ChildSummary JobStore::childSummary(qint64 parentId)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "SELECT COUNT(*), SUM(status = 'completed'), SUM(status IN ('dead','cancelled')),"
        " SUM(status = 'running'), SUM(status = 'paused') FROM jobs WHERE parent_job_id = :p"));
    q.bindValue(QStringLiteral(":p"), parentId);
    ChildSummary summary;
    if (m_db.run(q) && q.next()) {
        summary.total = q.value(0).toInt();
        summary.completed = q.value(1).toInt();
        summary.failed = q.value(2).toInt();
        summary.active = q.value(3).toInt();
        summary.paused = q.value(4).toInt();
    }
    q.finish();
    return summary;
}

Expected<int> JobStore::stageDue(qint64 now, int batch)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "UPDATE jobs SET due = 1 WHERE id IN (SELECT id FROM jobs") + m_db.dialect().indexedBy(QStringLiteral("jobs_scheduled"))
        + QStringLiteral(" WHERE status IN ('pending','retrying') AND due = 0 AND run_at <= :now ORDER BY run_at LIMIT :batch)"));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":batch"), batch);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("staging due jobs"));
    const int staged = q.numRowsAffected();
    q.finish();
    return staged;
}

std::optional<qint64> JobStore::nextScheduled()
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT MIN(run_at) FROM jobs") + m_db.dialect().indexedBy(QStringLiteral("jobs_scheduled"))
                                 + QStringLiteral(" WHERE status IN ('pending','retrying') AND due = 0"));
    std::optional<qint64> out;
    if (m_db.run(q) && q.next() && !q.value(0).isNull())
        out = q.value(0).toLongLong();
    q.finish();
    return out;
}

QStringList JobStore::hostLanes(const QString &type, const QStringList &excludedHosts)
{
    // A loose index scan: one seek per distinct host of the type's claimable jobs, however many
    // jobs each host has.
    const QString base = QStringLiteral("SELECT host FROM jobs") + m_db.dialect().indexedBy(QStringLiteral("jobs_claim_host"))
                         + QStringLiteral(" WHERE type = :type AND host %1 :after AND ") + kClaimable
                         + QStringLiteral(" ORDER BY host LIMIT 1");
    QStringList lanes;
    QString after;
    for (bool first = true; lanes.size() <= kMaxLanes; first = false) {
        QSqlQuery &q = m_db.prepared(base.arg(first ? QStringLiteral(">=") : QStringLiteral(">")));
        q.bindValue(QStringLiteral(":type"), type);
        q.bindValue(QStringLiteral(":after"), text(after));
        if (!m_db.run(q) || !q.next()) {
            q.finish();
            break;
        }
        after = q.value(0).toString();
        q.finish();
        if (!excludedHosts.contains(after))
            lanes << after;
    }
    return lanes;
}

QString JobStore::claimSql(int arms, bool byHost)
{
    const SqlDialect &d = m_db.dialect();
    QStringList parts;
    for (int i = 0; i < arms; ++i) {
        QString arm = QStringLiteral("SELECT * FROM (SELECT id, priority, run_at FROM jobs")
                      + d.indexedBy(byHost ? QStringLiteral("jobs_claim_host") : QStringLiteral("jobs_claim"))
                      + QStringLiteral(" WHERE type = :t%1").arg(i);
        if (byHost)
            arm += QStringLiteral(" AND host = :h%1").arg(i);
        else
            arm += QStringLiteral(" AND host NOT IN (") + d.valuesOf(QStringLiteral(":hosts")) + QLatin1Char(')');
        arm += QStringLiteral(" AND ") + kClaimable + QStringLiteral(" AND run_at <= :now AND id NOT IN (")
               + d.intValuesOf(QStringLiteral(":ids")) + QStringLiteral(") ORDER BY priority DESC, run_at, id LIMIT :l%1").arg(i)
               + d.skipLocked() + QStringLiteral(") AS arm%1").arg(i);
        parts << arm;
    }
    // The rows are picked once, in a materialised CTE: a planner that ran a LIMIT ... SKIP LOCKED
    // subquery again for each row it updates could take more rows than the limit.
    return QStringLiteral("WITH picked AS MATERIALIZED (SELECT id FROM (")
           + parts.join(QStringLiteral(" UNION ALL "))
           + QStringLiteral(") AS arms ORDER BY priority DESC, run_at, id LIMIT :limit)"
               " UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = :worker, started_at = :now,"
               " updated_at = :now, error_class = NULL, error_message = NULL, claim_id = ")
           + d.randomToken()
           + QStringLiteral(", lease_until = :now + ") + d.intMember(QStringLiteral(":leases"), QStringLiteral("jobs.type"))
           + QStringLiteral(" WHERE id IN (SELECT id FROM picked) RETURNING ") + kJobColumns;
}

QList<JobStore::Arm> JobStore::claimArms(const ClaimRequest &request, const QHash<QString, qint64> &leases, int &limit,
                                         bool &byHost)
{
    // One arm per type, or per (type, host) while hosts cool down or sites are limited, each an
    // index seek: the claim never walks rows it cannot take.
    QStringList types = leases.keys();
    types.sort();
    auto limitOf = [&](const QString &host) -> const HostLimit * {
        for (const HostLimit &l : request.hostLimits) {
            if (siteCovers(l.site, host))
                return &l;
        }
        return nullptr;
    };
    bool limited = false;
    for (const QString &type : types)
        limited = limited || request.hostLimitedTypes.contains(type);
    limited = limited && !request.hostLimits.isEmpty();
    QList<Arm> arms;
    byHost = !request.excludedHosts.isEmpty() || limited;
    if (byHost) {
        QHash<QString, int> armsPerSite;
        for (const QString &type : types) {
            const bool held = request.hostLimitedTypes.contains(type);
            for (const QString &host : hostLanes(type, request.excludedHosts)) {
                const HostLimit *l = held ? limitOf(host) : nullptr;
                if (l && l->room <= 0)
                    continue;
                arms.append({type, host, l ? l->room : limit});
                if (l && ++armsPerSite[l->site] > 1)
                    limit = qMin(limit, l->room); // two hosts of one site: their sum must fit too
            }
        }
        if (arms.size() <= kMaxLanes)
            return arms;
        byHost = false;
    }
    // Too many hosts to seek one by one: the limited types take no more than the smallest room,
    // and none while any limited site may not start one (they wait for a round without).
    int room = limit;
    for (const HostLimit &l : request.hostLimits)
        room = qMin(room, l.room);
    arms.clear();
    for (const QString &type : types) {
        if (limited && request.hostLimitedTypes.contains(type)) {
            if (room > 0)
                arms.append({type, QString(), room});
        } else {
            arms.append({type, QString(), limit});
        }
    }
    return arms;
}

Expected<QList<Job>> JobStore::claim(const ClaimRequest &request)
{
    if (request.limit <= 0 || request.leaseMsByType.isEmpty())
        return QList<Job>{};
    Database::Transaction tx(m_db);
    if (!tx.active())
        return m_db.storageError(QStringLiteral("claiming jobs"));
    if (auto staged = stageDue(request.now); !staged)
        return staged.error();
    QHash<QString, qint64> leases = request.leaseMsByType;
    int limit = request.limit;
    if (auto capped = applyQueueCaps(leases, limit, request.capsByType); !capped)
        return capped.error();
    bool byHost = false;
    const QList<Arm> arms = claimArms(request, leases, limit, byHost);
    if (arms.isEmpty() || limit <= 0)
        return tx.commit() ? Expected<QList<Job>>(QList<Job>{}) : m_db.storageError(QStringLiteral("claiming jobs"));
    QSqlQuery &q = m_db.prepared(claimSql(static_cast<int>(arms.size()), byHost));
    for (int i = 0; i < arms.size(); ++i) {
        q.bindValue(QStringLiteral(":t%1").arg(i), arms[i].type);
        q.bindValue(QStringLiteral(":l%1").arg(i), qMin(limit, arms[i].limit));
        if (byHost)
            q.bindValue(QStringLiteral(":h%1").arg(i), arms[i].host);
    }
    q.bindValue(QStringLiteral(":worker"), request.worker);
    q.bindValue(QStringLiteral(":now"), request.now);
    q.bindValue(QStringLiteral(":leases"), leasesJson(leases));
    if (!byHost)
        q.bindValue(QStringLiteral(":hosts"), jsonArray(request.excludedHosts));
    q.bindValue(QStringLiteral(":ids"), jsonArray(request.excludedIds));
    q.bindValue(QStringLiteral(":limit"), limit);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("claiming jobs"));
    QList<Job> claimed = fetchJobs(q);
    if (!m_db.completed(q) || !tx.commit())
        return m_db.storageError(QStringLiteral("claiming jobs"));
    // RETURNING order is unspecified; hand jobs out in queue order.
    std::sort(claimed.begin(), claimed.end(), [](const Job &a, const Job &b) {
        if (a.priority != b.priority)
            return a.priority > b.priority;
        return a.runAt != b.runAt ? a.runAt < b.runAt : a.id < b.id;
    });
    return claimed;
}

Expected<QString> JobStore::firstClaimableType(const ClaimRequest &request)
{
    const SqlDialect &d = m_db.dialect();
    QStringList types = request.leaseMsByType.keys();
    types.sort();
    if (types.isEmpty())
        return QString();
    QStringList parts;
    for (int i = 0; i < types.size(); ++i)
        parts << QStringLiteral("SELECT * FROM (SELECT type, priority, run_at, id FROM jobs") + d.indexedBy(QStringLiteral("jobs_claim"))
                     + QStringLiteral(" WHERE type = :t%1 AND host NOT IN (").arg(i) + d.valuesOf(QStringLiteral(":hosts"))
                     + QStringLiteral(") AND ") + kClaimable
                     + QStringLiteral(" AND run_at <= :now ORDER BY priority DESC, run_at, id LIMIT 1) AS arm%1").arg(i);
    QSqlQuery &q = m_db.prepared(QStringLiteral("SELECT type FROM (") + parts.join(QStringLiteral(" UNION ALL "))
                                 + QStringLiteral(") AS arms ORDER BY priority DESC, run_at, id LIMIT 1"));
    for (int i = 0; i < types.size(); ++i)
        q.bindValue(QStringLiteral(":t%1").arg(i), types[i]);
    q.bindValue(QStringLiteral(":hosts"), jsonArray(request.excludedHosts));
    q.bindValue(QStringLiteral(":now"), request.now);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("looking at the queue"));
    const QString type = q.next() ? q.value(0).toString() : QString();
    if (!m_db.completed(q))
        return m_db.storageError(QStringLiteral("looking at the queue"));
    q.finish();
    return type;
}

Expected<bool> JobStore::foldCounterSlots()
{
    if (m_db.backend() != Database::Backend::Postgresql)
        return true;
    // Rows another session holds are skipped, so this never waits for (or deadlocks with) a
    // host's own transaction; they are folded another time.
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "WITH gone AS (DELETE FROM job_counts WHERE ctid IN (SELECT ctid FROM job_counts WHERE slot <> 0"
        " FOR UPDATE SKIP LOCKED) RETURNING status, type, top_level, n)"
        " INSERT INTO job_counts (status, type, top_level, slot, n)"
        " SELECT status, type, top_level, 0, SUM(n) FROM gone GROUP BY status, type, top_level"
        " ON CONFLICT (status, type, top_level, slot) DO UPDATE SET n = job_counts.n + EXCLUDED.n"));
    if (!m_db.run(q) || !m_db.completed(q))
        return m_db.storageError(QStringLiteral("folding the kept counts"));
    return true;
}

Expected<bool> JobStore::applyQueueCaps(QHash<QString, qint64> &leases, int &limit, const QHash<QString, int> &caps)
{
    const QString lock = m_db.dialect().transactionLock();
    QStringList types = caps.keys();
    types.sort(); // every host takes the locks in one order: none waits for another in a circle
    for (const QString &type : types) {
        const auto it = caps.constFind(type);
        if (it.value() <= 0 || !leases.contains(it.key()))
            continue;
        if (!lock.isEmpty()) {
            QSqlQuery &l = m_db.prepared(lock);
            l.bindValue(QStringLiteral(":key"), QStringLiteral("spool.claim.") + it.key());
            if (!m_db.run(l) || !m_db.completed(l))
                return m_db.storageError(QStringLiteral("claiming jobs"));
        }
        // The kept counts, read under the lock: what every host runs of this type now.
        QSqlQuery &q = m_db.prepared(QStringLiteral(
            "SELECT COALESCE(SUM(n), 0) FROM job_counts WHERE status = 'running' AND type = :type"));
        q.bindValue(QStringLiteral(":type"), it.key());
        if (!m_db.run(q))
            return m_db.storageError(QStringLiteral("claiming jobs"));
        const qint64 running = q.next() ? q.value(0).toLongLong() : 0;
        if (!m_db.completed(q))
            return m_db.storageError(QStringLiteral("claiming jobs"));
        const qint64 room = it.value() - running;
        if (room <= 0)
            leases.remove(it.key());
        else
            limit = static_cast<int>(qMin<qint64>(limit, room));
    }
    return true;
}

Error JobStore::refusedTransition(qint64 id, JobStatus to, const TransitionChanges &changes)
{
    const auto current = job(id);
    if (!current)
        return noSuchJob(id);
    if (changes.fence && (current->status != JobStatus::Running || current->claimId != changes.fence->claimId))
        return makeError(ErrorCode::Fenced, QStringLiteral("job %1 was taken over (it is %2 now, under another claim)")
                                                .arg(id)
                                                .arg(statusName(current->status)));
    if (changes.leaseEndedBefore && current->leaseUntil >= *changes.leaseEndedBefore)
        return makeError(ErrorCode::Fenced, QStringLiteral("job %1's lease was renewed by %2").arg(id).arg(current->worker));
    return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "job %1 cannot go from %2 to %3")
                                              .arg(id)
                                              .arg(statusWord(current->status), statusWord(to)));
}

Expected<TransitionResult> JobStore::transition(qint64 id, JobStatus to, const TransitionChanges &changes, qint64 now)
{
    if (to == JobStatus::Running)
        return makeError(ErrorCode::Conflict, QStringLiteral("jobs start running only by being claimed"));
    // The change and what it does to the job's children are one unit: all of it or none.
    Database::Transaction tx(m_db);
    if (!tx.active())
        return m_db.storageError(QStringLiteral("changing job %1").arg(id));
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "UPDATE jobs SET status = :to, updated_at = :now,"
        " attempts = CASE WHEN :reset = 1 THEN 0 WHEN :uncharge = 1 THEN ") + m_db.dialect().greatest(QStringLiteral("attempts - 1"), QStringLiteral("0"))
        + QStringLiteral(" ELSE attempts END,"
        " finished_at = CASE WHEN :final = 1 THEN :now ELSE NULL END,"
        " lease_until = NULL, claim_id = NULL,"
        " error_class = CASE WHEN :set_class = 1 THEN NULLIF(:class, '') ELSE error_class END,"
        " error_message = CASE WHEN :set_message = 1 THEN NULLIF(:message, '') ELSE error_message END,"
        " run_at = COALESCE(CAST(:now AS BIGINT) + :run_in, run_at),"
        " due = CASE WHEN COALESCE(CAST(:now AS BIGINT) + :run_in, run_at) <= :now THEN 1 ELSE 0 END,"
        " result = COALESCE(:result, result), title = COALESCE(:title, title),"
        " unique_key = CASE WHEN :clear_key = 1 THEN NULL ELSE unique_key END,"
        " progress_percent = CASE WHEN :set_progress = 1 THEN :percent ELSE progress_percent END,"
        " downloaded_bytes = CASE WHEN :set_progress = 1 THEN :down ELSE downloaded_bytes END,"
        " total_bytes = CASE WHEN :set_progress = 1 THEN :total ELSE total_bytes END,"
        " items_done = CASE WHEN :set_progress = 1 THEN :done ELSE items_done END,"
        " items_total = CASE WHEN :set_progress = 1 THEN :items ELSE items_total END"
        " WHERE id = :id AND status IN (") + m_db.dialect().valuesOf(QStringLiteral(":sources"))
        + QStringLiteral(") AND (:fenced = 0 OR claim_id = :claim)"
                         " AND (:lease_check = 0 OR lease_until < :lease_before) RETURNING ") + kJobColumns);
    q.bindValue(QStringLiteral(":to"), statusName(to));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":reset"), changes.resetAttempts ? 1 : 0);
    q.bindValue(QStringLiteral(":uncharge"), changes.uncharge ? 1 : 0);
    q.bindValue(QStringLiteral(":final"), isFinal(to) ? 1 : 0);
    q.bindValue(QStringLiteral(":set_class"), changes.errorClass ? 1 : 0);
    q.bindValue(QStringLiteral(":class"), text(changes.errorClass.value_or(QString())));
    q.bindValue(QStringLiteral(":set_message"), changes.errorMessage ? 1 : 0);
    q.bindValue(QStringLiteral(":message"), text(changes.errorMessage.value_or(QString())));
    q.bindValue(QStringLiteral(":run_in"), changes.runInMs ? QVariant(*changes.runInMs) : QVariant());
    q.bindValue(QStringLiteral(":result"), changes.result ? QVariant(toJsonText(*changes.result)) : QVariant());
    q.bindValue(QStringLiteral(":title"), changes.title ? QVariant(*changes.title) : QVariant());
    q.bindValue(QStringLiteral(":clear_key"), changes.clearUniqueKey ? 1 : 0);
    const JobProgress p = changes.progress.value_or(JobProgress{});
    q.bindValue(QStringLiteral(":set_progress"), changes.progress ? 1 : 0);
    q.bindValue(QStringLiteral(":percent"), nullIfNegative(p.percent));
    q.bindValue(QStringLiteral(":down"), p.downloadedBytes);
    q.bindValue(QStringLiteral(":total"), nullIfNegative(p.totalBytes));
    q.bindValue(QStringLiteral(":done"), p.itemsDone);
    q.bindValue(QStringLiteral(":items"), p.itemsTotal);
    q.bindValue(QStringLiteral(":id"), id);
    q.bindValue(QStringLiteral(":sources"), statusesFrom(to));
    q.bindValue(QStringLiteral(":fenced"), changes.fence ? 1 : 0);
    q.bindValue(QStringLiteral(":claim"), changes.fence ? changes.fence->claimId : 0);
    q.bindValue(QStringLiteral(":lease_check"), changes.leaseEndedBefore ? 1 : 0);
    q.bindValue(QStringLiteral(":lease_before"), changes.leaseEndedBefore.value_or(0));
    if (!m_db.run(q)) {
        if (m_db.lastWasUniqueViolation())
            return makeError(ErrorCode::Conflict,
                             QCoreApplication::translate("JobQueue", "job %1 cannot return: an identical job is already queued").arg(id));
        return m_db.storageError(QStringLiteral("changing job %1").arg(id));
    }
    const QList<Job> rows = fetchJobs(q);
    if (!m_db.completed(q))
        return m_db.storageError(QStringLiteral("changing job %1").arg(id));
    if (rows.isEmpty())
        return refusedTransition(id, to, changes);
    TransitionResult result{rows.first(), {}};
    Expected<QList<Job>> affected = QList<Job>{};
    if (to == JobStatus::Completed)
        affected = releaseChildren(id, now);
    else if (to == JobStatus::Dead || to == JobStatus::Cancelled)
        affected = cascadeCancel(id, QStringLiteral("parent job %1 ended %2").arg(id).arg(statusName(to)), now);
    if (!affected)
        return affected.error();
    result.affected = affected.value();
    if (!tx.commit())
        return m_db.storageError(QStringLiteral("changing job %1").arg(id));
    return result;
}

Expected<QList<TransitionResult>> JobStore::completeMany(const QList<Completion> &completions, qint64 now)
{
    if (completions.isEmpty())
        return QList<TransitionResult>{};
    const SqlDialect &d = m_db.dialect();
    Database::Transaction tx(m_db);
    if (!tx.active())
        return m_db.storageError(QStringLiteral("completing jobs"));
    QJsonArray batch;
    for (const Completion &c : completions) {
        QJsonObject row{{QStringLiteral("c_id"), c.id},
                        {QStringLiteral("c_claim"), QString::number(c.fence.claimId)}, // 63 bits: not a double
                        {QStringLiteral("c_result"), toJsonText(c.result)},
                        {QStringLiteral("c_clear_key"), c.clearUniqueKey ? 1 : 0},
                        {QStringLiteral("c_set_progress"), c.progress ? 1 : 0}};
        if (c.progress) {
            const JobProgress &p = *c.progress;
            row.insert(QStringLiteral("c_percent"), p.percent < 0 ? QJsonValue() : QJsonValue(p.percent));
            row.insert(QStringLiteral("c_down"), QString::number(p.downloadedBytes));
            row.insert(QStringLiteral("c_total"), p.totalBytes < 0 ? QJsonValue() : QJsonValue(QString::number(p.totalBytes)));
            row.insert(QStringLiteral("c_done"), p.itemsDone);
            row.insert(QStringLiteral("c_items"), p.itemsTotal);
        }
        batch.append(row);
    }
    static const QList<SqlDialect::Column> kColumns{
        {QStringLiteral("c_id"), QStringLiteral("bigint")},        {QStringLiteral("c_claim"), QStringLiteral("bigint")},
        {QStringLiteral("c_result"), QStringLiteral("text")},      {QStringLiteral("c_clear_key"), QStringLiteral("bigint")},
        {QStringLiteral("c_set_progress"), QStringLiteral("bigint")}, {QStringLiteral("c_percent"), QStringLiteral("double")},
        {QStringLiteral("c_down"), QStringLiteral("bigint")},      {QStringLiteral("c_total"), QStringLiteral("bigint")},
        {QStringLiteral("c_done"), QStringLiteral("bigint")},      {QStringLiteral("c_items"), QStringLiteral("bigint")}};
    // As transition() to Completed: the claim, the lease and the error go, the result and the last
    // progress stay. A row whose claim no longer matches is not touched. Columns that only some
    // completions change stay out of the statement when none does: an index over a column the
    // statement sets is rewritten for every row.
    bool clearsKeys = false;
    for (const Completion &c : completions)
        clearsKeys = clearsKeys || c.clearUniqueKey;
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "UPDATE jobs SET status = 'completed', updated_at = :now, finished_at = :now, lease_until = NULL,"
        " claim_id = NULL, error_class = NULL, error_message = NULL, result = COALESCE(c.c_result, jobs.result),")
        + (clearsKeys ? QStringLiteral(" unique_key = CASE WHEN c.c_clear_key = 1 THEN NULL ELSE jobs.unique_key END,") : QString())
        + QStringLiteral(
        " progress_percent = CASE WHEN c.c_set_progress = 1 THEN c.c_percent ELSE jobs.progress_percent END,"
        " downloaded_bytes = CASE WHEN c.c_set_progress = 1 THEN c.c_down ELSE jobs.downloaded_bytes END,"
        " total_bytes = CASE WHEN c.c_set_progress = 1 THEN c.c_total ELSE jobs.total_bytes END,"
        " items_done = CASE WHEN c.c_set_progress = 1 THEN c.c_done ELSE jobs.items_done END,"
        " items_total = CASE WHEN c.c_set_progress = 1 THEN c.c_items ELSE jobs.items_total END"
        " FROM (") + d.recordsOf(QStringLiteral(":batch"), kColumns)
        // Each row found by its id: the status test is kept out of the index choice (SQLite would
        // otherwise walk every running row for each completion).
        + QStringLiteral(") AS c WHERE jobs.id = c.c_id AND jobs.claim_id = c.c_claim AND (jobs.status = 'running') IS TRUE RETURNING ")
        + jobColumns(QStringLiteral("jobs")));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":batch"), QString::fromUtf8(QJsonDocument(batch).toJson(QJsonDocument::Compact)));
    auto done = runReturning(q, QStringLiteral("completing jobs"));
    if (!done)
        return done.error();
    QList<TransitionResult> results;
    QList<qint64> ids;
    QHash<qint64, qsizetype> at;
    for (const Job &job : done.value()) {
        at.insert(job.id, results.size());
        ids << job.id;
        results.append(TransitionResult{job, {}});
    }
    if (!ids.isEmpty()) {
        // Their waiting children, in one statement: most completed jobs have none.
        QSqlQuery &r = m_db.prepared(QStringLiteral("UPDATE jobs SET waiting_parent = 0, updated_at = :now"
                                                    " WHERE waiting_parent = 1 AND parent_job_id IN (")
                                     + d.intValuesOf(QStringLiteral(":ids")) + QStringLiteral(") RETURNING ") + kJobColumns);
        r.bindValue(QStringLiteral(":now"), now);
        r.bindValue(QStringLiteral(":ids"), jsonArray(ids));
        auto released = runReturning(r, QStringLiteral("releasing the children of completed jobs"));
        if (!released)
            return released.error();
        for (const Job &child : released.value())
            results[at.value(child.parentId)].affected.append(child);
    }
    if (!tx.commit())
        return m_db.storageError(QStringLiteral("completing jobs"));
    // In the order asked.
    QHash<qint64, int> order;
    for (int i = 0; i < completions.size(); ++i)
        order.insert(completions[i].id, i);
    std::sort(results.begin(), results.end(),
              [&](const TransitionResult &a, const TransitionResult &b) { return order.value(a.job.id) < order.value(b.job.id); });
    return results;
}

Expected<QList<Job>> JobStore::releaseChildren(qint64 parentId, qint64 now)
{
    // Most jobs have no children: a cheap indexed probe spares them the RETURNING update.
    QSqlQuery &probe = m_db.prepared(QStringLiteral("SELECT 1 FROM jobs WHERE parent_job_id = :p AND waiting_parent = 1 LIMIT 1"));
    probe.bindValue(QStringLiteral(":p"), parentId);
    if (!m_db.run(probe))
        return m_db.storageError(QStringLiteral("releasing the children of job %1").arg(parentId));
    const bool any = probe.next();
    probe.finish();
    if (!any)
        return QList<Job>{};
    QSqlQuery &q = m_db.prepared(QStringLiteral("UPDATE jobs SET waiting_parent = 0, updated_at = :now"
                                                " WHERE parent_job_id = :p AND waiting_parent = 1 RETURNING ")
                                 + kJobColumns);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":p"), parentId);
    return runReturning(q, QStringLiteral("releasing the children of job %1").arg(parentId));
}

Expected<QList<Job>> JobStore::cascadeCancel(qint64 parentId, const QString &reason, qint64 now)
{
    // Every waiting descendant, however deep: a grandchild waits on a child that will never run.
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "WITH RECURSIVE tree(id) AS (SELECT id FROM jobs WHERE parent_job_id = :p"
        " UNION SELECT j.id FROM jobs j JOIN tree t ON j.parent_job_id = t.id)"
        " UPDATE jobs SET status = 'cancelled', waiting_parent = 0, finished_at = :now, updated_at = :now,"
        " error_class = 'parent_failed', error_message = :reason"
        " WHERE id IN (SELECT id FROM tree) AND status IN ('pending','paused','retrying') RETURNING ")
        + kJobColumns);
    q.bindValue(QStringLiteral(":p"), parentId);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":reason"), reason);
    return runReturning(q, QStringLiteral("cancelling the children of job %1").arg(parentId));
}

Expected<Job> JobStore::setPriority(qint64 id, int priority, qint64 now)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral("UPDATE jobs SET priority = :priority, updated_at = :now"
                                                " WHERE id = :id RETURNING ") + kJobColumns);
    q.bindValue(QStringLiteral(":priority"), priority);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":id"), id);
    return updatedJob(q, id, QStringLiteral("changing the priority of job %1").arg(id));
}

Expected<QList<qint64>> JobStore::saveProgress(const QList<ProgressUpdate> &updates)
{
    Database::Transaction tx(m_db);
    if (!tx.active())
        return m_db.storageError(QStringLiteral("saving progress"));
    const QString sql = QStringLiteral(
        "UPDATE jobs SET progress_percent = :percent, downloaded_bytes = :down, total_bytes = :total,"
        " speed_bps = :speed, eta_s = :eta, items_done = :done, items_total = :items,")
        + QStringLiteral(" lease_until = ") + m_db.dialect().greatest(QStringLiteral("COALESCE(lease_until, 0)"), QStringLiteral(":lease"))
        + QStringLiteral(" WHERE id = :id AND status = 'running' AND claim_id = :claim");
    QList<qint64> lost;
    for (const ProgressUpdate &u : updates) {
        QSqlQuery &q = m_db.prepared(sql); // again for each run: on PostgreSQL a run replaces it
        q.bindValue(QStringLiteral(":percent"), nullIfNegative(u.progress.percent));
        q.bindValue(QStringLiteral(":down"), u.progress.downloadedBytes);
        q.bindValue(QStringLiteral(":total"), nullIfNegative(u.progress.totalBytes));
        q.bindValue(QStringLiteral(":speed"), nullIfNegative(u.progress.speedBps));
        q.bindValue(QStringLiteral(":eta"), nullIfNegative(u.progress.etaSeconds));
        q.bindValue(QStringLiteral(":done"), u.progress.itemsDone);
        q.bindValue(QStringLiteral(":items"), u.progress.itemsTotal);
        q.bindValue(QStringLiteral(":lease"), u.leaseUntil);
        q.bindValue(QStringLiteral(":id"), u.id);
        q.bindValue(QStringLiteral(":claim"), u.claimId);
        if (!m_db.run(q))
            return m_db.storageError(QStringLiteral("saving progress"));
        if (q.numRowsAffected() == 0)
            lost << u.id;
        q.finish();
    }
    if (!tx.commit())
        return m_db.storageError(QStringLiteral("saving progress"));
    return lost;
}

Expected<Job> JobStore::saveMedia(qint64 id, const MediaInfo &info, qint64 now, std::optional<Fence> fence)
{
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "UPDATE jobs SET title = CASE WHEN :title = '' THEN title ELSE :title END,"
        " uploader = CASE WHEN :uploader = '' THEN uploader ELSE :uploader END,"
        " duration_s = COALESCE(:duration, duration_s),"
        " upload_date = CASE WHEN :date = '' THEN upload_date ELSE :date END, updated_at = :now"
        " WHERE id = :id AND (:fenced = 0 OR (status = 'running' AND claim_id = :claim)) RETURNING ") + kJobColumns);
    q.bindValue(QStringLiteral(":title"), text(info.title));
    q.bindValue(QStringLiteral(":uploader"), text(info.uploader));
    q.bindValue(QStringLiteral(":duration"), nullIfNegative(info.durationS));
    q.bindValue(QStringLiteral(":date"), text(info.uploadDate));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":id"), id);
    q.bindValue(QStringLiteral(":fenced"), fence ? 1 : 0);
    q.bindValue(QStringLiteral(":claim"), fence ? fence->claimId : 0);
    auto saved = updatedJob(q, id, QStringLiteral("saving media facts of job %1").arg(id));
    if (!saved && saved.error().code == ErrorCode::NotFound && fence && job(id))
        return makeError(ErrorCode::Fenced, QStringLiteral("job %1 was taken over").arg(id));
    return saved;
}

Expected<QList<qint64>> JobStore::remove(qint64 id)
{
    // A job goes with the videos it listed (and theirs): a channel removed from the list takes its
    // videos along, never leaving them behind as orphans. Nothing is removed while any of them runs.
    static const QString tree = QStringLiteral(
        "WITH RECURSIVE tree(id) AS (SELECT id FROM jobs WHERE id = :id"
        " UNION ALL SELECT j.id FROM jobs j JOIN tree t ON j.parent_job_id = t.id) ");
    Database::Transaction tx(m_db);
    if (!tx.active())
        return m_db.storageError(QStringLiteral("removing job %1").arg(id));
    QSqlQuery &busy = m_db.prepared(tree + QStringLiteral("SELECT id FROM tree WHERE id IN (SELECT id FROM jobs WHERE status = 'running') LIMIT 1"));
    busy.bindValue(QStringLiteral(":id"), id);
    if (!m_db.run(busy))
        return m_db.storageError(QStringLiteral("removing job %1").arg(id));
    const qint64 running = busy.next() ? busy.value(0).toLongLong() : 0;
    busy.finish();
    if (running == id)
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "job %1 is running; cancel it first").arg(id));
    if (running != 0)
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "job %1 of job %2 is running; cancel it first").arg(running).arg(id));
    QSqlQuery &q = m_db.prepared(QStringLiteral("DELETE FROM jobs WHERE id IN (") + tree + QStringLiteral("SELECT id FROM tree) RETURNING id"));
    q.bindValue(QStringLiteral(":id"), id);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("removing job %1").arg(id));
    QList<qint64> ids;
    while (q.next())
        ids << q.value(0).toLongLong();
    if (!m_db.completed(q))
        return m_db.storageError(QStringLiteral("removing job %1").arg(id));
    if (ids.isEmpty())
        return noSuchJob(id);
    if (!tx.commit())
        return m_db.storageError(QStringLiteral("removing job %1").arg(id));
    return ids;
}

Expected<JobStore::PruneStep> JobStore::pruneFinished(qint64 cutoff, const PruneCursor &after, int batch)
{
    // A tree goes whole or not at all: a channel never leaves its videos behind as top-level jobs,
    // and waits while any of them is unfinished (or dead: kept until the user acts on it). The
    // cursor walks past trees that must wait, so they never block the ones behind them.
    Database::Transaction tx(m_db);
    if (!tx.active())
        return m_db.storageError(QStringLiteral("pruning"));
    QSqlQuery &roots = m_db.prepared(QStringLiteral("SELECT id, finished_at FROM jobs") + m_db.dialect().indexedBy(QStringLiteral("jobs_prune"))
        + QStringLiteral(" WHERE status IN ('completed','cancelled') AND finished_at < :cutoff AND parent_job_id IS NULL"
                         " AND (finished_at > :after_at OR (finished_at = :after_at AND id > :after_id))"
                         " ORDER BY finished_at, id LIMIT :batch"));
    roots.bindValue(QStringLiteral(":cutoff"), cutoff);
    roots.bindValue(QStringLiteral(":after_at"), after.finishedAt);
    roots.bindValue(QStringLiteral(":after_id"), after.id);
    roots.bindValue(QStringLiteral(":batch"), batch);
    if (!m_db.run(roots))
        return m_db.storageError(QStringLiteral("pruning"));
    PruneStep step;
    QList<qint64> candidates;
    while (roots.next()) {
        candidates << roots.value(0).toLongLong();
        step.next = PruneCursor{roots.value(1).toLongLong(), candidates.last()};
    }
    roots.finish();
    step.more = candidates.size() == batch;
    if (candidates.isEmpty())
        return tx.commit() ? Expected<PruneStep>(step) : m_db.storageError(QStringLiteral("pruning"));
    QSqlQuery &q = m_db.prepared(QStringLiteral(
        "WITH RECURSIVE tree(root, id) AS (SELECT value, value FROM (") + m_db.dialect().intValuesOf(QStringLiteral(":roots"))
        + QStringLiteral(") AS roots UNION ALL SELECT t.root, j.id FROM jobs j JOIN tree t ON j.parent_job_id = t.id),"
        " whole(root) AS (SELECT t.root FROM tree t JOIN jobs j ON j.id = t.id GROUP BY t.root"
        " HAVING ") + m_db.dialect().allOf(QStringLiteral("j.status IN ('completed','cancelled') AND j.finished_at < :cutoff"))
        + QStringLiteral(")"
        " DELETE FROM jobs WHERE id IN (SELECT id FROM tree WHERE root IN (SELECT root FROM whole)) RETURNING id"));
    q.bindValue(QStringLiteral(":roots"), jsonArray(candidates));
    q.bindValue(QStringLiteral(":cutoff"), cutoff);
    if (!m_db.run(q))
        return m_db.storageError(QStringLiteral("pruning"));
    while (q.next())
        step.removed << q.value(0).toLongLong();
    if (!m_db.completed(q))
        return m_db.storageError(QStringLiteral("pruning"));
    if (!tx.commit())
        return m_db.storageError(QStringLiteral("pruning"));
    return step;
}
