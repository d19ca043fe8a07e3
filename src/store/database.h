#pragma once

#include "core/expected.h"
#include "store/checkpointer.h"
#include "store/migrations.h"

#include <QHash>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>


class QSocketNotifier;
class QTimer;
class QSqlError;
struct pg_conn;
class SqlDialect;

// One connection to the queue's database, shared by the stores of each aggregate (jobs,
// subscriptions, archive, host cool-downs, queue state): opening, settings, migrations, prepared
// statements and transactions. The database is a SQLite file (the default, one machine) or a
// PostgreSQL server named by a postgresql:// URL (several machines on one queue). A QSqlDatabase
// connection belongs to the thread that made it, so create, use and destroy a Database on one
// thread (one per thread, each with its own name).
class Database final
{
public:
    enum class Backend { Sqlite, Postgresql };
    enum class Sync { Normal, Full };
    struct Options
    {
        Sync sync = Sync::Full;
        int busyTimeoutMs = 5000;
        int targetVersion = 0; // 0: current; tests create old schemas with lower values
        int maxPageCount = 0;  // 0: unlimited; a cap makes SQLite report "disk full" (tests)
        // WAL checkpoints on a thread of their own (see Checkpointer), not inside commits.
        bool backgroundCheckpoints = true;
    };
    class Transaction;

    // `location`: a file path, or postgresql://user[:password]@host[:port]/database[?schema=name&...]
    // (other query items go to libpq: sslmode, connect_timeout, ...; without a password libpq
    // reads PGPASSFILE or ~/.pgpass).
    Database(QString location, Options options);
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    static bool isPostgresqlUrl(const QString &location);
    // The location as it may be shown: without a password.
    static QString displayLocation(const QString &location);

    Expected<bool> open();
    bool isOpen() const;
    QString path() const { return m_path; }
    Backend backend() const { return m_backend; }
    // The Qt connection's name, for tests that reach the engine below it (fault injection).
    QString connectionName() const { return m_connectionName; }
    const SqlDialect &dialect() const { return *m_dialect; }
    bool inTransaction() const { return m_txDepth > 0; }

    // A statement prepared once per connection and reused; bind, run(), read, finish(). Call it
    // again before each run: on PostgreSQL a run puts the result in the query's place.
    QSqlQuery &prepared(const QString &sql);
    std::size_t cachedStatements() const { return m_cache.size(); }
    bool run(QSqlQuery &query);
    // After reading the rows of a run query: true when every step succeeded. Finishes the query.
    bool completed(QSqlQuery &query);
    bool execPlain(const QString &sql);
    Error storageError(const QString &what) const;
    QString lastError() const { return m_lastError; }
    // The last failed statement broke a unique index (either engine).
    bool lastWasUniqueViolation() const { return m_lastUnique; }

    // PostgreSQL: calls `handler` (in `context`'s thread, from its event loop) with what another
    // connection changed in this schema: "i <id>", "u <id>", "d <id>" for jobs, "s" for the queue's
    // state. Changes made through this connection are not repeated. False on SQLite, where one
    // process owns the queue and announces its own changes.
    bool listen(QObject *context, std::function<void(const QString &change)> handler);
    // PostgreSQL: after a lost connection is made again, `handler` runs (queued, in `context`'s
    // thread): what other hosts announced meanwhile was missed, so whoever follows the queue reads
    // it again.
    void onReconnected(QObject *context, std::function<void()> handler);
    // PostgreSQL: the connection to the server is lost and not made again yet.
    bool isUnreachable() const { return m_lost; }

