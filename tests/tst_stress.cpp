#include "store/store.h"

#include <QHash>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>

// 8 threads, each with its own connection, drain 20,000 jobs through the single-statement claim:
// every job runs exactly once, and nothing is left behind.
class TestStress final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void eightThreadsDrainEachJobOnce();
};

void TestStress::eightThreadsDrainEachJobOnce()
{
    constexpr int kJobs = 20'000;
    constexpr int kThreads = 8;
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("stress.sqlite"));
    Store::Options options;
    options.sync = Store::Sync::Normal; // this test is about atomicity, not durability
    options.busyTimeoutMs = 30'000;
    {
        Store seed(path, options);
        QVERIFY(seed.open());
        QList<NewJob> jobs;
        for (int i = 0; i < kJobs; ++i) {
            NewJob j;
            j.type = QStringLiteral("stress");
            j.priority = i % 5;
            j.maxAttempts = 1;
            jobs << j;
        }
        QVERIFY(seed.jobs().insert(jobs, 1000));
    }
    QMutex mutex;
    QHash<qint64, int> runs;
    std::atomic<int> failures{0};
    QList<QThread *> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads << QThread::create([&, t] {
            Store store(path, options);
            if (!store.open()) {
                ++failures;
                return;
            }
            ClaimRequest r;
            r.limit = 1 + t % 4; // different batch sizes race each other
            r.now = 2000;
            r.leaseMsByType = {{QStringLiteral("stress"), 58'000}};
            r.worker = QStringLiteral("t%1").arg(t);
            for (;;) {
                const QList<Job> claimed = store.jobs().claim(r).value_or(QList<Job>{});
                if (claimed.isEmpty()) {
                    if (!store.jobs().readyJobs(2000, 1).isEmpty())
                        continue; // lost a race or hit a busy lock: try again
                    return;
                }
                for (const Job &job : claimed) {
                    {
                        QMutexLocker lock(&mutex);
                        ++runs[job.id];
                    }
                    if (job.status != JobStatus::Running || job.attempts != 1)
                        ++failures;
                    if (!store.jobs().transition(job.id, JobStatus::Completed, {}, 3000))
                        ++failures;
                }
            }
        });
        threads.last()->start();
    }
    for (QThread *thread : threads) {
        QVERIFY(thread->wait(300'000));
        delete thread;
    }
    QCOMPARE(failures.load(), 0);
    QCOMPARE(runs.size(), kJobs);
    for (auto it = runs.cbegin(); it != runs.cend(); ++it)
        QVERIFY2(it.value() == 1, qPrintable(QStringLiteral("job %1 ran %2 times").arg(it.key()).arg(it.value())));
    Store check(path, options);
    QVERIFY(check.open());
    const auto counts = check.listing().countByStatus();
    QCOMPARE(counts.value(QStringLiteral("completed")), kJobs);
    QCOMPARE(counts.size(), 1);
    QCOMPARE(check.database().integrityCheck(), QStringLiteral("ok"));
}

QTEST_GUILESS_MAIN(TestStress)
#include "tst_stress.moc"
