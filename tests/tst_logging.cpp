#include "core/clock.h"
#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "logging/logtail.h"
#include "queue/joblog.h"
#include "store/store.h"

#include <QDateTime>
#include <QDir>
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
    void jobLogPlacesQueueLinesByTime();
    void jobLogReadsFromAnyOffset();
    void jobLogGrowsAtItsEnd();
    void jobLogLeavesOutALineBeingWritten();
    void jobLogOfHugeFile();

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

namespace {
// A queue, a job's files and the two clocks the lines carry, for JobLog.
struct LogFixture
{
    QTemporaryDir dir;
    ManualClock clock{1'700'000'000'000};
    Store store{dir.filePath(QStringLiteral("queue.sqlite"))};
    LogStore logs{dir.filePath(QStringLiteral("logs")), 64 << 20, &clock};
    JobLog log{store, logs};

    void row(qint64 at, const QString &event, const QString &message)
    {
        QVERIFY(store.events().append(1, at, QStringLiteral("info"), event, message));
    }
    void file(qint64 at, const QString &message)
    {
        clock.set(at);
        logs.logger(1)->info(message);
    }
    static QByteArray line(qint64 at, const char *message)
    {
        return QDateTime::fromMSecsSinceEpoch(at, Qt::UTC).toString(Qt::ISODateWithMs).toUtf8() + " INFO    "
               + message + '\n';
    }
};
constexpr qint64 T = 1'700'000'000'000;
} // namespace

void TestLogging::jobLogPlacesQueueLinesByTime()
{
    LogFixture f;
    QVERIFY(f.store.open());
    QVERIFY(f.log.text(1).isEmpty());
    QCOMPARE(f.log.read(1, 0).nextOffset, 0);
    f.row(T, QStringLiteral("started"), QStringLiteral("Attempt 1 of 3 started"));
    f.file(T, QStringLiteral("same millisecond as the start"));
    f.file(T + 500, QStringLiteral("first\nsecond"));
    f.row(T + 500, QStringLiteral("retry_scheduled"), QStringLiteral("Retry at noon"));
    f.row(T + 900, QStringLiteral("started"), QStringLiteral("Attempt 2 of 3 started"));
    f.file(T + 900, QStringLiteral("attempt two"));
    f.row(T + 2000, QStringLiteral("completed"), QStringLiteral("Completed"));
    const QByteArray expected = LogFixture::line(T, "Attempt 1 of 3 started")
                                + LogFixture::line(T, "same millisecond as the start")
                                + LogFixture::line(T + 500, "first\n    second")
                                + LogFixture::line(T + 500, "Retry at noon")
                                + LogFixture::line(T + 900, "Attempt 2 of 3 started")
                                + LogFixture::line(T + 900, "attempt two") + LogFixture::line(T + 2000, "Completed");
    QCOMPARE(f.log.text(1), expected);
    QCOMPARE(f.log.size(1), expected.size());
    // Only the queue's lines, no file: still the whole log.
    QVERIFY(f.store.events().append(2, T, QStringLiteral("error"), QStringLiteral("dead"), QStringLiteral("Failed")));
    QCOMPARE(f.log.text(2), LogFixture::line(T, "Failed").replace("INFO   ", "ERROR  "));
}

void TestLogging::jobLogReadsFromAnyOffset()
{
    LogFixture f;
    QVERIFY(f.store.open());
    f.row(T, QStringLiteral("started"), QStringLiteral("Attempt 1 of 1 started"));
    for (int i = 0; i < 40; ++i) {
        f.file(T + 10 * i, QStringLiteral("worker %1").arg(i));
        if (i % 7 == 3)
            f.row(T + 10 * i + 5, QStringLiteral("note"), QStringLiteral("queue %1").arg(i));
    }
    const QByteArray whole = f.log.text(1);
    QCOMPARE(whole.count('\n'), 1 + 40 + 6);
    // From every line start, in chunks of every size: the same bytes, whole lines only.
    QList<qint64> starts{0};
    for (qsizetype i = whole.indexOf('\n'); i >= 0 && i + 1 < whole.size(); i = whole.indexOf('\n', i + 1))
        starts << i + 1;
    for (qint64 max : {qint64(7), qint64(40), qint64(100), qint64(1) << 20}) {
        for (qint64 start : starts) {
            QByteArray seen;
            qint64 offset = start;
            for (int guard = 0; guard < 100000; ++guard) {
                const LogTail::Chunk c = f.log.read(1, offset, max);
                QVERIFY(!c.restarted);
                if (c.data.isEmpty())
                    break;
                QVERIFY(c.data.endsWith('\n') || c.data.size() == max);
                seen += c.data;
                offset = c.nextOffset;
            }
            QVERIFY2(seen == whole.mid(start), qPrintable(QStringLiteral("max %1 start %2: %3 vs %4 bytes").arg(max).arg(start).arg(seen.size()).arg(whole.size() - start)));
        }
    }
    const LogTail::Chunk past = f.log.read(1, whole.size() + 1);
    QVERIFY(past.restarted);
    QCOMPARE(past.data, whole.left(past.data.size()));
}