    int schemaVersion();
    // Table and index definitions, normalised, for comparing schemas.
    QStringList schemaDescription();
    QString integrityCheck();
    void checkpoint();
    // What the background checkpointer did; nothing when checkpoints run inside commits.
    std::optional<CheckpointStats> checkpointStats() const;

private:
    QSqlDatabase connection() const;
    Expected<bool> openSqlite();
    Expected<bool> openPostgresql();
    // PostgreSQL: connects (again) with the URL's settings, then sets up the session.
    bool connectPostgresql(bool first);
    // After a failed statement: true when the server is gone, not just the statement refused.
    bool checkConnectionLost(const QSqlError &error);
    bool retryAfterReconnect(const QString &sql, const QSqlError &error);
    pg_conn *postgresqlHandle() const;
    bool startListening();
    void readNotificationsSoon();
    void readNotifications();
    // Before a statement: false while the connection is lost and cannot be made again yet (a
    // reconnect is tried with backoff, never inside a transaction that was on the lost one).
    bool reachable();
    // PostgreSQL, while the connection is lost: whether the server answers is asked on a thread
    // of its own (libpq's PQping), so a server cut off by the network, which lets a connection
    // attempt hang for its connect_timeout, never holds this thread: a reconnect waits for the
    // answer at most kProbeWaitMs, and the probe timer carries on from there.
    struct Probe;
    void startProbe();
    void probeTick();
    bool setSchemaVersion(int version);
    Expected<bool> migrate();
    Expected<bool> migrateFrom(Migrations::Engine engine, int version, int target);
    // Keeps what a failed statement said: its text, and whether a unique index or a full disk refused it.
    void noteFailure(const QSqlError &error);
    Expected<bool> applyStatements(const QStringList &statements, int version);

    QString m_path;
    Backend m_backend;
    Options m_options;
    QString m_connectionName;
    const SqlDialect *m_dialect;
    // Prepared statements by their SQL, the least recently used dropped beyond kMaxStatements (a
    // listing's SQL varies with its filter). A node map: a statement's reference stays valid while
    // others come and go, and the one just returned is never the one dropped.
    static constexpr std::size_t kMaxStatements = 200;
    struct Cached
    {
        QSqlQuery query;
        quint64 used = 0;
    };
    std::unordered_map<QString, Cached> m_cache;
    quint64 m_uses = 0;
    quint64 m_literalSerial = 0;
    QSqlQuery &cached(const QString &sql, const std::function<QSqlQuery()> &make);
    // PostgreSQL: statements run with their values as literals (see prepared()).
    struct LiteralStatement
    {
        QString binderSql;        // a stand-in over the same names, on an in-memory SQLite database
        QList<QStringView> parts; // the SQL around the placeholders
        QStringList names;        // the placeholder between parts[i] and parts[i + 1]
    };
    QHash<QString, LiteralStatement> m_literal;
    QHash<QString, QString> m_literalByBinder; // the stand-in's SQL -> the statement's
    QString m_binderConnection;
    bool runLiteral(QSqlQuery &query);
    QString m_lastError;
    QString m_schema = QStringLiteral("public"); // PostgreSQL: the schema the queue's tables are in
    QStringList m_session;                       // PostgreSQL: the SET statements of every connection
    QString m_listenChannel;                     // PostgreSQL: subscribed on every connection
    QList<std::pair<QPointer<QObject>, std::function<void(const QString &)>>> m_listeners;
    std::unique_ptr<QSocketNotifier> m_notifier;
    bool m_notificationsQueued = false;
    QList<std::pair<QPointer<QObject>, std::function<void()>>> m_reconnected;
    bool m_lost = false;
    QByteArray m_probeConninfo; // libpq's keyword=value form of the URL, without the password
    std::shared_ptr<Probe> m_probe; // asked and not yet taken
    std::unique_ptr<QTimer> m_probeTimer;
    int m_reconnectFailures = 0;
    qint64 m_nextReconnectMs = 0; // steady clock
    bool m_lastUnique = false;
    int m_txDepth = 0;
    std::unique_ptr<Checkpointer> m_checkpointer;
};

// A write transaction, rolled back unless committed. Inside another one it is a savepoint, so a
// failing step undoes only itself and the outer unit decides whether the rest is kept.
class Database::Transaction final
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Q_DISABLE_COPY_MOVE(Transaction)

    bool active() const { return m_active; }
    bool nested() const { return m_nested; }
    bool commit();
    void rollback();

private:
    QString savepoint(const QString &verb) const;
    bool finish(bool keep);

    Database &m_db;
    bool m_nested;
    int m_level = 0;
    bool m_active = false;
};
