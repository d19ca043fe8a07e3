#include "testsupport.h"

#include "logging/logstore.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "workers/cleanupworker.h"
#include "workers/workerregistry.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QStandardPaths>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {
constexpr qint64 kHourMs = 3'600'000;
constexpr qint64 kDayMs = 24 * kHourMs;

// Writes `bytes` bytes to `path` (creating folders) and dates it `ageMs` into the past.
bool writeFile(const QString &path, qint64 bytes, qint64 ageMs)
{
    if (!QDir().mkpath(QFileInfo(path).path()))
        return false;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(QByteArray(bytes, 'x')) != bytes || !file.flush())
        return false;
    return file.setFileTime(QDateTime::currentDateTimeUtc().addMSecs(-ageMs),
                            QFileDevice::FileModificationTime);
}

// A download dir, a folder outside it, and a SpoolCore running the real CleanupWorker whose
// environment names the download dir (or whatever a test sets instead).
class Harness final
{
public:
    explicit Harness(std::optional<QVariantMap> environment = std::nullopt, CleanupWorker::Hooks hooks = {})
    {
        SpoolCore::Options options;
        options.dataDir = m_data.path();
        options.environment = environment.value_or(QVariantMap{{QStringLiteral("download_dir"), root()}});
        m_core = std::make_unique<SpoolCore>(options);
        if (auto opened = m_core->open(); !opened)
            qFatal("cannot open core: %s", qPrintable(opened.error().message));
        m_core->workers().add(JobTypes::Cleanup, [hooks] { return std::make_unique<CleanupWorker>(hooks); });
        m_core->start();
    }
    ~Harness() { m_core.reset(); }
    Q_DISABLE_COPY_MOVE(Harness)

    QString root() const { return QFileInfo(m_downloads.path()).canonicalFilePath(); }
    QString outside() const { return QFileInfo(m_outside.path()).canonicalFilePath(); }
    QString at(const QString &relative) const { return root() + QLatin1Char('/') + relative; }
    bool put(const QString &relative, qint64 bytes, qint64 ageMs) const
    {
        return writeFile(at(relative), bytes, ageMs);
    }
    bool exists(const QString &relative) const { return QFileInfo::exists(at(relative)); }

    qint64 add(const QJsonObject &options)
    {
        NewJob job;
        job.type = JobTypes::Cleanup;
        job.options = options;
        const auto added = m_core->queue().addJob(job);
        if (!added)
            qWarning("add failed: %s", qPrintable(added.error().message));
        return added ? added.value().job.id : 0;
    }
    JobStatus status(qint64 id) const
    {
        const auto job = m_core->queue().job(id);
        return job ? job->status : JobStatus::Cancelled;
    }
    Job job(qint64 id) const { return *m_core->queue().job(id); }
    JobQueue &queue() { return m_core->queue(); }
    // Paths of a result array ({path, ...} objects), relative to the root.
    QSet<QString> paths(const QJsonArray &array) const
    {
        QSet<QString> out;
        for (const QJsonValue &v : array)
            out << relative(v.isObject() ? v.toObject().value(QStringLiteral("path")).toString()
                                         : v.toString());
        return out;
    }
    QString relative(const QString &path) const { return QDir(root()).relativeFilePath(path); }
    QList<QJsonObject> events(qint64 id, const QString &name) const;

private:
    QTemporaryDir m_data;
    QTemporaryDir m_downloads;
    QTemporaryDir m_outside;
    std::unique_ptr<SpoolCore> m_core;
};

QList<QJsonObject> Harness::events(qint64 id, const QString &name) const
{
    QFile file(m_core->logs().jobDir(id) + QStringLiteral("/events.jsonl"));
    QList<QJsonObject> out;
    if (!file.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QJsonObject event = QJsonDocument::fromJson(line).object();
        if (event.value(QStringLiteral("event")).toString() == name)
            out << event;
    }
    return out;
}

QJsonArray deletedOf(const Job &job)
{
    return job.result.value(QStringLiteral("deleted")).toArray();
}

// A result array of {path, reason} objects as relative path -> reason.
QHash<QString, QString> reasonsOf(const Harness &h, const QJsonArray &array)
{
    QHash<QString, QString> out;
    for (const QJsonValue &v : array)
        out.insert(h.relative(v.toObject().value(QStringLiteral("path")).toString()),
                   v.toObject().value(QStringLiteral("reason")).toString());
    return out;
}

QString messageOf(const QJsonObject &event)
{
    return event.value(QStringLiteral("message")).toString();
}

// Changes the tree under `root` as changedBetweenScanAndDelete's row says; false if a step failed.
bool applyChange(const QString &change, const QString &root, const QString &outside)
{
    const QString a = root + QStringLiteral("/A");
    const QString file = a + QStringLiteral("/old.mp4");
    const auto moveAside = [](const QString &path) {
        return QDir().rename(path, path + QStringLiteral(".moved"));
    };
    if (change == QLatin1String("folder-link-out"))
        return moveAside(a) && QFile::link(outside, a);
    if (change == QLatin1String("folder-link-in"))
        return moveAside(a) && QFile::link(root + QStringLiteral("/C"), a);
    if (change == QLatin1String("folder-file"))
        return moveAside(a) && writeFile(a, 10, 0);
    if (change == QLatin1String("file-link"))
        return QFile::remove(file) && QFile::link(outside + QStringLiteral("/old.mp4"), file);
    if (change == QLatin1String("file-replaced")) // a new file renamed over it, as a download finishing
        return writeFile(a + QStringLiteral("/new.tmp"), 20, 90 * kDayMs) &&
               ::rename(QFile::encodeName(a + QStringLiteral("/new.tmp")).constData(),
                        QFile::encodeName(file).constData()) == 0;
    if (change == QLatin1String("file-gone"))
        return QFile::remove(file);
    if (change == QLatin1String("empty-link"))
        return moveAside(root + QStringLiteral("/Empty")) &&
               QFile::link(outside + QStringLiteral("/EmptyOutside"), root + QStringLiteral("/Empty"));
    return false;
}

// The device id of the file system `path` is on; 0 if it cannot be told.
quint64 deviceOf(const QString &path)
{
    struct stat st;
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? static_cast<quint64>(st.st_dev) : 0;
}

