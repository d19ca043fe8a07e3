#include "queue/jobstore.h"

#include "queue/migrations.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlRecord>
#include <QThread>
#include <QUrl>

#include <atomic>

namespace {
const QString kColumns = QStringLiteral(
    "id, type, status, priority, url, options, parent_job_id, unique_key, attempts, max_attempts, run_at,"
    " created_at, started_at, finished_at, updated_at, lease_until, worker, progress_percent,"
    " downloaded_bytes, total_bytes, speed_bps, eta_s, items_done, items_total, error_class,"
    " error_message, result, title, uploader, duration_s, upload_date, host");

// Ready: waiting or backed off, due, parent done. Matches the partial index jobs_ready, which the
// queries name with INDEXED BY: without statistics the planner prefers jobs_status plus a sort of
// every pending row, which turns each claim into O(pending).
const QString kReady = QStringLiteral(
    "status IN ('pending','retrying') AND waiting_parent = 0 AND run_at <= :now");

// Sort keys a caller may ask for, and the columns they map to.
const QHash<QString, QString> kSortColumns{
    {QStringLiteral("id"), QStringLiteral("id")},
    {QStringLiteral("created_at"), QStringLiteral("created_at")},
    {QStringLiteral("updated_at"), QStringLiteral("updated_at")},
    {QStringLiteral("finished_at"), QStringLiteral("finished_at")},
    {QStringLiteral("started_at"), QStringLiteral("started_at")},
    {QStringLiteral("priority"), QStringLiteral("priority")},
    {QStringLiteral("status"), QStringLiteral("status")},
    {QStringLiteral("type"), QStringLiteral("type")},
    {QStringLiteral("title"), QStringLiteral("title")},
    {QStringLiteral("attempts"), QStringLiteral("attempts")},
    {QStringLiteral("run_at"), QStringLiteral("run_at")},
    {QStringLiteral("progress"), QStringLiteral("progress_percent")},
};

QString toJsonText(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// Lists bound as one parameter and read back with json_each(:param) in the query.
QString jsonArray(const QStringList &values)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact));
}

QString jsonArray(const QList<qint64> &ids)
{
    QString list;
    list.reserve(ids.size() * 8 + 2);
    list += QLatin1Char('[');
    for (qint64 id : ids) {
        if (list.size() > 1)
            list += QLatin1Char(',');
        list += QString::number(id);
    }
    return list + QLatin1Char(']');
}

QJsonObject fromJsonText(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

// Qt binds a null QString as SQL NULL; text columns here are NOT NULL with '' for "none".
QVariant text(const QString &value)
{
    return value.isNull() ? QVariant(QStringLiteral("")) : QVariant(value);
}

QVariant nullIfZero(qint64 value)
{
    return value == 0 ? QVariant() : QVariant(value);
}

QVariant nullIfNegative(double value)
{
    return value < 0 ? QVariant() : QVariant(value);
}

QString statusList(const QList<JobStatus> &statuses)
{
    QStringList quoted;
    for (JobStatus s : statuses)
        quoted << QLatin1Char('\'') + statusName(s) + QLatin1Char('\'');
    return quoted.join(QLatin1Char(','));
}

Job jobFromQuery(const QSqlQuery &q)
{
    Job job;
    int c = 0;
    job.id = q.value(c++).toLongLong();
    job.type = q.value(c++).toString();
    job.status = statusFromName(q.value(c++).toString()).value_or(JobStatus::Dead);
    job.priority = q.value(c++).toInt();
    job.url = q.value(c++).toString();
    job.options = fromJsonText(q.value(c++).toString());
    job.parentId = q.value(c++).toLongLong();
    job.uniqueKey = q.value(c++).toString();
    job.attempts = q.value(c++).toInt();
    job.maxAttempts = q.value(c++).toInt();
    job.runAt = q.value(c++).toLongLong();
    job.createdAt = q.value(c++).toLongLong();
    job.startedAt = q.value(c++).toLongLong();
    job.finishedAt = q.value(c++).toLongLong();
    job.updatedAt = q.value(c++).toLongLong();
    job.leaseUntil = q.value(c++).toLongLong();
    job.worker = q.value(c++).toString();
    const QVariant percent = q.value(c++);
    job.progress.percent = percent.isNull() ? -1 : percent.toDouble();
    job.progress.downloadedBytes = q.value(c++).toLongLong();
    const QVariant total = q.value(c++);
    job.progress.totalBytes = total.isNull() ? -1 : total.toLongLong();
    const QVariant speed = q.value(c++);
    job.progress.speedBps = speed.isNull() ? -1 : speed.toDouble();
    const QVariant eta = q.value(c++);
    job.progress.etaSeconds = eta.isNull() ? -1 : eta.toLongLong();
    job.progress.itemsDone = q.value(c++).toInt();
    job.progress.itemsTotal = q.value(c++).toInt();
    job.errorClass = q.value(c++).toString();
    job.errorMessage = q.value(c++).toString();
    job.result = fromJsonText(q.value(c++).toString());
    job.title = q.value(c++).toString();
    job.uploader = q.value(c++).toString();
    const QVariant duration = q.value(c++);
    job.durationS = duration.isNull() ? -1 : duration.toDouble();
    job.uploadDate = q.value(c++).toString();
    job.host = q.value(c++).toString();
    return job;
}

QString makeConnectionName()
{
    static std::atomic<int> counter{0};
    return QStringLiteral("spool-store-%1").arg(++counter);
}
} // namespace

// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed. Qt's transaction() sends a plain BEGIN,
// which would take the write lock only at the first write and could fail there with SQLITE_BUSY.
// Inside an open transaction (a batch) it becomes a savepoint, so a failing step undoes only itself.
class JobStore::Tx final
{
public:
    explicit Tx(JobStore &store) : m_store(store), m_nested(store.m_txDepth > 0)
    {
        m_active = m_store.execPlain(m_nested ? savepoint(QStringLiteral("SAVEPOINT ")) : QStringLiteral("BEGIN IMMEDIATE"));
        if (m_active)
            ++m_store.m_txDepth;
    }
    ~Tx()
    {
        if (m_active)
            finish(false);
    }
    Q_DISABLE_COPY_MOVE(Tx)
    bool active() const { return m_active; }
    bool commit() { return finish(true); }

private:
    QString savepoint(const QString &verb) const { return verb + QStringLiteral("sp%1").arg(m_store.m_txDepth); }
    bool finish(bool keep)
    {
        m_active = false;
        --m_store.m_txDepth;
        if (m_nested) {
            if (!keep)
                m_store.execPlain(savepoint(QStringLiteral("ROLLBACK TO ")));
            return m_store.execPlain(savepoint(QStringLiteral("RELEASE "))) && keep;
        }
        if (keep && m_store.execPlain(QStringLiteral("COMMIT")))
            return true;
        m_store.execPlain(QStringLiteral("ROLLBACK"));
        return false;
    }

    JobStore &m_store;
    bool m_nested;
    bool m_active = false;
};

bool JobStore::beginBatch()
{
    if (m_batch)
        return true;
    m_batch = std::make_unique<Tx>(*this);
    if (!m_batch->active())
        m_batch.reset();
    return m_batch != nullptr;
}

bool JobStore::commitBatch()
{
    if (!m_batch)
        return false;
    const bool ok = m_batch->commit();
    m_batch.reset();
    return ok;
}

JobStore::JobStore(QString path) : JobStore(std::move(path), Options{}) {}

JobStore::JobStore(QString path, Options options)
    : m_path(std::move(path)), m_options(options), m_connectionName(makeConnectionName())
{
}

JobStore::~JobStore()
{
    m_batch.reset();
    m_cache.clear(); // prepared statements must go before the connection
    {
        QSqlDatabase database = QSqlDatabase::database(m_connectionName, false);
        if (database.isValid())
            database.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QSqlDatabase JobStore::db() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

bool JobStore::isOpen() const
{
    return db().isOpen();
}

Expected<bool> JobStore::open()
{
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        database.setDatabaseName(m_path);
        database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(m_options.busyTimeoutMs));
        if (!database.open())
            return makeError(ErrorCode::Storage,
                             QStringLiteral("cannot open %1: %2").arg(m_path, database.lastError().text()));
    }
    const QString sync = m_options.sync == Sync::Full ? QStringLiteral("FULL") : QStringLiteral("NORMAL");
    const QStringList pragmas{
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=") + sync,
        QStringLiteral("PRAGMA foreign_keys=ON"),
        QStringLiteral("PRAGMA journal_size_limit=67108864"),
        QStringLiteral("PRAGMA busy_timeout=%1").arg(m_options.busyTimeoutMs),
    };
    for (const QString &pragma : pragmas) {
        if (!execPlain(pragma))
            return storageError(pragma);
    }
    auto migrated = migrate();
    if (migrated && m_options.maxPageCount > 0)
        execPlain(QStringLiteral("PRAGMA max_page_count=%1").arg(m_options.maxPageCount));
    return migrated;
}

bool JobStore::execPlain(const QString &sql)
{
    QSqlQuery query(db());
    if (!query.exec(sql)) {
        m_lastError = query.lastError().text();
        return false;
    }
    while (query.next()) {
    }
    return true;
}

QSqlQuery &JobStore::prepared(const QString &sql)
{
    auto it = m_cache.find(sql);
    if (it == m_cache.end()) {
        QSqlQuery query(db());
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            qWarning("JobStore: cannot prepare %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        it = m_cache.insert(sql, query);
    }
    return *it;
}

bool JobStore::run(QSqlQuery &query)
{
    if (query.exec())
        return true;
    m_lastError = query.lastError().text();
    if (query.lastError().nativeErrorCode() == QLatin1String("13"))
        m_lastError = QStringLiteral("disk full: ") + m_lastError;
    query.finish();
    return false;
}

Error JobStore::storageError(const QString &what) const
{
    return makeError(ErrorCode::Storage, QStringLiteral("%1: %2").arg(what, m_lastError));
}

Error JobStore::noSuchJob(qint64 id)
{
    return makeError(ErrorCode::NotFound, QCoreApplication::translate("JobQueue", "job %1 does not exist").arg(id));
}

Expected<Job> JobStore::updatedJob(QSqlQuery &query, qint64 id, const QString &what)
{
    if (!run(query))
        return storageError(what);
    const QList<Job> rows = fetchJobs(query);
    if (rows.isEmpty())
        return noSuchJob(id);
    return rows.first();
}

int JobStore::schemaVersion()
{
    QSqlQuery query(db());
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

Expected<bool> JobStore::applyStatements(const QStringList &statements, int version)
{
    Tx tx(*this);
    if (!tx.active())
        return storageError(QStringLiteral("migration"));
    for (const QString &sql : statements) {
        if (!execPlain(sql))
            return storageError(QStringLiteral("migration to version %1").arg(version));
    }
    if (!execPlain(QStringLiteral("PRAGMA user_version=%1").arg(version)) || !tx.commit())
        return storageError(QStringLiteral("migration to version %1").arg(version));
    return true;
}

Expected<bool> JobStore::migrate()
{
    const int target = m_options.targetVersion > 0 ? m_options.targetVersion : Migrations::currentVersion();
    const int version = schemaVersion();
    if (version < 0)
        return storageError(QStringLiteral("reading the schema version"));
    if (version > Migrations::currentVersion())
        return makeError(ErrorCode::Storage,
                         QStringLiteral("%1 has schema version %2, newer than this Spool knows (%3)")
                             .arg(m_path)
                             .arg(version)
                             .arg(Migrations::currentVersion()));
    if (version == 0 && target == Migrations::currentVersion())
        return applyStatements(Migrations::freshSchema(), target);
    for (const Migrations::Step &step : Migrations::steps()) {
        if (step.version <= version || step.version > target)
            continue;
        if (auto done = applyStatements(step.statements, step.version); !done)
            return done;
    }
    return true;
}

QStringList JobStore::schemaDescription()
{
    QStringList out;
    QSqlQuery objects(db());
    objects.exec(QStringLiteral("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"));
    QList<QStringList> rows;
    while (objects.next())
        rows << QStringList{objects.value(0).toString(), objects.value(1).toString(),
                            objects.value(2).toString(), objects.value(3).toString()};
    objects.finish();
    for (const QStringList &row : rows) {
        if (row[0] == QLatin1String("table")) {
            QSqlQuery columns(db());
            columns.exec(QStringLiteral("PRAGMA table_xinfo(%1)").arg(row[1]));
            while (columns.next()) {
                QStringList fields;
                for (int i = 0; i < columns.record().count(); ++i)
                    fields << columns.value(i).toString();
                out << QStringLiteral("column %1: %2").arg(row[1], fields.join(QLatin1Char('|')));
            }
            QSqlQuery keys(db());
            keys.exec(QStringLiteral("PRAGMA foreign_key_list(%1)").arg(row[1]));
            while (keys.next())
                out << QStringLiteral("fk %1: %2 -> %3.%4 on delete %5")
                           .arg(row[1], keys.value(3).toString(), keys.value(2).toString(),
                                keys.value(4).toString(), keys.value(6).toString());
        } else {
            out << QStringLiteral("%1 %2 on %3: %4").arg(row[0], row[1], row[2], row[3].simplified());
        }
    }
    return out;
}

QString JobStore::integrityCheck()
{
    QSqlQuery query(db());
    if (!query.exec(QStringLiteral("PRAGMA integrity_check")) || !query.next())
        return query.lastError().text();
    return query.value(0).toString();
}

QList<Job> JobStore::fetchJobs(QSqlQuery &query)
{
    QList<Job> out;
    while (query.next())
        out << jobFromQuery(query);
    query.finish();
    return out;
}

std::optional<Job> JobStore::activeJobWithKey(const QString &uniqueKey)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kColumns
                            + QStringLiteral(" FROM jobs WHERE unique_key = :key"
                                             " AND status NOT IN ('dead','cancelled')"));
    q.bindValue(QStringLiteral(":key"), uniqueKey);
    if (!run(q))
        return std::nullopt;
    const QList<Job> found = fetchJobs(q);
    return found.isEmpty() ? std::nullopt : std::optional<Job>(found.first());
}

