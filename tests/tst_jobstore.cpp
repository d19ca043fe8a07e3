#include "testsupport.h"

#include "core/throttle.h"
#include "queue/jobqueue.h"
#include "queue/sharedqueuefeed.h"
#include "queue/subscriptions.h"
#include "store/store.h"

#include <QSignalSpy>

#include <QSqlQuery>
#include <QTemporaryDir>
#include <atomic>
#include <latch>
#include <thread>
#include <QTest>

// The store on a real SQLite file, and the same suite on a real PostgreSQL server: ordering, claiming, unique keys, dependencies, lists, pruning.
namespace {
// The test's job types may all start, each with a 5 s lease.
const QHash<QString, qint64> kLeases{{QStringLiteral("t"), 5000},   {QStringLiteral("u"), 5000},
                                     {QStringLiteral("odd"), 5000}, {QStringLiteral("even"), 5000},
                                     {QStringLiteral("a"), 5000},   {QStringLiteral("b"), 5000}};
} // namespace

class TestJobStore final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void opensWithWalAndForeignKeys();
    void insertReturnsFullRecord();
    void priorityThenRunAtThenFifo();
    void futureRunAtIsNotClaimed();
    void claimMarksRunningWithLease();
    void claimRespectsExclusions();
    void uniqueKeyReturnsExisting();
    void uniqueKeyFreedByDeadOrCancelled();
    void insertIsAllOrNothing();
    void addingManyAtOnceDecidesEachAsAlone();
    void missingParentIsRefused();
    void childWaitsForParent();
    void cascadeCancelsWaitingDescendants();
    void completeManyHonoursEachClaim();
    void logLinesOfManyJobsAreWrittenInOrder();
    void illegalTransitionIsRefused();
    void transitionOfUnknownJob();
    void listFiltersSortsAndPages();
    void listTextSearchEscapesWildcards();
    void listRejectsUnknownSortKey();
    void progressIsSaved();
    void progressOfSeveralJobsIsSavedInOneCall();
    void pruneDeletesOldFinishedOnly();
    void hostCooldownKeepsLatest();
    void strikesEscalateAndResetAfterACleanPeriod();
    void resumeEndsAPauseAndKeepsItsStrikes();
    void garbageFileIsRefused();
    void unwritableLocationIsRefused();
    void fullDiskGivesClearErrorAndKeepsData();
    void countsFollowEveryChange();
    void removeTakesTheJobsUnderIt();
    void idsAreNeverHandedOutTwice();
    void textSearchFindsSubstringsOfTitlesAndUrls();
    void resolvedTextSearchAgreesWithDirectSearch();
    void checkpointsRunOffTheWriter();
    void concurrentClaimsNeverTakeAJobTwice();
    void hostsCompletingAndClaimingTogetherNeverDeadlock();
    void countsOfEverySessionAreFoldedIntoOne();
    void queueCapsHoldAcrossHostsClaimingAtOnce();
    void notificationsThatArriveDuringAStatementAreDelivered();
    void subscriptionChangesElsewhereAreHeard();
    void filtersOfEveryShapeKeepTheStatementCacheBounded();

private:
    qint64 add(NewJob job, qint64 now = 1000);
    NewJob newJob(int priority = 0, qint64 runAt = 0);
    QList<Job> claim(int limit, qint64 now = 10'000);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Store> m_store;
};

void TestJobStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_store = std::make_unique<Store>(testDatabase(*m_dir, QStringLiteral("q.sqlite")));
    auto opened = m_store->open();
    QVERIFY2(opened, qPrintable(opened.error().message));
}

void TestJobStore::cleanup()
{
    m_store.reset();
    m_dir.reset();
}

NewJob TestJobStore::newJob(int priority, qint64 runAt)
{
    NewJob job;
    job.type = QStringLiteral("t");
    job.priority = priority;
    job.runAt = runAt;
    job.maxAttempts = 3;
    return job;
}

qint64 TestJobStore::add(NewJob job, qint64 now)
{
    auto inserted = m_store->jobs().insert({job}, now);
    if (!inserted) {
        qWarning("%s", qPrintable(inserted.error().message));
        return 0;
    }
    return inserted.value().first().job.id;
}

QList<Job> TestJobStore::claim(int limit, qint64 now)
{
    ClaimRequest r;
    r.limit = limit;
    r.now = now;
    r.leaseMsByType = kLeases;
    r.worker = QStringLiteral("w1");
    auto claimed = m_store->jobs().claim(r);
    if (!claimed)
        qWarning("claim failed: %s", qPrintable(claimed.error().message));
    return claimed ? claimed.value() : QList<Job>{};
}

void TestJobStore::filtersOfEveryShapeKeepTheStatementCacheBounded()
{
    // "?status=pending,pending,..." and "?type=a,b,c,...": before, every distinct list compiled and
    // kept one more statement, without end.
    QVERIFY(m_store->jobs().insert({newJob()}, 1'000));
    for (int n = 1; n <= 600; ++n) {
        JobFilter repeated;
        repeated.statuses = QList<JobStatus>(n, JobStatus::Pending);
        QCOMPARE(m_store->listing().list(repeated).total, 1);
        JobFilter types;
        for (int i = 0; i < n % 50 + 1; ++i)
            types.types << QStringLiteral("type-%1-%2").arg(n).arg(i);
        QCOMPARE(m_store->listing().count(types), 0);
    }
    // 127 subsets of the statuses: more shapes than the cache holds, so some are dropped and
    // prepared again, and every answer stays right.
    for (int mask = 1; mask < 128; ++mask) {
        JobFilter subset;
        for (int b = 0; b < 7; ++b)
            if (mask & (1 << b))
                subset.statuses << static_cast<JobStatus>(b);
        QCOMPARE(m_store->listing().count(subset), (mask & 1) ? 1 : 0);
        JobFilter again = subset; // the same shape once more, right after it was prepared
        QCOMPARE(m_store->listing().list(again).total, (mask & 1) ? 1 : 0);
    }
    QVERIFY2(m_store->database().cachedStatements() <= 200,
             qPrintable(QString::number(m_store->database().cachedStatements())));
    // And the store still works through statements dropped and prepared again.
    QCOMPARE(m_store->listing().list({}).total, 1);
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("pending")), 1);
}

void TestJobStore::opensWithWalAndForeignKeys()
{
    QCOMPARE(m_store->database().integrityCheck(), QStringLiteral("ok"));
    if (!testingPostgresql())
        QVERIFY(QFile::exists(m_store->path() + QStringLiteral("-wal")));
    // The same file opened again by a second store sees the same schema version.
    Store second(m_store->path());
    QVERIFY(second.open());
    QCOMPARE(second.database().schemaVersion(), m_store->database().schemaVersion());
}

void TestJobStore::insertReturnsFullRecord()
{
    NewJob j = newJob(5);
    j.url = QStringLiteral("https://example.org/v");
    j.options = QJsonObject{{QStringLiteral("quality"), QStringLiteral("720p")}};
    j.title = QStringLiteral("A title");
    const qint64 id = add(j, 4242);
    const auto job = m_store->jobs().job(id);
    QVERIFY(job);
    QCOMPARE(job->status, JobStatus::Pending);
    QCOMPARE(job->priority, 5);
    QCOMPARE(job->url, j.url);
    QCOMPARE(job->options, j.options);
    QCOMPARE(job->title, j.title);
    QCOMPARE(job->createdAt, 4242);
    QCOMPARE(job->runAt, 4242); // no run_at: due at once
    QCOMPARE(job->attempts, 0);
    QCOMPARE(job->maxAttempts, 3);
    QCOMPARE(job->parentId, 0);
}