// A tmpfs mounted for as long as it lives (root only); unmounted before its folder goes.
class ScopedTmpfs final
{
public:
    explicit ScopedTmpfs(const QString &dir) : m_dir(QFile::encodeName(dir))
    {
        m_error = ::mount("spool-test", m_dir.constData(), "tmpfs", 0, "size=4m") == 0 ? 0 : errno;
    }
    ~ScopedTmpfs()
    {
        if (m_error == 0)
            ::umount2(m_dir.constData(), MNT_DETACH);
    }
    Q_DISABLE_COPY_MOVE(ScopedTmpfs)
    int error() const { return m_error; }

private:
    QByteArray m_dir;
    int m_error = 0;
};
} // namespace

// Retention of the download dir through the real dispatcher, on real files: each policy, sidecars,
// partial downloads, empty folders, dry run, and above all the safety rules (symlinks, paths, the
// root, file system boundaries, a tree that changes between the scan and the deletion).
class TestCleanup final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void maxAgeDeletesOldMedia();
    void keepPerChannelKeepsNewest();
    void totalSizeCapDeletesOldestAcrossChannels();
    void sidecarsGoWithTheirMedia();
    void sidecarsCountTowardTheSizeCap();
    void staleParts_data();
    void staleParts();
    void emptyFoldersGoRootStays();
    void dryRunDeletesNothingButListsTheSameSet();
    void symlinkedFolderOutsideIsNeverFollowed();
    void symlinkedFilesAreLeftAlone();
    void requestedDirInsideCleansOnlyThere();
    void badRequestedDir_data();
    void badRequestedDir();
    void badDownloadDir_data();
    void badDownloadDir();
    void badOptionValues_data();
    void badOptionValues();
    void unsafeRootReason_data();
    void unsafeRootReason();
    void homeFolderAsRoot_data();
    void homeFolderAsRoot();
    void otherDeviceIsNotCrossed();
    void mountPointIsNotCrossed();
    void changedBetweenScanAndDelete_data();
    void changedBetweenScanAndDelete();
    void symlinkedDownloadRootCleansTheRealFolder();

private:
    // Runs one cleanup job to `expected` and returns it.
    std::optional<Job> run(Harness &h, const QJsonObject &options, JobStatus expected = JobStatus::Completed);
};

void TestCleanup::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

std::optional<Job> TestCleanup::run(Harness &h, const QJsonObject &options, JobStatus expected)
{
    const qint64 id = h.add(options);
    if (id <= 0)
        return std::nullopt;
    // A wrong end state fails the test inside the lambda; the caller then sees no job.
    bool reached = false;
    [&] {
        QTRY_COMPARE(h.status(id), expected);
        reached = true;
    }();
    if (!reached)
        return std::nullopt;
    return h.job(id);
}

void TestCleanup::maxAgeDeletesOldMedia()
{
    Harness h;
    QVERIFY(h.put(QStringLiteral("Chan/old.mp4"), 100, 40 * kDayMs));
    QVERIFY(h.put(QStringLiteral("Chan/new.mkv"), 50, 1 * kDayMs));
    QVERIFY(h.put(QStringLiteral("root-old.opus"), 30, 40 * kDayMs));
    QVERIFY(h.put(QStringLiteral("Chan/notes.txt"), 10, 400 * kDayMs)); // not media: never a candidate
    const auto job = run(h, {{QStringLiteral("max_age_days"), 30}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)),
             (QSet<QString>{QStringLiteral("Chan/old.mp4"), QStringLiteral("root-old.opus")}));
    for (const QJsonValue &d : deletedOf(*job))
        QCOMPARE(d.toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("max_age"));
    QCOMPARE(job->result.value(QStringLiteral("freed_bytes")).toInteger(), 130);
    QCOMPARE(job->result.value(QStringLiteral("dry_run")).toBool(), false);
    QVERIFY(!h.exists(QStringLiteral("Chan/old.mp4")));
    QVERIFY(h.exists(QStringLiteral("Chan/new.mkv")));
    QVERIFY(h.exists(QStringLiteral("Chan/notes.txt")));
    const QList<QJsonObject> logged = h.events(job->id, QStringLiteral("deleted"));
    QCOMPARE(logged.size(), 2);
    const QJsonObject fields = logged.first().value(QStringLiteral("fields")).toObject();
    QCOMPARE(fields.value(QStringLiteral("reason")).toString(), QStringLiteral("max_age"));
    QVERIFY(fields.value(QStringLiteral("bytes")).toInteger() > 0);
    QVERIFY(!fields.value(QStringLiteral("path")).toString().isEmpty());
}

void TestCleanup::keepPerChannelKeepsNewest()
{
    Harness h;
    for (int i = 1; i <= 4; ++i)
        QVERIFY(h.put(QStringLiteral("A/a%1.webm").arg(i), 10, i * kDayMs)); // a1 newest
    QVERIFY(h.put(QStringLiteral("B/b1.mp4"), 10, 9 * kDayMs));
    QVERIFY(h.put(QStringLiteral("B/b2.mp4"), 10, 10 * kDayMs));
    QVERIFY(h.put(QStringLiteral("B/deeper/b3.mp4"), 10, 11 * kDayMs)); // still channel B
    QVERIFY(h.put(QStringLiteral("loose.mp4"), 10, 30 * kDayMs));       // the root's own group
    const auto job = run(h, {{QStringLiteral("keep_per_channel"), 2}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)),
             (QSet<QString>{QStringLiteral("A/a3.webm"), QStringLiteral("A/a4.webm"),
                            QStringLiteral("B/deeper/b3.mp4")}));
    for (const QJsonValue &d : deletedOf(*job))
        QCOMPARE(d.toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("keep_per_channel"));
    QVERIFY(h.exists(QStringLiteral("A/a1.webm")));
    QVERIFY(h.exists(QStringLiteral("A/a2.webm")));
    QVERIFY(h.exists(QStringLiteral("loose.mp4")));
    QCOMPARE(h.paths(job->result.value(QStringLiteral("removed_dirs")).toArray()),
             QSet<QString>{QStringLiteral("B/deeper")});
}

