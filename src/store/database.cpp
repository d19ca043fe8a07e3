#include "store/database.h"

#include "store/migrations.h"
#include "store/sqldialect.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlDriver>
#include <QSocketNotifier>

#include <libpq-fe.h>

#include <QTimer>

#include <chrono>
#include <thread>
#include <QSqlError>
#include <QSqlField>
#include <QSqlRecord>
#include <QUrl>
#include <QUrlQuery>

#include <sqlite3.h>

#include <atomic>

namespace {
// A unique index refused the row (either engine).
bool isUniqueViolation(const QSqlError &error)
{
    return error.nativeErrorCode() == QLatin1String("23505") || error.text().contains(QLatin1String("UNIQUE constraint failed"));
}

// SQLITE_FULL, or PostgreSQL's disk_full.
bool isDiskFull(const QSqlError &error)
{
    return error.nativeErrorCode() == QLatin1String("13") || error.nativeErrorCode() == QLatin1String("53100");
}

QString makeConnectionName()
{
    static std::atomic<int> counter{0};
    return QStringLiteral("spool-store-%1").arg(++counter);
}
} // namespace

Database::Database(QString location, Options options)
    : m_path(std::move(location)), m_backend(isPostgresqlUrl(m_path) ? Backend::Postgresql : Backend::Sqlite),
      m_options(options), m_connectionName(makeConnectionName()),
      m_dialect(m_backend == Backend::Postgresql ? &SqlDialect::postgresql() : &SqlDialect::sqlite())
{
}

bool Database::isPostgresqlUrl(const QString &location)
{
    return location.startsWith(QLatin1String("postgresql://")) || location.startsWith(QLatin1String("postgres://"));
}

QString Database::displayLocation(const QString &location)
{
    if (!isPostgresqlUrl(location))
        return location;
    return QUrl(location).toString(QUrl::RemovePassword);
}

struct Database::Probe
{
    std::atomic<int> answer{-1}; // a PGPing once answered
};

namespace {
constexpr int kProbeWaitMs = 150;
constexpr int kProbePollMs = 50;

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// A value in libpq's keyword=value connection string.
QByteArray conninfoValue(const QString &value)
{
    QByteArray v = value.toUtf8();
    v.replace('\\', "\\\\").replace('\'', "\\'");
    return '\'' + v + '\'';
}
} // namespace

Database::~Database()
{
    m_cache.clear(); // prepared statements must go before the connection
    m_literal.clear();
    if (!m_binderConnection.isEmpty()) {
        {
            QSqlDatabase binder = QSqlDatabase::database(m_binderConnection, false);
            if (binder.isValid())
                binder.close();
        }
        QSqlDatabase::removeDatabase(m_binderConnection);
    }
    m_checkpointer.reset(); // before the connection: the last one to close checkpoints and removes the WAL
    m_notifier.reset();
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
    return m_backend == Backend::Postgresql ? openPostgresql() : openSqlite();
}

