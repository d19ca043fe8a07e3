#include "testsupport.h"

#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"

#include <QSignalSpy>
#include <QTest>

// The queue service: validation (nothing written on bad input), signals, user actions.
class TestJobQueue final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void invalidInputChangesNothing_data();
    void invalidInputChangesNothing();
    void validDownloadIsAdded();
    void sameUrlTwiceIsOneJob();
    void bulkAddIsAllOrNothing();
    void addEmitsSignalOnlyForNewJobs();
    void cancelPendingJob();
    void pauseAndResume();
    void retryDeadStartsOverWithFreshAttempts();
    void retryRefusedForActiveJobs();
    void priorityChange();
    void unknownIdsGiveNotFound();
    void removeDeletesJobAndLogs();
    void readyJobsAreTheClaimOrder();

private:
    int rowCount();
    std::unique_ptr<TestCore> m_t;
};

void TestJobQueue::init()
{
    m_t = std::make_unique<TestCore>();
}

void TestJobQueue::cleanup()
{
    m_t.reset();
}

int TestJobQueue::rowCount()
{
    return static_cast<int>(m_t->queue().list({}).total);
}

void TestJobQueue::invalidInputChangesNothing_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QJsonObject>("options");
    QTest::addColumn<int>("priority");
    QTest::addColumn<qint64>("parent");
    QTest::addColumn<int>("maxAttempts");
    QTest::addColumn<QString>("expected");
    const QString video = JobTypes::VideoDownload;
    const QString ok = QStringLiteral("https://example.org/watch?v=1");
    QTest::newRow("no type") << QString() << ok << QJsonObject() << 0 << qint64(0) << 0 << "type is required";
    QTest::newRow("unknown type") << "rocket_launch" << ok << QJsonObject() << 0 << qint64(0) << 0 << "unknown job type";
    QTest::newRow("missing url") << video << QString() << QJsonObject() << 0 << qint64(0) << 0 << "URL is required";
    QTest::newRow("not a url") << video << "not a url" << QJsonObject() << 0 << qint64(0) << 0 << "not a valid URL";
    QTest::newRow("relative") << video << "watch?v=1" << QJsonObject() << 0 << qint64(0) << 0 << "not an http";
    QTest::newRow("ftp url") << video << "ftp://example.org/a" << QJsonObject() << 0 << qint64(0) << 0 << "not an http";
    QTest::newRow("file url") << video << "file:///etc/passwd" << QJsonObject() << 0 << qint64(0) << 0 << "not an http";
    QTest::newRow("no host") << video << "https://" << QJsonObject() << 0 << qint64(0) << 0 << "";
    QTest::newRow("spaces") << video << "https://exa mple.org/" << QJsonObject() << 0 << qint64(0) << 0 << "";
    QTest::newRow("unknown option") << video << ok << QJsonObject{{"colour", "red"}} << 0 << qint64(0) << 0 << "unknown option 'colour'";
    QTest::newRow("option wrong type") << video << ok << QJsonObject{{"quality", 720}} << 0 << qint64(0) << 0 << "wrong type";
    QTest::newRow("priority too high") << video << ok << QJsonObject() << 5000 << qint64(0) << 0 << "priority";
    QTest::newRow("attempts too many") << video << ok << QJsonObject() << 0 << qint64(0) << 1000 << "max_attempts";
    QTest::newRow("attempts negative") << video << ok << QJsonObject() << 0 << qint64(0) << -1 << "max_attempts";
    QTest::newRow("missing parent") << video << ok << QJsonObject() << 0 << qint64(4242) << 0 << "4242";
    QTest::newRow("negative parent") << video << ok << QJsonObject() << 0 << qint64(-3) << 0 << "parent";
}

void TestJobQueue::invalidInputChangesNothing()
{
    QFETCH(QString, type);
    QFETCH(QString, url);
    QFETCH(QJsonObject, options);
    QFETCH(int, priority);
    QFETCH(qint64, parent);
    QFETCH(int, maxAttempts);
    QFETCH(QString, expected);
    QSignalSpy added(&m_t->queue(), &JobQueue::jobAdded);
    NewJob job;
    job.type = type;
    job.url = url;
    job.options = options;
    job.priority = priority;
    job.parentId = parent;
    job.maxAttempts = maxAttempts;
    auto result = m_t->queue().addJob(job);
    QVERIFY(!result);
    QVERIFY(result.error().code == ErrorCode::InvalidArgument);
    QVERIFY2(result.error().message.contains(expected), qPrintable(result.error().message));
    QVERIFY(!result.error().message.isEmpty());
    QCOMPARE(rowCount(), 0);
    QCOMPARE(added.count(), 0);
}