void TestCleanup::totalSizeCapDeletesOldestAcrossChannels()
{
    Harness h;
    QVERIFY(h.put(QStringLiteral("A/a1.mp4"), 100, 5 * kDayMs));
    QVERIFY(h.put(QStringLiteral("B/b1.mp4"), 100, 4 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/a2.mp4"), 100, 3 * kDayMs));
    QVERIFY(h.put(QStringLiteral("B/b2.mp4"), 100, 1 * kDayMs));
    const auto job = run(h, {{QStringLiteral("max_total_bytes"), 250}});
    QVERIFY(job);
    const QJsonArray deleted = deletedOf(*job);
    QCOMPARE(deleted.size(), 2);
    // Oldest first, whatever the channel.
    QCOMPARE(h.relative(deleted[0].toObject().value(QStringLiteral("path")).toString()),
             QStringLiteral("A/a1.mp4"));
    QCOMPARE(h.relative(deleted[1].toObject().value(QStringLiteral("path")).toString()),
             QStringLiteral("B/b1.mp4"));
    QCOMPARE(deleted[0].toObject().value(QStringLiteral("reason")).toString(),
             QStringLiteral("max_total_bytes"));
    QCOMPARE(job->result.value(QStringLiteral("freed_bytes")).toInteger(), 200);
    QVERIFY(h.exists(QStringLiteral("A/a2.mp4")));
    QVERIFY(h.exists(QStringLiteral("B/b2.mp4")));
}

void TestCleanup::sidecarsGoWithTheirMedia()
{
    Harness h;
    const QStringList sidecars{QStringLiteral("v.info.json"), QStringLiteral("v.description"),
                               QStringLiteral("v.jpg"),       QStringLiteral("v.webp"),
                               QStringLiteral("v.en.vtt"),    QStringLiteral("v.srt")};
    QVERIFY(h.put(QStringLiteral("C/v.mp4"), 100, 60 * kDayMs));
    for (const QString &s : sidecars)
        QVERIFY(h.put(QStringLiteral("C/") + s, 10, 60 * kDayMs));
    // Same prefix without the dot: belongs to another (kept) media file.
    QVERIFY(h.put(QStringLiteral("C/v2.mp4"), 100, 1 * kDayMs));
    QVERIFY(h.put(QStringLiteral("C/v2.info.json"), 10, 60 * kDayMs));
    QVERIFY(h.put(QStringLiteral("C/orphan.info.json"), 10, 60 * kDayMs));
    const auto job = run(h, {{QStringLiteral("max_age_days"), 30}});
    QVERIFY(job);
    QSet<QString> expected{QStringLiteral("C/v.mp4")};
    for (const QString &s : sidecars)
        expected << QStringLiteral("C/") + s;
    QCOMPARE(h.paths(deletedOf(*job)), expected);
    QCOMPARE(job->result.value(QStringLiteral("freed_bytes")).toInteger(), 100 + 10 * sidecars.size());
    QVERIFY(h.exists(QStringLiteral("C/v2.info.json")));
    QVERIFY(h.exists(QStringLiteral("C/orphan.info.json")));
}

void TestCleanup::sidecarsCountTowardTheSizeCap()
{
    Harness h;
    QVERIFY(h.put(QStringLiteral("A/old.mp4"), 100, 3 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/new.mp4"), 100, 1 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/new.info.json"), 100, 1 * kDayMs));
    // 300 bytes with the sidecar: over the cap, although the media alone (200) is under it.
    const auto job = run(h, {{QStringLiteral("max_total_bytes"), 250}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)), QSet<QString>{QStringLiteral("A/old.mp4")});
    QVERIFY(h.exists(QStringLiteral("A/new.info.json")));
}

void TestCleanup::staleParts_data()
{
    QTest::addColumn<QJsonObject>("options");
    QTest::addColumn<QStringList>("deleted");
    const QStringList stale{QStringLiteral("A/x.mp4.part"), QStringLiteral("A/x.mp4.ytdl"),
                            QStringLiteral("A/y.f137.mp4.part-Frag12"), QStringLiteral("root.webm.part")};
    QTest::newRow("default 24 h") << QJsonObject{} << stale;
    QTest::newRow("72 h keeps all") << QJsonObject{{QStringLiteral("part_max_age_hours"), 72}}
                                    << QStringList{};
    QTest::newRow("half an hour") << QJsonObject{{QStringLiteral("part_max_age_hours"), 0.5}}
                                  << stale + QStringList{QStringLiteral("A/fresh.mp4.part"),
                                                         QStringLiteral("A/fresh.mp4.part-Frag1")};
}

void TestCleanup::staleParts()
{
    QFETCH(QJsonObject, options);
    QFETCH(QStringList, deleted);
    Harness h;
    for (const QString &name : {QStringLiteral("A/x.mp4.part"), QStringLiteral("A/x.mp4.ytdl"),
                                QStringLiteral("A/y.f137.mp4.part-Frag12"), QStringLiteral("root.webm.part")})
        QVERIFY(h.put(name, 20, 48 * kHourMs));
    QVERIFY(h.put(QStringLiteral("A/fresh.mp4.part"), 20, kHourMs));
    QVERIFY(h.put(QStringLiteral("A/fresh.mp4.part-Frag1"), 20, kHourMs));
    QVERIFY(h.put(QStringLiteral("A/done.mp4"), 20, 400 * kDayMs)); // no media policy set: kept
    const auto job = run(h, options);
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)), QSet<QString>(deleted.cbegin(), deleted.cend()));
    for (const QJsonValue &d : deletedOf(*job))
        QCOMPARE(d.toObject().value(QStringLiteral("reason")).toString(), QStringLiteral("stale_part"));
    for (const QString &name : deleted)
        QVERIFY2(!h.exists(name), qPrintable(name));
    QVERIFY(h.exists(QStringLiteral("A/done.mp4")));
    if (!deleted.contains(QStringLiteral("A/fresh.mp4.part")))
        QVERIFY(h.exists(QStringLiteral("A/fresh.mp4.part")));
}