Expected<bool> Database::openPostgresql()
{
    const QUrl url(m_path, QUrl::StrictMode);
    const QString shown = displayLocation(m_path);
    if (!url.isValid() || url.host().isEmpty() || url.path().size() < 2)
        return makeError(ErrorCode::Storage,
                         QStringLiteral("not a PostgreSQL URL (postgresql://user@host:port/database): %1").arg(shown));
    QString schema;
    // A cut network is noticed within seconds, not after TCP's minutes: keepalives on an idle
    // connection, a send timeout on a busy one.
    QStringList options{QStringLiteral("connect_timeout=10"), QStringLiteral("keepalives=1"),
                        QStringLiteral("keepalives_idle=10"), QStringLiteral("keepalives_interval=5"),
                        QStringLiteral("keepalives_count=3"), QStringLiteral("tcp_user_timeout=15000")};
    static const QRegularExpression plainName(QStringLiteral("^[a-z_][a-z0-9_]{0,62}$"));
    static const QRegularExpression optionName(QStringLiteral("^[a-z_]{1,40}$"));
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        if (key == QLatin1String("schema")) {
            if (!plainName.match(value).hasMatch())
                return makeError(ErrorCode::Storage,
                                 QStringLiteral("schema must be lower-case letters, digits and _: %1").arg(value));
            schema = value;
        } else if (optionName.match(key).hasMatch() && !value.contains(QLatin1Char(';'))) {
            options.removeIf([&key](const QString &o) { return o.startsWith(key + QLatin1Char('=')); });
            options << key + QLatin1Char('=') + value;
        } else {
            return makeError(ErrorCode::Storage, QStringLiteral("unknown option in %1: %2").arg(shown, key));
        }
    }
    {
        m_binderConnection = m_connectionName + QStringLiteral("-values");
        QSqlDatabase binder = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_binderConnection);
        binder.setDatabaseName(QStringLiteral(":memory:"));
        if (!binder.open())
            return makeError(ErrorCode::Storage, QStringLiteral("cannot open an in-memory SQLite database"));
    }
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), m_connectionName);
        if (!database.isValid())
            return makeError(ErrorCode::Storage,
                             QStringLiteral("Qt's PostgreSQL driver is missing (Debian: apt-get install libqt6sql6-psql)"));
        database.setHostName(url.host());
        database.setPort(url.port(5432));
        database.setDatabaseName(url.path().mid(1));
        if (!url.userName().isEmpty())
            database.setUserName(url.userName(QUrl::FullyDecoded));
        if (!url.password().isEmpty())
            database.setPassword(url.password(QUrl::FullyDecoded));
        database.setConnectOptions(options.join(QLatin1Char(';')));
        QByteArray probe = "host=" + conninfoValue(url.host()) + " port=" + QByteArray::number(url.port(5432))
                           + " dbname=" + conninfoValue(url.path().mid(1));
        if (!url.userName().isEmpty())
            probe += " user=" + conninfoValue(url.userName(QUrl::FullyDecoded));
        for (const QString &option : std::as_const(options)) {
            const qsizetype eq = option.indexOf(QLatin1Char('='));
            if (!option.startsWith(QLatin1String("connect_timeout=")))
                probe += ' ' + option.left(eq).toUtf8() + '=' + conninfoValue(option.mid(eq + 1));
        }
        m_probeConninfo = probe + " connect_timeout=3";
    }
    m_session = QStringList{
        QStringLiteral("SET synchronous_commit = ") + (m_options.sync == Sync::Full ? QStringLiteral("on") : QStringLiteral("off")),
        QStringLiteral("SET lock_timeout = %1").arg(m_options.busyTimeoutMs),
        QStringLiteral("SET client_min_messages = warning"),
        // A host cut off in the middle of a transaction would hold its row locks until the server
        // noticed (hours, with TCP's defaults), and no other host could take its jobs back. Spool
        // never leaves a transaction waiting on itself this long.
        QStringLiteral("SET idle_in_transaction_session_timeout = 5000"),
        // The kept counts of this session go to rows of their own (schema version 4), so hosts
        // writing at once never wait on, or deadlock over, the same counter rows.
        QStringLiteral("SET spool.counter_slot = '%1'").arg(QRandomGenerator::system()->bounded(1, 1 << 20)),
    };
    if (!schema.isEmpty()) {
        m_schema = schema;
        m_session << QStringLiteral("CREATE SCHEMA IF NOT EXISTS ") + schema
                  << QStringLiteral("SET search_path TO ") + schema + QStringLiteral(", public");
    }
    if (!connectPostgresql(true))
        return makeError(ErrorCode::Storage, m_lastError);
    return migrate();
}

