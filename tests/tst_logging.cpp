#include "core/clock.h"
#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "logging/logtail.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

// Per-job logs: layout, structured events, caps, thread safety, incremental tailing.
class TestLogging final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void layoutAndFormats();
    void filesAreCreatedOnDemand();
    void eachFileIsCapped();
    void concurrentWritersKeepWholeLines();
    void sameLoggerWhileInUse();
    void removeDeletesFolder();
    void tailReadsWholeLinesFromOffset();
    void tailFollowsGrowingFile();
    void tailRestartsWhenFileShrinks();
    void tailOfMissingFile();
    void tailOfHugeLogIsBounded();

private:
    static QByteArray readAll(const QString &path);
    ManualClock m_clock{1'700'000'000'000};
};

QByteArray TestLogging::readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

void TestLogging::layoutAndFormats()
{
    QTemporaryDir dir;
    LogStore logs(dir.filePath(QStringLiteral("logs/jobs")), 1 << 20, &m_clock);
    auto log = logs.logger(42);
    log->log(JobLogger::Level::Warning, QStringLiteral("retry_scheduled"), QStringLiteral("Retrying in 2 s"),
             {{QStringLiteral("attempt"), 1}});
    log->appendStdout("[download]  10.0%\n");
    log->appendStderr("ERROR: boom\n");
    log->flush();
    const QString jobDir = dir.filePath(QStringLiteral("logs/jobs/42"));
    QCOMPARE(logs.jobDir(42), jobDir);
    const QByteArray human = readAll(jobDir + QStringLiteral("/job.log"));
    QVERIFY(human.startsWith("2023-11-14T22:13:20.000Z WARNING Retrying in 2 s\n"));
    const QByteArray events = readAll(jobDir + QStringLiteral("/events.jsonl"));
    const QJsonObject e = QJsonDocument::fromJson(events.trimmed()).object();
    QCOMPARE(e.value(QStringLiteral("event")).toString(), QStringLiteral("retry_scheduled"));
    QCOMPARE(e.value(QStringLiteral("level")).toString(), QStringLiteral("warning"));
    QCOMPARE(e.value(QStringLiteral("ts")).toString(), QStringLiteral("2023-11-14T22:13:20.000Z"));
    QCOMPARE(e.value(QStringLiteral("fields")).toObject().value(QStringLiteral("attempt")).toInt(), 1);
    QCOMPARE(readAll(jobDir + QStringLiteral("/stdout.log")), QByteArray("[download]  10.0%\n"));
    QCOMPARE(readAll(jobDir + QStringLiteral("/stderr.log")), QByteArray("ERROR: boom\n"));
}

void TestLogging::filesAreCreatedOnDemand()
{
    QTemporaryDir dir;
    LogStore logs(dir.path(), 1 << 20, &m_clock);
    auto log = logs.logger(1);
    QVERIFY(!QFile::exists(logs.jobDir(1)));
    log->info(QStringLiteral("only the human log"));
    QVERIFY(QFile::exists(logs.humanLogPath(1)));
    QVERIFY(!QFile::exists(logs.jobDir(1) + QStringLiteral("/events.jsonl")));
    QVERIFY(!QFile::exists(logs.jobDir(1) + QStringLiteral("/stdout.log")));
}

void TestLogging::eachFileIsCapped()
{
    QTemporaryDir dir;
    LogStore logs(dir.path(), 4096, &m_clock);
    auto log = logs.logger(7);
    const QByteArray line(100, 'x');
    for (int i = 0; i < 1000; ++i) {
        log->appendStdout(line + '\n');
        log->info(QStringLiteral("line %1").arg(i));
    }
    const QByteArray out = readAll(logs.jobDir(7) + QStringLiteral("/stdout.log"));
    QVERIFY(out.size() <= 4096 + 100);
    QVERIFY(out.contains("[log capped at 4096 bytes"));
    QVERIFY(readAll(logs.humanLogPath(7)).size() <= 4096 + 100);
}