Expected<JobStore::Inserted> JobStore::insertOne(const NewJob &job, qint64 now)
{
    if (!job.uniqueKey.isEmpty()) {
        if (auto existing = activeJobWithKey(job.uniqueKey))
            return Inserted{*existing, true, false};
        if (job.skipIfArchived && isArchived(job.uniqueKey))
            return Inserted{Job{}, true, true};
    }
    bool waiting = false;
    if (job.parentId > 0) {
        const auto parent = this->job(job.parentId);
        if (!parent)
            return makeError(ErrorCode::InvalidArgument,
                             QCoreApplication::translate("JobQueue", "parent job %1 does not exist").arg(job.parentId));
        if (parent->status == JobStatus::Dead || parent->status == JobStatus::Cancelled)
            return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "parent job %1 is %2")
                                                      .arg(job.parentId)
                                                      .arg(statusWord(parent->status)));
        waiting = parent->status != JobStatus::Completed;
    }
    QSqlQuery &q = prepared(QStringLiteral(
        "INSERT INTO jobs (id, type, status, priority, url, options, parent_job_id, waiting_parent, unique_key,"
        " max_attempts, run_at, created_at, updated_at, title, host) VALUES ("
        " MAX(COALESCE((SELECT MAX(id) FROM jobs), 0), (SELECT value FROM queue_state WHERE key = 'last_removed_id')) + 1, :type, 'pending', :priority, :url,"
        " :options, :parent, :waiting, :key, :max, :run_at, :now, :now, :title, :host) RETURNING ") + kColumns);
    q.bindValue(QStringLiteral(":type"), job.type);
    q.bindValue(QStringLiteral(":priority"), job.priority);
    q.bindValue(QStringLiteral(":url"), text(job.url));
    q.bindValue(QStringLiteral(":options"), toJsonText(job.options));
    q.bindValue(QStringLiteral(":parent"), nullIfZero(job.parentId));
    q.bindValue(QStringLiteral(":waiting"), waiting ? 1 : 0);
    q.bindValue(QStringLiteral(":key"), job.uniqueKey.isEmpty() ? QVariant() : QVariant(job.uniqueKey));
    q.bindValue(QStringLiteral(":max"), job.maxAttempts);
    q.bindValue(QStringLiteral(":run_at"), job.runAt > 0 ? job.runAt : now);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":title"), text(job.title));
    q.bindValue(QStringLiteral(":host"), text(QUrl(job.url).host().toLower()));
    if (!run(q))
        return storageError(QStringLiteral("adding a job"));
    const QList<Job> rows = fetchJobs(q);
    if (rows.isEmpty())
        return storageError(QStringLiteral("adding a job"));
    return Inserted{rows.first(), false, false};
}

Expected<QList<JobStore::Inserted>> JobStore::insert(const QList<NewJob> &jobs, qint64 now)
{
    Tx tx(*this);
    if (!tx.active())
        return storageError(QStringLiteral("adding jobs"));
    QList<Inserted> out;
    out.reserve(jobs.size());
    for (const NewJob &job : jobs) {
        auto inserted = insertOne(job, now);
        if (!inserted)
            return inserted.error();
        out << inserted.value();
    }
    if (!tx.commit())
        return storageError(QStringLiteral("adding jobs"));
    return out;
}

std::optional<Job> JobStore::job(qint64 id)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM jobs WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    if (!run(q))
        return std::nullopt;
    const QList<Job> rows = fetchJobs(q);
    return rows.isEmpty() ? std::nullopt : std::optional<Job>(rows.first());
}