bool Database::connectPostgresql(bool first)
{
    QSqlDatabase database = connection();
    m_notifier.reset(); // its socket goes with the connection
    database.close();
    if (!first) // a server that does not answer must not hold the caller for long
        database.setConnectOptions(database.connectOptions().replace(QLatin1String("connect_timeout=10"),
                                                                     QLatin1String("connect_timeout=3")));
    if (!database.open()) {
        m_lastError = QStringLiteral("cannot connect to %1: %2").arg(displayLocation(m_path), database.lastError().text());
        return false;
    }
    for (const QString &setting : m_session) {
        // Two hosts making the schema at the same moment: one of them is told it exists already
        // (a unique violation, not IF NOT EXISTS); the second try sees it.
        const bool makesSchema = setting.startsWith(QLatin1String("CREATE SCHEMA"));
        if (!execPlain(setting) && !(makesSchema && execPlain(setting))) {
            m_lastError = setting + QStringLiteral(": ") + m_lastError;
            return false;
        }
    }
    if (!first && !m_listenChannel.isEmpty() && !startListening()) {
        m_lastError = QStringLiteral("cannot listen on %1 again").arg(m_listenChannel);
        return false;
    }
    return true;
}

bool Database::checkConnectionLost(const QSqlError &error)
{
    if (m_backend != Backend::Postgresql || m_lost)
        return m_lost;
    // A refused statement has a SQLSTATE of its own; a lost server gives none, a connection
    // class (08...) or a shutdown (57P..). Outside a transaction a probe makes sure.
    const QString code = error.nativeErrorCode();
    if (!code.isEmpty() && !code.startsWith(QLatin1String("08")) && !code.startsWith(QLatin1String("57P")))
        return false;
    if (m_txDepth == 0) {
        QSqlQuery probe(connection());
        if (probe.exec(QStringLiteral("SELECT 1")))
            return false;
    }
    m_lost = true;
    m_reconnectFailures = 0;
    m_nextReconnectMs = 0; // the first try at once
    m_lastError = QStringLiteral("the queue's database is unreachable: ") + m_lastError;
    return true;
}

