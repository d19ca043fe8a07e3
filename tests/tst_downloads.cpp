#include "mediaserver.h"
#include "testsupport.h"

#include "core/throttle.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

// The real thing, offline: yt-dlp and ffmpeg downloading from a local HTTP server through the
// queue, with the server's fault modes (429, 404, 500, dropped connection, stall).
class TestDownloads final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void wholeChannelIsDownloaded();
    void resyncAddsOnlyNewVideos();
    void aPageWithOneVideoIsOneEntry();
    void sameVideoIsNotDownloadedTwiceAcrossSources();
    void rateLimitCoolsDownHostThenSucceeds();
    void notFoundIsDeadAfterOneAttempt();
    void serverErrorIsRetried();
    void droppedConnectionIsResumed();
    void stalledDownloadIsEndedAndRetried();
    void cancelMidDownloadLeavesNoProcess();
    void pauseKeepsPartFileAndResumeFinishes();
    void shutdownMidDownloadThenRestartCompletes();
    void metadataSidecarIsWritten();
    void hostileChannelTitlesStayInsideTheDownloadFolder();
    void dotTitlesInTemplateFoldersStayInside();
    void aFolderLinkedOutsideIsRefused();
    void aListingsClaimNeverMarksAnotherVideoDownloaded();
    void missingYtDlpIsDeadWithInstructions();
    void unknownQualityIsRefused();
    void bandwidthCapAndCookiesReachYtDlpButNotTheLogs();

private:
    QueueSettings settings() const;
    QVariantMap environment() const;
    void makeCore(const QString &dataDir = QString());
    qint64 addVideo(const QUrl &url, const QJsonObject &options = {});
    qint64 addChannel(const QUrl &url);
    Job waitFor(qint64 id, JobStatus status, int timeoutMs = 60'000);
    Job waitForRetry(qint64 id);
    static bool ffprobeAccepts(const QString &file);
    qint64 waitForBytes(qint64 id);

    MediaServer m_server;
    int m_big = -1;
    std::unique_ptr<QTemporaryDir> m_downloads;
    std::unique_ptr<TestCore> m_t;
    QVariantMap m_extraEnv;
    QList<HostRule> m_rules;
};

void TestDownloads::initTestCase()
{
    QVERIFY2(m_server.start(3), qPrintable(m_server.errorString()));
    m_big = m_server.addBigClip();
    QVERIFY(m_big >= 0);
}

void TestDownloads::init()
{
    m_server.clearFaults();
    m_server.setThrottle(0);
    m_extraEnv.clear();
    m_rules.clear();
    m_downloads = std::make_unique<QTemporaryDir>();
}

void TestDownloads::cleanup()
{
    m_t.reset();
    m_downloads.reset();
}

QueueSettings TestDownloads::settings() const
{
    QueueSettings s = QueueSettings::defaults();
    s.maxConcurrent = 3;
    for (auto it = s.types.begin(); it != s.types.end(); ++it) {
        it->retry.baseDelayMs = 300;
        it->retry.maxDelayMs = 2000;
        it->retry.jitter = 0;
        it->retry.maxAttempts = 3;
        it->stallTimeoutMs = 60'000;
    }
    s.watchdogIntervalMs = 200;
    s.shutdownGraceMs = 5000;
    s.throttle.cooldownStepsMs = {1000, 3000}; // a rate limit pauses the host this long (real time here)
    s.throttle.rules += m_rules;
    return s;
}

QVariantMap TestDownloads::environment() const
{
    QVariantMap env{{DownloadEnv::DownloadDir, m_downloads->path()},
                    {DownloadEnv::SocketTimeoutS, 10},
                    {DownloadEnv::Retries, 2}};
    for (auto it = m_extraEnv.cbegin(); it != m_extraEnv.cend(); ++it)
        env.insert(it.key(), it.value());
    return env;
}

void TestDownloads::makeCore(const QString &dataDir)
{
    m_t.reset();
    m_t = std::make_unique<TestCore>(settings(), false, environment(), dataDir);
    m_t->core().start();
}

