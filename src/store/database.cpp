#include "store/database.h"

#include "store/migrations.h"
#include "store/sqldialect.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlRecord>

#include <sqlite3.h>

#include <atomic>

namespace {
QString makeConnectionName()
{
    static std::atomic<int> counter{0};
    return QStringLiteral("spool-store-%1").arg(++counter);
}
} // namespace

Database::Database(QString path, Options options)
    : m_path(std::move(path)), m_options(options), m_connectionName(makeConnectionName()),
      m_dialect(&SqlDialect::sqlite())
{
}

Database::~Database()
{
    m_cache.clear(); // prepared statements must go before the connection
    m_checkpointer.reset(); // before the connection: the last one to close checkpoints and removes the WAL
    {
        QSqlDatabase database = QSqlDatabase::database(m_connectionName, false);
        if (database.isValid())
            database.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

QSqlDatabase Database::connection() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

bool Database::isOpen() const
{
    return connection().isOpen();
}

Expected<bool> Database::open()
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
    if (m_options.backgroundCheckpoints) {
        const QVariant handle = connection().driver()->handle();
        if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0) {
            if (sqlite3 *writer = *static_cast<sqlite3 *const *>(handle.constData())) {
                m_checkpointer = std::make_unique<Checkpointer>(m_path, m_options.busyTimeoutMs);
                m_checkpointer->attach(writer);
            }
        }
    }
    auto migrated = migrate();
    if (migrated && m_options.maxPageCount > 0)
        execPlain(QStringLiteral("PRAGMA max_page_count=%1").arg(m_options.maxPageCount));
    return migrated;
}

bool Database::execPlain(const QString &sql)
{
    QSqlQuery query(connection());
    if (!query.exec(sql)) {
        m_lastError = query.lastError().text();
        return false;
    }
    while (query.next()) {
    }
    return true;
}

QSqlQuery &Database::prepared(const QString &sql)
{
    auto it = m_cache.find(sql);
    if (it == m_cache.end()) {
        QSqlQuery query(connection());
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            qWarning("Database: cannot prepare %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        it = m_cache.insert(sql, query);
    }
    return *it;
}

bool Database::run(QSqlQuery &query)
{
    if (query.exec())
        return true;
    m_lastError = query.lastError().text();
    if (query.lastError().nativeErrorCode() == QLatin1String("13"))
        m_lastError = QStringLiteral("disk full: ") + m_lastError;
    query.finish();
    return false;
}

bool Database::completed(QSqlQuery &query)
{
    const QSqlError error = query.lastError();
    query.finish();
    if (!error.isValid())
        return true;
    m_lastError = error.text();
    if (error.nativeErrorCode() == QLatin1String("13"))
        m_lastError = QStringLiteral("disk full: ") + m_lastError;
    return false;
}

Error Database::storageError(const QString &what) const
{
    return makeError(ErrorCode::Storage, QStringLiteral("%1: %2").arg(what, m_lastError));
}

int Database::schemaVersion()
{
    QSqlQuery query(connection());
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

Expected<bool> Database::applyStatements(const QStringList &statements, int version)
{
    Transaction tx(*this);
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

Expected<bool> Database::migrate()
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

QStringList Database::schemaDescription()
{
    QStringList out;
    QSqlQuery objects(connection());
    objects.exec(QStringLiteral("SELECT type, name, tbl_name, sql FROM sqlite_master "
                                "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"));
    QList<QStringList> rows;
    while (objects.next())
        rows << QStringList{objects.value(0).toString(), objects.value(1).toString(),
                            objects.value(2).toString(), objects.value(3).toString()};
    objects.finish();
    for (const QStringList &row : rows) {
        if (row[0] == QLatin1String("table")) {
            QSqlQuery columns(connection());
            columns.exec(QStringLiteral("PRAGMA table_xinfo(%1)").arg(row[1]));
            while (columns.next()) {
                QStringList fields;
                for (int i = 0; i < columns.record().count(); ++i)
                    fields << columns.value(i).toString();
                out << QStringLiteral("column %1: %2").arg(row[1], fields.join(QLatin1Char('|')));
            }
            QSqlQuery keys(connection());
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

QString Database::integrityCheck()
{
    QSqlQuery query(connection());
    if (!query.exec(QStringLiteral("PRAGMA integrity_check")) || !query.next())
        return query.lastError().text();
    return query.value(0).toString();
}

std::optional<CheckpointStats> Database::checkpointStats() const
{
    if (!m_checkpointer)
        return std::nullopt;
    return m_checkpointer->stats();
}

void Database::checkpoint()
{
    execPlain(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
}

Database::Transaction::Transaction(Database &db) : m_db(db), m_nested(db.m_txDepth > 0), m_level(db.m_txDepth)
{
    m_active = m_db.execPlain(m_nested ? savepoint(QStringLiteral("SAVEPOINT ")) : m_db.dialect().beginWrite());
    if (m_active)
        ++m_db.m_txDepth;
}

Database::Transaction::~Transaction()
{
    if (m_active)
        finish(false);
}

bool Database::Transaction::commit()
{
    return m_active && finish(true);
}

void Database::Transaction::rollback()
{
    if (m_active)
        finish(false);
}

QString Database::Transaction::savepoint(const QString &verb) const
{
    return verb + QStringLiteral("sp%1").arg(m_level);
}

bool Database::Transaction::finish(bool keep)
{
    m_active = false;
    --m_db.m_txDepth;
    if (m_nested) {
        if (!keep)
            m_db.execPlain(savepoint(QStringLiteral("ROLLBACK TO ")));
        return m_db.execPlain(savepoint(QStringLiteral("RELEASE "))) && keep;
    }
    if (keep && m_db.execPlain(QStringLiteral("COMMIT")))
        return true;
    // A COMMIT that failed may have left the transaction open (SQLITE_BUSY) or ended it (a hook
    // vetoed it, an I/O error); either way nothing of it is kept, and the first error is the one
    // worth reporting.
    const QString why = m_db.m_lastError;
    m_db.execPlain(QStringLiteral("ROLLBACK"));
    m_db.m_lastError = why;
    return false;
}
