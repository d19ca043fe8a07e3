#include "store/store.h"
#include "store/migrations.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

// Every migration path ends at the fresh schema, and old data survives the trip.
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
};

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