qint64 TestDownloads::addVideo(const QUrl &url, const QJsonObject &options)
{
    NewJob job;
    job.type = JobTypes::VideoDownload;
    job.url = url.toString();
    job.options = options;
    auto added = m_t->queue().addJob(job);
    if (!added)
        qWarning("%s", qPrintable(added.error().message));
    return added ? added.value().job.id : 0;
}

qint64 TestDownloads::addChannel(const QUrl &url)
{
    NewJob job;
    job.type = JobTypes::ChannelDownload;
    job.url = url.toString();
    auto added = m_t->queue().addJob(job);
    return added ? added.value().job.id : 0;
}

Job TestDownloads::waitFor(qint64 id, JobStatus status, int timeoutMs)
{
    [[maybe_unused]] const bool settled = QTest::qWaitFor([&] { return m_t->status(id) == status || isFinal(m_t->status(id)); }, timeoutMs);
    const Job job = *m_t->queue().job(id);
    if (job.status != status)
        qWarning("job %lld is %s (%s: %s)", id, qPrintable(statusName(job.status)), qPrintable(job.errorClass),
                 qPrintable(job.errorMessage));
    return job;
}

// The job as it was when it went to Retrying. A short backoff can end between two polls, so the
// change itself is caught, not polled for.
Job TestDownloads::waitForRetry(qint64 id)
{
    std::optional<Job> seen;
    const auto connection = connect(&m_t->queue(), &JobQueue::jobChanged, this, [&](const Job &job) {
        if (job.id == id && job.status == JobStatus::Retrying && !seen)
            seen = job;
    });
    if (m_t->status(id) == JobStatus::Retrying)
        seen = m_t->queue().job(id);
    [[maybe_unused]] const bool settled = QTest::qWaitFor([&] { return seen || isFinal(m_t->status(id)); }, 60'000);
    disconnect(connection);
    if (!seen)
        qWarning("job %lld never went to retrying; it is %s", id, qPrintable(statusName(m_t->status(id))));
    return seen.value_or(Job{});
}

bool TestDownloads::ffprobeAccepts(const QString &file)
{
    QProcess p;
    p.start(QStringLiteral("ffprobe"), {QStringLiteral("-v"), QStringLiteral("error"), QStringLiteral("-show_entries"),
                                        QStringLiteral("format=duration"), file});
    return p.waitForFinished(30'000) && p.exitCode() == 0 && p.readAllStandardError().isEmpty();
}



qint64 TestDownloads::waitForBytes(qint64 id)
{
    qint64 bytes = 0;
    QSignalSpy progress(&m_t->queue(), &JobQueue::jobProgress);
    [[maybe_unused]] const bool seen = QTest::qWaitFor([&] {
        for (const auto &args : std::as_const(progress)) {
            if (args.at(0).toLongLong() == id)
                bytes = qMax(bytes, args.at(1).value<JobProgress>().downloadedBytes);
        }
        return bytes > 0;
    }, 30'000);
    if (bytes == 0)
        qWarning("job %lld reported no progress", id);
    return bytes;
}

void TestDownloads::wholeChannelIsDownloaded()
{
    makeCore();
    const qint64 channel = addChannel(m_server.channelUrl());
    const Job done = waitFor(channel, JobStatus::Completed);
    QCOMPARE(done.status, JobStatus::Completed);
    QCOMPARE(done.title, QStringLiteral("channel"));
    QCOMPARE(done.result.value(QStringLiteral("children_added")).toInt(), m_server.clipCount());
    const QList<qint64> videos = m_t->queue().childIds(channel);
    QCOMPARE(videos.size(), m_server.clipCount());
    for (qint64 id : videos) // all in first: ffprobe blocks this thread, which serves the media
        waitFor(id, JobStatus::Completed);
    for (int i = 0; i < videos.size(); ++i) {
        const Job video = *m_t->queue().job(videos[i]);
        QCOMPARE(video.status, JobStatus::Completed);
        QCOMPARE(video.title, QStringLiteral("channel (%1)").arg(i + 1)); // in source order
        const QString file = video.result.value(QStringLiteral("file")).toString();
        QVERIFY2(file.startsWith(m_downloads->path() + QStringLiteral("/channel/")), qPrintable(file));
        QVERIFY(ffprobeAccepts(file));
        QCOMPARE(video.attempts, 1);
        QCOMPARE(video.progress.percent, 100.0);
        QVERIFY(QFile::exists(m_t->core().logs().jobDir(video.id) + QStringLiteral("/stdout.log")));
    }
    const ChildSummary summary = m_t->queue().childSummary(channel);
    QCOMPARE(summary.completed, m_server.clipCount());
}

void TestDownloads::aPageWithOneVideoIsOneEntry()
{
    // yt-dlp answers a page that holds a single video with the video, not a playlist of one.
    makeCore();
    const qint64 channel = addChannel(m_server.largeChannelUrl(1));
    const Job done = waitFor(channel, JobStatus::Completed);
    QCOMPARE(done.result.value(QStringLiteral("entries")).toInt(), 1);
    QCOMPARE(done.result.value(QStringLiteral("children_added")).toInt(), 1);
    const QList<qint64> videos = m_t->queue().childIds(channel);
    QCOMPARE(videos.size(), 1);
    const Job video = waitFor(videos.first(), JobStatus::Completed);
    QCOMPARE(video.url, m_server.largeChannelUrl(1).toString()); // its page, not the resolved media address
    const QString file = video.result.value(QStringLiteral("file")).toString();
    QVERIFY2(file.startsWith(m_downloads->path() + QLatin1Char('/')), qPrintable(file));
    QVERIFY(ffprobeAccepts(file));
    // Listed again: known, nothing downloaded twice.
    const Job again = waitFor(addChannel(m_server.largeChannelUrl(1)), JobStatus::Completed);
    QCOMPARE(again.result.value(QStringLiteral("children_added")).toInt(), 0);
}

void TestDownloads::resyncAddsOnlyNewVideos()
{
    makeCore();
    const QUrl url = m_server.channelUrl(QStringLiteral("resync"));
    const qint64 first = addChannel(url);
    QCOMPARE(waitFor(first, JobStatus::Completed).status, JobStatus::Completed);
    for (qint64 video : m_t->queue().childIds(first))
        QCOMPARE(waitFor(video, JobStatus::Completed).status, JobStatus::Completed);
    // The same source again: a new sync job, but nothing to download.
    const qint64 second = addChannel(url);
    QVERIFY(second != first);
    const Job again = waitFor(second, JobStatus::Completed);
    QCOMPARE(again.result.value(QStringLiteral("children_added")).toInt(), 0);
    QCOMPARE(again.result.value(QStringLiteral("children_existing")).toInt(), m_server.clipCount());
    QVERIFY(m_t->queue().childIds(second).isEmpty());
    // A new video on the page: the next sync picks up exactly that one.
    const int clipsBefore = m_server.clipCount();
    QVERIFY(m_server.addClip() >= 0);
    const qint64 third = addChannel(url);
    const Job synced = waitFor(third, JobStatus::Completed);
    QCOMPARE(synced.result.value(QStringLiteral("children_added")).toInt(), 1);
    const QList<qint64> fresh = m_t->queue().childIds(third);
    QCOMPARE(fresh.size(), 1);
    const Job video = waitFor(fresh.first(), JobStatus::Completed);
    QCOMPARE(video.title, QStringLiteral("resync (%1)").arg(clipsBefore + 1));
    QVERIFY(ffprobeAccepts(video.result.value(QStringLiteral("file")).toString()));
}

void TestDownloads::sameVideoIsNotDownloadedTwiceAcrossSources()
{
    makeCore();
    // A video added on its own first...
    const qint64 single = addVideo(m_server.clipUrl(0));
    QCOMPARE(waitFor(single, JobStatus::Completed).status, JobStatus::Completed);
    // ...then a channel that lists it: only the others are queued.
    const qint64 channel = addChannel(m_server.channelUrl(QStringLiteral("dedup")));
    const Job listed = waitFor(channel, JobStatus::Completed);
    QCOMPARE(listed.result.value(QStringLiteral("children_added")).toInt(), m_server.clipCount() - 1);
    QCOMPARE(listed.result.value(QStringLiteral("children_existing")).toInt(), 1);
    for (qint64 video : m_t->queue().childIds(channel))
        QCOMPARE(waitFor(video, JobStatus::Completed).status, JobStatus::Completed);
    // ...then a playlist of the same videos on another page: nothing left to download.
    NewJob playlist;
    playlist.type = JobTypes::PlaylistDownload;
    playlist.url = m_server.playlistUrl().toString();
    const qint64 list = m_t->queue().addJob(playlist).value().job.id;
    const Job synced = waitFor(list, JobStatus::Completed);
    QCOMPARE(synced.result.value(QStringLiteral("children_added")).toInt(), 0);
    QVERIFY(m_t->queue().childIds(list).isEmpty());
    QCOMPARE(TestFiles::find(m_downloads->path(), QStringLiteral("*.mp4")).size(), m_server.clipCount()); // every clip once
}

void TestDownloads::rateLimitCoolsDownHostThenSucceeds()
{
    m_server.setRetryAfter(2);
    m_server.setClipFault(1, MediaServer::Fault::TooManyRequests, 1);
    makeCore();
    QSignalSpy cooled(&m_t->queue(), &JobQueue::hostCooledDown);
    const qint64 id = addVideo(m_server.clipUrl(1));
    QVERIFY(cooled.count() > 0 || cooled.wait(60'000));
    const auto pauses = m_t->queue().hostCooldowns();
    QCOMPARE(pauses.size(), 1);
    const HostCooldown pause = pauses.first();
    QCOMPARE(pause.host, QStringLiteral("127.0.0.1"));
    QCOMPARE(pause.kind, QStringLiteral("rate_limited"));
    QCOMPARE(pause.strikes, 1);
    QVERIFY2(pause.untilMs - pause.sinceMs >= 2000, "the Retry-After of 2 s is honoured, not the 1 s first step");
    // The job waits for the host without being charged: the site refused everyone, not this video.
    const Job waiting = *m_t->queue().job(id);
    QCOMPARE(waiting.status, JobStatus::Pending);
    QCOMPARE(waiting.attempts, 0);
    QCOMPARE(waiting.errorClass, QStringLiteral("rate_limited"));
    QVERIFY(waiting.errorMessage.contains(QStringLiteral("429")));
    // Another video from the same host waits for the cool-down too.
    const qint64 other = addVideo(m_server.clipUrl(2));
    QCOMPARE(waitFor(id, JobStatus::Completed).attempts, 1);
    const Job done = waitFor(other, JobStatus::Completed);
    QCOMPARE(done.status, JobStatus::Completed);
    QVERIFY2(done.startedAt >= pause.untilMs, "started only once the host had cooled down");
}

void TestDownloads::notFoundIsDeadAfterOneAttempt()
{
    m_server.setClipFault(0, MediaServer::Fault::NotFound);
    makeCore();
    const qint64 id = addVideo(m_server.clipUrl(0));
    const Job job = waitFor(id, JobStatus::Dead);
    QCOMPARE(job.status, JobStatus::Dead);
    QCOMPARE(job.attempts, 1);
    QCOMPARE(job.errorClass, QStringLiteral("not_found"));
    QVERIFY2(job.errorMessage.contains(QStringLiteral("HTTP Error 404")), qPrintable(job.errorMessage));
    QVERIFY(!job.errorMessage.contains(QStringLiteral("please report")));
}

void TestDownloads::serverErrorIsRetried()
{
    m_server.setClipFault(2, MediaServer::Fault::ServerError, 1);
    makeCore();
    const qint64 id = addVideo(m_server.clipUrl(2));
    QCOMPARE(waitForRetry(id).errorClass, QStringLiteral("server_error"));
    const Job job = waitFor(id, JobStatus::Completed);
    QCOMPARE(job.attempts, 2);
}

void TestDownloads::droppedConnectionIsResumed()
{
    m_server.setClipFault(m_big, MediaServer::Fault::DropMidFile, 1, 1); // the download, not the probe
    makeCore();
    const int requestsBefore = m_server.clipRequestCount(m_big); // earlier tests fetched it too
    const qint64 id = addVideo(m_server.clipUrl(m_big));
    const Job job = waitFor(id, JobStatus::Completed);
    QCOMPARE(job.status, JobStatus::Completed);
    const QString file = job.result.value(QStringLiteral("file")).toString();
    QCOMPARE(TestFiles::sha1(file), TestFiles::sha1(m_server.clipPath(m_big)));
    QVERIFY(m_server.clipRequestCount(m_big) - requestsBefore >= 3); // probe, dropped download, ranged resume
}

void TestDownloads::stalledDownloadIsEndedAndRetried()
{
    QueueSettings s = settings();
    s.types[JobTypes::VideoDownload].stallTimeoutMs = 6000; // room for yt-dlp's start on a busy machine
    m_extraEnv.insert(DownloadEnv::SocketTimeoutS, 120); // the watchdog, not yt-dlp, must notice
    m_server.setClipFault(m_big, MediaServer::Fault::Stall, 1, 1);
    m_t = std::make_unique<TestCore>(s, false, environment());
    m_t->core().start();
    const qint64 id = addVideo(m_server.clipUrl(m_big));
    QCOMPARE(waitForRetry(id).errorClass, QStringLiteral("stalled"));
    const Job job = waitFor(id, JobStatus::Completed);
    QCOMPARE(job.attempts, 2);
    QCOMPARE(TestFiles::sha1(job.result.value(QStringLiteral("file")).toString()), TestFiles::sha1(m_server.clipPath(m_big)));
}

void TestDownloads::cancelMidDownloadLeavesNoProcess()
{
    m_server.setThrottle(200 * 1024);
    makeCore();
    const QUrl url = m_server.clipUrl(m_big);
    const qint64 id = addVideo(url);
    QVERIFY(waitForBytes(id) > 0);
    QVERIFY(TestFiles::processMentions(url.toString()));
    QVERIFY(m_t->queue().cancel(id));
    QCOMPARE(m_t->status(id), JobStatus::Cancelled);
    QTRY_VERIFY_WITH_TIMEOUT(!TestFiles::processMentions(url.toString()), 10'000);
    QTRY_COMPARE(m_t->dispatcher().runningCount(), 0);
    QCOMPARE(m_t->status(id), JobStatus::Cancelled);
}

void TestDownloads::pauseKeepsPartFileAndResumeFinishes()
{
    m_server.setThrottle(400 * 1024);
    makeCore();
    const QUrl url = m_server.clipUrl(m_big);
    const qint64 id = addVideo(url);
    QVERIFY(waitForBytes(id) > 0);
    QVERIFY(m_t->queue().pause(id));
    QTRY_VERIFY_WITH_TIMEOUT(!TestFiles::processMentions(url.toString()), 10'000);
    const QStringList parts = TestFiles::find(m_downloads->path(), QStringLiteral("*.part"));
    QCOMPARE(parts.size(), 1);
    const qint64 partSize = QFileInfo(parts.first()).size();
    QVERIFY(partSize > 0);
    m_server.setThrottle(0);
    const int requestsBefore = m_server.clipRequestCount(m_big);
    QVERIFY(m_t->queue().resume(id));
    const Job job = waitFor(id, JobStatus::Completed);
    QCOMPARE(job.attempts, 1); // the pause did not cost an attempt
    QCOMPARE(TestFiles::sha1(job.result.value(QStringLiteral("file")).toString()), TestFiles::sha1(m_server.clipPath(m_big)));
    QVERIFY(m_server.clipRequestCount(m_big) > requestsBefore);
    QVERIFY(!QFile::exists(parts.first()));
}

void TestDownloads::shutdownMidDownloadThenRestartCompletes()
{
    QTemporaryDir data;
    m_server.setThrottle(400 * 1024);
    makeCore(data.path());
    const QUrl url = m_server.clipUrl(m_big);
    const qint64 id = addVideo(url);
    QVERIFY(waitForBytes(id) > 0);
    QVERIFY(m_t->core().shutdown());
    QCOMPARE(m_t->status(id), JobStatus::Pending);
    QCOMPARE(m_t->queue().job(id)->attempts, 0);
    QVERIFY(!TestFiles::processMentions(url.toString()));
    m_t.reset();
    m_server.setThrottle(0);
    makeCore(data.path()); // a new process, in effect: same data dir, same download dir
    const Job job = waitFor(id, JobStatus::Completed);
    QCOMPARE(job.status, JobStatus::Completed);
    QCOMPARE(TestFiles::sha1(job.result.value(QStringLiteral("file")).toString()), TestFiles::sha1(m_server.clipPath(m_big)));
}

void TestDownloads::metadataSidecarIsWritten()
{
    makeCore();
    const qint64 id = addVideo(m_server.clipUrl(0), {{QStringLiteral("metadata"), true}});
    const Job video = waitFor(id, JobStatus::Completed);
    QCOMPARE(video.status, JobStatus::Completed);
    const QList<qint64> children = m_t->queue().childIds(id);
    QCOMPARE(children.size(), 1);
    const Job meta = waitFor(children.first(), JobStatus::Completed);
    QCOMPARE(meta.type, JobTypes::MetadataExtraction);
    const QString sidecar = meta.result.value(QStringLiteral("sidecar")).toString();
    QVERIFY(sidecar.endsWith(QStringLiteral(".info.json")));
    QCOMPARE(QFileInfo(sidecar).path(), QFileInfo(video.result.value(QStringLiteral("file")).toString()).path());
    QFile f(sidecar);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject info = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(info.value(QStringLiteral("title")).toString(), QStringLiteral("clip-0"));
    const QJsonObject probe = info.value(QStringLiteral("ffprobe")).toObject();
    QVERIFY(!probe.value(QStringLiteral("streams")).toArray().isEmpty());
    QVERIFY(qAbs(meta.durationS - 2.0) < 0.2);
    QCOMPARE(meta.title, QStringLiteral("clip-0"));
    QVERIFY(qAbs(m_t->queue().job(id)->durationS - 2.0) < 0.2); // and on the video itself
}

void TestDownloads::hostileChannelTitlesStayInsideTheDownloadFolder()
{
    // A channel's title names the folder its videos go to; titles come from strangers. " .." once
    // trimmed would climb out of the download folder, "%(id)s" would be expanded by yt-dlp's
    // template, control characters would land in a file name.
    makeCore();
    const QString root = QDir(m_downloads->path()).canonicalPath();
    const QList<std::pair<QString, QString>> cases{
        {QStringLiteral(" .."), QStringLiteral("Videos")}, // nothing left: the uploader's folder as for no title
        {QStringLiteral("%(id)s"), QStringLiteral("%(id)s")},
        {QStringLiteral("a\x1b]52;c;x\x07" "b") + QChar(0x9b) + QStringLiteral("c"), QStringLiteral("a_]52;c;x_b_c")},
    };
    int clip = 0;
    for (const auto &[group, folder] : cases) {
        const qint64 id = addVideo(m_server.clipUrl(clip++), {{QStringLiteral("group"), group}});
        const Job job = waitFor(id, JobStatus::Completed);
        QCOMPARE(job.status, JobStatus::Completed);
        const QString file = QFileInfo(job.result.value(QStringLiteral("file")).toString()).canonicalFilePath();
        QVERIFY2(file.startsWith(root + QLatin1Char('/')), qPrintable(file));
        QCOMPARE(QFileInfo(file).dir().dirName(), folder);
        QCOMPARE(QFileInfo(file).dir().canonicalPath(), root + QLatin1Char('/') + folder);
    }
}

void TestDownloads::dotTitlesInTemplateFoldersStayInside()
{
    // yt-dlp keeps a field's ".." as it is: a video titled ".." under a template with the title as
    // a folder climbs out of the download folder. Each case: the encoded name the clip is served
    // under (its title), the template, the folder the file must be in below the download folder.
    makeCore();
    const QString root = QDir(m_downloads->path()).canonicalPath();
    const QList<std::tuple<QByteArray, QString, QString>> cases{
        {"%2E%2E", QStringLiteral("%(title)s/%(id)s.%(ext)s"), QStringLiteral("Videos/_")},
        {"%2E%2Ehidden", QStringLiteral("%(title).2s/%(id)s.%(ext)s"), QStringLiteral("Videos/_h")},
        {"%2E", QStringLiteral("Series/%(title)s/%(id)s.%(ext)s"), QStringLiteral("Videos/Series/_")},
    };
    for (const auto &[name, outputTemplate, folder] : cases) {
        NewJob video; // the URL as text: QUrl would decode "%2E" to "."
        video.type = JobTypes::VideoDownload;
        video.url = m_server.namedClipUrl(name);
        video.options = {{QStringLiteral("output_template"), outputTemplate}};
        const auto added = m_t->queue().addJob(video);
        QVERIFY(added);
        const qint64 id = added.value().job.id;
        const Job job = waitFor(id, JobStatus::Completed);
        QCOMPARE(job.status, JobStatus::Completed);
        const QString file = QFileInfo(job.result.value(QStringLiteral("file")).toString()).canonicalFilePath();
        QVERIFY2(file.startsWith(root + QLatin1Char('/')), qPrintable(file));
        QCOMPARE(QFileInfo(file).dir().canonicalPath(), root + QLatin1Char('/') + folder);
    }
    QVERIFY(QDir(root).entryList({QStringLiteral("*.mp4")}, QDir::Files).isEmpty());
    QVERIFY(QDir(QFileInfo(root).path()).entryList({QStringLiteral("*.mp4")}, QDir::Files).isEmpty());
}

void TestDownloads::aFolderLinkedOutsideIsRefused()
{
    // A folder inside the download folder that links elsewhere: the job's download_dir names it by
    // a path inside, but the files would land outside. Refused before yt-dlp runs.
    QTemporaryDir elsewhere;
    QVERIFY(QFile::link(elsewhere.path(), m_downloads->path() + QStringLiteral("/linked")));
    makeCore();
    const int requests = m_server.clipRequestCount(0);
    const qint64 id = addVideo(m_server.clipUrl(0), {{QStringLiteral("download_dir"), QStringLiteral("linked")}});
    QVERIFY(id > 0);
    const Job job = waitFor(id, JobStatus::Dead, 20'000);
    QCOMPARE(job.status, JobStatus::Dead);
    QCOMPARE(job.errorClass, QStringLiteral("invalid_path"));
    QVERIFY2(job.errorMessage.contains(QStringLiteral("symlink")), qPrintable(job.errorMessage));
    QCOMPARE(m_server.clipRequestCount(0), requests);
    QVERIFY(QDir(elsewhere.path()).isEmpty());
}

void TestDownloads::aListingsClaimNeverMarksAnotherVideoDownloaded()
{
    // A stranger's listing says an entry is YouTube's dQw4w9WgXcQ while its address is a file of its
    // own: once that file is downloaded, the real video must not count as downloaded.
    makeCore();
    NewJob forged;
    forged.type = JobTypes::VideoDownload;
    forged.url = m_server.clipUrl(1).toString();
    forged.uniqueKey = QStringLiteral("youtube:dQw4w9WgXcQ");
    forged.skipIfArchived = true;
    const auto added = m_t->queue().addJob(forged);
    QVERIFY(added);
    const Job job = waitFor(added.value().job.id, JobStatus::Completed);
    QCOMPARE(job.status, JobStatus::Completed);
    QVERIFY(!m_t->core().store().archive().isArchived(QStringLiteral("youtube:dQw4w9WgXcQ")));
    QVERIFY(m_t->core().store().archive().isArchived(QStringLiteral("url:") + JobTypes::canonicalUrl(forged.url)));
    QVERIFY2(m_t->logText(job.id).contains("only that is remembered"), m_t->logText(job.id).constData());
}

void TestDownloads::missingYtDlpIsDeadWithInstructions()
{
    m_extraEnv.insert(DownloadEnv::YtDlpPath, QStringLiteral("/nonexistent/yt-dlp"));
    makeCore();
    const qint64 id = addVideo(m_server.clipUrl(0));
    const Job job = waitFor(id, JobStatus::Dead, 10'000);
    QCOMPARE(job.status, JobStatus::Dead);
    QCOMPARE(job.attempts, 1);
    QCOMPARE(job.errorClass, QStringLiteral("missing_tool"));
    QVERIFY2(job.errorMessage.contains(QStringLiteral("apt install yt-dlp")), qPrintable(job.errorMessage));
}

void TestDownloads::unknownQualityIsRefused()
{
    makeCore();
    const qint64 id = addVideo(m_server.clipUrl(0), {{QStringLiteral("quality"), QStringLiteral("potato")}});
    const Job job = waitFor(id, JobStatus::Dead, 10'000);
    QCOMPARE(job.errorClass, QStringLiteral("invalid_option"));
}

void TestDownloads::bandwidthCapAndCookiesReachYtDlpButNotTheLogs()
{
    const QString cookies = m_downloads->filePath(QStringLiteral("cookies.txt"));
    QFile f(cookies);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t2147483647\tsid\ts3cr3t-cookie\n");
    f.close();
    m_extraEnv.insert(DownloadEnv::RateLimit, QStringLiteral("500K"));
    m_extraEnv.insert(DownloadEnv::ExtractorArgs, QStringList{QStringLiteral("127.0.0.1 generic:spool_probe=1"),
                                                              QStringLiteral("youtube.com youtube:player_client=web")});
    HostRule rule;
    QVERIFY(HostRule::fromText(QStringLiteral("127.0.0.1 1 0-0 0.25"), &rule, nullptr));
    m_rules << rule; // the site's request sleep
    m_extraEnv.insert(DownloadEnv::CookiesFile, cookies);
    makeCore();
    const qint64 id = addVideo(m_server.clipUrl(0));
    QCOMPARE(waitFor(id, JobStatus::Completed).status, JobStatus::Completed);
    auto read = [&](const QString &name) {
        QFile log(m_t->core().logs().jobDir(id) + QLatin1Char('/') + name);
        return log.open(QIODevice::ReadOnly) ? log.readAll() : QByteArray();
    };
    const QByteArray jobLog = read(QStringLiteral("job.log"));
    QVERIFY(jobLog.contains("--limit-rate 500K"));
    QVERIFY2(jobLog.contains("--sleep-requests 0.25"), jobLog.constData());
    QVERIFY2(jobLog.contains("--extractor-args generic:spool_probe=1"), jobLog.constData()); // this site's line only
    QVERIFY(!jobLog.contains("player_client"));
    // yt-dlp got a private copy (0600, gone after the run): it writes its jar back into the file
    // it is given, and the user's must stay byte for byte as the user left it.
    const QString copy = m_t->core().logs().jobDir(id) + QStringLiteral("/cookies.private.txt");
    QVERIFY2(jobLog.contains("--cookies " + copy.toUtf8()), jobLog.constData());
    QVERIFY(!jobLog.contains("--cookies " + cookies.toUtf8()));
    QVERIFY(!QFile::exists(copy));
    QFile user(cookies);
    QVERIFY(user.open(QIODevice::ReadOnly));
    QCOMPARE(user.readAll(), QByteArray("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t/\tFALSE\t2147483647\tsid\ts3cr3t-cookie\n"));
    const QByteArray out = read(QStringLiteral("stdout.log"));
    QVERIFY(out.contains("reply: 'HTTP/1.1 200")); // traffic is logged...
    QVERIFY(!out.contains("s3cr3t-cookie"));          // ...but never the cookies sent
    QVERIFY(!jobLog.contains("s3cr3t-cookie"));
}

QTEST_GUILESS_MAIN(TestDownloads)
#include "tst_downloads.moc"
