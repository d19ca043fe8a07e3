#include "testsupport.h"
#include "store/store.h"

#include <QDir>
#include <QDirIterator>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

// A real queue process killed with SIGKILL at random moments, again and again, then restarted until
// it finishes: nothing added is lost, nothing completes twice, attempts stay within the maximum, and
// the database is intact after every kill.
class TestCrashRecovery final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void killNineRepeatedly();

private:
    static QString childPath() { return QStringLiteral(SPOOL_TEST_BINARY_DIR "/tests/queuechild"); }
    void checkInvariants(const QString &dataDir, const QSet<qint64> &added, bool finished);
    static int completedLines(Store &store, const QString &dataDir, qint64 id);
};

int TestCrashRecovery::completedLines(Store &store, const QString &dataDir, qint64 id)
{
    return static_cast<int>(jobLogText(store, dataDir, id).count("INFO    Completed"));
}

void TestCrashRecovery::checkInvariants(const QString &dataDir, const QSet<qint64> &added, bool finished)
{
    Store store(dataDir + QStringLiteral("/queue.sqlite"));
    QVERIFY(store.open());
    QCOMPARE(store.database().integrityCheck(), QStringLiteral("ok"));
    JobFilter all;
    all.limit = 100000;
    const JobPage page = store.listing().list(all);
    QSet<qint64> present;
    for (const Job &job : page.jobs) {
        present.insert(job.id);
        QVERIFY2(job.attempts <= job.maxAttempts, qPrintable(QStringLiteral("job %1: %2 attempts").arg(job.id).arg(job.attempts)));
        const int completions = completedLines(store, dataDir, job.id);
        QVERIFY2(completions <= 1, qPrintable(QStringLiteral("job %1 completed %2 times").arg(job.id).arg(completions)));
        // The log is the database: its completion line is there exactly when the completion is.
        QCOMPARE(completions == 1, job.status == JobStatus::Completed);
        if (job.status == JobStatus::Completed)
            QCOMPARE(job.result.value(QStringLiteral("ran")).toInteger(), job.id);
        if (finished)
            QCOMPARE(job.status, JobStatus::Completed);
    }
    for (qint64 id : added)
        QVERIFY2(present.contains(id), qPrintable(QStringLiteral("job %1 was added but is gone").arg(id)));
}

void TestCrashRecovery::killNineRepeatedly()
{
    QVERIFY2(QFile::exists(childPath()), qPrintable(childPath()));
    QTemporaryDir dir;
    QSet<qint64> added;
    bool sawRunningAtKill = false;
    auto *random = QRandomGenerator::global();
    for (int round = 0; round < 6; ++round) {
        QProcess child;
        child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        child.start(childPath(), {dir.path(), QStringLiteral("--add"), QStringLiteral("40"), QStringLiteral("--sleep-ms"), QStringLiteral("60")});
        QVERIFY(child.waitForStarted());
        QVERIFY(child.waitForReadyRead(10'000));
        // A random moment, mid-add or mid-run: 40 jobs of 60 ms, 4 at a time, outlast the longest wait.
        QTest::qWait(static_cast<int>(random->bounded(50, 400)));
        ::kill(static_cast<pid_t>(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(10'000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        for (const QByteArray &line : child.readAllStandardOutput().split('\n')) {
            if (line.startsWith("added "))
                added.insert(line.mid(6).toLongLong());
        }
        {
            Store peek(dir.filePath(QStringLiteral("queue.sqlite")));
            QVERIFY(peek.open());
            sawRunningAtKill = sawRunningAtKill || !peek.jobs().jobsWithStatus(JobStatus::Running).isEmpty();
        }
        checkInvariants(dir.path(), added, false);
    }
    QVERIFY(!added.isEmpty());
    QVERIFY(sawRunningAtKill); // the kills really landed while jobs ran
    QProcess finisher;
    finisher.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    finisher.start(childPath(), {dir.path(), QStringLiteral("--until-idle")});
    QVERIFY(finisher.waitForFinished(120'000));
    QCOMPARE(finisher.exitCode(), 0);
    checkInvariants(dir.path(), added, true);
    Store store(dir.filePath(QStringLiteral("queue.sqlite")));
    QVERIFY(store.open());
    const int recovered = static_cast<int>(store.listing().list({}).total);
    QVERIFY(recovered >= added.size());
}

QTEST_GUILESS_MAIN(TestCrashRecovery)
#include "tst_crashrecovery.moc"
