// Makes docs/screenshot.png: the main window over a realistic queue, downloading for real from the
// local test server (a channel synced, a download running, a failure, a retry, a paused job).
//   spool-screenshot OUTPUT.png
#include "mediaserver.h"

#include "core/spoolcore.h"
#include "jobtablemodel.h"
#include "store/cooldownstore.h"
#include "mainwindow.h"
#include "translations.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

namespace {
qint64 add(SpoolCore &core, const QString &type, const QUrl &url, const QJsonObject &options = {}, qint64 runAt = 0)
{
    NewJob job;
    job.type = type;
    job.url = url.toString(QUrl::FullyEncoded);
    job.options = options;
    job.runAt = runAt;
    auto added = core.queue().addJob(job);
    return added ? added.value().job.id : 0;
}

bool waitUntil(const std::function<bool()> &done, int ms)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < ms)
        QTest::qWait(50);
    return done();
}
} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    installTranslations(app, QStringLiteral("en")); // as the app does: English plural forms
    const QString out = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QStringLiteral("screenshot.png");
    MediaServer server;
    if (!server.start(6))
        return 1;
    const int big = server.addBigClip();
    server.setClipFault(4, MediaServer::Fault::NotFound);
    QTemporaryDir data, downloads;
    SpoolCore::Options options;
    options.dataDir = data.path();
    options.settings.maxConcurrent = 2;
    options.environment = {{DownloadEnv::DownloadDir, downloads.path()}};
    SpoolCore core(options);
    if (!core.open())
        return 1;
    core.start();
    const qint64 channel = add(core, JobTypes::ChannelDownload, server.channelUrl(QStringLiteral("Deep Sea Explorers")));
    waitUntil([&] { return core.queue().childSummary(channel).completed >= 6; }, 60'000);
    server.setThrottle(250 * 1024);
    add(core, JobTypes::VideoDownload, server.clipUrl(4));
    const qint64 running = add(core, JobTypes::VideoDownload, server.clipUrl(big), {{QStringLiteral("quality"), QStringLiteral("720p")}});
    const qint64 paused = add(core, JobTypes::PlaylistDownload, server.playlistUrl());
    core.queue().pause(paused);
    add(core, JobTypes::ChannelDownload, QUrl(QStringLiteral("https://www.youtube.com/@ScienceWeekly/videos")), {},
        QDateTime::currentMSecsSinceEpoch() + 6 * 3600 * 1000);
    const qint64 cancelled = add(core, JobTypes::VideoDownload, QUrl(QStringLiteral("https://www.youtube.com/watch?v=dQw4w9WgXcQ")));
    core.queue().cancel(cancelled, QStringLiteral("cancelled by the user"));
    // YouTube rate-limited this address a while ago: its downloads wait for the pause to end.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    core.store().cooldowns().strike(QStringLiteral("www.youtube.com"), now - 4 * 60'000, QStringLiteral("rate_limited"),
                                    QStringLiteral("HTTP Error 429: Too Many Requests"), 0, core.settings().throttle);
    MainWindow window(core);
    window.resize(1280, 800);
    window.show();
    waitUntil([&] {
        const auto job = core.queue().job(running);
        return job && job->progress.percent > 35;
    }, 60'000);
    window.model()->flushChanges();
    window.selectJob(channel);
    QTest::qWait(400);
    const bool saved = window.grab().save(out);
    core.shutdown();
    return saved ? 0 : 1;
}
