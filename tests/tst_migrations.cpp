#include "testsupport.h"

#include "store/store.h"
#include "store/migrations.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtConcurrent>
#include <QSqlError>
#include <QUrlQuery>
#include <QTest>

// Every migration path ends at the fresh schema, and old data survives the trip; on PostgreSQL
// (run again with the test server) the schema has the same tables and columns as on SQLite, hosts
// that start together migrate once, and a newer schema is refused.
class TestMigrations final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void versionsAreNumberedInOrder();
    void everyStartingVersionReachesFreshSchema_data();
    void everyStartingVersionReachesFreshSchema();
    void dataSurvivesMigration();
    void idsNamedByTheArchiveAreNotReused();
    void newerDatabaseIsRefusedUntouched();
    void postgresqlVersionsAreNumberedInOrder();
    void postgresqlHasTheColumnsOfSqlite();
    void postgresqlHostsStartingTogetherMigrateOnce();
    void postgresqlNewerSchemaIsRefused();
    void postgresqlBadLocationsGiveClearErrors();
    void postgresqlTriggersWorkForAnyClient();
};

namespace {
// Table and column names of a schema description ("column <table>: <name>|..." on SQLite,
// "column <table>: <name>|<type>|..." on PostgreSQL).
QStringList columnsOf(const QStringList &description, const QStringList &skipTables)
{
    QStringList out;
    for (const QString &line : description) {
        if (!line.startsWith(QLatin1String("column ")))
            continue;
        const QString table = line.section(QLatin1Char(':'), 0, 0).mid(7);
        if (skipTables.contains(table) || table.startsWith(QLatin1String("jobs_fts")))
            continue;
        QStringList fields = line.section(QLatin1String(": "), 1).split(QLatin1Char('|'));
        // SQLite's table_xinfo starts with the column's position.
        const QString name = fields.size() > 2 && fields[0].toInt() >= 0 && !fields[0].isEmpty() && fields[0][0].isDigit()
                                 ? fields[1]
                                 : fields[0];
        out << table + QLatin1Char('.') + name;
    }
    out.sort();
    return out;
}
} // namespace

void TestMigrations::postgresqlVersionsAreNumberedInOrder()
{
    int expected = 1;
    for (const Migrations::Step &step : Migrations::steps(Migrations::Engine::Postgresql)) {
        QCOMPARE(step.version, expected++);
        QVERIFY(!step.statements.isEmpty());
    }
    QCOMPARE(Migrations::currentVersion(Migrations::Engine::Postgresql), expected - 1);
}

void TestMigrations::postgresqlHasTheColumnsOfSqlite()
{
    SPOOL_POSTGRESQL_ONLY();
    QTemporaryDir dir;
    Store sqlite(dir.filePath(QStringLiteral("q.sqlite")));
    QVERIFY(sqlite.open());
    Store postgresql(testDatabase(dir));
    auto opened = postgresql.open();
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
    QCOMPARE(postgresql.database().backend(), Database::Backend::Postgresql);
    const QStringList a = columnsOf(sqlite.database().schemaDescription(), {});
    const QStringList b = columnsOf(postgresql.database().schemaDescription(), {QStringLiteral("spool_schema")});
    QVERIFY(a.size() > 50);
    QCOMPARE(b, a);
}

void TestMigrations::postgresqlHostsStartingTogetherMigrateOnce()
{
    SPOOL_POSTGRESQL_ONLY();
    QTemporaryDir dir;
    const QString location = testDatabase(dir);
    // Four hosts open the same empty schema at once: each finds it created, by one of them.
    QList<QFuture<QString>> opens;
    for (int i = 0; i < 4; ++i)
        opens << QtConcurrent::run([location] {
            Store store(location);
            auto opened = store.open();
            if (!opened)
                return opened.error().message;
            return QString::number(store.database().schemaVersion());
        });
    for (QFuture<QString> &f : opens)
        QCOMPARE(f.result(), QString::number(Migrations::currentVersion(Migrations::Engine::Postgresql)));
    Store store(location);
    QVERIFY(store.open());
    QVERIFY(store.jobs().insert({NewJob{}}, 1000));
}

void TestMigrations::postgresqlNewerSchemaIsRefused()
{
    SPOOL_POSTGRESQL_ONLY();
    QTemporaryDir dir;
    const QString location = testDatabase(dir);
    {
        Store store(location);
        QVERIFY(store.open());
        QVERIFY(store.database().execPlain(QStringLiteral("UPDATE spool_schema SET version = 999")));
    }
    Store store(location);
    auto opened = store.open();
    QVERIFY(!opened);
    QVERIFY(opened.error().message.contains(QStringLiteral("newer")));
    QVERIFY(!opened.error().message.contains(QStringLiteral("password")));
}

void TestMigrations::postgresqlBadLocationsGiveClearErrors()
{
    SPOOL_POSTGRESQL_ONLY();
    QTemporaryDir dir;
    const QString good = testDatabase(dir);
    const QUrl url(good);
    // Nobody listens on the port: a clear error, the password never shown.
    QUrl down = url;
    down.setPort(1);
    down.setPassword(QStringLiteral("s3cret"));
    Store a(down.toString());
    auto opened = a.open();
    QVERIFY(!opened);
    QVERIFY2(opened.error().message.contains(QStringLiteral("cannot connect")), qPrintable(opened.error().message));
    QVERIFY(!opened.error().message.contains(QStringLiteral("s3cret")));
    // A database that does not exist, an unknown option, a schema name that is not one.
    QUrl missing = url;
    missing.setPath(QStringLiteral("/no_such_database"));
    Store b(missing.toString());
    QVERIFY(!b.open());
    Store c(good + QStringLiteral("&bogus=1"));
    opened = c.open();
    QVERIFY(!opened);
    QVERIFY(opened.error().message.contains(QStringLiteral("bogus")));
    QUrl badSchema = url;
    badSchema.setQuery(QStringLiteral("schema=Robert'); DROP TABLE jobs;--"));
    Store d(badSchema.toString());
    opened = d.open();
    QVERIFY(!opened);
    QVERIFY(opened.error().message.contains(QStringLiteral("schema")));
    Store e(QStringLiteral("postgresql://"));
    QVERIFY(!e.open());
}