QList<Job> JobStore::jobs(const QList<qint64> &ids)
{
    QList<Job> out;
    for (qint64 id : ids) {
        if (auto j = job(id))
            out << *j;
    }
    return out;
}

QList<Job> JobStore::readyJobs(qint64 now, int limit)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM jobs INDEXED BY jobs_ready WHERE ") + kReady
                            + QStringLiteral(" ORDER BY priority DESC, run_at, id LIMIT :limit"));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":limit"), limit);
    if (!run(q))
        return {};
    return fetchJobs(q);
}

std::optional<qint64> JobStore::nextDueTime()
{
    QSqlQuery &q = prepared(QStringLiteral(
        "SELECT MIN(run_at) FROM jobs INDEXED BY jobs_due WHERE status IN ('pending','retrying') AND waiting_parent = 0"));
    if (!run(q) || !q.next()) {
        q.finish();
        return std::nullopt;
    }
    const QVariant value = q.value(0);
    q.finish();
    return value.isNull() ? std::nullopt : std::optional<qint64>(value.toLongLong());
}

QList<Job> JobStore::jobsWithStatus(JobStatus status)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kColumns
                            + QStringLiteral(" FROM jobs WHERE status = :status ORDER BY id"));
    q.bindValue(QStringLiteral(":status"), statusName(status));
    if (!run(q))
        return {};
    return fetchJobs(q);
}

QList<qint64> JobStore::childIds(qint64 parentId)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT id FROM jobs WHERE parent_job_id = :p ORDER BY id"));
    q.bindValue(QStringLiteral(":p"), parentId);
    QList<qint64> out;
    if (!run(q))
        return out;
    while (q.next())
        out << q.value(0).toLongLong();
    q.finish();
    return out;
}

ChildSummary JobStore::childSummary(qint64 parentId)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "SELECT COUNT(*), SUM(status = 'completed'), SUM(status IN ('dead','cancelled')),"
        " SUM(status = 'running'), SUM(status = 'paused') FROM jobs WHERE parent_job_id = :p"));
    q.bindValue(QStringLiteral(":p"), parentId);
    ChildSummary summary;
    if (run(q) && q.next()) {
        summary.total = q.value(0).toInt();
        summary.completed = q.value(1).toInt();
        summary.failed = q.value(2).toInt();
        summary.active = q.value(3).toInt();
        summary.paused = q.value(4).toInt();
    }
    q.finish();
    return summary;
}

namespace {
// A search term as one FTS5 phrase: the trigram index finds any substring of three characters
// or more without a scan.
QString ftsPhrase(const QString &text)
{
    QString phrase = text;
    phrase.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + phrase + QLatin1Char('"');
}

struct Where
{
    QString sql;
    QVariantMap binds;
};

Where whereFor(const JobFilter &filter)
{
    QStringList where;
    Where w;
    if (!filter.statuses.isEmpty())
        where << QStringLiteral("status IN (%1)").arg(statusList(filter.statuses));
    if (!filter.types.isEmpty()) {
        QStringList names;
        for (int i = 0; i < filter.types.size(); ++i) {
            names << QStringLiteral(":type%1").arg(i);
            w.binds.insert(names.last(), filter.types[i]);
        }
        where << QStringLiteral("type IN (%1)").arg(names.join(QLatin1Char(',')));
    }
    if (filter.parentId) {
        where << (*filter.parentId == 0 ? QStringLiteral("parent_job_id IS NULL")
                                        : QStringLiteral("parent_job_id = :parent"));
        if (*filter.parentId != 0)
            w.binds.insert(QStringLiteral(":parent"), *filter.parentId);
    }
    if (filter.textMatches) {
        where << QStringLiteral("id IN (SELECT value FROM json_each(:matches))");
        w.binds.insert(QStringLiteral(":matches"), *filter.textMatches);
    } else if (filter.text.size() >= 3) {
        where << QStringLiteral("id IN (SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH :text)");
        w.binds.insert(QStringLiteral(":text"), ftsPhrase(filter.text));
    } else if (!filter.text.isEmpty()) {
        where << QStringLiteral("(title LIKE :text ESCAPE '\\' OR url LIKE :text ESCAPE '\\')");
        QString escaped = filter.text;
        escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('%'), QLatin1String("\\%"))
            .replace(QLatin1Char('_'), QLatin1String("\\_"));
        w.binds.insert(QStringLiteral(":text"), QLatin1Char('%') + escaped + QLatin1Char('%'));
    }
    w.sql = where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    return w;
}
} // namespace

qint64 JobStore::count(const JobFilter &filter)
{
    if (filter.text.isEmpty() && (!filter.parentId || *filter.parentId == 0)) {
        // Status, type and "top level": the trigger-maintained counts answer at once.
        qint64 total = 0;
        QSqlQuery &q = prepared(QStringLiteral("SELECT status, type, top_level, n FROM job_counts WHERE n > 0"));
        if (!run(q))
            return 0;
        while (q.next()) {
            const auto status = statusFromName(q.value(0).toString());
            const bool statusOk = filter.statuses.isEmpty() || (status && filter.statuses.contains(*status));
            const bool typeOk = filter.types.isEmpty() || filter.types.contains(q.value(1).toString());
            const bool levelOk = !filter.parentId || q.value(2).toBool();
            if (statusOk && typeOk && levelOk)
                total += q.value(3).toLongLong();
        }
        q.finish();
        return total;
    }
    const Where w = whereFor(filter);
    QSqlQuery &q = prepared(QStringLiteral("SELECT COUNT(*) FROM jobs") + w.sql);
    for (auto it = w.binds.cbegin(); it != w.binds.cend(); ++it)
        q.bindValue(it.key(), it.value());
    qint64 total = 0;
    if (run(q) && q.next())
        total = q.value(0).toLongLong();
    q.finish();
    return total;
}

