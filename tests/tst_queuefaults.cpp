#include "testsupport.h"

#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "queue/maintenance.h"
#include "store/store.h"

#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

// The queue under faults: outcomes announced only once durable, transitions all or nothing,
// fencing of workers whose job was taken over, wake-ups never masked, priority across type caps,
// watchdog time that a clock step does not move, liveness apart from progress, bad listing
// entries, pruning of whole trees, and shutdown keeping what was delivered. Real SQLite files,
// faults injected into the real engine (a commit hook, a trigger, a lock held by another connection).
class TestQueueFaults final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void init();
    void cleanup();
    void refusedOutcomeCommitIsKeptRetriedAndAnnouncedOnce_data();
    void refusedOutcomeCommitIsKeptRetriedAndAnnouncedOnce();
    void failedCompletionLeavesNoChildrenBehind();
    void refusedBatchOfQuickOutcomesIsKeptAndWrittenOnce();
    void failedChildReleaseUndoesTheParentsCompletion();
    void workerOfATakenOverJobCannotWriteIt();
    void takenOverWorkerIsStoppedAtItsNextProgressFlush();
    void retryIsNotMaskedByDueJobsThatCannotStart();
    void priorityIsHonouredAcrossTypeCaps();
    void wallClockStepDoesNotExpireLeases();
    void silentProcessKeepsItsLeaseButStalls();
    void badListingEntriesAreSkippedWithTheirReason();
    void pruningKeepsTreesWhole();
    void shutdownRecordsOutcomesAlreadyDelivered();
    void claimUsesTheTypesOwnLease();
    void endedCooldownsArePurged();
    void progressReachesTheDatabaseOncePerFlushInterval();
    void rolledBackRemovalKeepsLogsAndAnnouncesNothing();
    void refusedSharedLogLinesAreWrittenLaterOnce();

private:
    QString logText(qint64 id);
    std::unique_ptr<TestCore> m_t;
};

void TestQueueFaults::init()
{
    RunLedger::instance().clear();
    m_t = std::make_unique<TestCore>();
}

void TestQueueFaults::cleanup()
{
    m_t.reset();
    TestFaults::closeOtherConnection();
}

QString TestQueueFaults::logText(qint64 id)
{
    return QString::fromUtf8(m_t->logText(id));
}

void TestQueueFaults::refusedOutcomeCommitIsKeptRetriedAndAnnouncedOnce_data()
{
    QTest::addColumn<QString>("fault");
    QTest::newRow("commit fails") << QStringLiteral("commit");
    QTest::newRow("lock held past the busy timeout") << QStringLiteral("lock");
}