void TestLogging::concurrentWritersKeepWholeLines()
{
    QTemporaryDir dir;
    LogStore logs(dir.path(), 64 << 20, &m_clock);
    auto log = logs.logger(3);
    QList<QThread *> threads;
    for (int t = 0; t < 4; ++t) {
        threads << QThread::create([&logs, t] {
            auto mine = logs.logger(3);
            for (int i = 0; i < 500; ++i)
                mine->info(QStringLiteral("thread %1 line %2 %3").arg(t).arg(i).arg(QString(50, QLatin1Char('y'))));
        });
        threads.last()->start();
    }
    for (QThread *t : threads) {
        t->wait();
        delete t;
    }
    const QList<QByteArray> lines = readAll(logs.humanLogPath(3)).split('\n');
    QCOMPARE(lines.size(), 2001); // 2000 lines and the empty piece after the last newline
    for (int i = 0; i < 2000; ++i)
        QVERIFY2(lines[i].endsWith(QByteArray(50, 'y')), lines[i].constData());
}

void TestLogging::sameLoggerWhileInUse()
{
    QTemporaryDir dir;
    LogStore logs(dir.path(), 1 << 20, &m_clock);
    auto a = logs.logger(5);
    auto b = logs.logger(5);
    QCOMPARE(a.get(), b.get());
    QVERIFY(logs.logger(6).get() != a.get());
}

void TestLogging::removeDeletesFolder()
{
    QTemporaryDir dir;
    LogStore logs(dir.path(), 1 << 20, &m_clock);
    logs.logger(9)->info(QStringLiteral("x"));
    QVERIFY(QFile::exists(logs.jobDir(9)));
    QVERIFY(logs.removeLogs(9));
    QVERIFY(!QFile::exists(logs.jobDir(9)));
    QVERIFY(logs.removeLogs(9)); // removing nothing is fine
}

void TestLogging::tailReadsWholeLinesFromOffset()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("job.log"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("one\ntwo\nthr");
    f.flush();
    LogTail::Chunk c = LogTail::read(path, 0);
    QVERIFY(c.exists);
    QCOMPARE(c.data, QByteArray("one\ntwo\n"));
    QCOMPARE(c.nextOffset, 8);
    c = LogTail::read(path, 4);
    QCOMPARE(c.data, QByteArray("two\n"));
    c = LogTail::read(path, 8);
    QCOMPARE(c.data, QByteArray()); // a partial line waits for its newline
    QCOMPARE(c.nextOffset, 8);
}

void TestLogging::tailFollowsGrowingFile()
{
    QTemporaryDir dir;
    LogStore logs(dir.path(), 1 << 20, &m_clock);
    auto log = logs.logger(11);
    qint64 offset = 0;
    QByteArray seen;
    for (int i = 0; i < 50; ++i) {
        log->info(QStringLiteral("entry %1").arg(i));
        const LogTail::Chunk c = LogTail::read(logs.humanLogPath(11), offset);
        QVERIFY(!c.restarted);
        seen += c.data;
        offset = c.nextOffset;
    }
    QCOMPARE(seen, readAll(logs.humanLogPath(11)));
    QCOMPARE(seen.count('\n'), 50);
}

void TestLogging::tailRestartsWhenFileShrinks()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("job.log"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("a\n");
    f.close();
    const LogTail::Chunk c = LogTail::read(path, 1000);
    QVERIFY(c.restarted);
    QCOMPARE(c.data, QByteArray("a\n"));
}

void TestLogging::tailOfMissingFile()
{
    const LogTail::Chunk c = LogTail::read(QStringLiteral("/nonexistent/job.log"), 17);
    QVERIFY(!c.exists);
    QCOMPARE(c.nextOffset, 17);
    QVERIFY(c.data.isEmpty());
}

void TestLogging::tailOfHugeLogIsBounded()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("job.log"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    for (int i = 0; i < 200'000; ++i)
        f.write("2026-01-01T00:00:00.000Z INFO    [download]  42.0% of 10.00MiB at 1.00MiB/s ETA 00:05\n");
    f.close();
    qint64 offset = 0;
    int reads = 0;
    qint64 lines = 0;
    for (;;) {
        const LogTail::Chunk c = LogTail::read(path, offset, 1 << 20);
        if (c.data.isEmpty())
            break;
        QVERIFY(c.data.size() <= (1 << 20));
        QVERIFY(c.data.endsWith('\n'));
        lines += c.data.count('\n');
        offset = c.nextOffset;
        ++reads;
    }
    QCOMPARE(lines, 200'000);
    QVERIFY(reads > 10); // read in bounded chunks, never the whole file at once
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