void TestCleanup::emptyFoldersGoRootStays()
{
    Harness h;
    QVERIFY(QDir().mkpath(h.at(QStringLiteral("Empty"))));
    QVERIFY(QDir().mkpath(h.at(QStringLiteral("Nested/a/b"))));
    QVERIFY(h.put(QStringLiteral("Emptied/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("Kept/new.mp4"), 10, kDayMs));
    QVERIFY(h.put(QStringLiteral("Hidden/.keep"), 0, kDayMs)); // a hidden file is content too
    const auto job = run(h, {{QStringLiteral("max_age_days"), 30}});
    QVERIFY(job);
    QCOMPARE(h.paths(job->result.value(QStringLiteral("removed_dirs")).toArray()),
             (QSet<QString>{QStringLiteral("Empty"), QStringLiteral("Nested/a/b"), QStringLiteral("Nested/a"),
                            QStringLiteral("Nested"), QStringLiteral("Emptied")}));
    QVERIFY(!h.exists(QStringLiteral("Nested")));
    QVERIFY(h.exists(QStringLiteral("Kept/new.mp4")));
    QVERIFY(h.exists(QStringLiteral("Hidden/.keep")));

    // Everything gone: the root itself stays.
    const auto all = run(h, {{QStringLiteral("max_total_bytes"), 0}});
    QVERIFY(all);
    QVERIFY(QFileInfo(h.root()).isDir());
    QVERIFY(h.paths(all->result.value(QStringLiteral("removed_dirs")).toArray())
                .contains(QStringLiteral("Kept")));
    QVERIFY(QFile::remove(h.at(QStringLiteral("Hidden/.keep"))));
    const auto empty = run(h, {});
    QVERIFY(empty);
    QCOMPARE(h.paths(empty->result.value(QStringLiteral("removed_dirs")).toArray()),
             QSet<QString>{QStringLiteral("Hidden")});
    QVERIFY(QFileInfo(h.root()).isDir());
    QVERIFY(QDir(h.root()).isEmpty());
}

void TestCleanup::dryRunDeletesNothingButListsTheSameSet()
{
    Harness h;
    QVERIFY(h.put(QStringLiteral("A/a1.mp4"), 100, 50 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/a1.info.json"), 5, 50 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/a2.mp4"), 100, 5 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/a3.mp4"), 100, 4 * kDayMs));
    QVERIFY(h.put(QStringLiteral("B/b1.mp4"), 100, 3 * kDayMs));
    QVERIFY(h.put(QStringLiteral("B/b2.mp4"), 100, 2 * kDayMs));
    QVERIFY(h.put(QStringLiteral("C/c1.mp4"), 100, 60 * kDayMs));
    QVERIFY(h.put(QStringLiteral("C/stale.mp4.part"), 7, 30 * kHourMs));
    QVERIFY(QDir().mkpath(h.at(QStringLiteral("D"))));
    QJsonObject options{{QStringLiteral("max_age_days"), 30},
                        {QStringLiteral("keep_per_channel"), 1},
                        {QStringLiteral("max_total_bytes"), 150}};
    QStringList before;
    for (QDirIterator it(h.root(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                         QDirIterator::Subdirectories);
         it.hasNext();)
        before << it.next();

    options.insert(QStringLiteral("dry_run"), true);
    const auto dry = run(h, options);
    QVERIFY(dry);
    QStringList after;
    for (QDirIterator it(h.root(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden,
                         QDirIterator::Subdirectories);
         it.hasNext();)
        after << it.next();
    QCOMPARE(after, before);
    QVERIFY(dry->result.value(QStringLiteral("dry_run")).toBool());
    QVERIFY(!dry->result.contains(QStringLiteral("deleted")));
    const QJsonArray wouldDelete = dry->result.value(QStringLiteral("would_delete")).toArray();
    QCOMPARE(h.events(dry->id, QStringLiteral("would_delete")).size(), wouldDelete.size());
    QCOMPARE(h.events(dry->id, QStringLiteral("deleted")).size(), 0);
    QCOMPARE(
        h.paths(wouldDelete),
        (QSet<QString>{QStringLiteral("A/a1.mp4"), QStringLiteral("A/a1.info.json"),
                       QStringLiteral("C/c1.mp4"), QStringLiteral("A/a2.mp4"), QStringLiteral("B/b1.mp4"),
                       QStringLiteral("A/a3.mp4"), QStringLiteral("C/stale.mp4.part")}));

    options.insert(QStringLiteral("dry_run"), false);
    const auto real = run(h, options);
    QVERIFY(real);
    QCOMPARE(h.paths(deletedOf(*real)), h.paths(wouldDelete));
    QCOMPARE(real->result.value(QStringLiteral("freed_bytes")),
             dry->result.value(QStringLiteral("freed_bytes")));
    QCOMPARE(h.paths(real->result.value(QStringLiteral("removed_dirs")).toArray()),
             h.paths(dry->result.value(QStringLiteral("removed_dirs")).toArray()));
    QCOMPARE(h.paths(real->result.value(QStringLiteral("removed_dirs")).toArray()),
             (QSet<QString>{QStringLiteral("A"), QStringLiteral("C"), QStringLiteral("D")}));
    QVERIFY(h.exists(QStringLiteral("B/b2.mp4")));
    QVERIFY(!h.exists(QStringLiteral("A")));
}

void TestCleanup::symlinkedFolderOutsideIsNeverFollowed()
{
    Harness h;
    QVERIFY(writeFile(h.outside() + QStringLiteral("/Other/old.mp4"), 100, 400 * kDayMs));
    QVERIFY(writeFile(h.outside() + QStringLiteral("/Other/old.info.json"), 10, 400 * kDayMs));
    QVERIFY(writeFile(h.outside() + QStringLiteral("/Other/stale.mp4.part"), 10, 400 * kDayMs));
    QVERIFY(QDir().mkpath(h.outside() + QStringLiteral("/EmptyOutside")));
    QVERIFY(QFile::link(h.outside() + QStringLiteral("/Other"), h.at(QStringLiteral("Linked"))));
    QVERIFY(h.put(QStringLiteral("A/old.mp4"), 100, 400 * kDayMs));
    QVERIFY(
        QFile::link(h.outside() + QStringLiteral("/EmptyOutside"), h.at(QStringLiteral("A/LinkedEmpty"))));
    const auto job = run(h, {{QStringLiteral("max_age_days"), 1},
                             {QStringLiteral("keep_per_channel"), 0},
                             {QStringLiteral("max_total_bytes"), 0}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)), QSet<QString>{QStringLiteral("A/old.mp4")});
    for (const QString &name : {QStringLiteral("/Other/old.mp4"), QStringLiteral("/Other/old.info.json"),
                                QStringLiteral("/Other/stale.mp4.part"), QStringLiteral("/EmptyOutside")})
        QVERIFY2(QFileInfo::exists(h.outside() + name), qPrintable(name));
    QVERIFY(QFileInfo(h.at(QStringLiteral("Linked"))).isSymLink());
    QVERIFY(QFileInfo(h.at(QStringLiteral("A/LinkedEmpty"))).isSymLink());
    QVERIFY(QFileInfo(h.at(QStringLiteral("A"))).isDir()); // holds a symlink, so not empty
    QCOMPARE(job->result.value(QStringLiteral("removed_dirs")).toArray().size(), 0);
    QCOMPARE(h.paths(job->result.value(QStringLiteral("skipped")).toArray()),
             (QSet<QString>{QStringLiteral("Linked"), QStringLiteral("A/LinkedEmpty")}));
    QCOMPARE(h.events(job->id, QStringLiteral("skipped")).size(), 2);
    QCOMPARE(job->result.value(QStringLiteral("refused")).toArray().size(), 0); // never even got that far
}

void TestCleanup::symlinkedFilesAreLeftAlone()
{
    Harness h;
    const QString target = h.outside() + QStringLiteral("/target.mp4");
    const QString secret = h.outside() + QStringLiteral("/secret.json");
    QVERIFY(writeFile(target, 100, 400 * kDayMs));
    QVERIFY(writeFile(secret, 10, 400 * kDayMs));
    QVERIFY(QFile::link(target, h.at(QStringLiteral("linked.mp4"))));
    QVERIFY(h.put(QStringLiteral("A/real.mp4"), 100, 400 * kDayMs));
    QVERIFY(QFile::link(secret, h.at(QStringLiteral("A/real.info.json")))); // a "sidecar" that is a symlink
    QVERIFY(QFile::link(h.outside() + QStringLiteral("/gone.mp4.part"),
                        h.at(QStringLiteral("A/broken.mp4.part"))));
    const auto job = run(h, {{QStringLiteral("max_age_days"), 1},
                             {QStringLiteral("max_total_bytes"), 0},
                             {QStringLiteral("part_max_age_hours"), 0.001}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)), QSet<QString>{QStringLiteral("A/real.mp4")});
    QVERIFY(QFileInfo::exists(target));
    QVERIFY(QFileInfo::exists(secret));
    QVERIFY(QFileInfo(h.at(QStringLiteral("linked.mp4"))).isSymLink());
    QVERIFY(QFileInfo(h.at(QStringLiteral("A/real.info.json"))).isSymLink());
    QVERIFY(QFileInfo(h.at(QStringLiteral("A/broken.mp4.part"))).isSymLink());
    QCOMPARE(h.paths(job->result.value(QStringLiteral("skipped")).toArray()),
             (QSet<QString>{QStringLiteral("linked.mp4"), QStringLiteral("A/real.info.json"),
                            QStringLiteral("A/broken.mp4.part")}));
}

void TestCleanup::requestedDirInsideCleansOnlyThere()
{
    Harness h;
    QVERIFY(h.put(QStringLiteral("A/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("B/old.mp4"), 10, 90 * kDayMs));
    // Written uncleaned on purpose: "//" and "/./" are fine, only ".." is refused.
    const auto job = run(h, {{QStringLiteral("max_age_days"), 30},
                             {QStringLiteral("download_dir"), h.root() + QStringLiteral("//./A/")}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)), QSet<QString>{QStringLiteral("A/old.mp4")});
    QVERIFY(h.exists(QStringLiteral("B/old.mp4")));
    QVERIFY(QFileInfo(h.at(QStringLiteral("A"))).isDir()); // the job's root is never removed
    // Relative: the same folder inside the download dir.
    QVERIFY(h.put(QStringLiteral("A/old2.mp4"), 10, 90 * kDayMs));
    const auto relative = run(h, {{QStringLiteral("max_age_days"), 30}, {QStringLiteral("download_dir"), QStringLiteral("A")}});
    QVERIFY(relative);
    QCOMPARE(h.paths(deletedOf(*relative)), QSet<QString>{QStringLiteral("A/old2.mp4")});
    QVERIFY(h.exists(QStringLiteral("B/old.mp4")));
}

void TestCleanup::badRequestedDir_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("errorClass");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("dot-dot out") << "dotdot-out"
                                 << "invalid_path"
                                 << "'..'";
    QTest::newRow("dot-dot staying inside") << "dotdot-in"
                                            << "invalid_path"
                                            << "'..'";
    QTest::newRow("outside") << "outside"
                             << "invalid_path"
                             << "not inside the download";
    QTest::newRow("prefix lookalike") << "lookalike"
                                      << "invalid_path"
                                      << "not inside the download";
    QTest::newRow("symlink inside leading out") << "symlink"
                                                << "invalid_path"
                                                << "through a symlink";
    QTest::newRow("missing folder") << "missing"
                                    << "missing_dir"
                                    << "does not exist";
    QTest::newRow("empty") << "empty"
                           << "invalid_path"
                           << "is empty";
}

void TestCleanup::badRequestedDir()
{
    QFETCH(QString, kind);
    QFETCH(QString, errorClass);
    QFETCH(QString, messagePart);
    Harness h;
    QVERIFY(h.put(QStringLiteral("A/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(writeFile(h.outside() + QStringLiteral("/victim.mp4"), 10, 90 * kDayMs));
    QVERIFY(QFile::link(h.outside(), h.at(QStringLiteral("Escape"))));
    const QHash<QString, QString> dirs{
        {QStringLiteral("dotdot-out"), h.root() + QStringLiteral("/A/../..") + h.outside()},
        {QStringLiteral("dotdot-in"), h.root() + QStringLiteral("/A/../A")},
        {QStringLiteral("relative"), QStringLiteral("A")},
        {QStringLiteral("outside"), h.outside()},
        {QStringLiteral("lookalike"), h.root() + QStringLiteral("-other")},
        {QStringLiteral("symlink"), h.root() + QStringLiteral("/Escape")},
        {QStringLiteral("missing"), h.root() + QStringLiteral("/Nope")},
        {QStringLiteral("empty"), QString()},
    };
    const QJsonObject options{{QStringLiteral("max_age_days"), 1}, {QStringLiteral("download_dir"), dirs.value(kind)}};
    // What the text shows ("..", outside, empty) is refused when the job is added (the API's 400);
    // what only the file system shows (a symlink, a missing folder), when it runs on its host.
    NewJob asked;
    asked.type = JobTypes::Cleanup;
    asked.options = options;
    if (const auto refused = h.queue().validate(asked)) {
        QVERIFY2(refused->message.contains(messagePart), qPrintable(refused->message));
        QVERIFY(kind != QLatin1String("symlink") && kind != QLatin1String("missing"));
    } else {
        const auto job = run(h, options, JobStatus::Dead);
        QVERIFY(job);
        QCOMPARE(job->attempts, 1); // permanent: no retry
        QCOMPARE(job->errorClass, errorClass);
        QVERIFY2(job->errorMessage.contains(messagePart), qPrintable(job->errorMessage));
    }
    QVERIFY(h.exists(QStringLiteral("A/old.mp4")));
    QVERIFY(QFileInfo::exists(h.outside() + QStringLiteral("/victim.mp4")));
}

void TestCleanup::badDownloadDir_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("errorClass");
    QTest::newRow("unset") << "unset"
                           << "not_configured";
    QTest::newRow("empty") << "empty"
                           << "not_configured";
    QTest::newRow("relative") << "relative"
                              << "invalid_path";
    QTest::newRow("missing") << "missing"
                             << "missing_dir";
    QTest::newRow("a file") << "file"
                            << "missing_dir";
}

void TestCleanup::badDownloadDir()
{
    QFETCH(QString, kind);
    QFETCH(QString, errorClass);
    QTemporaryDir base;
    QVERIFY(writeFile(base.path() + QStringLiteral("/file"), 1, 0));
    QVariantMap env;
    if (kind == QLatin1String("empty"))
        env.insert(QStringLiteral("download_dir"), QString());
    else if (kind == QLatin1String("relative"))
        env.insert(QStringLiteral("download_dir"), QStringLiteral("downloads"));
    else if (kind == QLatin1String("missing"))
        env.insert(QStringLiteral("download_dir"), base.path() + QStringLiteral("/nope"));
    else if (kind == QLatin1String("file"))
        env.insert(QStringLiteral("download_dir"), base.path() + QStringLiteral("/file"));
    Harness h(env);
    const auto job = run(h, {}, JobStatus::Dead);
    QVERIFY(job);
    QCOMPARE(job->errorClass, errorClass);
    QVERIFY(!job->errorMessage.isEmpty());
    QVERIFY(QFileInfo::exists(base.path() + QStringLiteral("/file")));
}

void TestCleanup::badOptionValues_data()
{
    QTest::addColumn<QJsonObject>("options");
    QTest::newRow("negative age") << QJsonObject{{QStringLiteral("max_age_days"), -1}};
    QTest::newRow("fractional keep") << QJsonObject{{QStringLiteral("keep_per_channel"), 1.5}};
    QTest::newRow("negative keep") << QJsonObject{{QStringLiteral("keep_per_channel"), -2}};
    QTest::newRow("negative cap") << QJsonObject{{QStringLiteral("max_total_bytes"), -100}};
    QTest::newRow("zero part age") << QJsonObject{{QStringLiteral("part_max_age_hours"), 0}};
}

void TestCleanup::badOptionValues()
{
    QFETCH(QJsonObject, options);
    Harness h;
    QVERIFY(h.put(QStringLiteral("A/old.mp4.part"), 10, 90 * kDayMs));
    const auto job = run(h, options, JobStatus::Dead);
    QVERIFY(job);
    QCOMPARE(job->errorClass, QStringLiteral("invalid_option"));
    QVERIFY(h.exists(QStringLiteral("A/old.mp4.part"))); // refused before anything was touched
}

void TestCleanup::unsafeRootReason_data()
{
    // "~" is a temporary home folder the test sets.
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("why"); // a part of the reason; empty: allowed
    const QString system = QStringLiteral("a system folder");
    QTest::newRow("/") << "/"
                       << "root of the file system";
    // With everything below them, then those refused themselves and only a level or two down.
    const char *const systemTrees[] = {"/usr",    "/usr/lib", "/usr/local/share/videos",
                                       "/etc",    "/etc/ssl", "/bin",
                                       "/sbin",   "/boot",    "/boot/efi",
                                       "/dev",    "/dev/shm", "/proc",
                                       "/proc/1", "/sys",     "/sys/fs",
                                       "/lib",    "/lib64"};
    const char *const systemTops[] = {
        "/var",           "/var/lib",         "/var/log", "/var/tmp", "/run",  "/run/user",
        "/run/user/1000", "/run/media/alice", "/srv",     "/home",    "/root", "/opt",
        "/mnt",           "/media",           "/tmp"};
    for (const char *path : systemTrees)
        QTest::newRow(path) << QString::fromLatin1(path) << system;
    for (const char *path : systemTops)
        QTest::newRow(path) << QString::fromLatin1(path) << system;
    QTest::newRow("another user's home") << "/home/someone"
                                         << "a user's home folder";
    QTest::newRow("the home folder") << "~"
                                     << "the home folder";
    QTest::newRow("above the home folder") << "~/.."
                                           << "holds the home folder";
    const char *const allowed[] = {"/srv/media/youtube",
                                   "/var/lib/spool/downloads",
                                   "/var/lib/spool",
                                   "/var/tmp/videos",
                                   "/mnt/nas",
                                   "/media/usb",
                                   "/run/media/alice/USB",
                                   "/home/someone/Videos",
                                   "/opt/media",
                                   "/tmp/spool-downloads",
                                   "/downloads",
                                   "/data/videos",
                                   "/usr-media",
                                   "/etcetera",
                                   "~/Videos",
                                   "~/Videos/YouTube"};
    for (const char *path : allowed)
        QTest::newRow(path) << QString::fromLatin1(path) << QString();
}

void TestCleanup::unsafeRootReason()
{
    QFETCH(QString, path);
    QFETCH(QString, why);
    QTemporaryDir base;
    const QString home = QFileInfo(base.path()).canonicalFilePath() + QStringLiteral("/home");
    QVERIFY(QDir().mkpath(home));
    ScopedEnv env("HOME", QFile::encodeName(home));
    if (path.startsWith(QLatin1Char('~')))
        path = QDir::cleanPath(home + path.mid(1));
    const QString reason = CleanupWorker::unsafeRootReason(path);
    if (why.isEmpty())
        QVERIFY2(reason.isEmpty(), qPrintable(reason));
    else
        QVERIFY2(reason.contains(why), qPrintable(path + QStringLiteral(": '") + reason + QLatin1Char('\'')));
}

void TestCleanup::homeFolderAsRoot_data()
{
    QTest::addColumn<QString>("configured"); // relative to a temporary folder holding "home"
    QTest::addColumn<QString>("requested");  // the job's download_dir, or empty for none
    QTest::addColumn<QString>("refused");    // the canonical folder named as refused; empty: cleaned
    QTest::addColumn<QString>("why");
    QTest::newRow("the home folder") << "home" << QString() << "home"
                                     << "it is the home folder";
    QTest::newRow("a symlink to it") << "link-to-home" << QString() << "home"
                                     << "it is the home folder";
    QTest::newRow("above it") << "." << QString() << "."
                              << "holds the home folder";
    QTest::newRow("requested inside") << "."
                                      << "home"
                                      << "home"
                                      << "it is the home folder";
    QTest::newRow("a folder in it") << "home/Videos" << QString() << QString() << QString();
    QTest::newRow("requested below") << "home"
                                     << "home/Videos" << QString() << QString();
}

void TestCleanup::homeFolderAsRoot()
{
    QFETCH(QString, configured);
    QFETCH(QString, requested);
    QFETCH(QString, refused);
    QFETCH(QString, why);
    QTemporaryDir tmp;
    const QString base = QFileInfo(tmp.path()).canonicalFilePath();
    const QString home = base + QStringLiteral("/home");
    QVERIFY(writeFile(home + QStringLiteral("/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(writeFile(home + QStringLiteral("/Videos/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(QFile::link(home, base + QStringLiteral("/link-to-home")));
    ScopedEnv env("HOME", QFile::encodeName(home));
    Harness h(
        QVariantMap{{QStringLiteral("download_dir"), QDir::cleanPath(base + QLatin1Char('/') + configured)}});
    QJsonObject options{{QStringLiteral("max_age_days"), 30}};
    if (!requested.isEmpty())
        options.insert(QStringLiteral("download_dir"), base + QLatin1Char('/') + requested);
    const auto job = run(h, options, refused.isEmpty() ? JobStatus::Completed : JobStatus::Dead);
    QVERIFY(job);
    // Deleted only where cleaning is allowed; the home folder's own file is in no row's cleaned folder.
    QCOMPARE(QFileInfo::exists(home + QStringLiteral("/Videos/old.mp4")), !refused.isEmpty());
    QVERIFY(QFileInfo::exists(home + QStringLiteral("/old.mp4")));
    if (refused.isEmpty())
        return;
    QCOMPARE(job->attempts, 1); // permanent: no retry
    QCOMPARE(job->errorClass, QStringLiteral("unsafe_root"));
    const QString folder = QDir::cleanPath(base + QLatin1Char('/') + refused);
    QVERIFY2(job->errorMessage.contains(QLatin1Char('\'') + folder + QLatin1Char('\'')),
             qPrintable(job->errorMessage));
    QVERIFY2(job->errorMessage.contains(why), qPrintable(job->errorMessage));
    if (configured.startsWith(QLatin1String("link"))) // and how the settings led there
        QVERIFY2(job->errorMessage.contains(base + QLatin1Char('/') + configured),
                 qPrintable(job->errorMessage));
}

void TestCleanup::otherDeviceIsNotCrossed()
{
    // Mounting needs root, so the walk is told to stay on a device no folder is on: every folder
    // below the root is then a mount point to it, and the real comparison decides.
    CleanupWorker::Hooks hooks;
    hooks.device = std::numeric_limits<quint64>::max();
    Harness h(std::nullopt, hooks);
    QVERIFY(h.put(QStringLiteral("old.mp4"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/B/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(QDir().mkpath(h.at(QStringLiteral("Empty"))));
    const auto job = run(h, {{QStringLiteral("max_age_days"), 30}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)), QSet<QString>{QStringLiteral("old.mp4")});
    QVERIFY(h.exists(QStringLiteral("A/old.mp4")));
    QVERIFY(h.exists(QStringLiteral("A/B/old.mp4")));
    QVERIFY(h.exists(QStringLiteral("Empty")));
    QCOMPARE(job->result.value(QStringLiteral("removed_dirs")).toArray().size(), 0);
    const QHash<QString, QString> skipped =
        reasonsOf(h, job->result.value(QStringLiteral("skipped")).toArray());
    QCOMPARE(skipped,
             (QHash<QString, QString>{{QStringLiteral("A"), QStringLiteral("other_file_system")},
                                      {QStringLiteral("Empty"), QStringLiteral("other_file_system")}}));
    QStringList messages;
    for (const QJsonObject &event : h.events(job->id, QStringLiteral("skipped")))
        messages << messageOf(event);
    messages.sort();
    QCOMPARE(messages, (QStringList{QStringLiteral("Not crossing into another file system at ") +
                                        h.at(QStringLiteral("A")),
                                    QStringLiteral("Not crossing into another file system at ") +
                                        h.at(QStringLiteral("Empty"))}));
}

void TestCleanup::mountPointIsNotCrossed()
{
    if (geteuid() != 0)
        QSKIP("needs root to mount a tmpfs (otherDeviceIsNotCrossed covers the check without it)");
    Harness h;
    QVERIFY(h.put(QStringLiteral("A/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(QDir().mkpath(h.at(QStringLiteral("A/Mounted"))));
    const ScopedTmpfs tmpfs(h.at(QStringLiteral("A/Mounted")));
    if (tmpfs.error() != 0)
        QSKIP(qPrintable(QStringLiteral("cannot mount a tmpfs: ") +
                         QString::fromLocal8Bit(std::strerror(tmpfs.error()))));
    QVERIFY(deviceOf(h.root()) != 0);
    QVERIFY(deviceOf(h.root()) != deviceOf(h.at(QStringLiteral("A/Mounted"))));
    QVERIFY(h.put(QStringLiteral("A/Mounted/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/Mounted/stale.mp4.part"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/Mounted/Deep/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(QDir().mkpath(h.at(QStringLiteral("A/Mounted/Empty"))));
    const auto job = run(h, {{QStringLiteral("max_age_days"), 30}});
    QVERIFY(job);
    QCOMPARE(h.paths(deletedOf(*job)), QSet<QString>{QStringLiteral("A/old.mp4")});
    for (const QString &name :
         {QStringLiteral("A/Mounted/old.mp4"), QStringLiteral("A/Mounted/stale.mp4.part"),
          QStringLiteral("A/Mounted/Deep/old.mp4"), QStringLiteral("A/Mounted/Empty")})
        QVERIFY2(h.exists(name), qPrintable(name));
    QCOMPARE(job->result.value(QStringLiteral("removed_dirs")).toArray().size(), 0);
    QCOMPARE(reasonsOf(h, job->result.value(QStringLiteral("skipped")).toArray()),
             (QHash<QString, QString>{{QStringLiteral("A/Mounted"), QStringLiteral("other_file_system")}}));
    const QList<QJsonObject> logged = h.events(job->id, QStringLiteral("skipped"));
    QCOMPARE(logged.size(), 1);
    QCOMPARE(messageOf(logged.first()),
             QStringLiteral("Not crossing into another file system at ") + h.at(QStringLiteral("A/Mounted")));
}

void TestCleanup::changedBetweenScanAndDelete_data()
{
    QTest::addColumn<QString>("change");
    QTest::addColumn<QString>("target"); // the path the change waits for, relative to the root
    QTest::addColumn<QString>("reason"); // the refusal reported; empty: none (gone, nothing to do)
    QTest::newRow("folder swapped for a symlink out") << "folder-link-out"
                                                      << "A/old.mp4"
                                                      << "resolves_elsewhere";
    QTest::newRow("folder swapped for a symlink inside") << "folder-link-in"
                                                         << "A/old.mp4"
                                                         << "resolves_elsewhere";
    QTest::newRow("folder swapped for a file") << "folder-file"
                                               << "A/old.mp4"
                                               << "resolves_elsewhere";
    QTest::newRow("file swapped for a symlink") << "file-link"
                                                << "A/old.mp4"
                                                << "symlink";
    QTest::newRow("file replaced by another") << "file-replaced"
                                              << "A/old.mp4"
                                              << "replaced";
    QTest::newRow("file gone") << "file-gone"
                               << "A/old.mp4"
                               << "";
    QTest::newRow("empty folder swapped for a symlink") << "empty-link"
                                                        << "Empty"
                                                        << "symlink";
}

// The tree changes after the scan, right before a deletion: what a running download, or someone
// racing the cleanup, can do. Nothing outside the root is touched and nothing the scan did not see
// is deleted; the refusal is reported.
void TestCleanup::changedBetweenScanAndDelete()
{
    QFETCH(QString, change);
    QFETCH(QString, target);
    QFETCH(QString, reason);
    struct Pending
    {
        QString path;
        std::function<bool()> apply;
        std::atomic<bool> done = false;
        std::atomic<bool> ok = false;
    };
    const auto pending = std::make_shared<Pending>();
    CleanupWorker::Hooks hooks;
    hooks.beforeRemove = [pending](const QString &path) {
        if (path == pending->path && !pending->done.exchange(true))
            pending->ok = pending->apply();
    };
    Harness h(std::nullopt, hooks);
    QVERIFY(h.put(QStringLiteral("A/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("A/old.info.json"), 10, 90 * kDayMs));
    QVERIFY(h.put(QStringLiteral("C/old.mp4"), 10, kDayMs)); // fresh: kept
    QVERIFY(h.put(QStringLiteral("C/old.info.json"), 10, kDayMs));
    QVERIFY(QDir().mkpath(h.at(QStringLiteral("Empty"))));
    const QString outside = h.outside();
    QVERIFY(writeFile(outside + QStringLiteral("/old.mp4"), 10, 90 * kDayMs));
    QVERIFY(writeFile(outside + QStringLiteral("/old.info.json"), 10, 90 * kDayMs));
    QVERIFY(QDir().mkpath(outside + QStringLiteral("/EmptyOutside")));
    pending->path = h.at(target);
    pending->apply = [change, root = h.root(), outside] { return applyChange(change, root, outside); };

    const auto job = run(h, {{QStringLiteral("max_age_days"), 30}});
    QVERIFY(job);
    QVERIFY(pending->done);
    QVERIFY(pending->ok);
    for (const QString &path :
         {outside + QStringLiteral("/old.mp4"), outside + QStringLiteral("/old.info.json"),
          outside + QStringLiteral("/EmptyOutside"), h.at(QStringLiteral("C/old.mp4")),
          h.at(QStringLiteral("C/old.info.json"))})
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
    const QHash<QString, QString> refused =
        reasonsOf(h, job->result.value(QStringLiteral("refused")).toArray());
    if (reason.isEmpty())
        QVERIFY2(refused.isEmpty(), qPrintable(QStringList(refused.keys()).join(QLatin1Char(' '))));
    else
        QCOMPARE(refused, (QHash<QString, QString>{{target, reason}}));
    QCOMPARE(h.events(job->id, QStringLiteral("refused")).size(), refused.size());
    QVERIFY(!h.paths(deletedOf(*job)).contains(target));
    QVERIFY(!h.paths(job->result.value(QStringLiteral("removed_dirs")).toArray()).contains(target));
    if (change == QLatin1String("file-link") || change == QLatin1String("empty-link"))
        QVERIFY(QFileInfo(h.at(target)).isSymLink()); // the link itself stays too
    if (change == QLatin1String("file-replaced"))
        QCOMPARE(QFileInfo(h.at(target)).size(), 20); // what arrived after the scan stays
    if (change.startsWith(QLatin1String("folder-")))
        QVERIFY(h.exists(QStringLiteral("A.moved/old.mp4"))); // moved away from where the plan named it
}

void TestCleanup::symlinkedDownloadRootCleansTheRealFolder()
{
    // The configured download dir is a symlink to the real folder (a NAS mount, say).
    QTemporaryDir tmp;
    const QString base = QFileInfo(tmp.path()).canonicalFilePath();
    const QString real = base + QStringLiteral("/real");
    const QString other = base + QStringLiteral("/other");
    const QString link = base + QStringLiteral("/downloads");
    for (const QString &dir : {real, other}) {
        for (const QString &name : {QStringLiteral("/A/old.mp4"), QStringLiteral("/B/old.mp4")})
            QVERIFY(writeFile(dir + name, 10, 90 * kDayMs));
    }
    QVERIFY(writeFile(base + QStringLiteral("/beside.mp4"), 10, 90 * kDayMs));
    QVERIFY(QFile::link(real, link));
    auto armed = std::make_shared<std::atomic<bool>>(false);
    CleanupWorker::Hooks hooks;
    // Once armed, the link is pointed elsewhere after the scan: the cleanup carries on in the
    // folder it resolved, never in the link's new target.
    hooks.beforeRemove = [armed, link, other](const QString &) {
        if (armed->exchange(false)) {
            QFile::remove(link);
            QFile::link(other, link);
        }
    };
    Harness h(QVariantMap{{QStringLiteral("download_dir"), link}}, hooks);

    const auto inside = run(h, {{QStringLiteral("max_age_days"), 30},
                                {QStringLiteral("download_dir"), link + QStringLiteral("/A")}});
    QVERIFY(inside);
    const QJsonArray deleted = deletedOf(*inside);
    QCOMPARE(deleted.size(), 1);
    QCOMPARE(deleted[0].toObject().value(QStringLiteral("path")).toString(),
             real + QStringLiteral("/A/old.mp4"));
    QVERIFY(QFileInfo::exists(real + QStringLiteral("/B/old.mp4")));

    *armed = true;
    const auto all = run(h, {{QStringLiteral("max_age_days"), 30}});
    QVERIFY(all);
    QVERIFY(!*armed);
    QCOMPARE(deletedOf(*all).size(), 1);
    QCOMPARE(deletedOf(*all)[0].toObject().value(QStringLiteral("path")).toString(),
             real + QStringLiteral("/B/old.mp4"));
    QVERIFY(!QFileInfo::exists(real + QStringLiteral("/B/old.mp4")));
    QVERIFY(QFileInfo(real).isDir());
    for (const QString &path : {other + QStringLiteral("/A/old.mp4"), other + QStringLiteral("/B/old.mp4"),
                                base + QStringLiteral("/beside.mp4")})
        QVERIFY2(QFileInfo::exists(path), qPrintable(path));
    QCOMPARE(QFileInfo(link).symLinkTarget(), other);
}

QTEST_GUILESS_MAIN(TestCleanup)
#include "tst_cleanup.moc"