void TestJobQueue::validDownloadIsAdded()
{
    NewJob job;
    job.type = JobTypes::ChannelDownload;
    job.url = QStringLiteral("  https://www.youtube.com/@SomeChannel/videos  ");
    job.options = QJsonObject{{QStringLiteral("quality"), QStringLiteral("720p")}, {QStringLiteral("max_items"), 10}};
    auto result = m_t->queue().addJob(job);
    QVERIFY2(result, qPrintable(result.error().message));
    const Job &j = result.value().job;
    QCOMPARE(j.url, QStringLiteral("https://www.youtube.com/@SomeChannel/videos")); // trimmed
    QCOMPARE(j.maxAttempts, QueueSettings::defaults().policy(JobTypes::ChannelDownload).retry.maxAttempts);
    QCOMPARE(j.status, JobStatus::Pending);
    QCOMPARE(j.runAt, m_t->clock()->nowMs());
}

void TestJobQueue::sameUrlTwiceIsOneJob()
{
    NewJob job;
    job.type = JobTypes::VideoDownload;
    job.url = QStringLiteral("https://Example.org/watch/1/");
    auto first = m_t->queue().addJob(job);
    job.url = QStringLiteral("https://example.org/watch/1#t=30");
    auto second = m_t->queue().addJob(job);
    QVERIFY(first && second);
    QVERIFY(second.value().existed);
    QCOMPARE(second.value().job.id, first.value().job.id);
    // A different type of job on the same URL is a different job.
    job.type = JobTypes::MetadataExtraction;
    auto third = m_t->queue().addJob(job);
    QVERIFY(third && !third.value().existed);
    QCOMPARE(rowCount(), 2);
}

void TestJobQueue::bulkAddIsAllOrNothing()
{
    NewJob good;
    good.type = TestTypes::Scripted;
    NewJob bad;
    bad.type = QStringLiteral("nope");
    QSignalSpy added(&m_t->queue(), &JobQueue::jobAdded);
    auto result = m_t->queue().addJobs({good, good, bad, good});
    QVERIFY(!result);
    QVERIFY(result.error().message.startsWith(QStringLiteral("job 3:")));
    QCOMPARE(rowCount(), 0);
    QCOMPARE(added.count(), 0);
    auto fine = m_t->queue().addJobs(QList<NewJob>(50, good));
    QVERIFY(fine);
    QCOMPARE(rowCount(), 50);
    QCOMPARE(added.count(), 50);
}

void TestJobQueue::addEmitsSignalOnlyForNewJobs()
{
    NewJob job;
    job.type = TestTypes::Scripted;
    job.uniqueKey = QStringLiteral("same");
    QSignalSpy added(&m_t->queue(), &JobQueue::jobAdded);
    QVERIFY(m_t->queue().addJob(job));
    QVERIFY(m_t->queue().addJob(job));
    QCOMPARE(added.count(), 1);
    QCOMPARE(added.first().first().value<Job>().uniqueKey, QStringLiteral("same"));
}

void TestJobQueue::cancelPendingJob()
{
    const qint64 id = m_t->add();
    QSignalSpy changed(&m_t->queue(), &JobQueue::jobChanged);
    QSignalSpy stop(&m_t->queue(), &JobQueue::stopRequested);
    auto result = m_t->queue().cancel(id);
    QVERIFY(result);
    QCOMPARE(result.value().status, JobStatus::Cancelled);
    QCOMPARE(result.value().errorClass, QStringLiteral("cancelled"));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(stop.count(), 0); // nothing was running
    auto again = m_t->queue().cancel(id);
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::Conflict);
}

void TestJobQueue::pauseAndResume()
{
    const qint64 id = m_t->add();
    QCOMPARE(m_t->queue().pause(id).value().status, JobStatus::Paused);
    QVERIFY(m_t->queue().readyJobs().isEmpty());
    QCOMPARE(m_t->queue().pause(id).error().code, ErrorCode::Conflict);
    QCOMPARE(m_t->queue().resume(id).value().status, JobStatus::Pending);
    QCOMPARE(m_t->queue().resume(id).error().code, ErrorCode::Conflict);
    QCOMPARE(m_t->queue().readyJobs().size(), 1);
}