QList<Job> JobStore::page(const JobFilter &filter)
{
    const Where w = whereFor(filter);
    const QString column = kSortColumns.value(filter.sort, QStringLiteral("id"));
    const QString order = filter.descending ? QStringLiteral(" DESC") : QString();
    QSqlQuery &rows = prepared(QStringLiteral("SELECT ") + kColumns + QStringLiteral(" FROM jobs") + w.sql
                               + QStringLiteral(" ORDER BY ") + column + order + QStringLiteral(", id") + order
                               + QStringLiteral(" LIMIT :limit OFFSET :offset"));
    for (auto it = w.binds.cbegin(); it != w.binds.cend(); ++it)
        rows.bindValue(it.key(), it.value());
    rows.bindValue(QStringLiteral(":limit"), qBound(0, filter.limit, 100000));
    rows.bindValue(QStringLiteral(":offset"), qMax(0, filter.offset));
    if (!run(rows))
        return {};
    return fetchJobs(rows);
}

QList<qint64> JobStore::ids(const JobFilter &filter)
{
    const Where w = whereFor(filter);
    const QString column = kSortColumns.value(filter.sort, QStringLiteral("id"));
    const QString order = filter.descending ? QStringLiteral(" DESC") : QString();
    QSqlQuery &q = prepared(QStringLiteral("SELECT id FROM jobs") + w.sql + QStringLiteral(" ORDER BY ") + column
                            + order + QStringLiteral(", id") + order);
    for (auto it = w.binds.cbegin(); it != w.binds.cend(); ++it)
        q.bindValue(it.key(), it.value());
    QList<qint64> out;
    if (!run(q))
        return out;
    while (q.next())
        out << q.value(0).toLongLong();
    q.finish();
    return out;
}

QList<Job> JobStore::jobsInOrder(const QList<qint64> &ids)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kColumns
                            + QStringLiteral(" FROM jobs WHERE id IN (SELECT value FROM json_each(:ids))"));
    q.bindValue(QStringLiteral(":ids"), jsonArray(ids));
    if (!run(q))
        return {};
    QHash<qint64, Job> byId;
    for (Job &job : fetchJobs(q))
        byId.insert(job.id, std::move(job));
    QList<Job> out;
    for (qint64 id : ids) {
        if (auto it = byId.find(id); it != byId.end())
            out << *it;
    }
    return out;
}

bool JobStore::resolveText(JobFilter &filter, int maxMatches, TextOverflow overflow)
{
    filter.textMatches.reset();
    if (filter.text.size() < 3)
        return true;
    QSqlQuery &q = prepared(QStringLiteral("SELECT rowid FROM jobs_fts WHERE jobs_fts MATCH :text LIMIT :limit"));
    q.bindValue(QStringLiteral(":text"), ftsPhrase(filter.text));
    q.bindValue(QStringLiteral(":limit"), maxMatches + 1);
    if (!run(q))
        return true;
    QList<qint64> ids;
    while (q.next())
        ids << q.value(0).toLongLong();
    q.finish();
    const bool complete = ids.size() <= maxMatches;
    if (!complete && overflow == TextOverflow::SearchDirectly)
        return true; // still exact: every count and page searches again
    if (!complete)
        ids.resize(maxMatches);
    filter.textMatches = jsonArray(ids);
    return complete;
}

JobPage JobStore::list(const JobFilter &filter)
{
    JobFilter resolved = filter;
    resolveText(resolved);
    return JobPage{page(resolved), count(resolved)};
}

QHash<QString, qint64> JobStore::countsBy(const QString &sql)
{
    QHash<QString, qint64> out;
    QSqlQuery &q = prepared(sql);
    if (!run(q))
        return out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toLongLong());
    q.finish();
    return out;
}

QHash<QString, qint64> JobStore::countByStatus()
{
    return countsBy(QStringLiteral("SELECT status, SUM(n) FROM job_counts GROUP BY status HAVING SUM(n) > 0"));
}

QHash<QString, qint64> JobStore::countByType()
{
    return countsBy(QStringLiteral("SELECT type, SUM(n) FROM job_counts GROUP BY type HAVING SUM(n) > 0"));
}

QList<Job> JobStore::claim(const ClaimRequest &request)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_until = :lease, worker = :worker,"
        " started_at = :now, updated_at = :now, error_class = NULL, error_message = NULL"
        " WHERE id IN (SELECT id FROM jobs INDEXED BY jobs_ready WHERE ") + kReady + QStringLiteral(
        " AND type NOT IN (SELECT value FROM json_each(:types))"
        " AND id NOT IN (SELECT value FROM json_each(:ids))"
        " AND host NOT IN (SELECT value FROM json_each(:hosts))"
        " AND (:any_type OR type IN (SELECT value FROM json_each(:only)))"
        " ORDER BY priority DESC, run_at, id LIMIT :limit) RETURNING ") + kColumns);
    q.bindValue(QStringLiteral(":lease"), request.leaseUntil);
    q.bindValue(QStringLiteral(":worker"), request.worker);
    q.bindValue(QStringLiteral(":now"), request.now);
    q.bindValue(QStringLiteral(":types"), jsonArray(request.excludedTypes));
    q.bindValue(QStringLiteral(":ids"), jsonArray(request.excludedIds));
    q.bindValue(QStringLiteral(":hosts"), jsonArray(request.excludedHosts));
    q.bindValue(QStringLiteral(":any_type"), request.onlyTypes.isEmpty() ? 1 : 0);
    q.bindValue(QStringLiteral(":only"), jsonArray(request.onlyTypes));
    q.bindValue(QStringLiteral(":limit"), request.limit);
    if (!run(q))
        return {};
    QList<Job> claimed = fetchJobs(q);
    // RETURNING order is unspecified; hand jobs out in queue order.
    std::sort(claimed.begin(), claimed.end(), [](const Job &a, const Job &b) {
        if (a.priority != b.priority)
            return a.priority > b.priority;
        return a.runAt != b.runAt ? a.runAt < b.runAt : a.id < b.id;
    });
    return claimed;
}

