#include "queue/jobstore.h"
#include "queue/migrations.h"

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
        JobStore::Options o;
        o.targetVersion = from;
        JobStore old(oldPath, o);
        QVERIFY(old.open());
        QCOMPARE(old.schemaVersion(), from);
    }
    JobStore migrated(oldPath);
    QVERIFY(migrated.open());
    JobStore fresh(dir.filePath(QStringLiteral("fresh.sqlite")));
    QVERIFY(fresh.open());
    QCOMPARE(migrated.schemaVersion(), Migrations::currentVersion());
    QCOMPARE(fresh.schemaVersion(), Migrations::currentVersion());
    const QStringList a = migrated.schemaDescription();
    const QStringList b = fresh.schemaDescription();
    QVERIFY(a.size() > 20);
    QCOMPARE(a, b);
}

void TestMigrations::dataSurvivesMigration()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("q.sqlite"));
    qint64 id = 0;
    {
        JobStore::Options o;
        o.targetVersion = 1;
        JobStore old(path, o);
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
    JobStore migrated(path);
    QVERIFY(migrated.open());
    const auto job = migrated.job(id);
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
        JobStore::Options o;
        o.targetVersion = 3;
        JobStore old(path, o);
        QVERIFY(old.open());
        // Job 40 downloaded a video and was pruned under version 3: only the archive names it.
        QVERIFY(old.archive(QStringLiteral("youtube:abc"), 40, QStringLiteral("/v/abc.mp4"), 1));
    }
    JobStore migrated(path);
    QVERIFY(migrated.open());
    NewJob job;
    job.type = QStringLiteral("t");
    job.maxAttempts = 1;
    const auto added = migrated.insert({job}, 1000);
    QVERIFY(added);
    QCOMPARE(added.value().first().job.id, 41);
}

void TestMigrations::newerDatabaseIsRefusedUntouched()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("q.sqlite"));
    {
        JobStore store(path);
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
    JobStore store(path);
    auto opened = store.open();
    QVERIFY(!opened);
    QVERIFY(opened.error().message.contains(QStringLiteral("newer")));
    QCOMPARE(store.schemaVersion(), 999);
}

QTEST_GUILESS_MAIN(TestMigrations)
#include "tst_migrations.moc"