void TestMigrations::postgresqlTriggersWorkForAnyClient()
{
    SPOOL_POSTGRESQL_ONLY();
    // Another client (psql, a script) writes to Spool's schema with its own search_path: the
    // triggers still find their tables, and Spool's kept counts include the job.
    QTemporaryDir dir;
    const QString location = testDatabase(dir);
    Store store(location);
    QVERIFY(store.open());
    const QUrl url(location);
    const QString schema = QUrlQuery(url).queryItemValue(QStringLiteral("schema"));
    {
        QSqlDatabase other = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("other-client"));
        other.setHostName(url.host());
        other.setPort(url.port());
        other.setDatabaseName(url.path().mid(1));
        other.setUserName(url.userName());
        QVERIFY2(other.open(), qPrintable(other.lastError().text()));
        QSqlQuery q(other);
        QVERIFY2(q.exec(QStringLiteral("INSERT INTO %1.jobs (type, status, max_attempts, run_at, due, created_at, updated_at)"
                                       " VALUES ('t', 'pending', 3, 0, 1, 0, 0)").arg(schema)),
                 qPrintable(q.lastError().text()));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("other-client"));
    QCOMPARE(store.listing().countByStatus().value(QStringLiteral("pending")), 1);
}

void TestMigrations::versionsAreNumberedInOrder()
{
    int expected = 1;
    for (const Migrations::Step &step : Migrations::steps()) {
        QCOMPARE(step.version, expected++);
        QVERIFY(!step.statements.isEmpty());
    }
    QCOMPARE(Migrations::currentVersion(), expected - 1);
}

void TestMigrations::everyStartingVersionReachesFreshSchema_data()
{
    QTest::addColumn<int>("from");
    for (int v = 1; v < Migrations::currentVersion(); ++v)
        QTest::newRow(qPrintable(QStringLiteral("from v%1").arg(v))) << v;
}

void TestMigrations::everyStartingVersionReachesFreshSchema()
{
    QFETCH(int, from);
    QTemporaryDir dir;
    const QString oldPath = dir.filePath(QStringLiteral("old.sqlite"));
    {
        Store::Options o;
        o.targetVersion = from;
        Store old(oldPath, o);
        QVERIFY(old.open());
        QCOMPARE(old.database().schemaVersion(), from);
    }
    Store migrated(oldPath);
    QVERIFY(migrated.open());
    Store fresh(dir.filePath(QStringLiteral("fresh.sqlite")));
    QVERIFY(fresh.open());
    QCOMPARE(migrated.database().schemaVersion(), Migrations::currentVersion());
    QCOMPARE(fresh.database().schemaVersion(), Migrations::currentVersion());
    const QStringList a = migrated.database().schemaDescription();
    const QStringList b = fresh.database().schemaDescription();
    QVERIFY(a.size() > 20);
    QCOMPARE(a, b);
}

void TestMigrations::dataSurvivesMigration()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("q.sqlite"));
    qint64 id = 0;
    {
        Store::Options o;
        o.targetVersion = 1;
        Store old(path, o);
        QVERIFY(old.open());
        // A version-1 row, written with version-1 columns only.
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("INSERT INTO jobs (type, status, url, max_attempts, run_at, created_at, updated_at, title)"
                                      " VALUES ('video_download', 'dead', 'https://example.org/v', 5, 1, 1, 1, 'kept')")));
        id = q.lastInsertId().toLongLong();
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw"));
    Store migrated(path);
    QVERIFY(migrated.open());
    const auto job = migrated.jobs().job(id);
    QVERIFY(job);
    QCOMPARE(job->title, QStringLiteral("kept"));
    QCOMPARE(job->status, JobStatus::Dead);
    QCOMPARE(job->uploader, QString());
    QCOMPARE(job->durationS, -1.0);
}

void TestMigrations::idsNamedByTheArchiveAreNotReused()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("q.sqlite"));
    {
        Store::Options o;
        o.targetVersion = 3;
        Store old(path, o);
        QVERIFY(old.open());
        // Job 40 downloaded a video and was pruned under version 3: only the archive names it.
        QVERIFY(old.archive().archive(QStringLiteral("youtube:abc"), 40, QStringLiteral("/v/abc.mp4"), 1));
    }
    Store migrated(path);
    QVERIFY(migrated.open());
    NewJob job;
    job.type = QStringLiteral("t");
    job.maxAttempts = 1;
    const auto added = migrated.jobs().insert({job}, 1000);
    QVERIFY(added);
    QCOMPARE(added.value().first().job.id, 41);
}

void TestMigrations::newerDatabaseIsRefusedUntouched()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("q.sqlite"));
    {
        Store store(path);
        QVERIFY(store.open());
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("raw2"));
        db.setDatabaseName(path);
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("PRAGMA user_version=999")));
        q.finish();
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("raw2"));
    Store store(path);
    auto opened = store.open();
    QVERIFY(!opened);
    QVERIFY(opened.error().message.contains(QStringLiteral("newer")));
    QCOMPARE(store.database().schemaVersion(), 999);
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
