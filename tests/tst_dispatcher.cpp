#include "testsupport.h"

#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "queue/maintenance.h"
#include "queue/subscriptions.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// The dispatcher with a manual clock: running, limits, retries, dead letters, dependencies,
// hung jobs, cancel/pause, crash recovery, graceful shutdown, pruning.
class TestDispatcher final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void runsAJobToCompletion();
    void globalConcurrencyLimit();
    void perTypeConcurrencyLimit();
    void heldQueueStartsNothing();
    void heldQueueStaysHeldAfterRestart();
    void subscriptionsAreListedChangedSyncedAndRemoved();
    void subscribingAChannelAlreadyQueued();
    void transientFailureBacksOffExponentially();
    void exhaustedAttemptsGoDead();
    void permanentFailureGoesDeadAtOnce();
    void exceptionIsCaughtAndRecorded();
    void retryAfterHintIsHonoured();
    void futureJobWakesExactlyWhenDue();
    void childrenRunAfterParentCompletes();
    void childrenAddedWhileRunningWait();
    void deadParentCancelsChildren();
    void leaseExpiryEndsSilentJob();
    void stalledJobIsEndedAndRetried();
    void maxRunTimeIsEnforced();
    void cancelStopsRunningJob();
    void pauseHandsBackAttemptAndResumeContinues();
    void crashLeftoversAreRecovered();
    void gracefulShutdownHandsBackRunningJobs();
    void shutdownGraceExpiresForStubbornWorker();
    void progressIsCoalesced();
    void pruningRemovesOldJobsAndLogs();
    void sharedQueueLogIsTheDatabaseRowsAlone();
    void processOutputIsBounded();
    void trafficLinesWithCookiesNeverBecomeTheErrorMessage();
    void capturedOutputKeepsNoTrafficLine();
    void manualRetryRunsDeadJobAgain();
    void hostCooldownHoldsEveryJobOfThatHost();
    void throttledSiteRunsAtMostItsDownloadsAtOnce();
    void throttledSitePausesBetweenDownloads();
    void strikeEscalatesAndJobsWaitUncharged();
    void resumeNowStartsTheWaitingJobs();
    void throttleOffLeavesSitesAlone();
    void throttledSiteIsNeverClaimedAhead();
    void gateKeepsTypeWaitingUntilItOpens();
    void subscriptionEnqueuesSyncWhenDueAndSurvivesRestart();
    void quickJobsAreClaimedAheadAndEachRunsOnce();
    void slowJobsAreNeverClaimedAhead();
    void pausingHandsBackJobsClaimedAhead();
    void cancellingAJobClaimedAheadNeverRunsIt();
    void jobsClaimedAheadGoBackWhenTheyWaitTooLong();
    void shutdownHandsBackJobsClaimedAhead();
    void pauseAnnouncedWithABatchHandsBackWhatItClaimed();
    void quickJobsDoNotHoldBackABetterJobOfAnotherType();
    void aCooledHostsJobsClaimedAheadDoNotStart();

private:
    void advanceUntilBeatsSeen(qint64 id, qint64 total, qint64 step);
    // Runs ten instant jobs, so the dispatcher knows the scripted type as quick.
    void warmUp() { QVERIFY(m_t->runToCompletion(10)); }
    // Two held jobs on both workers and `n` quick jobs behind them, claimed ahead: their ids.
    struct Ahead
    {
        QList<qint64> held;
        QList<qint64> ahead;
    };
    Ahead holdWorkersAndClaimAhead(int n);
    std::unique_ptr<TestCore> m_t;
};

void TestDispatcher::init()
{
    RunLedger::instance().clear();
    m_t = std::make_unique<TestCore>();
}

void TestDispatcher::cleanup()
{
    m_t.reset();
}

void TestDispatcher::advanceUntilBeatsSeen(qint64 id, qint64 total, qint64 step)
{
    // Each step waits until the worker has heartbeated at the new time, so only what the test means
    // to stall (progress) stalls, never the heartbeat itself.
    for (qint64 done = 0; done < total; done += step) {
        m_t->clock()->advance(step);
        // The watchdog may end the job at this step: its worker then stops beating, and the job
        // leaves running once the worker has ended.
        QTRY_VERIFY(m_t->status(id) != JobStatus::Running || RunLedger::instance().lastBeat(id) == m_t->clock()->nowMs());
        if (m_t->status(id) != JobStatus::Running)
            return;
    }
}

TestDispatcher::Ahead TestDispatcher::holdWorkersAndClaimAhead(int n)
{
    Ahead a;
    [&] { QVERIFY(m_t->runToCompletion(10)); }();
    a.held = m_t->holdBothWorkers();
    [&] { QCOMPARE(a.held.size(), 2); }();
    for (int i = 0; i < n; ++i)
        a.ahead << m_t->add();
    if (n == 0)
        return a;
    // Claimed for this host: waiting in the local queue, or handed to a worker behind a held job.
    [&] { QTRY_COMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), n + 2); }();
    [&] { QTRY_COMPARE(m_t->dispatcher().claimedAheadIds().size() + m_t->dispatcher().runningCount() - 2, n); }();
    return a;
}

void TestDispatcher::quickJobsAreClaimedAheadAndEachRunsOnce()
{
    // Both workers are busy with held jobs; the quick jobs behind them are claimed for this host
    // (running in the database, each attempt counted) but none has run.
    const Ahead a = holdWorkersAndClaimAhead(20);
    QVERIFY(m_t->dispatcher().claimedAheadIds().size() >= 18); // at most one waits behind each worker's job
    QCOMPARE(m_t->dispatcher().claimedAheadIds(), a.ahead.mid(20 - m_t->dispatcher().claimedAheadIds().size()));
    QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 22);
    for (qint64 id : a.ahead) {
        QCOMPARE(m_t->queue().job(id)->attempts, 1);
        QCOMPARE(RunLedger::instance().runs(id), 0);
    }
    QSignalSpy finished(&m_t->dispatcher(), &Dispatcher::jobFinished);
    for (qint64 id : a.held)
        RunLedger::instance().release(id);
    for (qint64 id : a.ahead + a.held)
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QTRY_COMPARE(finished.count(), 22);
    QVERIFY(m_t->dispatcher().claimedAheadIds().isEmpty());
    // Each ran once, under one attempt, and its log says so once: written in batches, every
    // outcome is there exactly once.
    for (qint64 id : a.ahead) {
        QCOMPARE(RunLedger::instance().runs(id), 1);
        const Job job = *m_t->queue().job(id);
        QCOMPARE(job.attempts, 1);
        QCOMPARE(job.result.value(QStringLiteral("ran")).toInteger(), id);
        const QByteArray text = m_t->logText(id);
        QCOMPARE(text.count("Attempt 1 of 3 started"), 1);
        QCOMPARE(text.count("INFO    Completed"), 1);
        QCOMPARE(text.count('\n'), 2);
    }
    QVERIFY(m_t->dispatcher().health().ok);
}