void TestQueueFaults::refusedOutcomeCommitIsKeptRetriedAndAnnouncedOnce()
{
    QFETCH(QString, fault);
    Store::Options quick;
    quick.busyTimeoutMs = 300; // the held lock outlasts it
    m_t = std::make_unique<TestCore>(testSettings(), true, QVariantMap(), QString(), quick);
    const qint64 id = m_t->add({{QStringLiteral("hold"), true}});
    m_t->core().start();
    QTRY_VERIFY(RunLedger::instance().isHolding(id));
    QSignalSpy changed(&m_t->queue(), &JobQueue::jobChanged);
    QSignalSpy finished(&m_t->dispatcher(), &Dispatcher::jobFinished);
    QSignalSpy trouble(&m_t->dispatcher(), &Dispatcher::storageTroubleChanged);
    std::unique_ptr<TestFaults::CommitVeto> veto;
    if (fault == QLatin1String("commit"))
        veto = std::make_unique<TestFaults::CommitVeto>(m_t->core().store().database(), 3);
    else
        QVERIFY(TestFaults::execOnOtherConnection(m_t->core().databasePath(), {QStringLiteral("BEGIN IMMEDIATE")}));
    RunLedger::instance().release(id);
    QTRY_COMPARE_WITH_TIMEOUT(m_t->dispatcher().health().pendingOutcomes, 1, 20'000);
    QVERIFY(!m_t->dispatcher().health().ok);
    QCOMPARE(trouble.count(), 1);
    QCOMPARE(trouble.first().at(0).toBool(), true);
    // Nothing is announced while it is not durable: the row still says running, the job is still
    // owned (not claimable by anyone), no signal or log line says "completed".
    QCOMPARE(m_t->status(id), JobStatus::Running);
    QCOMPARE(m_t->dispatcher().runningIds(), QList<qint64>{id});
    QCOMPARE(finished.count(), 0);
    for (const QList<QVariant> &signal : changed)
        QVERIFY(signal.at(0).value<Job>().status != JobStatus::Completed);
    QVERIFY(!logText(id).contains(QStringLiteral("Completed")));
    if (fault == QLatin1String("lock"))
        TestFaults::closeOtherConnection(); // the other process lets go
    QTRY_COMPARE_WITH_TIMEOUT(m_t->status(id), JobStatus::Completed, 20'000);
    QCOMPARE(finished.count(), 1);
    QTRY_VERIFY(m_t->dispatcher().health().ok);
    QCOMPARE(trouble.last().at(0).toBool(), false);
    QVERIFY(m_t->dispatcher().health().ok);
    QCOMPARE(logText(id).count(QStringLiteral("Completed")), 1);
    QCOMPARE(m_t->queue().job(id)->attempts, 1);
    QCOMPARE(RunLedger::instance().runs(id), 1);
    if (veto)
        QVERIFY(veto->vetoed() >= 1);
}

void TestQueueFaults::refusedBatchOfQuickOutcomesIsKeptAndWrittenOnce()
{
    // Quick jobs stream through in batches (claimed ahead, outcomes written together). While the
    // database refuses every commit, nothing of a batch is announced or lost; once it takes them,
    // every job is completed once, under its one attempt.
    QVERIFY(m_t->runToCompletion(10));
    const QList<qint64> held = m_t->holdBothWorkers();
    QCOMPARE(held.size(), 2);
    const qint64 h1 = held[0], h2 = held[1];
    QList<qint64> quick;
    for (int i = 0; i < 30; ++i)
        quick << m_t->add();
    QTRY_COMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 32);
    QSignalSpy changed(&m_t->queue(), &JobQueue::jobChanged);
    QSignalSpy finished(&m_t->dispatcher(), &Dispatcher::jobFinished);
    auto veto = std::make_unique<TestFaults::CommitVeto>(m_t->core().store().database(), 1'000'000);
    RunLedger::instance().release(h1);
    RunLedger::instance().release(h2);
    QTRY_VERIFY_WITH_TIMEOUT(m_t->dispatcher().health().pendingOutcomes >= 2 && veto->vetoed() >= 2, 20'000);
    QVERIFY(!m_t->dispatcher().health().ok);
    QCOMPARE(finished.count(), 0);
    for (const QList<QVariant> &signal : changed)
        QVERIFY(signal.at(0).value<Job>().status != JobStatus::Completed);
    for (qint64 id : quick + QList<qint64>{h1, h2}) {
        QCOMPARE(m_t->status(id), JobStatus::Running); // still this host's, not claimable by anyone
        QVERIFY(!logText(id).contains(QStringLiteral("Completed")));
    }
    veto.reset(); // the disk takes writes again
    for (qint64 id : quick + QList<qint64>{h1, h2})
        QTRY_COMPARE_WITH_TIMEOUT(m_t->status(id), JobStatus::Completed, 20'000);
    QTRY_VERIFY(m_t->dispatcher().health().ok);
    QCOMPARE(finished.count(), 32);
    for (qint64 id : quick) {
        QCOMPARE(RunLedger::instance().runs(id), 1);
        QCOMPARE(m_t->queue().job(id)->attempts, 1);
        QCOMPARE(logText(id).count(QStringLiteral("Completed")), 1);
        QCOMPARE(logText(id).count(QStringLiteral("started")), 1);
    }
}

void TestQueueFaults::failedCompletionLeavesNoChildrenBehind()
{
    // The completion fails after the children were written: all of it goes, and comes back whole.
    const qint64 id = m_t->add({{QStringLiteral("hold"), true}, {QStringLiteral("children"), 3}});
    m_t->core().start();
    QTRY_VERIFY(RunLedger::instance().isHolding(id));
    QVERIFY(TestFaults::execOnOtherConnection(m_t->core().databasePath(), {QStringLiteral(
        "CREATE TRIGGER fault_completion BEFORE UPDATE OF status ON jobs"
        " WHEN NEW.status = 'completed' AND OLD.type = 'test_scripted'"
        " BEGIN SELECT RAISE(ABORT, 'injected fault at the completion'); END")}));
    RunLedger::instance().release(id);
    QTRY_VERIFY(!m_t->dispatcher().health().ok);
    QCOMPARE(m_t->status(id), JobStatus::Running);
    QCOMPARE(m_t->queue().childIds(id).size(), 0); // no child of an incomplete parent
    QVERIFY(TestFaults::execOnOtherConnection(m_t->core().databasePath(), {QStringLiteral("DROP TRIGGER fault_completion")}));
    QTRY_COMPARE_WITH_TIMEOUT(m_t->status(id), JobStatus::Completed, 20'000);
    QCOMPARE(m_t->queue().childIds(id).size(), 3);
    QCOMPARE(m_t->queue().job(id)->result.value(QStringLiteral("children_added")).toInt(), 3);
    QCOMPARE(RunLedger::instance().runs(id), 1);
}

void TestQueueFaults::failedChildReleaseUndoesTheParentsCompletion()
{
    Store &store = m_t->core().store();
    const qint64 parent = m_t->add();
    const qint64 child = m_t->add({}, 0, parent);
    const QList<Job> claimed = m_t->claim();
    QCOMPARE(claimed.size(), 1);
    QVERIFY(TestFaults::execOnOtherConnection(m_t->core().databasePath(), {QStringLiteral(
        "CREATE TRIGGER fault_release BEFORE UPDATE OF waiting_parent ON jobs"
        " BEGIN SELECT RAISE(ABORT, 'injected fault at the release'); END")}));
    TransitionChanges fenced;
    fenced.fence = Fence{claimed.first().claimId};
    auto done = m_t->queue().transition(parent, JobStatus::Completed, fenced);
    QVERIFY(!done);
    QCOMPARE(done.error().code, ErrorCode::Storage);
    QCOMPARE(m_t->status(parent), JobStatus::Running); // not completed over a child left waiting
    QVERIFY(TestFaults::execOnOtherConnection(m_t->core().databasePath(), {QStringLiteral("DROP TRIGGER fault_release")}));
    QVERIFY(m_t->queue().transition(parent, JobStatus::Completed, fenced));
    QCOMPARE(store.jobs().readyJobs(m_t->clock()->nowMs(), 10).first().id, child);
    // The same for a dead parent whose children must be cancelled.
    const qint64 parent2 = m_t->add();
    const qint64 child2 = m_t->add({}, 0, parent2);
    const QList<Job> claimed2 = m_t->claim(5); // the first child and parent2
    const auto it = std::find_if(claimed2.cbegin(), claimed2.cend(), [&](const Job &j) { return j.id == parent2; });
    QVERIFY(it != claimed2.cend());
    QVERIFY(TestFaults::execOnOtherConnection(m_t->core().databasePath(), {QStringLiteral(
        "CREATE TRIGGER fault_cascade BEFORE UPDATE OF status ON jobs WHEN NEW.status = 'cancelled'"
        " BEGIN SELECT RAISE(ABORT, 'injected fault at the cascade'); END")}));
    TransitionChanges dead;
    dead.fence = Fence{it->claimId};
    QVERIFY(!m_t->queue().transition(parent2, JobStatus::Dead, dead));
    QCOMPARE(m_t->status(parent2), JobStatus::Running);
    QCOMPARE(m_t->status(child2), JobStatus::Pending);
}

void TestQueueFaults::workerOfATakenOverJobCannotWriteIt()
{
    // Host A runs a job; host B (another process on the same database, after A was presumed dead)
    // rescues it and runs it again. A's worker finishing late must change nothing.
    const qint64 id = m_t->add({{QStringLiteral("hold"), true}, {QStringLiteral("children"), 2}});
    m_t->core().start();
    QTRY_VERIFY(RunLedger::instance().isHolding(id));
    const qint64 claimA = m_t->queue().job(id)->claimId;
    TestCore b(testSettings(), true, {}, m_t->dataDir());
    b.core().start(); // rescues the job it finds running: retrying after its backoff
    QCOMPARE(b.status(id), JobStatus::Retrying);
    b.clock()->advance(60'000);
    QTRY_COMPARE(b.status(id), JobStatus::Running);
    const qint64 claimB = b.queue().job(id)->claimId;
    QVERIFY(claimB != claimA);
    QTRY_VERIFY(RunLedger::instance().isHolding(id, 2));
    RunLedger::instance().release(id, 1); // A's attempt ends while B's is held
    QTRY_VERIFY(!m_t->dispatcher().runningIds().contains(id));
    QTRY_VERIFY(logText(id).contains(QStringLiteral("outcome was not recorded")));
    const Job now = *b.queue().job(id);
    QCOMPARE(now.status, JobStatus::Running);
    QCOMPARE(now.claimId, claimB);
    QCOMPARE(b.queue().childIds(id).size(), 0); // A's children were refused with its outcome
    QTRY_VERIFY(RunLedger::instance().isHolding(id, 2));
    RunLedger::instance().release(id, 2);
    QTRY_COMPARE(b.status(id), JobStatus::Completed);
    QCOMPARE(b.queue().childIds(id).size(), 2); // B's, once
    QCOMPARE(b.queue().job(id)->attempts, 2);
}

void TestQueueFaults::takenOverWorkerIsStoppedAtItsNextProgressFlush()
{
    const qint64 id = m_t->add({{QStringLiteral("block"), true}, {QStringLiteral("heartbeat"), true}});
    m_t->core().start();
    QTRY_COMPARE(RunLedger::instance().runs(id), 1);
    TestCore b(testSettings(), true, {}, m_t->dataDir());
    b.core().start();
    b.clock()->advance(60'000);
    QTRY_COMPARE(b.status(id), JobStatus::Running);
    m_t->dispatcher().flushProgress(true); // A learns that the claim is no longer its own
    QTRY_VERIFY(!m_t->dispatcher().runningIds().contains(id));
    QVERIFY(logText(id).contains(QStringLiteral("taken from this attempt")));
    QCOMPARE(b.status(id), JobStatus::Running); // B's attempt goes on untouched
    QVERIFY(b.queue().cancel(id));
}

void TestQueueFaults::retryIsNotMaskedByDueJobsThatCannotStart()
{
    // A due job of a gated type and a due job of a cooling host wait for hours; a retry due in one
    // second must still wake the dispatcher in one second.
    m_t->dispatcher().setGate([this](const QString &type, qint64 now) -> qint64 {
        return type == TestTypes::Other ? now + 5 * 3'600'000 : 0;
    });
    m_t->add({}, 0, 0, TestTypes::Other);
    const qint64 now = m_t->clock()->nowMs();
    QVERIFY(m_t->core().store().cooldowns().setCooldown(QStringLiteral("cool.example"), now + 3 * 3'600'000, QStringLiteral("429")));
    NewJob cooling;
    cooling.type = TestTypes::Fetch;
    cooling.url = QStringLiteral("https://cool.example/v");
    QVERIFY(m_t->queue().addJob(cooling));
    const qint64 flaky = m_t->add({{QStringLiteral("fail_times"), 1}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(flaky), JobStatus::Retrying);
    QCOMPARE(m_t->dispatcher().nextWakeInMs(), 1000);
    m_t->clock()->advance(1000);
    QTRY_COMPARE(m_t->status(flaky), JobStatus::Completed);
}

void TestQueueFaults::priorityIsHonouredAcrossTypeCaps()
{
    QueueSettings s = testSettings();
    s.maxConcurrent = 1;
    s.types[TestTypes::Other].maxConcurrent = 1;
    m_t = std::make_unique<TestCore>(s);
    const qint64 low = m_t->add({{QStringLiteral("hold"), true}}, 0);
    const qint64 urgent = m_t->add({{QStringLiteral("hold"), true}}, 100, 0, TestTypes::Other);
    m_t->core().start();
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 1);
    QCOMPARE(m_t->status(urgent), JobStatus::Running); // the capped type's priority-100 job first
    QCOMPARE(m_t->status(low), JobStatus::Pending);
    RunLedger::instance().release(urgent);
    QTRY_COMPARE(m_t->status(low), JobStatus::Running);
    RunLedger::instance().release(low);
    QTRY_COMPARE(m_t->status(low), JobStatus::Completed);
}

void TestQueueFaults::wallClockStepDoesNotExpireLeases()
{
    const qint64 id = m_t->add({{QStringLiteral("block"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    m_t->clock()->jumpWall(3 * 3'600'000); // NTP step, or a suspend and resume
    m_t->dispatcher().checkHung();
    QCoreApplication::processEvents();
    QCOMPARE(m_t->status(id), JobStatus::Running);
    QCOMPARE(m_t->dispatcher().runningIds(), QList<qint64>{id});
    m_t->clock()->advance(testSettings().policy(TestTypes::Scripted).leaseMs + 1000); // real silence
    m_t->dispatcher().checkHung();
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    QCOMPARE(m_t->queue().job(id)->errorClass, QStringLiteral("lease_expired"));
}

void TestQueueFaults::silentProcessKeepsItsLeaseButStalls()
{
    // A real process that prints nothing (an ffmpeg merge) is alive for as long as it exists.
    QueueSettings s = testSettings();
    s.types[TestTypes::Scripted].leaseMs = 5000;
    s.types[TestTypes::Scripted].stallTimeoutMs = 20'000;
    m_t = std::make_unique<TestCore>(s);
    const qint64 id = m_t->add({{QStringLiteral("silent_process_ms"), 60'000}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Running);
    // 20 s in steps of 2 s: four times the lease without a line of output, yet alive. Each step
    // waits until the process runner has seen the new time (the watchdog runs on every step).
    for (int step = 0; step < 10; ++step) {
        m_t->clock()->advance(2000);
        QCOMPARE(m_t->status(id), JobStatus::Running);
        QVERIFY(m_t->dispatcher().runningIds().contains(id));
        QTRY_VERIFY(m_t->dispatcher().lastHeartbeatMs(id) >= m_t->clock()->monotonicMs());
    }
    m_t->clock()->advance(2000); // 22 s without progress: past the type's stall window
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    QCOMPARE(m_t->queue().job(id)->errorClass, QStringLiteral("stalled"));
    QVERIFY(!TestFiles::processMentions(QStringLiteral("sleep 60.000")));
}

void TestQueueFaults::badListingEntriesAreSkippedWithTheirReason()
{
    const QJsonArray entries{
        QJsonObject{{QStringLiteral("url"), QStringLiteral("https://media.example/1")}, {QStringLiteral("key"), QStringLiteral("k1")}},
        QJsonObject{{QStringLiteral("url"), QStringLiteral("ftp://media.example/2")}, {QStringLiteral("key"), QStringLiteral("k2")}},
        QJsonObject{{QStringLiteral("url"), QStringLiteral("https://media.example/") + QString(9000, QLatin1Char('x'))},
                    {QStringLiteral("key"), QStringLiteral("k3")}},
        QJsonObject{{QStringLiteral("url"), QStringLiteral("https://media.example/4")}, {QStringLiteral("key"), QString(600, QLatin1Char('k'))}},
        QJsonObject{{QStringLiteral("url"), QStringLiteral("https://media.example/5")}, {QStringLiteral("key"), QStringLiteral("k5")}},
    };
    const qint64 id = m_t->add({{QStringLiteral("child_entries"), entries}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    const Job job = *m_t->queue().job(id);
    QCOMPARE(job.result.value(QStringLiteral("children_added")).toInt(), 2);
    QCOMPARE(job.result.value(QStringLiteral("children_skipped")).toInt(), 3);
    QCOMPARE(m_t->queue().childIds(id).size(), 2);
    const QString log = logText(id);
    QCOMPARE(log.count(QStringLiteral("Entry skipped")), 3);
    QVERIFY(log.contains(QStringLiteral("not an http or https URL")));
    QVERIFY(log.contains(QStringLiteral("longer than 8192")));
    QVERIFY(log.contains(QStringLiteral("unique key is longer")));
}

void TestQueueFaults::pruningKeepsTreesWhole()
{
    Store &store = m_t->core().store();
    const qint64 day = 24LL * 3'600'000;
    auto now = [this] { return m_t->clock()->nowMs(); };
    // An old finished channel with a video finished recently: neither goes yet, and the video
    // never becomes a top-level job. A channel with a dead video waits for the user.
    const qint64 channel = m_t->add();
    const qint64 deadTree = m_t->add();
    QCOMPARE(m_t->claim(2).size(), 2);
    const qint64 video = m_t->add({}, 0, channel);
    const qint64 deadChild = m_t->add({}, 0, deadTree);
    QVERIFY(store.jobs().transition(channel, JobStatus::Completed, {}, now()));
    QVERIFY(store.jobs().transition(deadTree, JobStatus::Completed, {}, now()));
    const qint64 blockedOld = m_t->add();
    const qint64 blockedChild = m_t->add({}, 0, blockedOld);
    QVERIFY(m_t->queue().cancel(blockedOld)); // its waiting child is cancelled too: a finished tree
    m_t->clock()->advance(10 * day);
    QCOMPARE(m_t->claim(5).size(), 2); // the two videos
    QVERIFY(store.jobs().transition(video, JobStatus::Completed, {}, now()));
    QVERIFY(store.jobs().transition(deadChild, JobStatus::Dead, {}, now()));
    m_t->clock()->advance(1 * day);
    const qint64 cutoff = m_t->clock()->nowMs() - 7 * day;
    // One tree per step, so the blocked trees ahead must not stop the walk.
    QList<qint64> removed;
    PruneCursor cursor;
    for (bool more = true; more;) {
        auto step = store.jobs().pruneFinished(cutoff, cursor, 1);
        QVERIFY(step);
        removed += step.value().removed;
        cursor = step.value().next;
        more = step.value().more;
    }
    std::sort(removed.begin(), removed.end());
    QCOMPARE(removed, (QList<qint64>{blockedOld, blockedChild}));
    QCOMPARE(store.jobs().job(video)->parentId, channel); // still under its channel
    QVERIFY(store.jobs().job(channel));
    QVERIFY(store.jobs().job(deadTree)); // waits while its dead video waits for the user
    // Once the video is old too, the channel goes with it.
    m_t->clock()->advance(8 * day);
    auto step = store.jobs().pruneFinished(m_t->clock()->nowMs() - 7 * day);
    QVERIFY(step);
    QList<qint64> second = step.value().removed;
    std::sort(second.begin(), second.end());
    QCOMPARE(second, (QList<qint64>{channel, video}));
}

void TestQueueFaults::shutdownRecordsOutcomesAlreadyDelivered()
{
    const qint64 id = m_t->add();
    m_t->core().start(); // claims and starts it at once; the worker returns on a pool thread
    // Let the worker deliver without running this thread's event loop: the outcome is posted,
    // not yet recorded, when the shutdown begins.
    for (int i = 0; i < 500 && RunLedger::instance().runs(id) == 0; ++i)
        QThread::msleep(10); // no event loop here: the outcome stays posted
    QThread::msleep(200);
    QVERIFY(m_t->dispatcher().shutdown(0));
    const Job job = *m_t->queue().job(id);
    QCOMPARE(job.status, JobStatus::Completed); // recorded, not handed back to run again
    QCOMPARE(job.attempts, 1);
}

void TestQueueFaults::claimUsesTheTypesOwnLease()
{
    QueueSettings s = testSettings();
    s.types[TestTypes::Other].leaseMs = 90'000;
    m_t = std::make_unique<TestCore>(s);
    const qint64 a = m_t->add({{QStringLiteral("hold"), true}});
    const qint64 b = m_t->add({{QStringLiteral("hold"), true}}, 0, 0, TestTypes::Other);
    m_t->core().start();
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 2);
    const qint64 now = m_t->clock()->nowMs();
    QCOMPARE(m_t->queue().job(a)->leaseUntil, now + s.policy(TestTypes::Scripted).leaseMs);
    QCOMPARE(m_t->queue().job(b)->leaseUntil, now + 90'000);
    RunLedger::instance().release(a);
    RunLedger::instance().release(b);
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 0);
}

void TestQueueFaults::endedCooldownsArePurged()
{
    NewJob job;
    job.type = TestTypes::Fetch;
    job.url = QStringLiteral("https://busy.example/a");
    job.options = {{QStringLiteral("cooldown_ms"), 30'000}};
    const qint64 id = m_t->queue().addJob(job).value().job.id;
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Retrying);
    CooldownStore &cooldowns = m_t->core().store().cooldowns();
    QCOMPARE(cooldowns.active(0).size(), 1);
    m_t->clock()->advance(30'000);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    // The ended pause is remembered for the clean period (a strike soon after escalates)...
    QCOMPARE(cooldowns.active(m_t->clock()->nowMs()).size(), 0);
    QCOMPARE(cooldowns.active(0).size(), 1);
    m_t->core().maintenance().runOnce();
    QCOMPARE(cooldowns.active(0).size(), 1);
    // ...and then leaves no row behind.
    m_t->clock()->advance(m_t->core().settings().throttle.cleanPeriodMs);
    m_t->core().maintenance().runOnce();
    QCOMPARE(cooldowns.active(0).size(), 0);
}

void TestQueueFaults::progressReachesTheDatabaseOncePerFlushInterval()
{
    QueueSettings s = testSettings();
    s.progressFlushMs = 1000;
    m_t = std::make_unique<TestCore>(s);
    const qint64 id = m_t->add({{QStringLiteral("block"), true}, {QStringLiteral("advance"), true}});
    m_t->core().start();
    QTRY_VERIFY(RunLedger::instance().lastBeat(id) > 0);
    auto stored = [&] { return m_t->queue().job(id)->progress.downloadedBytes; };
    qint64 last = stored();
    QCOMPARE(last, 0);
    // Ticks come four times per interval; the database hears of progress on every fourth.
    for (int tick = 1; tick <= 8; ++tick) {
        m_t->clock()->advance(250);
        QTest::qWait(30); // the worker moves its bytes on meanwhile
        m_t->dispatcher().progressTick();
        QCOMPARE(stored() != last, tick % 4 == 0);
        last = stored();
    }
    QVERIFY(m_t->queue().cancel(id));
}

void TestQueueFaults::rolledBackRemovalKeepsLogsAndAnnouncesNothing()
{
    const qint64 id = m_t->add();
    m_t->core().logs().logger(id)->info(QStringLiteral("a line"));
    QVERIFY(QFile::exists(m_t->core().logs().humanLogPath(id)));
    QSignalSpy removed(&m_t->queue(), &JobQueue::jobRemoved);
    {
        JobQueue::Unit unit(m_t->queue());
        QVERIFY(m_t->queue().remove(id));
        QCOMPARE(removed.count(), 0); // not before it is durable
        // No commit: the unit is rolled back.
    }
    QCOMPARE(removed.count(), 0);
    QVERIFY(m_t->queue().job(id));
    QVERIFY(QFile::exists(m_t->core().logs().humanLogPath(id)));
    {
        JobQueue::Unit unit(m_t->queue());
        QVERIFY(m_t->queue().remove(id));
        QVERIFY(unit.commit());
    }
    QCOMPARE(removed.count(), 1);
    QVERIFY(!QFile::exists(m_t->core().logs().humanLogPath(id)));
}

QTEST_GUILESS_MAIN(TestQueueFaults)
void TestQueueFaults::refusedSharedLogLinesAreWrittenLaterOnce()
{
    // A shared queue's worker lines whose write is refused stay with their logger and go with
    // the next write, once each, before the outcome's own line.
    m_t->core().logs().setSharedLines(1 << 20);
    const qint64 id = m_t->add({{QStringLiteral("hold"), true}, {QStringLiteral("log_lines"), 2}});
    m_t->core().start();
    QTRY_VERIFY(RunLedger::instance().isHolding(id));
    {
        TestFaults::CommitVeto veto(m_t->core().store().database(), 1'000'000);
        m_t->dispatcher().flushProgress(true);
        QVERIFY(veto.vetoed() >= 1);
    }
    QVERIFY(!logText(id).contains(QLatin1String("worker line")));
    RunLedger::instance().release(id);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    const QString text = logText(id);
    QCOMPARE(text.count(QLatin1String("worker line 1")), 1);
    QCOMPARE(text.count(QLatin1String("worker line 2")), 1);
    QVERIFY2(text.indexOf(QLatin1String("worker line 2")) < text.indexOf(QLatin1String("Completed")), qPrintable(text));
}

#include "tst_queuefaults.moc"