Expected<TransitionResult> JobStore::transition(qint64 id, JobStatus to, const TransitionChanges &changes,
                                                qint64 now)
{
    if (to == JobStatus::Running)
        return makeError(ErrorCode::Conflict, QStringLiteral("jobs start running only by being claimed"));
    Tx tx(*this);
    if (!tx.active())
        return storageError(QStringLiteral("changing job %1").arg(id));
    QSqlQuery &q = prepared(QStringLiteral(
        "UPDATE jobs SET status = :to, updated_at = :now,"
        " attempts = CASE WHEN :reset THEN 0 WHEN :uncharge THEN MAX(attempts - 1, 0) ELSE attempts END,"
        " finished_at = CASE WHEN :final THEN :now ELSE NULL END,"
        " lease_until = NULL, worker = NULL,"
        " error_class = CASE WHEN :set_class THEN NULLIF(:class, '') ELSE error_class END,"
        " error_message = CASE WHEN :set_message THEN NULLIF(:message, '') ELSE error_message END,"
        " run_at = COALESCE(:now + :run_in, run_at), result = COALESCE(:result, result),"
        " title = COALESCE(:title, title),"
        " unique_key = CASE WHEN :clear_key THEN NULL ELSE unique_key END,"
        " progress_percent = CASE WHEN :set_progress THEN :percent ELSE progress_percent END,"
        " downloaded_bytes = CASE WHEN :set_progress THEN :down ELSE downloaded_bytes END,"
        " total_bytes = CASE WHEN :set_progress THEN :total ELSE total_bytes END,"
        " items_done = CASE WHEN :set_progress THEN :done ELSE items_done END,"
        " items_total = CASE WHEN :set_progress THEN :items ELSE items_total END"
        " WHERE id = :id AND status IN (SELECT value FROM json_each(:sources)) RETURNING ") + kColumns);
    QStringList sources;
    for (JobStatus s : allowedSources(to))
        sources << statusName(s);
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
    q.bindValue(QStringLiteral(":total"), p.totalBytes < 0 ? QVariant() : QVariant(p.totalBytes));
    q.bindValue(QStringLiteral(":done"), p.itemsDone);
    q.bindValue(QStringLiteral(":items"), p.itemsTotal);
    q.bindValue(QStringLiteral(":id"), id);
    q.bindValue(QStringLiteral(":sources"), jsonArray(sources));
    if (!run(q)) {
        if (m_lastError.contains(QLatin1String("UNIQUE")))
            return makeError(ErrorCode::Conflict,
                             QCoreApplication::translate("JobQueue", "job %1 cannot return: an identical job is already queued").arg(id));
        return storageError(QStringLiteral("changing job %1").arg(id));
    }
    const QList<Job> rows = fetchJobs(q);
    if (rows.isEmpty()) {
        const auto current = job(id);
        if (!current)
            return noSuchJob(id);
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "job %1 cannot go from %2 to %3")
                                                  .arg(id)
                                                  .arg(statusWord(current->status), statusWord(to)));
    }
    TransitionResult result{rows.first(), {}};
    if (to == JobStatus::Completed)
        result.affected = releaseChildren(id, now);
    else if (to == JobStatus::Dead || to == JobStatus::Cancelled)
        result.affected = cascadeCancel(id, QStringLiteral("parent job %1 ended %2").arg(id).arg(statusName(to)), now);
    if (!tx.commit())
        return storageError(QStringLiteral("changing job %1").arg(id));
    return result;
}

QList<Job> JobStore::releaseChildren(qint64 parentId, qint64 now)
{
    // Most jobs have no children: a cheap indexed probe spares them the RETURNING update.
    QSqlQuery &probe = prepared(QStringLiteral("SELECT 1 FROM jobs WHERE parent_job_id = :p AND waiting_parent = 1 LIMIT 1"));
    probe.bindValue(QStringLiteral(":p"), parentId);
    const bool any = run(probe) && probe.next();
    probe.finish();
    if (!any)
        return {};
    QSqlQuery &q = prepared(QStringLiteral("UPDATE jobs SET waiting_parent = 0, updated_at = :now"
                                           " WHERE parent_job_id = :p AND waiting_parent = 1 RETURNING ")
                            + kColumns);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":p"), parentId);
    if (!run(q))
        return {};
    return fetchJobs(q);
}

QList<Job> JobStore::cascadeCancel(qint64 parentId, const QString &reason, qint64 now)
{
    // Every waiting descendant, however deep: a grandchild waits on a child that will never run.
    QSqlQuery &q = prepared(QStringLiteral(
        "WITH RECURSIVE tree(id) AS (SELECT id FROM jobs WHERE parent_job_id = :p"
        " UNION SELECT j.id FROM jobs j JOIN tree t ON j.parent_job_id = t.id)"
        " UPDATE jobs SET status = 'cancelled', waiting_parent = 0, finished_at = :now, updated_at = :now,"
        " error_class = 'parent_failed', error_message = :reason"
        " WHERE id IN (SELECT id FROM tree) AND status IN ('pending','paused','retrying') RETURNING ")
        + kColumns);
    q.bindValue(QStringLiteral(":p"), parentId);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":reason"), reason);
    if (!run(q))
        return {};
    return fetchJobs(q);
}

Expected<Job> JobStore::setPriority(qint64 id, int priority, qint64 now)
{
    QSqlQuery &q = prepared(QStringLiteral("UPDATE jobs SET priority = :priority, updated_at = :now"
                                           " WHERE id = :id RETURNING ") + kColumns);
    q.bindValue(QStringLiteral(":priority"), priority);
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":id"), id);
    return updatedJob(q, id, QStringLiteral("changing the priority of job %1").arg(id));
}