void TestLogging::jobLogGrowsAtItsEnd()
{
    LogFixture f;
    QVERIFY(f.store.open());
    f.row(T, QStringLiteral("started"), QStringLiteral("Attempt 1 of 2 started"));
    f.file(T + 1, QStringLiteral("one"));
    const LogTail::Chunk first = f.log.read(1, 0);
    f.file(T + 2, QStringLiteral("two"));
    f.row(T + 3, QStringLiteral("retry_scheduled"), QStringLiteral("Retry"));
    f.row(T + 4, QStringLiteral("started"), QStringLiteral("Attempt 2 of 2 started"));
    f.file(T + 4, QStringLiteral("three"));
    const LogTail::Chunk next = f.log.read(1, first.nextOffset);
    QCOMPARE(next.data, LogFixture::line(T + 2, "two") + LogFixture::line(T + 3, "Retry")
                            + LogFixture::line(T + 4, "Attempt 2 of 2 started") + LogFixture::line(T + 4, "three"));
    QCOMPARE(first.data + next.data, f.log.text(1));
}

void TestLogging::jobLogLeavesOutALineBeingWritten()
{
    LogFixture f;
    QVERIFY(f.store.open());
    f.row(T, QStringLiteral("started"), QStringLiteral("Attempt 1 of 1 started"));
    f.file(T + 1, QStringLiteral("whole"));
    QFile file(f.logs.humanLogPath(1));
    QVERIFY(file.open(QIODevice::Append));
    file.write(LogFixture::line(T + 2, "half").chopped(4));
    file.close();
    f.row(T + 3, QStringLiteral("completed"), QStringLiteral("Completed"));
    // The unfinished line is not shown, and the queue's line is not glued to it.
    const QByteArray whole = LogFixture::line(T, "Attempt 1 of 1 started") + LogFixture::line(T + 1, "whole")
                             + LogFixture::line(T + 3, "Completed");
    QCOMPARE(f.log.text(1), whole);
}

void TestLogging::jobLogOfHugeFile()
{
    LogFixture f;
    QVERIFY(f.store.open());
    f.row(T, QStringLiteral("started"), QStringLiteral("Attempt 1 of 1 started"));
    QByteArray expected = LogFixture::line(T, "Attempt 1 of 1 started");
    {
        QDir().mkpath(f.logs.jobDir(1));
        QFile file(f.logs.humanLogPath(1));
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray chunk;
        for (int i = 0; i < 100'000; ++i) {
            QByteArray line = LogFixture::line(T + i, "[download]  42.0% of 10.00MiB at 1.00MiB/s ETA 00:05");
            if (i % 1000 == 0)
                line += "    a continuation line\n";
            chunk += line;
            expected += line;
            if (i == 50'000) {
                f.row(T + i, QStringLiteral("note"), QStringLiteral("halfway"));
                expected += LogFixture::line(T + i, "halfway");
            }
        }
        file.write(chunk);
    }
    f.row(T + 200'000, QStringLiteral("completed"), QStringLiteral("Completed"));
    expected += LogFixture::line(T + 200'000, "Completed");
    QCOMPARE(f.log.size(1), expected.size());
    const qint64 middle = expected.indexOf(LogFixture::line(T + 49'999, "[download]").chopped(1));
    const LogTail::Chunk c = f.log.read(1, middle, 4096);
    QCOMPARE(c.data, expected.mid(middle, c.data.size()));
    QVERIFY(c.data.contains("halfway"));
    QCOMPARE(f.log.text(1), expected);
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