void TestJobQueue::retryDeadStartsOverWithFreshAttempts()
{
    const qint64 id = m_t->add();
    QCOMPARE(m_t->claim(1).size(), 1);
    TransitionChanges c;
    c.errorClass = QStringLiteral("not_found");
    c.errorMessage = QStringLiteral("HTTP Error 404");
    QVERIFY(m_t->queue().transition(id, JobStatus::Dead, c));
    m_t->clock()->advance(5000);
    auto retried = m_t->queue().retry(id);
    QVERIFY(retried);
    QCOMPARE(retried.value().status, JobStatus::Pending);
    QCOMPARE(retried.value().attempts, 0);
    QCOMPARE(retried.value().errorClass, QString());
    QCOMPARE(retried.value().runAt, m_t->clock()->nowMs());
    QCOMPARE(retried.value().finishedAt, 0);
}

void TestJobQueue::retryRefusedForActiveJobs()
{
    const qint64 id = m_t->add();
    auto r = m_t->queue().retry(id);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Conflict);
    QCOMPARE(m_t->status(id), JobStatus::Pending);
}

void TestJobQueue::priorityChange()
{
    const qint64 a = m_t->add({}, 0);
    const qint64 b = m_t->add({}, 0);
    QCOMPARE(m_t->queue().readyJobs().first().id, a);
    QVERIFY(m_t->queue().setPriority(b, 10));
    QCOMPARE(m_t->queue().readyJobs().first().id, b);
    QCOMPARE(m_t->queue().setPriority(b, 100000).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(m_t->queue().job(b)->priority, 10);
}

void TestJobQueue::unknownIdsGiveNotFound()
{
    QCOMPARE(m_t->queue().cancel(99).error().code, ErrorCode::NotFound);
    QCOMPARE(m_t->queue().retry(99).error().code, ErrorCode::NotFound);
    QCOMPARE(m_t->queue().pause(99).error().code, ErrorCode::NotFound);
    QCOMPARE(m_t->queue().resume(99).error().code, ErrorCode::NotFound);
    QCOMPARE(m_t->queue().setPriority(99, 1).error().code, ErrorCode::NotFound);
    QCOMPARE(m_t->queue().remove(99).error().code, ErrorCode::NotFound);
    QCOMPARE(m_t->queue().remove(-1).error().code, ErrorCode::NotFound);
    QVERIFY(!m_t->queue().job(99));
}

void TestJobQueue::removeDeletesJobAndLogs()
{
    const qint64 id = m_t->add();
    auto log = m_t->core().logs().logger(id);
    log->info(QStringLiteral("hello"));
    log.reset();
    QVERIFY(QFile::exists(m_t->core().logs().humanLogPath(id)));
    QSignalSpy removed(&m_t->queue(), &JobQueue::jobRemoved);
    QVERIFY(m_t->queue().remove(id));
    QCOMPARE(removed.count(), 1);
    QVERIFY(!m_t->queue().job(id));
    QVERIFY(!QFile::exists(m_t->core().logs().jobDir(id)));
    // A job that listed others goes with them, and their logs too.
    const qint64 channel = m_t->add();
    const qint64 video = m_t->add({}, 0, channel);
    m_t->core().logs().logger(video)->info(QStringLiteral("listed"));
    QVERIFY(QFile::exists(m_t->core().logs().humanLogPath(video)));
    auto gone = m_t->queue().remove(channel);
    QVERIFY(gone);
    QCOMPARE(gone.value().size(), 2);
    QCOMPARE(removed.count(), 3);
    QCOMPARE(removed.last().first().toLongLong(), gone.value().last());
    QVERIFY(!m_t->queue().job(video));
    QVERIFY(!QFile::exists(m_t->core().logs().jobDir(video)));
}

void TestJobQueue::readyJobsAreTheClaimOrder()
{
    const qint64 low = m_t->add({}, -1);
    const qint64 high = m_t->add({}, 5);
    const qint64 mid = m_t->add({}, 0);
    QList<qint64> ids;
    for (const Job &j : m_t->queue().readyJobs())
        ids << j.id;
    QCOMPARE(ids, (QList<qint64>{high, mid, low}));
}

QTEST_GUILESS_MAIN(TestJobQueue)
#include "tst_jobqueue.moc"