Expected<bool> JobStore::saveProgress(const QList<ProgressUpdate> &updates)
{
    Tx tx(*this);
    if (!tx.active())
        return storageError(QStringLiteral("saving progress"));
    QSqlQuery &q = prepared(QStringLiteral(
        "UPDATE jobs SET progress_percent = :percent, downloaded_bytes = :down, total_bytes = :total,"
        " speed_bps = :speed, eta_s = :eta, items_done = :done, items_total = :items,"
        " lease_until = MAX(COALESCE(lease_until, 0), :lease) WHERE id = :id AND status = 'running'"));
    for (const ProgressUpdate &u : updates) {
        q.bindValue(QStringLiteral(":percent"), nullIfNegative(u.progress.percent));
        q.bindValue(QStringLiteral(":down"), u.progress.downloadedBytes);
        q.bindValue(QStringLiteral(":total"), u.progress.totalBytes < 0 ? QVariant() : QVariant(u.progress.totalBytes));
        q.bindValue(QStringLiteral(":speed"), nullIfNegative(u.progress.speedBps));
        q.bindValue(QStringLiteral(":eta"), u.progress.etaSeconds < 0 ? QVariant() : QVariant(u.progress.etaSeconds));
        q.bindValue(QStringLiteral(":done"), u.progress.itemsDone);
        q.bindValue(QStringLiteral(":items"), u.progress.itemsTotal);
        q.bindValue(QStringLiteral(":lease"), u.leaseUntil);
        q.bindValue(QStringLiteral(":id"), u.id);
        if (!run(q))
            return storageError(QStringLiteral("saving progress"));
        q.finish();
    }
    if (!tx.commit())
        return storageError(QStringLiteral("saving progress"));
    return true;
}

Expected<Job> JobStore::saveMedia(qint64 id, const MediaInfo &info, qint64 now)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "UPDATE jobs SET title = CASE WHEN :title = '' THEN title ELSE :title END,"
        " uploader = CASE WHEN :uploader = '' THEN uploader ELSE :uploader END,"
        " duration_s = COALESCE(:duration, duration_s),"
        " upload_date = CASE WHEN :date = '' THEN upload_date ELSE :date END, updated_at = :now"
        " WHERE id = :id RETURNING ") + kColumns);
    q.bindValue(QStringLiteral(":title"), text(info.title));
    q.bindValue(QStringLiteral(":uploader"), text(info.uploader));
    q.bindValue(QStringLiteral(":duration"), nullIfNegative(info.durationS));
    q.bindValue(QStringLiteral(":date"), text(info.uploadDate));
    q.bindValue(QStringLiteral(":now"), now);
    q.bindValue(QStringLiteral(":id"), id);
    return updatedJob(q, id, QStringLiteral("saving media facts of job %1").arg(id));
}

Expected<QList<qint64>> JobStore::remove(qint64 id)
{
    // A job goes with the videos it listed (and theirs): a channel removed from the list takes its
    // videos along, never leaving them behind as orphans. Nothing is removed while any of them runs.
    static const QString tree = QStringLiteral(
        "WITH RECURSIVE tree(id) AS (SELECT id FROM jobs WHERE id = :id"
        " UNION ALL SELECT j.id FROM jobs j JOIN tree t ON j.parent_job_id = t.id) ");
    Tx tx(*this);
    if (!tx.active())
        return storageError(QStringLiteral("removing job %1").arg(id));
    QSqlQuery &busy = prepared(tree + QStringLiteral("SELECT id FROM tree WHERE id IN (SELECT id FROM jobs WHERE status = 'running') LIMIT 1"));
    busy.bindValue(QStringLiteral(":id"), id);
    if (!run(busy))
        return storageError(QStringLiteral("removing job %1").arg(id));
    const qint64 running = busy.next() ? busy.value(0).toLongLong() : 0;
    busy.finish();
    if (running == id)
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "job %1 is running; cancel it first").arg(id));
    if (running != 0)
        return makeError(ErrorCode::Conflict, QCoreApplication::translate("JobQueue", "job %1 of job %2 is running; cancel it first").arg(running).arg(id));
    QSqlQuery &q = prepared(QStringLiteral("DELETE FROM jobs WHERE id IN (") + tree + QStringLiteral("SELECT id FROM tree) RETURNING id"));
    q.bindValue(QStringLiteral(":id"), id);
    if (!run(q))
        return storageError(QStringLiteral("removing job %1").arg(id));
    QList<qint64> ids;
    while (q.next())
        ids << q.value(0).toLongLong();
    q.finish();
    if (ids.isEmpty())
        return noSuchJob(id);
    if (!tx.commit())
        return storageError(QStringLiteral("removing job %1").arg(id));
    return ids;
}

Expected<QList<qint64>> JobStore::pruneFinished(qint64 cutoff, int batch)
{
    Tx tx(*this);
    if (!tx.active())
        return storageError(QStringLiteral("pruning"));
    QSqlQuery &q = prepared(QStringLiteral(
        "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE status IN ('completed','cancelled')"
        " AND finished_at < :cutoff LIMIT :batch) RETURNING id"));
    q.bindValue(QStringLiteral(":cutoff"), cutoff);
    q.bindValue(QStringLiteral(":batch"), batch);
    if (!run(q))
        return storageError(QStringLiteral("pruning"));
    QList<qint64> ids;
    while (q.next())
        ids << q.value(0).toLongLong();
    q.finish();
    if (!tx.commit())
        return storageError(QStringLiteral("pruning"));
    return ids;
}

void JobStore::setHostCooldown(const QString &host, qint64 until, const QString &reason)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "INSERT INTO host_cooldowns (host, until_ms, reason) VALUES (:host, :until, :reason)"
        " ON CONFLICT(host) DO UPDATE SET until_ms = MAX(until_ms, excluded.until_ms), reason = excluded.reason"));
    q.bindValue(QStringLiteral(":host"), host);
    q.bindValue(QStringLiteral(":until"), until);
    q.bindValue(QStringLiteral(":reason"), text(reason));
    run(q);
    q.finish();
}