bool Database::reachable()
{
    if (!m_lost)
        return true;
    // A transaction begun on the lost connection is gone: it fails to its end, then a new one
    // runs on a new connection.
    const QString waiting = QStringLiteral("the queue's database is unreachable (%1); trying again").arg(displayLocation(m_path));
    if (m_txDepth > 0 || (!m_probe && steadyMs() < m_nextReconnectMs)) {
        m_lastError = waiting;
        return false;
    }
    if (!m_probe) {
        startProbe();
        // A server that answers (restarted, back on the network) answers within this.
        for (int waited = 0; m_probe->answer.load() < 0 && waited < kProbeWaitMs; waited += 5)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const int answer = m_probe->answer.load();
    if (answer < 0) { // still asking: the probe timer takes it from here
        m_lastError = waiting;
        return false;
    }
    m_probe.reset();
    m_lost = false; // the session's statements run on the new connection
    // No attempt: libpq could not read the probe's settings; the connection itself will say why.
    const bool answers = answer == PQPING_OK || answer == PQPING_NO_ATTEMPT;
    if (!answers || !connectPostgresql(false)) {
        if (!answers)
            m_lastError = QStringLiteral("cannot connect to %1: the server does not answer").arg(displayLocation(m_path));
        m_lost = true;
        ++m_reconnectFailures;
        // 0.5 s, 1 s, 2 s, ... up to 30 s between tries: a statement in between fails at once.
        m_nextReconnectMs = steadyMs() + qMin<qint64>(30'000, 250LL << qMin(m_reconnectFailures, 7));
        if (m_probeTimer)
            m_probeTimer->start(static_cast<int>(qMax<qint64>(kProbePollMs, m_nextReconnectMs - steadyMs())));
        return false;
    }
    if (m_probeTimer)
        m_probeTimer->stop();
    m_reconnectFailures = 0;
    for (const auto &[context, handler] : std::as_const(m_reconnected)) {
        if (context)
            QMetaObject::invokeMethod(context.data(), handler, Qt::QueuedConnection);
    }
    return true;
}

void Database::startProbe()
{
    m_probe = std::make_shared<Probe>();
    // The thread owns what it uses: a Database gone meanwhile leaves it to finish on its own.
    std::thread([probe = m_probe, conninfo = m_probeConninfo] { probe->answer.store(PQping(conninfo.constData())); })
        .detach();
    if (!m_probeTimer) {
        m_probeTimer = std::make_unique<QTimer>();
        m_probeTimer->setSingleShot(true);
        QObject::connect(m_probeTimer.get(), &QTimer::timeout, [this] { probeTick(); });
    }
    m_probeTimer->start(kProbePollMs);
}

void Database::probeTick()
{
    if (!m_lost || m_txDepth > 0)
        return;
    if (m_probe && m_probe->answer.load() < 0) {
        m_probeTimer->start(kProbePollMs);
        return;
    }
    reachable(); // takes the answer (connecting, or waiting the backoff), or asks again when due
}

void Database::onReconnected(QObject *context, std::function<void()> handler)
{
    m_reconnected.append({QPointer<QObject>(context), std::move(handler)});
}

pg_conn *Database::postgresqlHandle() const
{
    const QVariant handle = connection().driver()->handle();
    // The driver hands out its libpq connection (the type is named after libpq's struct).
    const bool libpq = handle.isValid() && (qstrcmp(handle.typeName(), "PGconn*") == 0 || qstrcmp(handle.typeName(), "pg_conn*") == 0);
    return libpq ? *static_cast<PGconn *const *>(handle.constData()) : nullptr;
}

bool Database::listen(QObject *context, std::function<void(const QString &change)> handler)
{
    if (m_backend != Backend::Postgresql || !isOpen())
        return false;
    m_listeners.append({QPointer<QObject>(context), std::move(handler)});
    if (!m_listenChannel.isEmpty())
        return true;
    // Every schema's triggers notify on one channel; the payload starts with the schema's name.
    m_listenChannel = QStringLiteral("spool");
    return startListening();
}

bool Database::startListening()
{
    // LISTEN, and a socket notifier of our own: Qt's driver (6.4) reads a notification off the
    // socket without always handing it on, so an idle host would not hear of a new job.
    m_notifier.reset();
    PGconn *conn = postgresqlHandle();
    if (!conn || !execPlain(QStringLiteral("LISTEN ") + m_listenChannel))
        return false;
    m_notifier = std::make_unique<QSocketNotifier>(PQsocket(conn), QSocketNotifier::Read);
    QObject::connect(m_notifier.get(), &QSocketNotifier::activated, m_notifier.get(), [this] { readNotifications(); });
    return true;
}

void Database::readNotificationsSoon()
{
    // A notification that comes in while a statement runs is read with the statement's answer and
    // kept by libpq; the socket has nothing more to say, so it is looked for after each statement.
    if (!m_notifier || m_notificationsQueued)
        return;
    m_notificationsQueued = true;
    QMetaObject::invokeMethod(m_notifier.get(), [this] { readNotifications(); }, Qt::QueuedConnection);
}

void Database::readNotifications()
{
    m_notificationsQueued = false;
    PGconn *conn = postgresqlHandle();
    if (!conn || m_lost)
        return;
    PQconsumeInput(conn);
    const QByteArray channel = m_listenChannel.toUtf8();
    const QString prefix = m_schema + QLatin1Char(' ');
    QStringList changes;
    while (PGnotify *notify = PQnotifies(conn)) {
        // This connection's own changes were announced by this process already.
        if (channel == notify->relname && notify->be_pid != PQbackendPID(conn)) {
            const QString payload = QString::fromUtf8(notify->extra);
            if (payload.startsWith(prefix))
                changes << payload.mid(prefix.size());
        }
        PQfreemem(notify);
    }
    for (const QString &change : std::as_const(changes)) {
        for (const auto &[context, handler] : std::as_const(m_listeners)) {
            if (context)
                handler(change);
        }
    }
}

Expected<bool> Database::openSqlite()
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
    if (!reachable())
        return false;
    QSqlQuery query(connection());
    bool ok = query.exec(sql);
    if (!ok && retryAfterReconnect(sql, query.lastError())) {
        query = QSqlQuery(connection());
        ok = query.exec(sql);
    }
    if (!ok) {
        m_lastError = query.lastError().text();
        checkConnectionLost(query.lastError());
        return false;
    }
    while (query.next()) {
    }
    readNotificationsSoon();
    return true;
}

bool Database::retryAfterReconnect(const QString &sql, const QSqlError &error)
{
    // A connection found lost at the first statement of a unit (a server restarted since the last
    // one) is made again at once, and that statement sent again: it changed nothing the first
    // time. Any other statement may have been applied before the answer was lost; its unit fails
    // and its caller decides.
    static const QRegularExpression harmless(QStringLiteral("^\\s*(BEGIN|SELECT|SET|START TRANSACTION)\\b"),
                                             QRegularExpression::CaseInsensitiveOption);
    if (m_backend != Backend::Postgresql || m_txDepth > 0 || !harmless.match(sql).hasMatch())
        return false;
    const QString why = m_lastError;
    m_lastError = error.text();
    if (!checkConnectionLost(error)) {
        m_lastError = why;
        return false;
    }
    m_nextReconnectMs = 0;
    return reachable();
}

// On PostgreSQL a statement is sent with its values written into it as literals (escaped by the
// driver), not prepared on the server: a server-side PREPARE must give every parameter a type up
// front, and the store's statements, written once for both engines, leave many to context
// (CASE branches, sums of two parameters) where SQLite needs none. Literals take their type from
// the value, as in SQLite. The caller binds by name on a stand-in (an in-memory SQLite statement
// over the same names); run() reads the values back and replaces the cached query with the result.
QSqlQuery &Database::prepared(const QString &sql)
{
    if (m_backend == Backend::Postgresql) {
        auto lit = m_literal.find(sql);
        if (lit == m_literal.end()) {
            static const QRegularExpression placeholder(QStringLiteral("(?<![:\\w]):([A-Za-z_][A-Za-z0-9_]*)|'(?:[^']|'')*'"));
            lit = m_literal.insert(sql, LiteralStatement());
            const QString &text = lit.key(); // the parts point into the key
            LiteralStatement &statement = *lit;
            qsizetype from = 0;
            QStringList distinct;
            for (auto match = placeholder.globalMatch(text); match.hasNext();) {
                const QRegularExpressionMatch m = match.next();
                if (m.captured(1).isEmpty())
                    continue; // a string literal
                statement.parts << QStringView(text).mid(from, m.capturedStart() - from);
                statement.names << QLatin1Char(':') + m.captured(1);
                if (!distinct.contains(statement.names.last()))
                    distinct << statement.names.last();
                from = m.capturedEnd();
            }
            statement.parts << QStringView(text).mid(from);
            statement.binderSql = QStringLiteral("SELECT %1 /* %2 */")
                                      .arg(distinct.isEmpty() ? QStringLiteral("1") : distinct.join(QLatin1Char(',')))
                                      .arg(++m_literalSerial);
            m_literalByBinder.insert(statement.binderSql, sql);
        }
        // A fresh stand-in to bind on; run() puts the result in its place. (Copied first: making
        // room in the cache may move the literal statements.)
        const QString binderSql = lit->binderSql;
        QSqlQuery &slot = cached(sql, [] { return QSqlQuery(); });
        slot = QSqlQuery(QSqlDatabase::database(m_binderConnection, false));
        if (!slot.prepare(binderSql))
            qWarning("Database: cannot hold the values of %s", qPrintable(sql));
        return slot;
    }
    return cached(sql, [this, &sql] {
        QSqlQuery query(connection());
        query.setForwardOnly(true);
        if (!query.prepare(sql))
            qWarning("Database: cannot prepare %s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return query;
    });
}

QSqlQuery &Database::cached(const QString &sql, const std::function<QSqlQuery()> &make)
{
    auto it = m_cache.find(sql);
    if (it == m_cache.end()) {
        if (m_cache.size() >= kMaxStatements) {
            const auto oldest = std::min_element(m_cache.begin(), m_cache.end(), [](const auto &a, const auto &b) {
                return a.second.used < b.second.used;
            });
            if (const auto lit = m_literal.find(oldest->first); lit != m_literal.end()) {
                m_literalByBinder.remove(lit->binderSql);
                m_literal.erase(lit);
            }
            m_cache.erase(oldest);
        }
        it = m_cache.emplace(sql, Cached{make(), 0}).first;
    }
    it->second.used = ++m_uses;
    return it->second.query;
}

bool Database::runLiteral(QSqlQuery &query)
{
    const auto source = m_literalByBinder.constFind(query.lastQuery());
    if (source == m_literalByBinder.constEnd()) {
        // On PostgreSQL a run replaces the query with its result: bind again on a new prepared().
        m_lastError = QStringLiteral("a statement run again without prepared(): %1").arg(query.lastQuery().left(80));
        return false;
    }
    if (!reachable())
        return false;
    const LiteralStatement &statement = *m_literal.constFind(*source);
    const QSqlDriver *driver = connection().driver();
    QString sql;
    for (qsizetype i = 0; i < statement.names.size(); ++i) {
        sql += statement.parts[i];
        const QVariant value = query.boundValue(statement.names[i]);
        QSqlField field(QString(), value.metaType());
        field.setValue(value);
        sql += driver->formatValue(field);
    }
    sql += statement.parts.constLast();
    // Not forward-only: Qt's driver would read such a result row by row and leave the rest of the
    // answer unread on the connection until the next statement, and a notification behind it with it.
    QSqlQuery result(connection());
    bool ok = result.exec(sql);
    if (!ok && retryAfterReconnect(sql, result.lastError())) {
        result = QSqlQuery(connection());
        ok = result.exec(sql);
    }
    query = std::move(result); // the caller reads the rows from the query it holds
    readNotificationsSoon();
    if (!ok) {
        noteFailure(query.lastError());
        checkConnectionLost(query.lastError());
    }
    return ok;
}

void Database::noteFailure(const QSqlError &error)
{
    m_lastError = error.text();
    m_lastUnique = isUniqueViolation(error);
    if (isDiskFull(error))
        m_lastError = QStringLiteral("disk full: ") + m_lastError;
}

bool Database::run(QSqlQuery &query)
{
    if (m_backend == Backend::Postgresql)
        return runLiteral(query);
    if (query.exec())
        return true;
    noteFailure(query.lastError());
    query.finish();
    return false;
}

bool Database::completed(QSqlQuery &query)
{
    const QSqlError error = query.lastError();
    query.finish();
    if (!error.isValid())
        return true;
    noteFailure(error);
    checkConnectionLost(error);
    return false;
}

Error Database::storageError(const QString &what) const
{
    // A shared queue whose server is gone for now: nothing was written, and trying again later
    // (after the reconnection's backoff) is the answer.
    if (m_lost)
        return makeError(ErrorCode::Unavailable, QStringLiteral("%1: the queue's database %2 is unreachable; connecting again")
                                                     .arg(what, displayLocation(m_path)));
    return makeError(ErrorCode::Storage, QStringLiteral("%1: %2").arg(what, m_lastError));
}

int Database::schemaVersion()
{
    QSqlQuery query(connection());
    if (m_backend == Backend::Postgresql) {
        // The version lives in a table of the schema; none yet is version 0.
        if (!query.exec(QStringLiteral("SELECT to_regclass('spool_schema') IS NOT NULL")) || !query.next())
            return -1;
        if (!query.value(0).toBool())
            return 0;
        if (!query.exec(QStringLiteral("SELECT version FROM spool_schema")) || !query.next())
            return -1;
        return query.value(0).toInt();
    }
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

bool Database::setSchemaVersion(int version)
{
    if (m_backend == Backend::Postgresql)
        return execPlain(QStringLiteral("UPDATE spool_schema SET version = %1").arg(version));
    return execPlain(QStringLiteral("PRAGMA user_version=%1").arg(version));
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
    if (!setSchemaVersion(version) || !tx.commit())
        return storageError(QStringLiteral("migration to version %1").arg(version));
    return true;
}

Expected<bool> Database::migrate()
{
    const Migrations::Engine engine = m_backend == Backend::Postgresql ? Migrations::Engine::Postgresql
                                                                       : Migrations::Engine::Sqlite;
    const int current = Migrations::currentVersion(engine);
    const int target = m_options.targetVersion > 0 ? m_options.targetVersion : current;
    // Hosts that start together on one server: one migrates, the others wait and find it done.
    std::optional<Transaction> serialised;
    if (m_backend == Backend::Postgresql) {
        serialised.emplace(*this);
        if (!serialised->active() || !execPlain(QStringLiteral("SELECT pg_advisory_xact_lock(7306580)")))
            return storageError(QStringLiteral("waiting for another host's migration"));
    }
    auto migrated = migrateFrom(engine, schemaVersion(), target);
    if (migrated && serialised && !serialised->commit())
        return storageError(QStringLiteral("migration"));
    return migrated;
}

Expected<bool> Database::migrateFrom(Migrations::Engine engine, int version, int target)
{
    const int current = Migrations::currentVersion(engine);
    if (version < 0)
        return storageError(QStringLiteral("reading the schema version"));
    if (version > current)
        return makeError(ErrorCode::Storage,
                         QStringLiteral("%1 has schema version %2, newer than this Spool knows (%3)")
                             .arg(displayLocation(m_path))
                             .arg(version)
                             .arg(current));
    if (version == 0 && target == current)
        return applyStatements(Migrations::freshSchema(engine), target);
    for (const Migrations::Step &step : Migrations::steps(engine)) {
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
    if (m_backend == Backend::Postgresql) {
        QSqlQuery q(connection());
        q.exec(QStringLiteral("SELECT table_name, column_name, data_type, is_nullable, COALESCE(column_default, '')"
                              " FROM information_schema.columns WHERE table_schema = current_schema()"
                              " ORDER BY table_name, ordinal_position"));
        while (q.next())
            out << QStringLiteral("column %1: %2|%3|%4|%5")
                       .arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString(),
                            q.value(3).toString(), q.value(4).toString());
        q.exec(QStringLiteral("SELECT tablename, indexname, indexdef FROM pg_indexes"
                              " WHERE schemaname = current_schema() ORDER BY indexname"));
        while (q.next())
            out << QStringLiteral("index %1 on %2: %3").arg(q.value(1).toString(), q.value(0).toString(), q.value(2).toString());
        q.exec(QStringLiteral("SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t"
                              " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                              " WHERE NOT t.tgisinternal AND n.nspname = current_schema() ORDER BY t.tgname"));
        while (q.next())
            out << QStringLiteral("trigger %1 on %2: %3").arg(q.value(1).toString(), q.value(0).toString(), q.value(2).toString());
        q.exec(QStringLiteral("SELECT p.proname, md5(p.prosrc) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
                              " WHERE n.nspname = current_schema() ORDER BY p.proname"));
        while (q.next())
            out << QStringLiteral("function %1: %2").arg(q.value(0).toString(), q.value(1).toString());
        return out;
    }
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
    if (m_backend == Backend::Postgresql) // the server checks its own pages; reachable is what is asked
        return query.exec(QStringLiteral("SELECT 1")) ? QStringLiteral("ok") : query.lastError().text();
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
    if (m_backend == Backend::Postgresql)
        return; // the server checkpoints on its own
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