void TestDispatcher::slowJobsAreNeverClaimedAhead()
{
    // Jobs that take longer than a few milliseconds are claimed only when a worker is free.
    QVERIFY(m_t->runToCompletion(10, {{QStringLiteral("sleep_ms"), 30}}));
    const QList<qint64> held = m_t->holdBothWorkers();
    QCOMPARE(held.size(), 2);
    QList<qint64> behind;
    for (int i = 0; i < 5; ++i)
        behind << m_t->add();
    QTest::qWait(50);
    QVERIFY(m_t->dispatcher().claimedAheadIds().isEmpty());
    QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 2);
    for (qint64 id : behind)
        QCOMPARE(m_t->status(id), JobStatus::Pending);
    for (qint64 id : held)
        RunLedger::instance().release(id);
    for (qint64 id : behind)
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
}

void TestDispatcher::pausingHandsBackJobsClaimedAhead()
{
    const Ahead a = holdWorkersAndClaimAhead(6);
    m_t->dispatcher().setHeld(true);
    // Back in the queue at once, the attempt not charged; nothing of them ran.
    QVERIFY(m_t->dispatcher().claimedAheadIds().isEmpty());
    for (qint64 id : a.ahead) {
        const Job job = *m_t->queue().job(id);
        QCOMPARE(job.status, JobStatus::Pending);
        QCOMPARE(job.attempts, 0);
        QCOMPARE(job.claimId, 0);
        QVERIFY(m_t->logText(id).contains("The queue was paused: returned to the queue without charging an attempt"));
    }
    for (qint64 id : a.held)
        RunLedger::instance().release(id);
    for (qint64 id : a.held)
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QTest::qWait(20);
    for (qint64 id : a.ahead) {
        QCOMPARE(m_t->status(id), JobStatus::Pending);
        QCOMPARE(RunLedger::instance().runs(id), 0);
    }
    m_t->dispatcher().setHeld(false);
    for (qint64 id : a.ahead) {
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
        QCOMPARE(m_t->queue().job(id)->attempts, 1);
        QCOMPARE(RunLedger::instance().runs(id), 1);
    }
}

void TestDispatcher::cancellingAJobClaimedAheadNeverRunsIt()
{
    const Ahead a = holdWorkersAndClaimAhead(4);
    const qint64 victim = a.ahead.last(); // still in the local queue
    const qsizetype waiting = m_t->dispatcher().claimedAheadIds().size();
    QVERIFY(m_t->dispatcher().claimedAheadIds().contains(victim));
    QVERIFY(m_t->queue().cancel(victim));
    QCOMPARE(m_t->status(victim), JobStatus::Cancelled);
    QTRY_VERIFY(!m_t->dispatcher().claimedAheadIds().contains(victim));
    QCOMPARE(m_t->dispatcher().claimedAheadIds().size(), waiting - 1);
    for (qint64 id : a.held)
        RunLedger::instance().release(id);
    for (qint64 id : a.ahead) {
        if (id != victim)
            QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    }
    QCOMPARE(m_t->status(victim), JobStatus::Cancelled);
    QCOMPARE(RunLedger::instance().runs(victim), 0);
    QVERIFY(!m_t->logText(victim).contains("Completed"));
}

void TestDispatcher::jobsClaimedAheadGoBackWhenTheyWaitTooLong()
{
    // A quick type turned slow (the held jobs): what waits behind it is handed back after two
    // seconds, uncharged, for another host or a later round; never left claimed and idle.
    const Ahead a = holdWorkersAndClaimAhead(5);
    m_t->clock()->advance(1'500);
    m_t->dispatcher().checkHung();
    for (qint64 id : a.ahead)
        QCOMPARE(m_t->status(id), JobStatus::Running);
    m_t->clock()->advance(1'000);
    m_t->dispatcher().checkHung();
    // Those waiting in the local queue and those waiting behind a held job in a worker's hand.
    QVERIFY(m_t->dispatcher().claimedAheadIds().isEmpty());
    QCOMPARE(m_t->dispatcher().runningIds().size(), 2);
    for (qint64 id : a.ahead) {
        const Job job = *m_t->queue().job(id);
        QCOMPARE(job.status, JobStatus::Pending);
        QCOMPARE(job.attempts, 0);
        QVERIFY(m_t->logText(id).contains("It waited too long for a worker: returned to the queue"));
    }
    for (qint64 id : a.held)
        RunLedger::instance().release(id);
    for (qint64 id : a.ahead) {
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
        QCOMPARE(RunLedger::instance().runs(id), 1);
    }
}

void TestDispatcher::shutdownHandsBackJobsClaimedAhead()
{
    const Ahead a = holdWorkersAndClaimAhead(5);
    QVERIFY(m_t->dispatcher().shutdown(2000)); // the held jobs stop when told
    QVERIFY(m_t->dispatcher().claimedAheadIds().isEmpty());
    for (qint64 id : a.ahead) {
        const Job job = *m_t->queue().job(id);
        QCOMPARE(job.status, JobStatus::Pending);
        QCOMPARE(job.attempts, 0);
        QCOMPARE(RunLedger::instance().runs(id), 0);
        QVERIFY(m_t->logText(id).contains("Spool is shutting down: returned to the queue without charging an attempt"));
    }
}

void TestDispatcher::pauseAnnouncedWithABatchHandsBackWhatItClaimed()
{
    // A listener pauses the queue when it hears of a completion, that is while the commit that
    // completed a batch, and claimed the next jobs ahead, is being announced. Those jobs must go
    // back at once: none may stay claimed while paused (nothing would start or return them).
    warmUp();
    QList<qint64> ids;
    for (int i = 0; i < 300; ++i)
        ids << m_t->add();
    int completed = 0;
    bool paused = false;
    QObject::connect(&m_t->queue(), &JobQueue::jobChanged, &m_t->dispatcher(), [&](const Job &job) {
        // The claim's own announcement: the jobs it claimed are not kept by the dispatcher yet.
        if (job.status == JobStatus::Completed)
            ++completed;
        else if (job.status == JobStatus::Running && completed >= 20 && !paused) {
            paused = true;
            m_t->dispatcher().setHeld(true);
        }
    });
    QSignalSpy idle(&m_t->dispatcher(), &Dispatcher::idle);
    QTRY_VERIFY(m_t->dispatcher().isHeld());
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 0);
    QTRY_VERIFY(m_t->dispatcher().claimedAheadIds().isEmpty());
    QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 0);
    QVERIFY(idle.count() >= 1);
    int done = 0;
    for (qint64 id : ids) {
        const Job job = *m_t->queue().job(id);
        QVERIFY(job.status == JobStatus::Completed || job.status == JobStatus::Pending);
        done += job.status == JobStatus::Completed ? 1 : 0;
        QCOMPARE(job.attempts, job.status == JobStatus::Completed ? 1 : 0);
        QCOMPARE(RunLedger::instance().runs(id), job.status == JobStatus::Completed ? 1 : 0);
    }
    QVERIFY(done >= 20 && done < 300);
    m_t->dispatcher().setHeld(false);
    for (qint64 id : ids)
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
}