QHash<QString, qint64> JobStore::hostCooldowns(qint64 now)
{
    QHash<QString, qint64> out;
    QSqlQuery &q = prepared(QStringLiteral("SELECT host, until_ms FROM host_cooldowns WHERE until_ms > :now"));
    q.bindValue(QStringLiteral(":now"), now);
    if (!run(q))
        return out;
    while (q.next())
        out.insert(q.value(0).toString(), q.value(1).toLongLong());
    q.finish();
    return out;
}

void JobStore::checkpoint()
{
    execPlain(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
}

bool JobStore::archive(const QString &key, qint64 jobId, const QString &path, qint64 now)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "INSERT INTO archive (key, job_id, path, created_at) VALUES (:key, :job, :path, :now)"
        " ON CONFLICT(key) DO UPDATE SET job_id = excluded.job_id, path = excluded.path"));
    q.bindValue(QStringLiteral(":key"), key);
    q.bindValue(QStringLiteral(":job"), jobId);
    q.bindValue(QStringLiteral(":path"), text(path));
    q.bindValue(QStringLiteral(":now"), now);
    const bool ok = run(q);
    q.finish();
    return ok;
}

bool JobStore::isHeld()
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT value FROM queue_state WHERE key = 'held'"));
    const bool held = run(q) && q.next() && q.value(0).toInt() != 0;
    q.finish();
    return held;
}

bool JobStore::setHeld(bool held)
{
    QSqlQuery &q = prepared(QStringLiteral("UPDATE queue_state SET value = :held WHERE key = 'held'"));
    q.bindValue(QStringLiteral(":held"), held ? 1 : 0);
    const bool ok = run(q);
    q.finish();
    return ok;
}

bool JobStore::isArchived(const QString &key)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT 1 FROM archive WHERE key = :key"));
    q.bindValue(QStringLiteral(":key"), key);
    const bool found = run(q) && q.next();
    q.finish();
    return found;
}

namespace {
const QString kSubscriptionColumns =
    QStringLiteral("id, url, type, interval_s, options, priority, next_run_at, last_job_id");

Subscription subscriptionFromQuery(const QSqlQuery &q);

QList<Subscription> fetchSubscriptions(QSqlQuery &q)
{
    QList<Subscription> out;
    while (q.next())
        out << subscriptionFromQuery(q);
    q.finish();
    return out;
}

Subscription subscriptionFromQuery(const QSqlQuery &q)
{
    Subscription s;
    s.id = q.value(0).toLongLong();
    s.url = q.value(1).toString();
    s.type = q.value(2).toString();
    s.intervalS = q.value(3).toLongLong();
    s.options = fromJsonText(q.value(4).toString());
    s.priority = q.value(5).toInt();
    s.nextRunAt = q.value(6).toLongLong();
    s.lastJobId = q.value(7).toLongLong();
    return s;
}
} // namespace

bool JobStore::saveSubscription(const Subscription &s, qint64 now)
{
    QSqlQuery &q = prepared(QStringLiteral(
        "INSERT INTO subscriptions (url, type, interval_s, options, priority, next_run_at, last_job_id, created_at)"
        " VALUES (:url, :type, :interval, :options, :priority, :next, :last, :now)"
        " ON CONFLICT(url) DO UPDATE SET type = excluded.type, interval_s = excluded.interval_s,"
        " options = excluded.options, priority = excluded.priority, next_run_at = excluded.next_run_at,"
        " last_job_id = excluded.last_job_id, enabled = 1"));
    q.bindValue(QStringLiteral(":url"), s.url);
    q.bindValue(QStringLiteral(":type"), s.type);
    q.bindValue(QStringLiteral(":interval"), s.intervalS);
    q.bindValue(QStringLiteral(":options"), toJsonText(s.options));
    q.bindValue(QStringLiteral(":priority"), s.priority);
    q.bindValue(QStringLiteral(":next"), s.nextRunAt);
    q.bindValue(QStringLiteral(":last"), nullIfZero(s.lastJobId));
    q.bindValue(QStringLiteral(":now"), now);
    const bool ok = run(q);
    q.finish();
    return ok;
}

QList<Subscription> JobStore::dueSubscriptions(qint64 now)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kSubscriptionColumns
                            + QStringLiteral(" FROM subscriptions WHERE enabled = 1 AND next_run_at <= :now ORDER BY next_run_at"));
    q.bindValue(QStringLiteral(":now"), now);
    return run(q) ? fetchSubscriptions(q) : QList<Subscription>();
}

QList<Subscription> JobStore::subscriptions()
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kSubscriptionColumns + QStringLiteral(" FROM subscriptions ORDER BY id"));
    return run(q) ? fetchSubscriptions(q) : QList<Subscription>();
}

std::optional<Subscription> JobStore::subscription(qint64 id)
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT ") + kSubscriptionColumns + QStringLiteral(" FROM subscriptions WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    const QList<Subscription> found = run(q) ? fetchSubscriptions(q) : QList<Subscription>();
    return found.isEmpty() ? std::nullopt : std::optional<Subscription>(found.first());
}

std::optional<qint64> JobStore::nextSubscriptionDue()
{
    QSqlQuery &q = prepared(QStringLiteral("SELECT MIN(next_run_at) FROM subscriptions WHERE enabled = 1"));
    std::optional<qint64> out;
    if (run(q) && q.next() && !q.value(0).isNull())
        out = q.value(0).toLongLong();
    q.finish();
    return out;
}

bool JobStore::rescheduleSubscription(qint64 id, qint64 nextRunAt)
{
    QSqlQuery &q = prepared(QStringLiteral("UPDATE subscriptions SET next_run_at = :next WHERE id = :id"));
    q.bindValue(QStringLiteral(":next"), nextRunAt);
    q.bindValue(QStringLiteral(":id"), id);
    const bool ok = run(q);
    q.finish();
    return ok;
}

bool JobStore::removeSubscription(qint64 id)
{
    QSqlQuery &q = prepared(QStringLiteral("DELETE FROM subscriptions WHERE id = :id"));
    q.bindValue(QStringLiteral(":id"), id);
    const bool ok = run(q) && q.numRowsAffected() > 0;
    q.finish();
    return ok;
}