void TestJobStore::priorityThenRunAtThenFifo()
{
    const qint64 low = add(newJob(0, 100));
    const qint64 highLate = add(newJob(10, 300));
    const qint64 highEarly = add(newJob(10, 200));
    const qint64 lowSameTime = add(newJob(0, 100));
    const QList<Job> ready = m_store->jobs().readyJobs(10'000, 10);
    QList<qint64> ids;
    for (const Job &j : ready)
        ids << j.id;
    QCOMPARE(ids, (QList<qint64>{highEarly, highLate, low, lowSameTime}));
    const QList<Job> claimed = claim(10);
    QList<qint64> claimedIds;
    for (const Job &j : claimed)
        claimedIds << j.id;
    QCOMPARE(claimedIds, ids);
}

void TestJobStore::futureRunAtIsNotClaimed()
{
    const qint64 later = add(newJob(100, 50'000));
    const qint64 now = add(newJob(0, 0), 1000);
    // Only the job scheduled for later waits in the schedule; the other one is due already.
    QCOMPARE(m_store->jobs().nextScheduled(), std::optional<qint64>(50'000));
    const QList<Job> first = claim(5, 10'000);
    QCOMPARE(first.size(), 1);
    QCOMPARE(first.first().id, now);
    QCOMPARE(m_store->jobs().nextScheduled(), std::optional<qint64>(50'000));
    QVERIFY(claim(5, 49'999).isEmpty());
    const QList<Job> second = claim(5, 50'000);
    QCOMPARE(second.size(), 1);
    QCOMPARE(second.first().id, later);
    QVERIFY(!m_store->jobs().nextScheduled());
}

void TestJobStore::claimMarksRunningWithLease()
{
    const qint64 id = add(newJob());
    const QList<Job> claimed = claim(1, 7000);
    QCOMPARE(claimed.size(), 1);
    const Job &job = claimed.first();
    QCOMPARE(job.id, id);
    QCOMPARE(job.status, JobStatus::Running);
    QCOMPARE(job.attempts, 1);
    QCOMPARE(job.leaseUntil, 12'000);
    QCOMPARE(job.startedAt, 7000);
    QCOMPARE(job.worker, QStringLiteral("w1"));
    QVERIFY(claim(1).isEmpty()); // claimed once only
    QCOMPARE(m_store->jobs().job(id)->status, JobStatus::Running);
}

void TestJobStore::claimRespectsExclusions()
{
    NewJob other = newJob(5);
    other.type = QStringLiteral("u");
    const qint64 u = add(other);
    const qint64 t1 = add(newJob(1));
    const qint64 t2 = add(newJob(0));
    ClaimRequest r;
    r.limit = 10;
    r.now = 10'000;
    r.leaseMsByType = {{QStringLiteral("t"), 5000}}; // "u" may not start now (at its cap, gated)
    r.excludedIds = {t1};
    const QList<Job> claimed = m_store->jobs().claim(r).value();
    QCOMPARE(claimed.size(), 1);
    QCOMPARE(claimed.first().id, t2);
    QCOMPARE(m_store->jobs().job(u)->status, JobStatus::Pending);
    QCOMPARE(m_store->jobs().job(t1)->status, JobStatus::Pending);
}

void TestJobStore::uniqueKeyReturnsExisting()
{
    NewJob j = newJob();
    j.uniqueKey = QStringLiteral("youtube:abc");
    auto first = m_store->jobs().insert({j}, 1000);
    QVERIFY(first);
    QVERIFY(!first.value().first().existed);
    auto second = m_store->jobs().insert({j}, 2000);
    QVERIFY(second);
    QVERIFY(second.value().first().existed);
    QCOMPARE(second.value().first().job.id, first.value().first().job.id);
    // Running and completed keep the key too.
    claim(1);
    QVERIFY(m_store->jobs().insert({j}, 3000).value().first().existed);
    QVERIFY(m_store->jobs().transition(first.value().first().job.id, JobStatus::Completed, {}, 4000));
    QVERIFY(m_store->jobs().insert({j}, 5000).value().first().existed);
    QCOMPARE(m_store->listing().list({}).total, 1);
}

void TestJobStore::uniqueKeyFreedByDeadOrCancelled()
{
    NewJob j = newJob();
    j.uniqueKey = QStringLiteral("k");
    const qint64 first = add(j);
    QVERIFY(m_store->jobs().transition(first, JobStatus::Cancelled, {}, 2000));
    auto again = m_store->jobs().insert({j}, 3000);
    QVERIFY(again);
    QVERIFY(!again.value().first().existed);
    const qint64 second = again.value().first().job.id;
    QVERIFY(second != first);
    // The cancelled one cannot come back while its twin is active.
    auto back = m_store->jobs().transition(first, JobStatus::Pending, {}, 4000);
    QVERIFY(!back);
    QCOMPARE(back.error().code, ErrorCode::Conflict);
    QCOMPARE(m_store->jobs().job(first)->status, JobStatus::Cancelled);
}

void TestJobStore::insertIsAllOrNothing()
{
    NewJob good = newJob();
    NewJob orphan = newJob();
    orphan.parentId = 999;
    auto result = m_store->jobs().insert({good, good, orphan}, 1000);
    QVERIFY(!result);
    QCOMPARE(result.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(m_store->listing().list({}).total, 0);
}

void TestJobStore::addingManyAtOnceDecidesEachAsAlone()
{
    // Many jobs are added with a few statements for all of them; each is decided as if added on
    // its own, in order: an active key returns the queued job, a key repeated in the batch returns
    // the first, an archived video is skipped, children wait for a parent that has not completed.
    NewJob queued = newJob();
    queued.uniqueKey = QStringLiteral("k-queued");
    const qint64 queuedId = add(queued);
    const qint64 runningParent = add(newJob(9));
    const qint64 doneParent = add(newJob(8));
    QVERIFY(claim(2).size() == 2);
    QVERIFY(m_store->jobs().transition(doneParent, JobStatus::Completed, {}, 11'000));
    QVERIFY(m_store->archive().archive(QStringLiteral("k-archived"), 0, QStringLiteral("/x.mp4"), 1000));
    QList<NewJob> batch;
    auto keyed = [this](const QString &key, bool skipArchived = false) {
        NewJob j = newJob();
        j.uniqueKey = key;
        j.skipIfArchived = skipArchived;
        return j;
    };
    batch << keyed(QStringLiteral("k-queued"));          // 0: the queued one
    batch << keyed(QStringLiteral("k-new"));             // 1: new
    batch << keyed(QStringLiteral("k-new"));             // 2: the same as 1
    batch << keyed(QStringLiteral("k-archived"), true);  // 3: archived, skipped
    batch << keyed(QStringLiteral("k-archived"), false); // 4: archived, but asked for again: added
    NewJob waitingChild = newJob();
    waitingChild.parentId = runningParent;
    batch << waitingChild;                               // 5: waits
    NewJob readyChild = newJob();
    readyChild.parentId = doneParent;
    batch << readyChild;                                 // 6: ready at once
    NewJob later = newJob(0, 99'000);
    later.url = QStringLiteral("https://Media.Example.org/watch?v=1");
    later.title = QStringLiteral("A title");
    later.options = {{QStringLiteral("o"), 1}};
    later.type = QStringLiteral("u");
    batch << later;                                      // 7: scheduled for later
    auto added = m_store->jobs().insert(batch, 12'000);
    QVERIFY2(added, qPrintable(added ? QString() : added.error().message));
    const QList<JobStore::Inserted> r = added.value();
    QCOMPARE(r.size(), batch.size());
    QVERIFY(r[0].existed && !r[0].archived);
    QCOMPARE(r[0].job.id, queuedId);
    QVERIFY(!r[1].existed);
    QVERIFY(r[2].existed && !r[2].archived);
    QCOMPARE(r[2].job.id, r[1].job.id);
    QVERIFY(r[3].existed && r[3].archived);
    QCOMPARE(r[3].job.id, 0);
    QVERIFY(!r[4].existed);
    QCOMPARE(r[4].job.uniqueKey, QStringLiteral("k-archived"));
    // Ids in the order given: first come, first served.
    QVERIFY(r[1].job.id > queuedId);
    QVERIFY(r[4].job.id > r[1].job.id && r[5].job.id > r[4].job.id && r[6].job.id > r[5].job.id
            && r[7].job.id > r[6].job.id);
    QCOMPARE(r[5].job.parentId, runningParent);
    QCOMPARE(r[7].job.url, later.url);
    QCOMPARE(r[7].job.host, QStringLiteral("media.example.org"));
    QCOMPARE(r[7].job.title, QStringLiteral("A title"));
    QCOMPARE(r[7].job.options.value(QStringLiteral("o")).toInt(), 1);
    QCOMPARE(r[7].job.runAt, 99'000);
    QCOMPARE(r[7].job.createdAt, 12'000);
    QCOMPARE(r[7].job.status, JobStatus::Pending);
    // Claimable now: the ready child and the new keyed jobs, never the waiting child or the later job.
    QSet<qint64> claimed;
    for (const Job &job : claim(20, 13'000))
        claimed.insert(job.id);
    QCOMPARE(claimed, (QSet<qint64>{queuedId, r[1].job.id, r[4].job.id, r[6].job.id}));
    // A bad parent anywhere refuses the whole batch.
    QList<NewJob> bad{newJob(), newJob(), newJob(), newJob()};
    bad[2].parentId = 999'999;
    const qint64 before = m_store->listing().count(JobFilter{});
    auto refused = m_store->jobs().insert(bad, 14'000);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::InvalidArgument);
    QCOMPARE(m_store->listing().count(JobFilter{}), before);
}

void TestJobStore::missingParentIsRefused()
{
    NewJob orphan = newJob();
    orphan.parentId = 12345;
    auto result = m_store->jobs().insert({orphan}, 1000);
    QVERIFY(!result);
    QVERIFY(result.error().message.contains(QStringLiteral("12345")));
}

void TestJobStore::childWaitsForParent()
{
    const qint64 parent = add(newJob(0));
    NewJob c = newJob(50);
    c.parentId = parent;
    const qint64 child = add(c);
    QList<Job> claimed = claim(5);
    QCOMPARE(claimed.size(), 1); // the child has a higher priority but waits
    QCOMPARE(claimed.first().id, parent);
    auto done = m_store->jobs().transition(parent, JobStatus::Completed, {}, 11'000);
    QVERIFY(done);
    QCOMPARE(done.value().affected.size(), 1);
    QCOMPARE(done.value().affected.first().id, child);
    claimed = claim(5, 12'000);
    QCOMPARE(claimed.size(), 1);
    QCOMPARE(claimed.first().id, child);
    QCOMPARE(m_store->jobs().childIds(parent), QList<qint64>{child});
    // Children added after the parent completed are ready at once.
    NewJob late = newJob();
    late.parentId = parent;
    const qint64 lateId = add(late, 13'000);
    QCOMPARE(claim(5, 14'000).first().id, lateId);
}

void TestJobStore::completeManyHonoursEachClaim()
{
    // Three running jobs; the second was taken from its worker (its claim moved on), the third has
    // a waiting child. One statement completes the first and the third, with their results and last
    // progress, releases the child, and leaves the second exactly as it was.
    const qint64 a = add(newJob(3)), b = add(newJob(2)), c = add(newJob(1));
    NewJob childJob = newJob(0);
    childJob.parentId = c;
    const qint64 child = add(childJob);
    const QList<Job> claimed = claim(3);
    QCOMPARE(claimed.size(), 3);
    QHash<qint64, Job> byId;
    for (const Job &job : claimed)
        byId.insert(job.id, job);
    QVERIFY(byId[b].claimId != 0);
    JobProgress progress;
    progress.percent = 100;
    progress.downloadedBytes = 5'000'000'000LL; // beyond 32 bits
    progress.totalBytes = -1;
    progress.itemsDone = 7;
    progress.itemsTotal = 9;
    QList<Completion> completions{
        Completion{a, Fence{byId[a].claimId}, {{QStringLiteral("n"), 1}}, progress, false},
        Completion{b, Fence{byId[b].claimId ^ 1}, {{QStringLiteral("n"), 2}}, std::nullopt, false}, // a stale claim
        Completion{c, Fence{byId[c].claimId}, {{QStringLiteral("n"), 3}}, std::nullopt, true}};
    auto done = m_store->jobs().completeMany(completions, 20'000);
    QVERIFY2(done, qPrintable(done.error().message));
    QCOMPARE(done.value().size(), 2);
    QCOMPARE(done.value().at(0).job.id, a); // in the order asked
    QCOMPARE(done.value().at(1).job.id, c);
    QCOMPARE(done.value().at(1).affected.size(), 1);
    QCOMPARE(done.value().at(1).affected.first().id, child);
    const Job ja = *m_store->jobs().job(a);
    QCOMPARE(ja.status, JobStatus::Completed);
    QCOMPARE(ja.finishedAt, 20'000);
    QCOMPARE(ja.claimId, 0);
    QCOMPARE(ja.leaseUntil, 0);
    QCOMPARE(ja.attempts, 1);
    QCOMPARE(ja.result.value(QStringLiteral("n")).toInt(), 1);
    QCOMPARE(ja.progress.percent, 100.0);
    QCOMPARE(ja.progress.downloadedBytes, 5'000'000'000LL);
    QCOMPARE(ja.progress.totalBytes, -1);
    QCOMPARE(ja.progress.itemsDone, 7);
    QCOMPARE(ja.progress.itemsTotal, 9);
    const Job jb = *m_store->jobs().job(b);
    QCOMPARE(jb.status, JobStatus::Running);
    QCOMPARE(jb.claimId, byId[b].claimId);
    QVERIFY(jb.result.isEmpty());
    QCOMPARE(m_store->jobs().job(c)->status, JobStatus::Completed);
    // The kept counts follow the statement.
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("completed")), 2);
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("running")), 1);
    // The released child is claimable; the same completions again change nothing.
    QCOMPARE(claim(5, 21'000).first().id, child);
    auto again = m_store->jobs().completeMany(completions, 22'000);
    QVERIFY(again);
    QVERIFY(again.value().isEmpty());
    QCOMPARE(m_store->jobs().job(a)->finishedAt, 20'000);
}

void TestJobStore::logLinesOfManyJobsAreWrittenInOrder()
{
    const qint64 a = add(newJob()), b = add(newJob());
    QList<JobEventStore::Entry> entries;
    for (int i = 0; i < 40; ++i)
        entries.append(JobEventStore::Entry{i % 2 ? b : a, 1000 + i, QStringLiteral("info"), QStringLiteral("e"),
                                            QStringLiteral("line %1 \"quoted\" ünï").arg(i), {{QStringLiteral("i"), i}}});
    QVERIFY(m_store->events().appendMany(entries));
    const QList<JobEventStore::Line> lines = m_store->events().lines(b);
    QCOMPARE(lines.size(), 20);
    for (int i = 0; i < 20; ++i) {
        QCOMPARE(lines[i].message, QStringLiteral("line %1 \"quoted\" ünï").arg(2 * i + 1));
        QCOMPARE(lines[i].at, 1000 + 2 * i + 1);
    }
    QVERIFY(m_store->events().appendMany({}));
}

void TestJobStore::cascadeCancelsWaitingDescendants()
{
    const qint64 parent = add(newJob());
    NewJob c = newJob();
    c.parentId = parent;
    const qint64 child = add(c);
    NewJob g = newJob();
    g.parentId = child;
    const qint64 grandchild = add(g);
    claim(1);
    TransitionChanges dead;
    dead.errorClass = QStringLiteral("not_found");
    auto result = m_store->jobs().transition(parent, JobStatus::Dead, dead, 20'000);
    QVERIFY(result);
    QCOMPARE(result.value().affected.size(), 2);
    for (qint64 id : {child, grandchild}) {
        const Job j = *m_store->jobs().job(id);
        QCOMPARE(j.status, JobStatus::Cancelled);
        QCOMPARE(j.errorClass, QStringLiteral("parent_failed"));
        QVERIFY(j.errorMessage.contains(QString::number(parent)));
        QCOMPARE(j.finishedAt, 20'000);
    }
    // A parent that is dead takes no new children.
    NewJob late = newJob();
    late.parentId = parent;
    auto refused = m_store->jobs().insert({late}, 21'000);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Conflict);
}

void TestJobStore::illegalTransitionIsRefused()
{
    const qint64 id = add(newJob());
    auto r = m_store->jobs().transition(id, JobStatus::Completed, {}, 2000); // pending -> completed
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::Conflict);
    QVERIFY(r.error().message.contains(QStringLiteral("pending")));
    QCOMPARE(m_store->jobs().job(id)->status, JobStatus::Pending);
    QVERIFY(!m_store->jobs().transition(id, JobStatus::Running, {}, 2000)); // only claims start jobs
    QCOMPARE(m_store->jobs().job(id)->status, JobStatus::Pending);
}

void TestJobStore::transitionOfUnknownJob()
{
    auto r = m_store->jobs().transition(777, JobStatus::Cancelled, {}, 1);
    QVERIFY(!r);
    QCOMPARE(r.error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->jobs().setPriority(777, 1, 1).error().code, ErrorCode::NotFound);
    QCOMPARE(m_store->jobs().remove(777).error().code, ErrorCode::NotFound);
}

void TestJobStore::listFiltersSortsAndPages()
{
    for (int i = 0; i < 30; ++i) {
        NewJob j = newJob(i % 3);
        j.type = i % 2 ? QStringLiteral("odd") : QStringLiteral("even");
        j.title = QStringLiteral("job %1").arg(i);
        add(j);
    }
    claim(4);
    JobFilter f;
    f.types = {QStringLiteral("odd")};
    f.limit = 5;
    f.offset = 5;
    JobPage page = m_store->listing().list(f);
    QCOMPARE(page.total, 15);
    QCOMPARE(page.jobs.size(), 5);
    QCOMPARE(page.jobs.first().title, QStringLiteral("job 11"));
    f = {};
    f.statuses = {JobStatus::Running};
    QCOMPARE(m_store->listing().list(f).total, 4);
    f = {};
    f.sort = QStringLiteral("priority");
    f.descending = true;
    f.limit = 3;
    page = m_store->listing().list(f);
    for (const Job &j : page.jobs)
        QCOMPARE(j.priority, 2);
    QVERIFY(page.jobs[0].id > page.jobs[1].id); // ties by id, same direction
}

void TestJobStore::listTextSearchEscapesWildcards()
{
    NewJob a = newJob();
    a.title = QStringLiteral("100% pure");
    add(a);
    NewJob b = newJob();
    b.title = QStringLiteral("1000 pure");
    add(b);
    NewJob c = newJob();
    c.url = QStringLiteral("https://example.org/channel_x");
    add(c);
    JobFilter f;
    f.text = QStringLiteral("100%");
    QCOMPARE(m_store->listing().list(f).total, 1);
    f.text = QStringLiteral("l_x");
    QCOMPARE(m_store->listing().list(f).total, 1);
    f.text = QStringLiteral("PURE"); // case-insensitive for ASCII
    QCOMPARE(m_store->listing().list(f).total, 2);
}

void TestJobStore::listRejectsUnknownSortKey()
{
    add(newJob());
    JobFilter f;
    f.sort = QStringLiteral("id; DROP TABLE jobs");
    QCOMPARE(m_store->listing().list(f).total, 1); // falls back to id, nothing injected
    QCOMPARE(m_store->listing().list({}).total, 1);
}

void TestJobStore::progressIsSaved()
{
    const qint64 id = add(newJob());
    claim(1, 1000);
    JobProgress p;
    p.percent = 42.5;
    p.downloadedBytes = 425;
    p.totalBytes = 1000;
    p.speedBps = 50;
    p.etaSeconds = 12;
    p.itemsDone = 2;
    p.itemsTotal = 9;
    const Job claimed = *m_store->jobs().job(id);
    const auto saved = m_store->jobs().saveProgress({ProgressUpdate{id, claimed.claimId, p, 99'000}});
    QVERIFY(saved);
    QVERIFY(saved.value().isEmpty()); // the claim still holds
    const Job job = *m_store->jobs().job(id);
    QCOMPARE(job.progress, p);
    QCOMPARE(job.leaseUntil, 99'000);
}

void TestJobStore::progressOfSeveralJobsIsSavedInOneCall()
{
    // One flush carries every running job's progress and lease; a job whose claim moved on is
    // reported lost and left alone.
    QList<qint64> ids;
    for (int i = 0; i < 3; ++i)
        ids << add(newJob());
    QCOMPARE(claim(3, 1000).size(), 3);
    QList<ProgressUpdate> updates;
    for (qint64 id : ids) {
        JobProgress p;
        p.downloadedBytes = 100 * id;
        const qint64 claimId = m_store->jobs().job(id)->claimId;
        updates << ProgressUpdate{id, id == ids[1] ? claimId + 1 : claimId, p, 50'000 + id};
    }
    const auto saved = m_store->jobs().saveProgress(updates);
    QVERIFY2(saved, qPrintable(saved ? QString() : saved.error().message));
    QCOMPARE(saved.value(), QList<qint64>{ids[1]});
    for (qint64 id : {ids[0], ids[2]}) {
        const Job job = *m_store->jobs().job(id);
        QCOMPARE(job.progress.downloadedBytes, 100 * id);
        QCOMPARE(job.leaseUntil, 50'000 + id);
    }
    QCOMPARE(m_store->jobs().job(ids[1])->progress.downloadedBytes, 0);
}

void TestJobStore::pruneDeletesOldFinishedOnly()
{
    const qint64 oldDone = add(newJob());
    const qint64 oldCancelled = add(newJob());
    const qint64 oldDead = add(newJob());
    const qint64 newDone = add(newJob());
    const qint64 waiting = add(newJob(-5));
    claim(3, 1000);
    QVERIFY(m_store->jobs().transition(oldDone, JobStatus::Completed, {}, 1000));
    QVERIFY(m_store->jobs().transition(oldCancelled, JobStatus::Cancelled, {}, 1000));
    QVERIFY(m_store->jobs().transition(oldDead, JobStatus::Dead, {}, 1000));
    claim(1, 5000);
    QVERIFY(m_store->jobs().transition(newDone, JobStatus::Completed, {}, 9000));
    auto pruned = m_store->jobs().pruneFinished(5000);
    QVERIFY(pruned);
    QCOMPARE(QSet<qint64>(pruned.value().removed.cbegin(), pruned.value().removed.cend()), (QSet<qint64>{oldDone, oldCancelled}));
    QVERIFY(!m_store->jobs().job(oldDone));
    QVERIFY(m_store->jobs().job(oldDead));
    QVERIFY(m_store->jobs().job(newDone));
    QVERIFY(m_store->jobs().job(waiting));
}

void TestJobStore::strikesEscalateAndResetAfterACleanPeriod()
{
    ThrottleSettings t;
    t.cooldownStepsMs = {600'000, 1'800'000, 7'200'000};
    t.cleanPeriodMs = 3'600'000;
    CooldownStore &c = m_store->cooldowns();
    const QString host = QStringLiteral("youtube.com");
    qint64 now = 1'000'000;
    HostCooldown first = c.strike(host, now, QStringLiteral("bot_check"), QStringLiteral("Sign in"), 0, t).value();
    QCOMPARE(first.strikes, 1);
    QCOMPARE(first.untilMs, now + 600'000);
    // Refused again soon after the pause ended: the next step.
    now = first.untilMs + 60'000;
    HostCooldown second = c.strike(host, now, QStringLiteral("rate_limited"), QStringLiteral("429"), 0, t).value();
    QCOMPARE(second.strikes, 2);
    QCOMPARE(second.untilMs, now + 1'800'000);
    QCOMPARE(second.kind, QStringLiteral("rate_limited"));
    // A Retry-After longer than the step wins; the steps are capped at the last.
    now = second.untilMs + 1;
    HostCooldown third = c.strike(host, now, QStringLiteral("rate_limited"), QStringLiteral("429"), now + 9'000'000, t).value();
    QCOMPARE(third.strikes, 3);
    QCOMPARE(third.untilMs, now + 9'000'000);
    now = third.untilMs + 1;
    HostCooldown fourth = c.strike(host, now, QStringLiteral("rate_limited"), QStringLiteral("429"), 0, t).value();
    QCOMPARE(fourth.strikes, 4);
    QCOMPARE(fourth.untilMs, now + 7'200'000);
    // Refused again during the pause (downloads already running): the same strike, not longer.
    HostCooldown during = c.strike(host, now + 10, QStringLiteral("rate_limited"), QStringLiteral("429"), 0, t).value();
    QCOMPARE(during.untilMs, fourth.untilMs);
    QCOMPARE(during.strikes, 4);
    // ...unless its Retry-After says longer.
    during = c.strike(host, now + 20, QStringLiteral("rate_limited"), QStringLiteral("429"), fourth.untilMs + 5000, t).value();
    QCOMPARE(during.untilMs, fourth.untilMs + 5000);
    QCOMPARE(during.strikes, 4);
    QCOMPARE(c.active(now).value(host), fourth.untilMs + 5000);
    // A clean hour after the pause ended: it starts over.
    now = during.untilMs + 3'600'000;
    HostCooldown fresh = c.strike(host, now, QStringLiteral("bot_check"), QStringLiteral("Sign in"), 0, t).value();
    QCOMPARE(fresh.strikes, 1);
    QCOMPARE(fresh.untilMs, now + 600'000);
    const QList<HostCooldown> shown = c.activeDetails(now);
    QCOMPARE(shown.size(), 1);
    QCOMPARE(shown.first().host, host);
    QCOMPARE(shown.first().reason, QStringLiteral("Sign in"));
    QCOMPARE(shown.first().sinceMs, now);
    // Other hosts keep their own count.
    QCOMPARE(c.strike(QStringLiteral("vimeo.com"), now, QStringLiteral("rate_limited"), QString(), 0, t).value().strikes, 1);
    QCOMPARE(c.activeDetails(now).size(), 2);
    // Ended pauses are kept for the clean period, then forgotten.
    QCOMPARE(c.purgeEnded(now + 600'000 + 1, t.cleanPeriodMs), 0);
    QCOMPARE(c.purgeEnded(now + 600'000 + t.cleanPeriodMs, t.cleanPeriodMs), 2);
    QVERIFY(c.active(0).isEmpty());
}

void TestJobStore::resumeEndsAPauseAndKeepsItsStrikes()
{
    ThrottleSettings t;
    t.cooldownStepsMs = {600'000, 1'800'000};
    CooldownStore &c = m_store->cooldowns();
    const QString host = QStringLiteral("youtube.com");
    QCOMPARE(c.resume(host, 1000).value(), false); // not pausing: nothing to resume
    c.strike(host, 1000, QStringLiteral("bot_check"), QString(), 0, t).value();
    QVERIFY(c.resume(host, 2000).value());
    QVERIFY(c.active(2000).isEmpty());
    QCOMPARE(c.resume(host, 2000).value(), false);
    // Refused again right away: it pauses longer than the first time.
    QCOMPARE(c.strike(host, 3000, QStringLiteral("bot_check"), QString(), 0, t).value().untilMs, 3000 + 1'800'000);
}

void TestJobStore::hostCooldownKeepsLatest()
{
    m_store->cooldowns().setCooldown(QStringLiteral("example.org"), 5000, QStringLiteral("429"));
    m_store->cooldowns().setCooldown(QStringLiteral("example.org"), 3000, QStringLiteral("429 again"));
    QCOMPARE(m_store->cooldowns().active(1000).value(QStringLiteral("example.org")), 5000);
    QVERIFY(m_store->cooldowns().active(5000).isEmpty());
}

void TestJobStore::garbageFileIsRefused()
{
    SPOOL_SQLITE_ONLY();
    const QString path = m_dir->filePath(QStringLiteral("garbage.sqlite"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QByteArray(8192, 'x'));
    f.close();
    Store store(path);
    auto opened = store.open();
    QVERIFY(!opened);
    QCOMPARE(opened.error().code, ErrorCode::Storage);
    QVERIFY(!opened.error().message.isEmpty());
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), QByteArray(8192, 'x')); // left as it was
}

void TestJobStore::unwritableLocationIsRefused()
{
    SPOOL_SQLITE_ONLY();
    Store store(QStringLiteral("/proc/spool-cannot-exist/q.sqlite"));
    auto opened = store.open();
    QVERIFY(!opened);
    QVERIFY(opened.error().message.contains(QStringLiteral("/proc/spool-cannot-exist")));
}

void TestJobStore::fullDiskGivesClearErrorAndKeepsData()
{
    SPOOL_SQLITE_ONLY();
    Store::Options o;
    o.maxPageCount = 40;
    Store store(m_dir->filePath(QStringLiteral("full.sqlite")), o);
    QVERIFY(store.open());
    NewJob big = newJob();
    big.title = QString(2000, QLatin1Char('t'));
    int added = 0;
    Error failure;
    for (int i = 0; i < 1000; ++i) {
        auto r = store.jobs().insert({big, big}, 1000);
        if (!r) {
            failure = r.error();
            break;
        }
        added += 2;
    }
    QVERIFY(added > 0);
    QCOMPARE(failure.code, ErrorCode::Storage);
    QVERIFY2(failure.message.contains(QStringLiteral("disk full")), qPrintable(failure.message));
    QCOMPARE(store.listing().list({}).total, added); // the failed batch left nothing behind
    QCOMPARE(store.database().integrityCheck(), QStringLiteral("ok"));
}

void TestJobStore::countsFollowEveryChange()
{
    QList<qint64> ids;
    for (int i = 0; i < 40; ++i) {
        NewJob j = newJob(i % 4);
        j.type = i % 3 ? QStringLiteral("a") : QStringLiteral("b");
        ids << add(j);
    }
    const QList<Job> claimed = claim(10);
    for (int i = 0; i < claimed.size(); ++i)
        QVERIFY(m_store->jobs().transition(claimed[i].id, i % 2 ? JobStatus::Completed : JobStatus::Dead, {}, 20'000));
    QSet<qint64> waiting(ids.cbegin(), ids.cend());
    for (const Job &j : claimed)
        waiting.remove(j.id);
    const QList<qint64> rest(waiting.cbegin(), waiting.cend());
    QVERIFY(m_store->jobs().transition(rest[0], JobStatus::Cancelled, {}, 20'000));
    QVERIFY(m_store->jobs().remove(rest[1]));
    QVERIFY(m_store->jobs().pruneFinished(30'000));
    // The trigger-kept counts agree with counting the rows one by one.
    for (JobStatus status : allStatuses()) {
        for (const QString &type : {QStringLiteral("a"), QStringLiteral("b")}) {
            JobFilter f;
            f.statuses = {status};
            f.types = {type};
            f.limit = 1000;
            QCOMPARE(m_store->listing().count(f), static_cast<qint64>(m_store->listing().page(f).size()));
        }
    }
    qint64 sum = 0;
    for (qint64 n : m_store->listing().countByStatus())
        sum += n;
    QCOMPARE(sum, m_store->listing().list({}).total);
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("pending")), 28);
    QVERIFY(!m_store->listing().countByStatus().contains(QStringLiteral("completed"))); // pruned away: no zero rows
}

void TestJobStore::textSearchFindsSubstringsOfTitlesAndUrls()
{
    NewJob a = newJob();
    a.title = QStringLiteral("Обзор новых видеокарт");
    a.url = QStringLiteral("https://example.org/watch?v=AbCdEf");
    const qint64 ida = add(a);
    NewJob b = newJob();
    b.title = QStringLiteral("Cooking with \"quotes\"");
    const qint64 idb = add(b);
    auto find = [&](const QString &text) {
        JobFilter f;
        f.text = text;
        QList<qint64> out;
        for (const Job &j : m_store->listing().list(f).jobs)
            out << j.id;
        return out;
    };
    QCOMPARE(find(QStringLiteral("видеокарт")), QList<qint64>{ida});
    QCOMPARE(find(QStringLiteral("abcdef")), QList<qint64>{ida});
    QCOMPARE(find(QStringLiteral("\"quotes\"")), QList<qint64>{idb});
    QCOMPARE(find(QStringLiteral("zzz")), QList<qint64>{});
    // Renamed jobs are found under the new title only.
    MediaInfo info;
    info.title = QStringLiteral("Renamed entirely");
    QVERIFY(m_store->jobs().saveMedia(idb, info, 5000));
    QCOMPARE(find(QStringLiteral("quotes")), QList<qint64>{});
    QCOMPARE(find(QStringLiteral("entirely")), QList<qint64>{idb});
}

void TestJobStore::resolvedTextSearchAgreesWithDirectSearch()
{
    for (int i = 0; i < 40; ++i) {
        NewJob j = newJob();
        j.title = QStringLiteral("Episode %1 of channel %2").arg(i).arg(i % 7);
        j.priority = i % 3;
        add(j);
    }
    QVERIFY(m_store->jobs().transition(4, JobStatus::Cancelled, {}, 2000)); // "Episode 3 of channel 3"
    for (const QString &text : {QStringLiteral("of channel 3"), QStringLiteral("Episode 1"), QStringLiteral("nothing")}) {
        JobFilter direct;
        direct.text = text;
        direct.sort = QStringLiteral("priority");
        direct.limit = 5;
        direct.offset = 2;
        JobFilter resolved = direct;
        m_store->listing().resolveText(resolved);
        QVERIFY(resolved.textMatches.has_value());
        QCOMPARE(m_store->listing().count(resolved), m_store->listing().count(direct));
        QCOMPARE(m_store->listing().ids(resolved), m_store->listing().ids(direct));
        QList<qint64> a, b;
        for (const Job &j : m_store->listing().page(resolved))
            a << j.id;
        for (const Job &j : m_store->listing().page(direct))
            b << j.id;
        QCOMPARE(a, b);
        // Combined with a status filter as well.
        direct.statuses = resolved.statuses = {JobStatus::Cancelled};
        QCOMPARE(m_store->listing().count(resolved), m_store->listing().count(direct));
        QCOMPARE(m_store->listing().count(resolved), text == QLatin1String("of channel 3") ? 1 : 0);
    }
    JobFilter tooMany;
    tooMany.text = QStringLiteral("Episode");
    m_store->listing().resolveText(tooMany, 10); // 40 match: searching stays cheaper than carrying the ids
    QVERIFY(!tooMany.textMatches.has_value());
    QCOMPARE(m_store->listing().count(tooMany), 40);
    JobFilter shortText;
    shortText.text = QStringLiteral("Ep");
    m_store->listing().resolveText(shortText); // below the trigram length: a LIKE, nothing to resolve
    QVERIFY(!shortText.textMatches.has_value());
    QCOMPARE(m_store->listing().count(shortText), 40);
}

void TestJobStore::removeTakesTheJobsUnderIt()
{
    const qint64 channel = add(newJob());
    const qint64 other = add(newJob());
    NewJob v = newJob();
    v.parentId = channel;
    const qint64 video = add(v);
    NewJob sub = newJob();
    sub.parentId = video;
    const qint64 part = add(sub);
    QCOMPARE(claim(1).first().id, channel);
    QVERIFY(m_store->jobs().transition(channel, JobStatus::Completed, {}, 11'000));
    // While a video under it runs, nothing of the channel is removed, and the error names the video.
    const QList<Job> claimed = claim(2, 12'000);
    QCOMPARE(claimed.size(), 2);
    QCOMPARE(claimed.last().id, video);
    auto refused = m_store->jobs().remove(channel);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, ErrorCode::Conflict);
    QVERIFY2(refused.error().message.contains(QStringLiteral("job %1 of job %2 is running").arg(video).arg(channel)),
             qPrintable(refused.error().message));
    QVERIFY(m_store->jobs().job(channel) && m_store->jobs().job(video) && m_store->jobs().job(part));
    // Once it stopped, the channel goes with its video and the video's own job, and nothing else.
    QVERIFY(m_store->jobs().transition(video, JobStatus::Cancelled, {}, 13'000));
    auto removed = m_store->jobs().remove(channel);
    QVERIFY(removed);
    QList<qint64> ids = removed.value();
    std::sort(ids.begin(), ids.end());
    QCOMPARE(ids, (QList<qint64>{channel, video, part}));
    QVERIFY(!m_store->jobs().job(channel) && !m_store->jobs().job(video) && !m_store->jobs().job(part));
    QVERIFY(m_store->jobs().job(other));
    QCOMPARE(m_store->jobs().remove(channel).error().code, ErrorCode::NotFound);
}

void TestJobStore::idsAreNeverHandedOutTwice()
{
    const qint64 first = add(newJob());
    const qint64 second = add(newJob());
    const qint64 third = add(newJob());
    QVERIFY(m_store->jobs().remove(third));
    QVERIFY(m_store->jobs().remove(second));
    const qint64 next = add(newJob());
    QCOMPARE(next, third + 1); // not third again, which a script or a log may still mean
    // Pruned jobs count too, and so does a store opened again.
    QVERIFY(m_store->jobs().transition(first, JobStatus::Cancelled, {}, 2000));
    QVERIFY(m_store->jobs().transition(next, JobStatus::Cancelled, {}, 2000));
    QCOMPARE(m_store->jobs().pruneFinished(5000).value().removed.size(), 2);
    const QString path = m_store->path();
    m_store.reset();
    m_store = std::make_unique<Store>(path);
    QVERIFY(m_store->open());
    QCOMPARE(add(newJob()), next + 1);
}

// Commits only append to the WAL: a thread of the store's own copies it back into the database,
// so no commit pays for a checkpoint and its sync. Under writes without pause the log still stays
// bounded, and every row stays readable from a fresh connection.
void TestJobStore::checkpointsRunOffTheWriter()
{
    SPOOL_SQLITE_ONLY();
    const auto before = m_store->database().checkpointStats();
    QVERIFY(before.has_value());
    int longest = 0;
    for (int i = 0; i < 6000; ++i) { // some 36,000 WAL pages if nothing checkpointed
        QVERIFY(add(newJob(i % 7)) > 0); // one commit each, several WAL pages each
        longest = std::max(longest, m_store->database().checkpointStats()->walPages);
    }
    const auto after = m_store->database().checkpointStats();
    QVERIFY(after->checkpoints > before->checkpoints);
    QVERIFY2(after->lastError.isEmpty(), qPrintable(after->lastError));
    // The log ends where the writer catches up, a commit's pages past kWriterCatchUpPages at most.
    QVERIFY2(longest < Checkpointer::kWriterCatchUpPages + 100, qPrintable(QString::number(longest)));
    // SQLite's own automatic checkpoint is off on the writer.
    QSqlQuery pragma(QSqlDatabase::database(m_store->database().connectionName()));
    QVERIFY(pragma.exec(QStringLiteral("PRAGMA wal_autocheckpoint")) && pragma.next());
    QCOMPARE(pragma.value(0).toInt(), 0);
    pragma.finish();
    Store second(m_store->path());
    QVERIFY(second.open());
    QCOMPARE(second.jobs().jobsWithStatus(JobStatus::Pending).size(), 6000);
}

// Four hosts (four connections, each on a thread of its own) claim from one queue at once: every
// job is claimed exactly once, each by one host, and completed by it under its fence. On
// PostgreSQL the claims skip rows another host holds (FOR UPDATE SKIP LOCKED); on SQLite they wait
// for the write lock.
void TestJobStore::notificationsThatArriveDuringAStatementAreDelivered()
{
    SPOOL_POSTGRESQL_ONLY(); // LISTEN/NOTIFY is PostgreSQL's
    // Another host adds a job while this connection waits for a slow statement: the notification
    // comes in with that statement's answer, and must still reach the listener at once, not when
    // the next notification happens to arrive.
    QObject context;
    QStringList heard;
    QVERIFY(m_store->database().listen(&context, [&heard](const QString &change) { heard << change; }));
    const QString location = m_store->path();
    std::thread other([&location] {
        Store store(location);
        if (!store.open())
            return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        NewJob job;
        job.type = QStringLiteral("t");
        job.maxAttempts = 1;
        store.jobs().insert({job}, 1000);
    });
    QVERIFY(m_store->database().execPlain(QStringLiteral("SELECT pg_sleep(0.4)")));
    other.join();
    QTRY_COMPARE_WITH_TIMEOUT(heard.size(), 1, 2000);
    QVERIFY2(heard.first().startsWith(QLatin1String("i ")), qPrintable(heard.first()));
    // And an idle listener whose last statement returned a row (read, not read to its end) hears
    // the next change at once: nothing of that answer is left on the connection in front of it.
    QCOMPARE(m_store->jobs().jobs({heard.first().mid(2).toLongLong()}).size(), 1);
    (void)m_store->jobs().nextScheduled(); // one row read, the statement's end not asked for
    std::thread later([&location] {
        Store store(location);
        if (!store.open())
            return;
        NewJob job;
        job.type = QStringLiteral("t");
        job.maxAttempts = 1;
        store.jobs().insert({job}, 1000);
    });
    later.join();
    QTRY_COMPARE_WITH_TIMEOUT(heard.size(), 2, 2000);
}

void TestJobStore::subscriptionChangesElsewhereAreHeard()
{
    SPOOL_POSTGRESQL_ONLY(); // LISTEN/NOTIFY is PostgreSQL's
    // Another host subscribes to a channel, then changes and removes it: this host's feed hears
    // each, and its Subscriptions tells its views (the dialog reloads on changed()).
    ManualClock clock(1'000'000);
    const QueueSettings settings = testSettings();
    JobQueue queue(*m_store, settings, clock);
    SharedQueueFeed feed(queue);
    QVERIFY(feed.start());
    Subscriptions subscriptions(queue, clock);
    QSignalSpy changed(&subscriptions, &Subscriptions::changed);
    const QString location = m_store->path();
    const auto elsewhere = [&location](const std::function<void(Store &)> &change) {
        std::thread other([&location, &change] {
            Store store(location);
            if (store.open())
                change(store);
        });
        other.join();
    };
    Subscription s;
    s.url = QStringLiteral("https://example.com/@channel");
    s.type = QStringLiteral("channel_download");
    s.intervalS = 3600;
    elsewhere([&s](Store &store) { store.subscriptions().save(s, 1'000'000); });
    QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 1, 5000);
    QCOMPARE(subscriptions.list().size(), 1);
    QCOMPARE(subscriptions.list().first().intervalS, 3600);
    s.intervalS = 7200;
    elsewhere([&s](Store &store) { store.subscriptions().save(s, 1'000'000); });
    QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 2, 5000);
    QCOMPARE(subscriptions.list().first().intervalS, 7200);
    const qint64 id = subscriptions.list().first().id;
    elsewhere([id](Store &store) { store.subscriptions().remove(id); });
    QTRY_COMPARE_WITH_TIMEOUT(changed.count(), 3, 5000);
    QVERIFY(subscriptions.list().isEmpty());
    // Its own changes are not told back to it.
    QTest::qWait(300);
    QCOMPARE(changed.count(), 3);
}

void TestJobStore::queueCapsHoldAcrossHostsClaimingAtOnce()
{
    // Four hosts claim the capped type "t" (at most 3 running in the whole queue) as fast as they
    // can, hold each job a moment and complete it. Each host counts what runs right after its
    // claim commits: the cap is never exceeded, though no host alone knows what the others run.
    constexpr int kJobs = 120;
    constexpr int kHosts = 4;
    constexpr int kCap = 3;
    QList<NewJob> batch;
    for (int i = 0; i < kJobs; ++i)
        batch << newJob();
    QVERIFY(m_store->jobs().insert(batch, 1000));
    const QString location = m_store->path();
    std::atomic<int> worst{0};
    std::atomic<int> done{0};
    std::atomic<bool> failed{false};
    std::latch ready(kHosts);
    std::vector<std::thread> hosts;
    for (int h = 0; h < kHosts; ++h)
        hosts.emplace_back([&, h] {
            Store store(location);
            const bool opened = bool(store.open());
            ready.arrive_and_wait();
            if (!opened) {
                failed = true;
                return;
            }
            for (int idle = 0; idle < 50 && done < kJobs;) {
                ClaimRequest r;
                r.limit = 2;
                r.now = 10'000;
                r.leaseMsByType = kLeases;
                r.capsByType = {{QStringLiteral("t"), kCap}};
                r.worker = QStringLiteral("host%1").arg(h);
                auto claimed = store.jobs().claim(r);
                if (!claimed) {
                    failed = true;
                    return;
                }
                if (claimed.value().isEmpty()) {
                    ++idle;
                    std::this_thread::sleep_for(std::chrono::milliseconds(2));
                    continue;
                }
                idle = 0;
                JobFilter running;
                running.statuses = {JobStatus::Running};
                const int now = static_cast<int>(store.listing().count(running));
                for (int seen = worst; now > seen && !worst.compare_exchange_weak(seen, now);) {
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(3));
                for (const Job &job : claimed.value()) {
                    TransitionChanges change;
                    change.fence = Fence{job.claimId};
                    if (!store.jobs().transition(job.id, JobStatus::Completed, change, 11'000)) {
                        failed = true;
                        return;
                    }
                    ++done;
                }
            }
        });
    for (std::thread &host : hosts)
        host.join();
    QVERIFY(!failed);
    QCOMPARE(done.load(), kJobs);
    QVERIFY2(worst <= kCap, qPrintable(QStringLiteral("%1 running at once, the cap is %2").arg(worst.load()).arg(kCap)));
    QVERIFY(worst >= 2); // they did run side by side
}

void TestJobStore::hostsCompletingAndClaimingTogetherNeverDeadlock()
{
    // Each host writes as the dispatcher does while quick jobs stream through: one transaction
    // completes the last batch and claims the next. A claim counts "pending" down and "running"
    // up, a completion "running" down and "completed" up: with counts in shared rows two hosts
    // deadlocked over them (PostgreSQL broke the tie by failing one). Every batch must go through.
    constexpr int kJobs = 1200;
    constexpr int kHosts = 3;
    QList<NewJob> batch;
    for (int i = 0; i < kJobs; ++i)
        batch << newJob();
    QVERIFY(m_store->jobs().insert(batch, 1000));
    const QString location = m_store->path();
    QList<QString> failures(kHosts);
    QList<int> completed(kHosts, 0);
    std::latch ready(kHosts);
    std::vector<std::thread> hosts;
    for (int h = 0; h < kHosts; ++h)
        hosts.emplace_back([&, h] {
            Store store(location);
            const bool opened = bool(store.open());
            ready.arrive_and_wait();
            if (!opened) {
                failures[h] = QStringLiteral("could not open");
                return;
            }
            QList<Completion> last;
            for (int idle = 0; idle < 2;) {
                Database::Transaction tx(store.database());
                auto done = store.jobs().completeMany(last, 11'000);
                if (!done) {
                    failures[h] = done.error().message;
                    return;
                }
                completed[h] += static_cast<int>(done.value().size());
                ClaimRequest r;
                r.limit = 8;
                r.now = 10'000;
                r.leaseMsByType = kLeases;
                r.worker = QStringLiteral("host%1").arg(h);
                auto claimed = store.jobs().claim(r);
                if (!claimed || !tx.commit()) {
                    failures[h] = claimed ? store.database().lastError() : claimed.error().message;
                    return;
                }
                last.clear();
                for (const Job &job : claimed.value())
                    last.append(Completion{job.id, Fence{job.claimId}, {}, std::nullopt, false});
                idle = last.isEmpty() ? idle + 1 : 0;
            }
        });
    for (std::thread &host : hosts)
        host.join();
    int total = 0;
    for (int h = 0; h < kHosts; ++h) {
        QVERIFY2(failures[h].isEmpty(), qPrintable(QStringLiteral("host %1: %2").arg(h).arg(failures[h])));
        total += completed[h];
    }
    QCOMPARE(total, kJobs);
    // The counts over every session's slots agree with the rows.
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("completed")), kJobs);
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("running")), 0);
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("pending")), 0);
    JobFilter all;
    QCOMPARE(m_store->listing().count(all), kJobs);
}

void TestJobStore::countsOfEverySessionAreFoldedIntoOne()
{
    SPOOL_POSTGRESQL_ONLY();
    // Three sessions (hosts) count in slots of their own; folding puts the counts of every slot
    // into slot 0 without changing any total.
    for (int h = 0; h < 3; ++h) {
        Store other(m_store->path());
        QVERIFY(other.open());
        QList<NewJob> batch;
        for (int i = 0; i < 5; ++i)
            batch << newJob();
        QVERIFY(other.jobs().insert(batch, 1000));
        ClaimRequest r;
        r.limit = 2;
        r.now = 10'000;
        r.leaseMsByType = kLeases;
        QVERIFY(other.jobs().claim(r));
    }
    const auto slotRows = [this] {
        QSqlQuery q(QSqlDatabase::database(m_store->database().connectionName()));
        q.exec(QStringLiteral("SELECT COUNT(*) FROM job_counts WHERE slot <> 0"));
        return q.next() ? q.value(0).toInt() : -1;
    };
    QVERIFY(slotRows() >= 6);
    const auto before = m_store->listing().countByStatus();
    QCOMPARE(before.value(QStringLiteral("pending")), 9);
    QCOMPARE(before.value(QStringLiteral("running")), 6);
    QVERIFY(m_store->jobs().foldCounterSlots());
    QCOMPARE(slotRows(), 0);
    QCOMPARE(m_store->listing().countByStatus(), before);
    QCOMPARE(m_store->listing().count(JobFilter{}), 15);
    // And counting goes on from there.
    QCOMPARE(claim(1).size(), 1);
    QCOMPARE(m_store->listing().countByStatus().value(QStringLiteral("running")), 7);
}

void TestJobStore::concurrentClaimsNeverTakeAJobTwice()
{
    constexpr int kJobs = 400;
    constexpr int kHosts = 4;
    QList<NewJob> batch;
    for (int i = 0; i < kJobs; ++i)
        batch << newJob(i % 3);
    QVERIFY(m_store->jobs().insert(batch, 1000));
    const QString location = m_store->path();
    QList<QList<qint64>> results(kHosts);
    std::latch ready(kHosts); // every host connected before any claims
    std::vector<std::thread> hosts;
    for (int h = 0; h < kHosts; ++h)
        hosts.emplace_back([&, h] { results[h] = [&] {
            QList<qint64> mine;
            Store store(location);
            const bool opened = bool(store.open());
            ready.arrive_and_wait();
            if (!opened)
                return QList<qint64>{-1};
            for (int idle = 0; idle < 3;) {
                ClaimRequest r;
                r.limit = 3;
                r.now = 10'000;
                r.leaseMsByType = kLeases;
                r.worker = QStringLiteral("host%1").arg(h);
                auto claimed = store.jobs().claim(r);
                if (!claimed)
                    return QList<qint64>{-2};
                idle = claimed.value().isEmpty() ? idle + 1 : 0;
                for (const Job &job : claimed.value()) {
                    TransitionChanges done;
                    done.fence = Fence{job.claimId};
                    if (!store.jobs().transition(job.id, JobStatus::Completed, done, 11'000))
                        return QList<qint64>{-3};
                    mine << job.id;
                }
            }
            return mine;
        }(); });
    for (std::thread &host : hosts)
        host.join();
    QSet<qint64> seen;
    int total = 0;
    int hostsThatWorked = 0;
    for (const QList<qint64> &mine : results) {
        QVERIFY2(mine.isEmpty() || mine.first() > 0, qPrintable(QStringLiteral("a host failed: %1").arg(mine.value(0))));
        total += mine.size();
        hostsThatWorked += mine.isEmpty() ? 0 : 1;
        for (qint64 id : mine)
            seen.insert(id);
    }
    QCOMPARE(total, kJobs);      // nothing twice...
    QCOMPARE(seen.size(), kJobs); // ...nothing missed
    // On PostgreSQL the hosts claim side by side; on SQLite a waiting writer sleeps in its busy
    // handler, so the host holding the lock may well take everything.
    if (testingPostgresql())
        QVERIFY(hostsThatWorked >= 2);
    JobFilter all;
    all.limit = kJobs + 10;
    for (const Job &job : m_store->listing().list(all).jobs) {
        QCOMPARE(job.status, JobStatus::Completed);
        QCOMPARE(job.attempts, 1);
    }
}

QTEST_GUILESS_MAIN(TestJobStore)
#include "tst_jobstore.moc"