void TestDispatcher::quickJobsDoNotHoldBackABetterJobOfAnotherType()
{
    // More quick jobs than the local queue holds; then a job of another type with a higher
    // priority. It starts once the jobs already claimed ahead are done, not after all of them.
    const Ahead a = holdWorkersAndClaimAhead(0);
    QList<qint64> quick;
    for (int i = 0; i < 400; ++i)
        quick << m_t->add();
    QTRY_VERIFY(m_t->queue().countByStatus().value(QStringLiteral("running")) > 100);
    const qint64 better = m_t->add({}, 5, 0, TestTypes::Other);
    qint64 pending = -1; // when the better job started
    QObject::connect(&m_t->dispatcher(), &Dispatcher::jobStarted, &m_t->dispatcher(), [&](qint64 id) {
        if (id == better)
            pending = m_t->queue().countByStatus().value(QStringLiteral("pending"));
    });
    for (qint64 id : a.held)
        RunLedger::instance().release(id);
    QTRY_COMPARE(m_t->status(better), JobStatus::Completed);
    QVERIFY2(pending >= 100, qPrintable(QStringLiteral("only %1 quick jobs were still waiting").arg(pending)));
    for (qint64 id : quick)
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
}

void TestDispatcher::aCooledHostsJobsClaimedAheadDoNotStart()
{
    // Quick jobs of one host are claimed ahead; the first of them is rate limited. The rest do
    // not start (at most one already in each worker's hand), go back uncharged, and run after
    // the cool-down.
    auto add = [this](const QString &url, const QJsonObject &options, int priority) {
        NewJob job;
        job.type = TestTypes::Scripted;
        job.url = url;
        job.options = options;
        job.priority = priority;
        return m_t->queue().addJob(job).value().job.id;
    };
    const Ahead a = holdWorkersAndClaimAhead(0);
    const qint64 limited = add(QStringLiteral("https://busy.example/first"), {{QStringLiteral("cooldown_ms"), 30'000}}, 5);
    QList<qint64> sameHost;
    for (int i = 0; i < 20; ++i)
        sameHost << add(QStringLiteral("https://busy.example/v%1").arg(i), {}, 0);
    QTRY_COMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 23);
    for (qint64 id : a.held)
        RunLedger::instance().release(id);
    QTRY_COMPARE(m_t->status(limited), JobStatus::Retrying);
    QTRY_VERIFY(m_t->dispatcher().claimedAheadIds().isEmpty() && m_t->dispatcher().runningCount() == 0);
    int ran = 0;
    for (qint64 id : sameHost) {
        ran += RunLedger::instance().runs(id);
        const Job job = *m_t->queue().job(id);
        if (RunLedger::instance().runs(id) == 0) {
            QCOMPARE(job.status, JobStatus::Pending);
            QCOMPARE(job.attempts, 0);
        }
    }
    QVERIFY2(ran <= 2, qPrintable(QStringLiteral("%1 jobs of the cooled host ran").arg(ran)));
    m_t->clock()->advance(30'000);
    for (qint64 id : sameHost)
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
}

void TestDispatcher::runsAJobToCompletion()
{
    QSignalSpy started(&m_t->dispatcher(), &Dispatcher::jobStarted);
    const qint64 id = m_t->add();
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    const Job job = *m_t->queue().job(id);
    QCOMPARE(job.attempts, 1);
    QCOMPARE(job.result.value(QStringLiteral("ran")).toInteger(), id);
    QCOMPARE(job.finishedAt, m_t->clock()->nowMs());
    QCOMPARE(started.count(), 1);
    QCOMPARE(RunLedger::instance().runs(id), 1);
    const QByteArray text = m_t->logText(id);
    QVERIFY(text.contains("INFO    Attempt 1 of 3 started"));
    QVERIFY(text.indexOf("Attempt 1 of 3 started") < text.indexOf("INFO    Completed"));
    QCOMPARE(text.count('\n'), 2);
    // A job that wrote nothing of its own leaves nothing on disk: the queue's lines are rows.
    QVERIFY(!QFile::exists(m_t->core().logs().jobDir(id)));
}

void TestDispatcher::globalConcurrencyLimit()
{
    QList<qint64> ids;
    for (int i = 0; i < 5; ++i)
        ids << m_t->add({{QStringLiteral("block"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 2);
    QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 2);
    QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("pending")), 3);
    // Finishing one frees a slot for the next in order.
    QVERIFY(m_t->queue().cancel(ids[0]));
    QTRY_COMPARE(m_t->status(ids[2]), JobStatus::Running);
    QCOMPARE(m_t->dispatcher().runningCount(), 2);
}

void TestDispatcher::perTypeConcurrencyLimit()
{
    QueueSettings s = testSettings();
    s.maxConcurrent = 3;
    s.types[TestTypes::Other].maxConcurrent = 1;
    m_t = std::make_unique<TestCore>(s);
    const QJsonObject block{{QStringLiteral("block"), true}};
    for (int i = 0; i < 3; ++i)
        m_t->add(block, 10, 0, TestTypes::Other);
    const qint64 scripted = m_t->add(block, 0);
    m_t->core().start();
    QTRY_COMPARE(m_t->status(scripted), JobStatus::Running);
    QCOMPARE(m_t->dispatcher().runningCount(), 2); // one "other" and the scripted job: the third slot stays free
    JobFilter f;
    f.types = {TestTypes::Other};
    f.statuses = {JobStatus::Running};
    QCOMPARE(m_t->queue().list(f).total, 1);
}

void TestDispatcher::heldQueueStartsNothing()
{
    const qint64 id = m_t->add();
    m_t->dispatcher().setHeld(true);
    m_t->core().start();
    QCoreApplication::processEvents();
    QCOMPARE(m_t->status(id), JobStatus::Pending);
    m_t->dispatcher().setHeld(false);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
}

void TestDispatcher::subscriptionsAreListedChangedSyncedAndRemoved()
{
    Subscriptions &subs = m_t->core().subscriptions();
    m_t->dispatcher().setHeld(true); // about the schedule: nothing runs
    m_t->core().start();
    QSignalSpy changed(&subs, &Subscriptions::changed);
    NewJob sync;
    sync.type = JobTypes::ChannelDownload;
    sync.url = QStringLiteral("https://example.org/@kept");
    sync.options = {{QStringLiteral("subscribe_hours"), 2}};
    const qint64 first = m_t->queue().addJob(sync).value().job.id;
    QCOMPARE(changed.count(), 1);
    QList<Subscription> list = subs.list();
    QCOMPARE(list.size(), 1);
    const qint64 id = list.first().id;
    QCOMPARE(list.first().intervalS, 7200);
    QCOMPARE(list.first().lastJobId, first);
    // The first sync has not run yet: syncing again now would be a duplicate, and says so.
    auto refused = subs.syncNow(id);
    QCOMPARE(refused.error().code, ErrorCode::Conflict);
    QVERIFY(refused.error().message.contains(QStringLiteral("already queued")));
    QVERIFY(m_t->queue().cancel(first));
    m_t->clock()->advance(600'000);
    QVERIFY(subs.syncNow(id));
    list = subs.list();
    QVERIFY(list.first().lastJobId != first);
    QCOMPARE(m_t->status(list.first().lastJobId), JobStatus::Pending);
    QCOMPARE(list.first().nextRunAt, m_t->clock()->nowMs() + 7'200'000); // counted from this sync
    // A longer interval moves the next sync with it; the syncs it enqueues carry it on.
    QVERIFY(subs.setInterval(id, 6));
    list = subs.list();
    QCOMPARE(list.first().intervalS, 21'600);
    QCOMPARE(list.first().nextRunAt, m_t->clock()->nowMs() + 21'600'000);
    QCOMPARE(list.first().options.value(QStringLiteral("subscribe_hours")).toDouble(), 6.0);
    QCOMPARE(subs.nextWakeInMs(), 21'600'000);
    QCOMPARE(subs.setInterval(id, 0).error().code, ErrorCode::InvalidArgument);
    QCOMPARE(subs.list().first().intervalS, 21'600); // refused: unchanged
    // Unsubscribed: nothing left to wake up for.
    QVERIFY(subs.unsubscribe(id));
    QVERIFY(subs.list().isEmpty());
    QCOMPARE(subs.nextWakeInMs(), -1);
    QCOMPARE(subs.unsubscribe(id).error().code, ErrorCode::NotFound);
    QCOMPARE(subs.syncNow(id).error().code, ErrorCode::NotFound);
    QCOMPARE(subs.setInterval(id, 3).error().code, ErrorCode::NotFound);
    QCOMPARE(changed.count(), 4); // added, synced, interval, unsubscribed: each said once
}

void TestDispatcher::subscribingAChannelAlreadyQueued()
{
    m_t->dispatcher().setHeld(true); // about the schedule: nothing runs
    m_t->core().start();
    NewJob sync;
    sync.type = JobTypes::PlaylistDownload;
    sync.url = QStringLiteral("https://example.org/playlist?list=PL2");
    const qint64 queued = m_t->queue().addJob(sync).value().job.id;
    QVERIFY(m_t->core().subscriptions().list().isEmpty());
    // Added again with a re-sync interval while its job still waits: no second job, but a subscription.
    sync.options = {{QStringLiteral("subscribe_hours"), 3}};
    const auto again = m_t->queue().addJob(sync);
    QVERIFY(again && again.value().existed);
    const QList<Subscription> list = m_t->core().subscriptions().list();
    QCOMPARE(list.size(), 1);
    QCOMPARE(list.first().intervalS, 3 * 3600);
    QCOMPARE(list.first().lastJobId, queued);
    QCOMPARE(list.first().options.value(QStringLiteral("subscribe_hours")).toDouble(), 3.0);
}

void TestDispatcher::heldQueueStaysHeldAfterRestart()
{
    QTemporaryDir data;
    m_t = std::make_unique<TestCore>(testSettings(), true, QVariantMap{}, data.path());
    QSignalSpy changed(&m_t->dispatcher(), &Dispatcher::heldChanged);
    m_t->dispatcher().setHeld(true);
    m_t->dispatcher().setHeld(true); // no news
    QCOMPARE(changed.count(), 1);
    const qint64 id = m_t->add();
    // Quit and start again: the user paused the queue, so nothing starts by itself.
    m_t = std::make_unique<TestCore>(testSettings(), true, QVariantMap{}, data.path());
    QVERIFY(m_t->dispatcher().isHeld());
    m_t->core().start();
    QCoreApplication::processEvents();
    QCOMPARE(m_t->status(id), JobStatus::Pending);
    m_t->dispatcher().setHeld(false);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    m_t = std::make_unique<TestCore>(testSettings(), true, QVariantMap{}, data.path());
    QVERIFY(!m_t->dispatcher().isHeld()); // and resuming is kept too
}

void TestDispatcher::transientFailureBacksOffExponentially()
{
    const qint64 id = m_t->add({{QStringLiteral("fail_times"), 2}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    Job job = *m_t->queue().job(id);
    QCOMPARE(job.runAt - m_t->clock()->nowMs(), 1000); // base, no jitter in tests
    QCOMPARE(job.errorClass, QStringLiteral("network"));
    QCOMPARE(m_t->dispatcher().nextWakeInMs(), 1000);
    m_t->clock()->advance(999);
    QCoreApplication::processEvents();
    QCOMPARE(m_t->status(id), JobStatus::Retrying);
    m_t->clock()->advance(1);
    QTRY_COMPARE(RunLedger::instance().runs(id), 2);
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    job = *m_t->queue().job(id);
    QCOMPARE(job.runAt - m_t->clock()->nowMs(), 2000); // doubled
    m_t->clock()->advance(2000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QCOMPARE(m_t->queue().job(id)->attempts, 3);
    QCOMPARE(m_t->queue().job(id)->errorClass, QString()); // cleared on success
}

void TestDispatcher::exhaustedAttemptsGoDead()
{
    const qint64 id = m_t->add({{QStringLiteral("outcome"), QStringLiteral("transient")}});
    m_t->core().start();
    for (int attempt = 1; attempt <= 2; ++attempt) {
        QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
        QCOMPARE(m_t->queue().job(id)->attempts, attempt);
        m_t->clock()->advance(10'000);
        QTRY_VERIFY(m_t->status(id) != JobStatus::Retrying || RunLedger::instance().runs(id) > attempt);
    }
    QTRY_COMPARE(m_t->status(id), JobStatus::Dead);
    const Job job = *m_t->queue().job(id);
    QCOMPARE(job.attempts, 3);
    QCOMPARE(RunLedger::instance().runs(id), 3);
    QVERIFY(job.errorMessage.contains(QStringLiteral("gave up after 3 attempts")));
    m_t->clock()->advance(1'000'000);
    QCoreApplication::processEvents();
    QCOMPARE(RunLedger::instance().runs(id), 3); // dead stays dead
}

void TestDispatcher::permanentFailureGoesDeadAtOnce()
{
    const qint64 id = m_t->add({{QStringLiteral("outcome"), QStringLiteral("permanent")}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Dead);
    const Job job = *m_t->queue().job(id);
    QCOMPARE(job.attempts, 1);
    QCOMPARE(job.errorClass, QStringLiteral("not_found"));
    QCOMPARE(job.errorMessage, QStringLiteral("scripted permanent failure"));
}

void TestDispatcher::exceptionIsCaughtAndRecorded()
{
    const qint64 id = m_t->add({{QStringLiteral("outcome"), QStringLiteral("throw")}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    const Job job = *m_t->queue().job(id);
    QCOMPARE(job.errorClass, QStringLiteral("exception"));
    QCOMPARE(job.errorMessage, QStringLiteral("scripted exception"));
}

void TestDispatcher::retryAfterHintIsHonoured()
{
    const qint64 start = m_t->clock()->nowMs();
    const qint64 id = m_t->add({{QStringLiteral("fail_times"), 1}, {QStringLiteral("not_before_ms"), start + 60'000}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    QCOMPARE(m_t->queue().job(id)->runAt, start + 60'000); // longer than the 1 s backoff
}

void TestDispatcher::futureJobWakesExactlyWhenDue()
{
    m_t->core().start();
    NewJob job;
    job.type = TestTypes::Scripted;
    job.runAt = m_t->clock()->nowMs() + 5000;
    const qint64 id = m_t->queue().addJob(job).value().job.id;
    QTRY_COMPARE(m_t->dispatcher().nextWakeInMs(), 5000);
    m_t->clock()->advance(2000);
    QCOMPARE(m_t->dispatcher().nextWakeInMs(), 3000);
    QCOMPARE(m_t->status(id), JobStatus::Pending);
    m_t->clock()->advance(3000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QCOMPARE(m_t->dispatcher().nextWakeInMs(), -1); // nothing left to wake for
}

void TestDispatcher::childrenRunAfterParentCompletes()
{
    const qint64 parent = m_t->add({{QStringLiteral("children"), 3}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(parent), JobStatus::Completed);
    const QList<qint64> children = m_t->queue().childIds(parent);
    QCOMPARE(children.size(), 3);
    for (qint64 child : children)
        QTRY_COMPARE(m_t->status(child), JobStatus::Completed);
    const ChildSummary summary = m_t->queue().childSummary(parent);
    QCOMPARE(summary.total, 3);
    QCOMPARE(summary.completed, 3);
}

void TestDispatcher::childrenAddedWhileRunningWait()
{
    QSignalSpy added(&m_t->queue(), &JobQueue::jobAdded);
    const qint64 parent = m_t->add({{QStringLiteral("children_now"), 2}, {QStringLiteral("block"), true},
                                    {QStringLiteral("heartbeat"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->queue().childIds(parent).size(), 2);
    QCOMPARE(added.count(), 3);
    QCoreApplication::processEvents();
    for (qint64 child : m_t->queue().childIds(parent))
        QCOMPARE(m_t->status(child), JobStatus::Pending); // a free slot, but the parent is not done
    QCOMPARE(m_t->dispatcher().runningCount(), 1);
}

void TestDispatcher::deadParentCancelsChildren()
{
    const qint64 parent = m_t->add({{QStringLiteral("children_now"), 2}, {QStringLiteral("outcome"), QStringLiteral("permanent")}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(parent), JobStatus::Dead);
    const QList<qint64> children = m_t->queue().childIds(parent);
    QCOMPARE(children.size(), 2);
    for (qint64 child : children) {
        const Job j = *m_t->queue().job(child);
        QCOMPARE(j.status, JobStatus::Cancelled);
        QCOMPARE(j.errorClass, QStringLiteral("parent_failed"));
        QCOMPARE(RunLedger::instance().runs(child), 0);
    }
}

void TestDispatcher::leaseExpiryEndsSilentJob()
{
    const qint64 id = m_t->add({{QStringLiteral("block"), true}}); // no heartbeat at all
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    m_t->clock()->advance(9'000);
    QCOMPARE(m_t->status(id), JobStatus::Running);
    m_t->clock()->advance(1'001);
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    QCOMPARE(m_t->queue().job(id)->errorClass, QStringLiteral("lease_expired"));
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 0); // the worker was told to stop, and did
}

void TestDispatcher::stalledJobIsEndedAndRetried()
{
    const qint64 id = m_t->add({{QStringLiteral("block"), true}, {QStringLiteral("heartbeat"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    advanceUntilBeatsSeen(id, 28'000, 4'000);
    QCOMPARE(m_t->status(id), JobStatus::Running); // alive, no progress, under the stall timeout
    advanceUntilBeatsSeen(id, 8'000, 4'000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    const Job job = *m_t->queue().job(id);
    QCOMPARE(job.errorClass, QStringLiteral("stalled"));
    QVERIFY(job.errorMessage.contains(QStringLiteral("no progress")));
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 0);
}

void TestDispatcher::maxRunTimeIsEnforced()
{
    QueueSettings s = testSettings();
    s.types[TestTypes::Scripted].maxRunTimeMs = 20'000;
    m_t = std::make_unique<TestCore>(s);
    const qint64 id = m_t->add({{QStringLiteral("block"), true}, {QStringLiteral("advance"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    advanceUntilBeatsSeen(id, 24'000, 4'000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    QCOMPARE(m_t->queue().job(id)->errorClass, QStringLiteral("timeout"));
}

void TestDispatcher::cancelStopsRunningJob()
{
    const qint64 id = m_t->add({{QStringLiteral("block"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    auto cancelled = m_t->queue().cancel(id);
    QVERIFY(cancelled);
    QCOMPARE(cancelled.value().status, JobStatus::Cancelled); // at once, not when the worker gets round to it
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 0);
    QCoreApplication::processEvents();
    QCOMPARE(m_t->status(id), JobStatus::Cancelled); // the worker's late outcome does not overwrite it
    QCOMPARE(RunLedger::instance().runs(id), 1);
}

void TestDispatcher::pauseHandsBackAttemptAndResumeContinues()
{
    const qint64 id = m_t->add({{QStringLiteral("block"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    auto paused = m_t->queue().pause(id);
    QVERIFY(paused);
    QCOMPARE(paused.value().status, JobStatus::Paused);
    QCOMPARE(paused.value().attempts, 0);
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 0);
    QVERIFY(m_t->queue().resume(id));
    QTRY_COMPARE(RunLedger::instance().runs(id), 2);
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    QCOMPARE(m_t->queue().job(id)->attempts, 1);
}

void TestDispatcher::crashLeftoversAreRecovered()
{
    const qint64 orphan = m_t->add();
    const qint64 exhausted = m_t->add();
    const qint64 now = m_t->clock()->nowMs();
    QCOMPARE(m_t->claim(2).size(), 2); // as if a previous process had claimed them
    QVERIFY(m_t->queue().store().jobs().transition(exhausted, JobStatus::Retrying, {}, now));
    m_t->clock()->advance(1);
    QVERIFY(m_t->claim(1).size() == 1);
    QVERIFY(m_t->queue().store().jobs().transition(exhausted, JobStatus::Retrying, {}, now));
    m_t->clock()->advance(1);
    QVERIFY(m_t->claim(1).size() == 1); // third attempt of three, left running
    m_t->dispatcher().setHeld(true);
    m_t->core().start();
    Job job = *m_t->queue().job(orphan);
    QCOMPARE(job.status, JobStatus::Retrying);
    QCOMPARE(job.errorClass, QStringLiteral("crashed"));
    QCOMPARE(job.attempts, 1); // the interrupted attempt counts
    job = *m_t->queue().job(exhausted);
    QCOMPARE(job.status, JobStatus::Dead);
    QCOMPARE(job.attempts, 3);
    QVERIFY(m_t->logText(orphan).contains("crash or kill"));
}

void TestDispatcher::gracefulShutdownHandsBackRunningJobs()
{
    const qint64 a = m_t->add({{QStringLiteral("block"), true}});
    const qint64 b = m_t->add({{QStringLiteral("block"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 2);
    QVERIFY(m_t->core().shutdown());
    for (qint64 id : {a, b}) {
        const Job job = *m_t->queue().job(id);
        QCOMPARE(job.status, JobStatus::Pending);
        QCOMPARE(job.attempts, 0); // not charged
    }
    QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 0);
}

void TestDispatcher::shutdownGraceExpiresForStubbornWorker()
{
    QueueSettings s = testSettings();
    s.shutdownGraceMs = 50;
    m_t = std::make_unique<TestCore>(s);
    const qint64 id = m_t->add({{QStringLiteral("ignore_cancel_ms"), 1500}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    QVERIFY(!m_t->core().shutdown()); // did not end in time...
    QCOMPARE(m_t->status(id), JobStatus::Pending); // ...but nothing is left running
    QCOMPARE(m_t->queue().job(id)->attempts, 0);
}

void TestDispatcher::progressIsCoalesced()
{
    QSignalSpy progress(&m_t->queue(), &JobQueue::jobProgress);
    const qint64 id = m_t->add({{QStringLiteral("progress_steps"), 20000}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QVERIFY(progress.count() >= 1);
    QVERIFY2(progress.count() < 100, qPrintable(QString::number(progress.count())));
    const JobProgress last = progress.last().at(1).value<JobProgress>();
    QCOMPARE(last.percent, 100.0);
    QCOMPARE(m_t->queue().job(id)->progress.percent, 100.0);
}

void TestDispatcher::pruningRemovesOldJobsAndLogs()
{
    const qint64 done = m_t->add({{QStringLiteral("log_lines"), 1}});
    const qint64 dead = m_t->add({{QStringLiteral("outcome"), QStringLiteral("permanent")}, {QStringLiteral("log_lines"), 1}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(done), JobStatus::Completed);
    QTRY_COMPARE(m_t->status(dead), JobStatus::Dead);
    QVERIFY(QFile::exists(m_t->core().logs().jobDir(done)));
    QCOMPARE(m_t->core().store().events().lines(done).size(), 2);
    Maintenance maintenance(m_t->queue(), *m_t->clock());
    m_t->clock()->advance(6LL * 24 * 3600 * 1000);
    QCOMPARE(maintenance.runOnce(), 0); // inside the 7-day retention
    m_t->clock()->advance(2LL * 24 * 3600 * 1000);
    QSignalSpy removed(&m_t->queue(), &JobQueue::jobRemoved);
    QCOMPARE(maintenance.runOnce(), 1);
    QCOMPARE(removed.count(), 1);
    QVERIFY(!m_t->queue().job(done));
    QVERIFY(!QFile::exists(m_t->core().logs().jobDir(done)));
    QVERIFY(m_t->core().store().events().lines(done).isEmpty()); // the queue's lines go with the job
    QVERIFY(m_t->queue().job(dead)); // dead jobs wait for the user
    QVERIFY(!m_t->core().store().events().lines(dead).isEmpty());
    QVERIFY(QFile::exists(m_t->core().logs().jobDir(dead)));
}

void TestDispatcher::sharedQueueLogIsTheDatabaseRowsAlone()
{
    // On a shared queue the worker's lines are rows too, so a host that never had the job's files
    // (the monitoring desktop, the next host after a rescue) shows the same log. Capped per job.
    m_t->core().logs().setSharedLines(200);
    const qint64 id = m_t->add({{QStringLiteral("log_lines"), 3}});
    const qint64 chatty = m_t->add({{QStringLiteral("log_lines"), 40}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QTRY_COMPARE(m_t->status(chatty), JobStatus::Completed);
    const QByteArray text = m_t->logText(id);
    const qsizetype started = text.indexOf("Attempt 1 of");
    const qsizetype first = text.indexOf("worker line 1");
    const qsizetype third = text.indexOf("worker line 3");
    const qsizetype completed = text.indexOf("Completed");
    QVERIFY2(started >= 0 && started < first && first < third && third < completed, text.constData());
    QCOMPARE(text.count("worker line"), 3);
    QCOMPARE(m_t->core().store().events().lines(id).size(), 5);
    // The rows alone: the same text once the host's files are gone.
    QVERIFY(QFile::exists(m_t->core().logs().humanLogPath(id)));
    QVERIFY(QDir(m_t->core().logs().jobDir(id)).removeRecursively());
    QCOMPARE(m_t->logText(id), text);

    const QByteArray capped = m_t->logText(chatty);
    QVERIFY2(capped.contains("worker line 1\n") && !capped.contains("worker line 40"), capped.constData());
    QCOMPARE(capped.count("The shared queue keeps the first 200 bytes of this log"), 1);
    QVERIFY(capped.contains("Completed"));
    QFile file(m_t->core().logs().humanLogPath(chatty)); // the host's own file keeps all of it
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll().contains("worker line 40"));
}

void TestDispatcher::processOutputIsBounded()
{
    // A listing that never ends (10 GB on one line): its capture stops at the limit, the process
    // is killed, and the job fails for good with the reason. Output that is not captured is
    // logged in pieces of at most a MiB, never kept whole.
    const qint64 endless = m_t->add({{QStringLiteral("flood_bytes"), 10'000'000'000LL},
                                     {QStringLiteral("capture"), true},
                                     {QStringLiteral("output_limit"), 1024 * 1024}});
    const qint64 longLine = m_t->add({{QStringLiteral("flood_bytes"), 3 * 1024 * 1024 + 100}});
    m_t->core().start();
    QTRY_COMPARE_WITH_TIMEOUT(m_t->status(endless), JobStatus::Dead, 30'000);
    const Job dead = *m_t->queue().job(endless);
    QCOMPARE(dead.errorClass, QStringLiteral("output_too_large"));
    QVERIFY2(dead.errorMessage.contains(QLatin1String("more than 1 MiB")), qPrintable(dead.errorMessage));
    QCOMPARE(dead.attempts, 1);
    QTRY_COMPARE_WITH_TIMEOUT(m_t->status(longLine), JobStatus::Completed, 30'000);
    QFile out(m_t->core().logs().jobDir(longLine) + QStringLiteral("/stdout.log"));
    QVERIFY(out.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = out.readAll().split('\n');
    qsizetype longest = 0, total = 0;
    for (const QByteArray &line : lines) {
        longest = std::max(longest, line.size());
        total += line.size();
    }
    QCOMPARE(longest, qsizetype(1024 * 1024));
    QCOMPARE(total, qsizetype(3 * 1024 * 1024 + 100));
}

void TestDispatcher::trafficLinesWithCookiesNeverBecomeTheErrorMessage()
{
    // yt-dlp dies right after printing a request (--print-traffic) with its Cookie header, and no
    // ERROR line: the error message, stored and served by the API, comes from what else it said.
    const qint64 id = m_t->add({{QStringLiteral("print_then_fail"),
                                 QStringLiteral("[download] Destination: clip.mp4\nsend: b'GET /v HTTP/1.1\\r\\nCookie: sid=s3cr3t-cookie\\r\\n'")},
                                {QStringLiteral("outcome"), QStringLiteral("permanent")}});
    m_t->core().start();
    QTRY_VERIFY_WITH_TIMEOUT(m_t->status(id) == JobStatus::Dead || m_t->status(id) == JobStatus::Retrying, 10'000);
    const Job job = *m_t->queue().job(id);
    QVERIFY2(!job.errorMessage.contains(QLatin1String("s3cr3t")), qPrintable(job.errorMessage));
    QVERIFY2(job.errorMessage.contains(QLatin1String("Destination")), qPrintable(job.errorMessage));
    QFile out(m_t->core().logs().jobDir(id) + QStringLiteral("/stdout.log")); // nor the raw output file
    QVERIFY(out.open(QIODevice::ReadOnly));
    const QByteArray raw = out.readAll();
    QVERIFY(raw.contains("Destination") && !raw.contains("s3cr3t"));
}

void TestDispatcher::capturedOutputKeepsNoTrafficLine()
{
    // A listing is captured whole (stdout) and stderr is kept for the error: neither may keep a
    // request line with its cookies, not even one long enough to arrive in pieces (the first
    // piece is recognised, the rest of the line goes with it).
    for (const qint64 bytes : {qint64(40), qint64(3 * 1024 * 1024)}) {
        const qint64 id = m_t->add({{QStringLiteral("captured_traffic_bytes"), bytes}});
        m_t->core().start();
        QTRY_COMPARE_WITH_TIMEOUT(m_t->status(id), JobStatus::Completed, 30'000);
        const QJsonObject result = m_t->queue().job(id)->result;
        for (const QString &key : {QStringLiteral("stdout"), QStringLiteral("stderr"), QStringLiteral("tail")}) {
            const QString kept = result.value(key).toString();
            QVERIFY2(kept.contains(QLatin1String("[generic] listing\n")) && kept.contains(QLatin1String("{\"entries\": []}\n")),
                     qPrintable(key + QLatin1String(": ") + kept.left(200)));
            QVERIFY2(!kept.contains(QLatin1String("s3cr3t")) && !kept.contains(QLatin1String("kkkk")) &&
                         !kept.contains(QLatin1String("send:")),
                     qPrintable(key + QLatin1String(": ") + kept.left(200)));
        }
    }
}

void TestDispatcher::manualRetryRunsDeadJobAgain()
{
    const qint64 id = m_t->add({{QStringLiteral("outcome"), QStringLiteral("permanent")}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Dead);
    QVERIFY(m_t->queue().retry(id));
    QTRY_COMPARE(RunLedger::instance().runs(id), 2);
    QTRY_COMPARE(m_t->status(id), JobStatus::Dead);
    QCOMPARE(m_t->queue().job(id)->attempts, 1); // fresh attempts
}

void TestDispatcher::hostCooldownHoldsEveryJobOfThatHost()
{
    auto add = [this](const QString &url, const QJsonObject &options) {
        NewJob job;
        job.type = TestTypes::Scripted;
        job.url = url;
        job.options = options;
        return m_t->queue().addJob(job).value().job.id;
    };
    const qint64 limited = add(QStringLiteral("https://busy.example/a"), {{QStringLiteral("cooldown_ms"), 30'000}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(limited), JobStatus::Retrying);
    QCOMPARE(m_t->queue().job(limited)->runAt, m_t->clock()->nowMs() + 30'000); // not the 1 s backoff
    const qint64 sameHost = add(QStringLiteral("https://BUSY.example/b"), {});
    const qint64 otherHost = add(QStringLiteral("https://calm.example/c"), {});
    QTRY_COMPARE(m_t->status(otherHost), JobStatus::Completed);
    QCOMPARE(m_t->status(sameHost), JobStatus::Pending);
    QCOMPARE(m_t->dispatcher().nextWakeInMs(), 30'000);
    m_t->clock()->advance(30'000);
    QTRY_COMPARE(m_t->status(sameHost), JobStatus::Completed);
    QTRY_COMPARE(m_t->status(limited), JobStatus::Completed);
}

namespace {
// The scripted type throttled like downloads, with one rule for busy.example.
QueueSettings throttledSettings(int maxDownloads, double pauseMinS, double pauseMaxS)
{
    QueueSettings s = testSettings();
    s.maxConcurrent = 4;
    s.types[TestTypes::Scripted].hostThrottled = true;
    s.throttle.rules = {HostRule{QStringLiteral("busy.example"), maxDownloads, pauseMinS, pauseMaxS, 0}};
    return s;
}

qint64 addAt(TestCore &t, const QString &url, const QJsonObject &options = {})
{
    NewJob job;
    job.type = TestTypes::Scripted;
    job.url = url;
    job.options = options;
    return t.queue().addJob(job).value().job.id;
}
} // namespace

void TestDispatcher::throttledSiteRunsAtMostItsDownloadsAtOnce()
{
    m_t = std::make_unique<TestCore>(throttledSettings(2, 0, 0));
    const QJsonObject hold{{QStringLiteral("hold"), true}};
    // Two hosts of the same site share its limit; another site is not held back.
    const qint64 a = addAt(*m_t, QStringLiteral("https://busy.example/a"), hold);
    const qint64 b = addAt(*m_t, QStringLiteral("https://www.busy.example/b"), hold);
    const qint64 c = addAt(*m_t, QStringLiteral("https://busy.example/c"), hold);
    const qint64 calm = addAt(*m_t, QStringLiteral("https://calm.example/x"), hold);
    m_t->core().start();
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 3);
    QCOMPARE(RunLedger::instance().runs(calm), 1);
    QCOMPARE(RunLedger::instance().runs(a) + RunLedger::instance().runs(b) + RunLedger::instance().runs(c), 2);
    const qint64 waiting = RunLedger::instance().runs(a) == 0 ? a : RunLedger::instance().runs(b) == 0 ? b : c;
    QCOMPARE(m_t->status(waiting), JobStatus::Pending);
    QTest::qWait(100);
    QCOMPARE(m_t->dispatcher().runningCount(), 3); // still two of the site
    RunLedger::instance().release(a == waiting ? b : a);
    QTRY_COMPARE(RunLedger::instance().runs(waiting), 1); // room again: the third starts
    for (qint64 id : {a, b, c, calm})
        RunLedger::instance().release(id);
    for (qint64 id : {a, b, c, calm})
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
}

void TestDispatcher::throttledSitePausesBetweenDownloads()
{
    m_t = std::make_unique<TestCore>(throttledSettings(1, 10, 20));
    const qint64 first = addAt(*m_t, QStringLiteral("https://busy.example/1"));
    const qint64 second = addAt(*m_t, QStringLiteral("https://busy.example/2"));
    const qint64 calm = addAt(*m_t, QStringLiteral("https://calm.example/1"));
    m_t->core().start();
    QTRY_COMPARE(m_t->status(first), JobStatus::Completed);
    QTRY_COMPARE(m_t->status(calm), JobStatus::Completed);
    // The next download of the site waits a randomised 10-20 s, and the dispatcher wakes for it.
    QTest::qWait(100);
    QCOMPARE(m_t->status(second), JobStatus::Pending);
    const qint64 wake = m_t->dispatcher().nextWakeInMs();
    QVERIFY2(wake >= 9'900 && wake <= 20'000, qPrintable(QString::number(wake)));
    m_t->clock()->advance(9'000);
    QTest::qWait(100);
    QCOMPARE(m_t->status(second), JobStatus::Pending);
    m_t->clock()->advance(11'000);
    QTRY_COMPARE(m_t->status(second), JobStatus::Completed);
}

void TestDispatcher::strikeEscalatesAndJobsWaitUncharged()
{
    QueueSettings s = throttledSettings(0, 0, 0);
    s.throttle.cooldownStepsMs = {60'000, 300'000, 900'000};
    s.throttle.cleanPeriodMs = 3'600'000;
    m_t = std::make_unique<TestCore>(s);
    const qint64 id = addAt(*m_t, QStringLiteral("https://busy.example/v"), {{QStringLiteral("strike_times"), 2}});
    QSignalSpy cooled(&m_t->queue(), &JobQueue::hostCooledDown);
    const qint64 t0 = m_t->clock()->nowMs();
    m_t->core().start();
    QTRY_COMPARE(cooled.size(), 1);
    auto pause = [&] { return cooled.last().at(0).value<HostCooldown>(); };
    QCOMPARE(pause().host, QStringLiteral("busy.example"));
    QCOMPARE(pause().kind, QStringLiteral("bot_check"));
    QCOMPARE(pause().strikes, 1);
    QCOMPARE(pause().untilMs, t0 + 60'000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Pending);
    QCOMPARE(m_t->queue().job(id)->attempts, 0); // the wait is not charged
    QCOMPARE(m_t->queue().job(id)->errorClass, QStringLiteral("bot_check"));
    QCOMPARE(m_t->queue().hostCooldowns().size(), 1);
    // Nothing of the site starts during the pause, whichever of its hosts; other sites do.
    const qint64 other = addAt(*m_t, QStringLiteral("https://www.busy.example/w"));
    const qint64 calm = addAt(*m_t, QStringLiteral("https://calm.example/w"));
    QTRY_COMPARE(m_t->status(calm), JobStatus::Completed);
    m_t->clock()->advance(59'000);
    QTest::qWait(100);
    QCOMPARE(RunLedger::instance().runs(id), 1);
    QCOMPARE(RunLedger::instance().runs(other), 0);
    // Refused again right after the pause: the second step, longer.
    m_t->clock()->advance(1'000);
    QTRY_COMPARE(cooled.size(), 2);
    QCOMPARE(pause().strikes, 2);
    QCOMPARE(pause().untilMs, t0 + 60'000 + 300'000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Pending);
    m_t->clock()->advance(300'000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QTRY_COMPARE(m_t->status(other), JobStatus::Completed);
    QCOMPARE(m_t->queue().job(id)->attempts, 1); // only the run that succeeded counts
    QCOMPARE(RunLedger::instance().runs(id), 3);
    QVERIFY(m_t->queue().hostCooldowns().isEmpty());
}

void TestDispatcher::resumeNowStartsTheWaitingJobs()
{
    m_t = std::make_unique<TestCore>(throttledSettings(0, 0, 0));
    const qint64 id = addAt(*m_t, QStringLiteral("https://busy.example/v"), {{QStringLiteral("strike_times"), 1}});
    m_t->core().start();
    QTRY_COMPARE(m_t->queue().hostCooldowns().size(), 1);
    QTRY_COMPARE(m_t->status(id), JobStatus::Pending);
    QVERIFY(m_t->queue().hostCooldowns().first().untilMs > m_t->clock()->nowMs() + 60'000);
    QSignalSpy changed(&m_t->queue(), &JobQueue::hostCooldownsChanged);
    QVERIFY(m_t->queue().resumeHost(QStringLiteral(" Busy.Example ")).value());
    QCOMPARE(changed.size(), 1);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed); // no clock moved
    QVERIFY(m_t->queue().hostCooldowns().isEmpty());
    // A host that is not pausing: a clear refusal, nothing changes.
    auto again = m_t->queue().resumeHost(QStringLiteral("busy.example"));
    QVERIFY(!again);
    QCOMPARE(again.error().code, ErrorCode::NotFound);
    QCOMPARE(changed.size(), 1);
}

void TestDispatcher::throttledSiteIsNeverClaimedAhead()
{
    // Quick jobs are claimed ahead of free workers; a throttled site's never are, or its limit and
    // its pause would be skipped by the worker that takes the next one at once.
    QueueSettings s = testSettings();
    s.types[TestTypes::Scripted].hostThrottled = true;
    s.throttle.rules = {HostRule{QStringLiteral("busy.example"), 1, 0, 0, 0}};
    m_t = std::make_unique<TestCore>(s);
    QVERIFY(m_t->runToCompletion(10)); // the type is quick now
    const QList<qint64> held = m_t->holdBothWorkers();
    QCOMPARE(held.size(), 2);
    QList<qint64> site;
    for (int i = 0; i < 5; ++i)
        site << addAt(*m_t, QStringLiteral("https://busy.example/q%1").arg(i));
    QTest::qWait(300);
    QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 2); // the held two only
    QVERIFY(m_t->dispatcher().claimedAheadIds().isEmpty());
    for (qint64 id : held)
        RunLedger::instance().release(id);
    for (qint64 id : site)
        QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
}

void TestDispatcher::throttleOffLeavesSitesAlone()
{
    QueueSettings s = throttledSettings(1, 10, 20);
    s.throttle.enabled = false;
    m_t = std::make_unique<TestCore>(s);
    const QJsonObject hold{{QStringLiteral("hold"), true}};
    const qint64 a = addAt(*m_t, QStringLiteral("https://busy.example/a"), hold);
    const qint64 b = addAt(*m_t, QStringLiteral("https://busy.example/b"), hold);
    m_t->core().start();
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 2);
    RunLedger::instance().release(a);
    RunLedger::instance().release(b);
    QTRY_COMPARE(m_t->status(a), JobStatus::Completed);
    QTRY_COMPARE(m_t->status(b), JobStatus::Completed);
    const qint64 c = addAt(*m_t, QStringLiteral("https://busy.example/c"));
    QTRY_COMPARE(m_t->status(c), JobStatus::Completed); // no pause after the others
}

void TestDispatcher::gateKeepsTypeWaitingUntilItOpens()
{
    const qint64 opensAt = m_t->clock()->nowMs() + 60'000;
    ManualClock *clock = m_t->clock();
    m_t->dispatcher().setGate([opensAt, clock](const QString &type, qint64 now) -> qint64 {
        Q_UNUSED(clock);
        return type == TestTypes::Other && now < opensAt ? opensAt : 0;
    });
    const qint64 gated = m_t->add({}, 0, 0, TestTypes::Other);
    const qint64 free = m_t->add();
    m_t->core().start();
    QTRY_COMPARE(m_t->status(free), JobStatus::Completed);
    QCOMPARE(m_t->status(gated), JobStatus::Pending); // waiting, not failed
    QCOMPARE(m_t->dispatcher().nextWakeInMs(), 60'000);
    m_t->clock()->advance(60'000);
    QTRY_COMPARE(m_t->status(gated), JobStatus::Completed);
}

void TestDispatcher::subscriptionEnqueuesSyncWhenDueAndSurvivesRestart()
{
    QTemporaryDir data;
    const QString dir = data.path();
    m_t = std::make_unique<TestCore>(testSettings(), true, QVariantMap{}, dir);
    m_t->dispatcher().setHeld(true); // no yt-dlp here: this is about the schedule
    m_t->core().start();
    NewJob sync;
    sync.type = JobTypes::ChannelDownload;
    sync.url = QStringLiteral("https://example.org/@someone");
    sync.options = {{QStringLiteral("subscribe_hours"), 2}};
    const qint64 first = m_t->queue().addJob(sync).value().job.id;
    QCOMPARE(m_t->core().subscriptions().nextWakeInMs(), 2 * 3'600'000);
    QVERIFY(m_t->queue().cancel(first)); // as if that sync had finished
    m_t->clock()->advance(3'600'000);
    QCOMPARE(m_t->queue().list({}).total, 1); // not due yet
    const qint64 restartAt = m_t->clock()->nowMs();
    m_t = std::make_unique<TestCore>(testSettings(), true, QVariantMap{}, dir);
    m_t->clock()->set(restartAt);
    m_t->dispatcher().setHeld(true);
    m_t->core().start();
    QCOMPARE(m_t->core().subscriptions().nextWakeInMs(), 3'600'000); // remembered across the restart
    m_t->clock()->advance(3'600'000);
    JobFilter f;
    f.statuses = {JobStatus::Pending};
    const JobPage page = m_t->queue().list(f);
    QCOMPARE(page.total, 1);
    QCOMPARE(page.jobs.first().url, sync.url);
    QVERIFY(page.jobs.first().id != first);
    QCOMPARE(m_t->core().subscriptions().nextWakeInMs(), 2 * 3'600'000); // and re-armed
    m_t.reset(); // before its data dir goes
}

QTEST_GUILESS_MAIN(TestDispatcher)
#include "tst_dispatcher.moc"
