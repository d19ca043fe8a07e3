#include "core/throttle.h"
#include "workers/downloadenv.h"
#include "workers/toolchain.h"
#include "workers/ytdlp.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QTemporaryDir>
#include <QRegularExpression>
#include <QTest>

// What yt-dlp's output means: progress lines, error classes (from real yt-dlp 2023.03.04 output
// seen against the test server), Retry-After, format selection, dedup keys.
class TestYtDlp final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void progressLine();
    void progressWithUnknowns();
    void progressTitleWithSeparator();
    void notProgress();
    void throttleRulesReadAndWrite();
    void throttleRuleForAHost();
    void listingEntriesOfAPlaylistOrASingleVideo();
    void javaScriptRuntimeIsFoundAndNamedToYtDlp();
    void ytdlpVersionAge();
    void extractorArgumentsPerSite();
    void classify_data();
    void classify();
    void messagesReadLikeSentences();
    void retryAfterFromTraffic();
    void retryAfterHttpDate();
    void sensitiveTrafficIsHidden();
    void quality_data();
    void quality();
    void entryKeys();
    void privateHosts_data();
    void privateHosts();
};

void TestYtDlp::progressLine()
{
    const auto p = YtDlp::parseProgress("[spool] 15360|38481|NA|10833110.7|3|downloading|clip-0|clip-0");
    QVERIFY(p);
    QCOMPARE(p->progress.downloadedBytes, 15360);
    QCOMPARE(p->progress.totalBytes, 38481);
    QVERIFY(qAbs(p->progress.percent - 39.915) < 0.01);
    QCOMPARE(p->progress.speedBps, 10833110.7);
    QCOMPARE(p->progress.etaSeconds, 3);
    QCOMPARE(p->status, QStringLiteral("downloading"));
    QCOMPARE(p->id, QStringLiteral("clip-0"));
    QCOMPARE(p->title, QStringLiteral("clip-0"));
}

void TestYtDlp::progressWithUnknowns()
{
    const auto p = YtDlp::parseProgress("[spool] 1024|NA|4096.0|NA|NA|downloading|x|NA");
    QVERIFY(p);
    QCOMPARE(p->progress.totalBytes, 4096); // the estimate stands in
    QCOMPARE(p->progress.percent, 25.0);
    QCOMPARE(p->progress.speedBps, -1.0);
    QCOMPARE(p->progress.etaSeconds, -1);
    QVERIFY(p->title.isEmpty());
    const auto none = YtDlp::parseProgress("[spool] 1024|NA|NA|NA|NA|downloading|x|t");
    QVERIFY(none);
    QCOMPARE(none->progress.percent, -1.0);
}

void TestYtDlp::progressTitleWithSeparator()
{
    const auto p = YtDlp::parseProgress("[spool] 1|2|NA|NA|NA|downloading|id|A | B | C");
    QVERIFY(p);
    QCOMPARE(p->title, QStringLiteral("A | B | C"));
}

void TestYtDlp::notProgress()
{
    QVERIFY(!YtDlp::parseProgress("[download]  10.0% of 1.00MiB"));
    QVERIFY(!YtDlp::parseProgress("[spool] 1|2|3"));
    QVERIFY(!YtDlp::parseProgress(""));
}

void TestYtDlp::throttleRulesReadAndWrite()
{
    HostRule rule;
    QString error;
    QVERIFY(HostRule::fromText(QStringLiteral("  YouTube.com 2 10-20 0.75 "), &rule, &error));
    QCOMPARE(rule.host, QStringLiteral("youtube.com"));
    QCOMPARE(rule.maxDownloads, 2);
    QCOMPARE(rule.pauseMinS, 10.0);
    QCOMPARE(rule.pauseMaxS, 20.0);
    QCOMPARE(rule.sleepRequestsS, 0.75);
    QCOMPARE(rule.toText(), QStringLiteral("youtube.com 2 10-20 0.75"));
    for (const QString &bad : {QStringLiteral("youtube.com"), QStringLiteral("youtube.com 2 20-10 1"),
                              QStringLiteral("youtube.com 2 10-99999 1"), QStringLiteral(".com 2 1-2 1"),
                              QStringLiteral("you tube.com 2 1-2 1"), QStringLiteral("youtube.com -1 1-2 1")}) {
        HostRule untouched = rule;
        error.clear();
        QVERIFY2(!HostRule::fromText(bad, &untouched, &error), qPrintable(bad));
        QVERIFY(!error.isEmpty());
        QCOMPARE(untouched.toText(), rule.toText()); // a refused rule changes nothing
    }
    // The settings file: rules, steps and the clean period round-trip; a bad line is skipped alone.
    QTemporaryDir dir;
    const QString ini = dir.filePath(QStringLiteral("settings.ini"));
    {
        QSettings s(ini, QSettings::IniFormat);
        ThrottleSettings t;
        t.rules = {rule, HostRule{QStringLiteral("vimeo.com"), 1, 5, 8, 0}};
        t.cooldownStepsMs = {60'000, 120'000};
        t.cleanPeriodMs = 1'800'000;
        t.save(s);
        s.setValue(QStringLiteral("throttle/hosts"), s.value(QStringLiteral("throttle/hosts")).toStringList() << QStringLiteral("nonsense"));
    }
    QSettings s(ini, QSettings::IniFormat);
    ThrottleSettings loaded;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("nonsense")));
    loaded.load(s);
    QCOMPARE(loaded.rules.size(), 2);
    QCOMPARE(loaded.rules.at(1).toText(), QStringLiteral("vimeo.com 1 5-8 0"));
    QCOMPARE(loaded.cooldownStepsMs, (QList<qint64>{60'000, 120'000}));
    QCOMPARE(loaded.cleanPeriodMs, 1'800'000);
    QVERIFY(loaded.enabled);
}

void TestYtDlp::throttleRuleForAHost()
{
    ThrottleSettings t; // the defaults: YouTube, 2 at once, 10-20 s, 0.75 s
    QCOMPARE(t.ruleFor(QStringLiteral("www.youtube.com")).host, QStringLiteral("youtube.com"));
    QCOMPARE(t.ruleFor(QStringLiteral("m.youtube.com")).maxDownloads, 2);
    QCOMPARE(t.ruleFor(QStringLiteral("youtu.be")).sleepRequestsS, 0.75);
    QVERIFY(t.ruleFor(QStringLiteral("notyoutube.com")).host.isEmpty());
    QVERIFY(t.ruleFor(QStringLiteral("youtube.com.evil.example")).host.isEmpty());
    t.rules << HostRule{QStringLiteral("music.youtube.com"), 1, 0, 0, 0};
    QCOMPARE(t.ruleFor(QStringLiteral("music.youtube.com")).maxDownloads, 1); // the most specific
    QCOMPARE(t.cooldownStepMs(1), 600'000);
    QCOMPARE(t.cooldownStepMs(4), 6 * 3'600'000);
    QCOMPARE(t.cooldownStepMs(9), 6 * 3'600'000); // capped
    t.enabled = false;
    QVERIFY(t.ruleFor(QStringLiteral("www.youtube.com")).host.isEmpty());
}

void TestYtDlp::listingEntriesOfAPlaylistOrASingleVideo()
{
    const QJsonObject playlist{{QStringLiteral("_type"), QStringLiteral("playlist")},
                               {QStringLiteral("entries"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("a")}},
                                                                      QJsonObject{{QStringLiteral("id"), QStringLiteral("b")}}}}};
    QCOMPARE(YtDlp::listingEntries(playlist).size(), 2);
    const QJsonObject empty{{QStringLiteral("_type"), QStringLiteral("playlist")}, {QStringLiteral("entries"), QJsonArray{}}};
    QCOMPARE(YtDlp::listingEntries(empty).size(), 0);
    // What yt-dlp 2023.03.04 prints for the test server's page with one <video>.
    const QJsonObject video{{QStringLiteral("_type"), QStringLiteral("video")},
                            {QStringLiteral("id"), QStringLiteral("large-1-1")},
                            {QStringLiteral("title"), QStringLiteral("large-1 (1)")},
                            {QStringLiteral("extractor_key"), QStringLiteral("HTML5MediaEmbed")},
                            {QStringLiteral("webpage_url"), QStringLiteral("http://127.0.0.1:1/large-1")},
                            {QStringLiteral("url"), QStringLiteral("http://127.0.0.1:1/v/0.mp4")}};
    const QJsonArray one = YtDlp::listingEntries(video);
    QCOMPARE(one.size(), 1);
    const QJsonObject entry = one.first().toObject();
    QCOMPARE(YtDlp::entryUrl(entry), QStringLiteral("http://127.0.0.1:1/large-1")); // the page, not the format
    QCOMPARE(entry.value(QStringLiteral("title")).toString(), QStringLiteral("large-1 (1)"));
    QVERIFY(!YtDlp::entryKey(entry).isEmpty());
    // Not a video, or no page to fetch it from: nothing.
    QCOMPARE(YtDlp::listingEntries(QJsonObject{{QStringLiteral("_type"), QStringLiteral("url")}}).size(), 0);
    QJsonObject noPage = video;
    noPage.remove(QStringLiteral("webpage_url"));
    QCOMPARE(YtDlp::listingEntries(noPage).size(), 0);
}

namespace {
// A program on a test PATH that prints `output` and exits with `code`, as the real one would.
void fakeProgram(const QTemporaryDir &dir, const QString &name, const QString &output, int code = 0)
{
    QFile f(dir.filePath(name));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QStringLiteral("#!/bin/sh\nprintf '%s\\n' '%1'\nexit %2\n").arg(output).arg(code).toUtf8());
    f.close();
    QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
}
} // namespace

void TestYtDlp::javaScriptRuntimeIsFoundAndNamedToYtDlp()
{
    QTemporaryDir dir;
    const QStringList path{dir.path()};
    // Nothing there: what to install, and why.
    Toolchain::Tool none = Toolchain::findJsRuntime(path);
    QVERIFY(!none.ok());
    QVERIFY2(none.error.contains(QStringLiteral("Install Deno 2 or newer")), qPrintable(none.error));
    // Debian 12's Node 18 and an old Deno do not fit; they are named as too old.
    fakeProgram(dir, QStringLiteral("node"), QStringLiteral("v18.19.0"));
    fakeProgram(dir, QStringLiteral("deno"), QStringLiteral("deno 1.46.3 (stable, release, x86_64-unknown-linux-gnu)"));
    none = Toolchain::findJsRuntime(path);
    QVERIFY(!none.ok());
    QVERIFY2(none.error.contains(QStringLiteral("too old: deno 1.46.3, node 18.19.0")), qPrintable(none.error));
    // QuickJS prints its version in its help, and exits with 1.
    fakeProgram(dir, QStringLiteral("qjs"), QStringLiteral("QuickJS version 2024-01-13"), 1);
    Toolchain::Tool runtime = Toolchain::findJsRuntime(path);
    QVERIFY2(runtime.ok(), qPrintable(runtime.error));
    QCOMPARE(runtime.name, QStringLiteral("quickjs"));
    QCOMPARE(runtime.version, QStringLiteral("2024-01-13"));
    QCOMPARE(Toolchain::jsRuntimeArguments(QStringLiteral("2025.11.12"), runtime),
             (QStringList{QStringLiteral("--js-runtimes"), QStringLiteral("quickjs:") + dir.filePath(QStringLiteral("qjs"))}));
    // Node 22 comes before QuickJS, and is named to yt-dlp with its path.
    fakeProgram(dir, QStringLiteral("node"), QStringLiteral("v22.11.0"));
    runtime = Toolchain::findJsRuntime(path);
    QCOMPARE(runtime.name, QStringLiteral("node"));
    QCOMPARE(runtime.version, QStringLiteral("22.11.0"));
    QCOMPARE(Toolchain::jsRuntimeArguments(QStringLiteral("2026.03.01.120000"), runtime),
             (QStringList{QStringLiteral("--js-runtimes"), QStringLiteral("node:") + dir.filePath(QStringLiteral("node"))}));
    // A yt-dlp from before 2025.11.12 does not know the option: it gets nothing.
    QVERIFY(Toolchain::jsRuntimeArguments(QStringLiteral("2025.10.22"), runtime).isEmpty());
    QVERIFY(Toolchain::jsRuntimeArguments(QStringLiteral("2023.03.04"), runtime).isEmpty());
    // Deno 2 is first and yt-dlp's default: found, and nothing to pass.
    fakeProgram(dir, QStringLiteral("deno"), QStringLiteral("deno 2.1.4 (stable, release, x86_64-unknown-linux-gnu)"));
    runtime = Toolchain::findJsRuntime(path);
    QCOMPARE(runtime.name, QStringLiteral("deno"));
    QCOMPARE(runtime.version, QStringLiteral("2.1.4"));
    QVERIFY(Toolchain::jsRuntimeArguments(QStringLiteral("2025.11.12"), runtime).isEmpty());
}

void TestYtDlp::ytdlpVersionAge()
{
    QCOMPARE(Toolchain::ytdlpReleaseDate(QStringLiteral("2023.03.04")), QDate(2023, 3, 4));
    QCOMPARE(Toolchain::ytdlpReleaseDate(QStringLiteral("2025.11.12.232456")), QDate(2025, 11, 12)); // nightly
    QVERIFY(!Toolchain::ytdlpReleaseDate(QStringLiteral("unknown")).isValid());
    QVERIFY(Toolchain::ytdlpKnowsJsRuntimes(QStringLiteral("2025.11.12")));
    QVERIFY(!Toolchain::ytdlpKnowsJsRuntimes(QStringLiteral("2025.11.11")));
    const QString old = Toolchain::ytdlpAgeWarning(QStringLiteral("2023.03.04"), QDate(2026, 12, 6));
    QVERIFY2(old.contains(QStringLiteral("yt-dlp 2023.03.04 is 1373 days old")), qPrintable(old));
    QVERIFY(Toolchain::ytdlpAgeWarning(QStringLiteral("2026.11.20"), QDate(2026, 12, 6)).isEmpty());
    QVERIFY(Toolchain::ytdlpAgeWarning(QStringLiteral("nonsense"), QDate(2026, 12, 6)).isEmpty());
    // The tool check of the installed yt-dlp says how old it is, when it is.
    const Toolchain::Tool installed = Toolchain::find(QStringLiteral("yt-dlp"));
    QVERIFY2(installed.ok(), qPrintable(installed.error));
    QCOMPARE(installed.warning, Toolchain::ytdlpAgeWarning(Toolchain::shortVersion(installed.version), QDate::currentDate()));
}

void TestYtDlp::extractorArgumentsPerSite()
{
    const QStringList lines{QStringLiteral("youtube.com youtube:player_client=default,-tv"), QStringLiteral("generic:impersonate"),
                            QStringLiteral("vimeo.com vimeo:original_format_policy=never"), QStringLiteral("not valid at all")};
    const QString provider = QStringLiteral("http://127.0.0.1:4416");
    QCOMPARE(DownloadEnv::extractorArguments(QStringLiteral("www.youtube.com"), lines, provider),
             (QStringList{QStringLiteral("--extractor-args"), QStringLiteral("youtube:player_client=default,-tv"),
                          QStringLiteral("--extractor-args"), QStringLiteral("generic:impersonate"),
                          QStringLiteral("--extractor-args"), QStringLiteral("youtubepot-bgutilhttp:base_url=http://127.0.0.1:4416")}));
    // Another site: its own line and the ones without a site; the PO token is YouTube's alone.
    QCOMPARE(DownloadEnv::extractorArguments(QStringLiteral("player.vimeo.com"), lines, provider),
             (QStringList{QStringLiteral("--extractor-args"), QStringLiteral("generic:impersonate"),
                          QStringLiteral("--extractor-args"), QStringLiteral("vimeo:original_format_policy=never")}));
    QCOMPARE(DownloadEnv::extractorArguments(QStringLiteral("notyoutube.com"), {lines.first()}, provider), QStringList());
    // A provider that is not an http(s) address is not passed.
    QCOMPARE(DownloadEnv::extractorArguments(QStringLiteral("youtu.be"), {}, QStringLiteral("file:///etc/passwd")), QStringList());
    QString site;
    QString args;
    QString why;
    QVERIFY(!DownloadEnv::parseExtractorArgs(QStringLiteral("youtube.com"), &site, &args, &why));
    QVERIFY2(why.contains(QStringLiteral("is not an extractor argument")), qPrintable(why));
    QVERIFY(!DownloadEnv::parseExtractorArgs(QStringLiteral("youtube.com youtube:a=1 extra"), &site, &args, &why));
    QVERIFY(DownloadEnv::parseExtractorArgs(QStringLiteral(" YouTube.com  youtube:lang=en "), &site, &args, &why));
    QCOMPARE(site, QStringLiteral("youtube.com"));
    QCOMPARE(args, QStringLiteral("youtube:lang=en"));
}

void TestYtDlp::classify_data()
{
    QTest::addColumn<QByteArray>("stderrText");
    QTest::addColumn<QString>("errorClass");
    QTest::addColumn<bool>("retryable");
    QTest::addColumn<bool>("coolDown");
    const QByteArray plea = "; please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling out the appropriate issue template.";
    QTest::newRow("404 direct") << ("ERROR: [generic] None: Unable to download webpage: HTTP Error 404: Not Found (caused by <HTTPError 404: 'Not Found'>)" + plea) << "not_found" << false << false;
    QTest::newRow("404 entry") << QByteArray("ERROR: unable to download video data: HTTP Error 404: Not Found") << "not_found" << false << false;
    QTest::newRow("429 direct") << ("ERROR: [generic] None: Unable to download webpage: HTTP Error 429: Too Many Requests (caused by <HTTPError 429: 'Too Many Requests'>)" + plea) << "rate_limited" << true << true;
    QTest::newRow("429 entry") << QByteArray("ERROR: unable to download video data: HTTP Error 429: Too Many Requests") << "rate_limited" << true << true;
    QTest::newRow("500") << QByteArray("ERROR: \r[download] Got error: HTTP Error 500: Internal Server Error. Giving up after 2 retries") << "server_error" << true << false;
    QTest::newRow("timeout") << QByteArray("ERROR: \r[download] Got error: timed out. Giving up after 2 retries") << "timeout" << true << false;
    QTest::newRow("reset") << QByteArray("ERROR: Unable to download webpage: <urlopen error [Errno 104] Connection reset by peer>") << "network" << true << false;
    QTest::newRow("unsupported") << QByteArray("ERROR: Unsupported URL: https://example.org/") << "unsupported" << false << false;
    QTest::newRow("private") << QByteArray("ERROR: [youtube] abc: Private video. Sign in if you've been granted access to this video") << "unavailable" << false << false;
    QTest::newRow("removed") << QByteArray("ERROR: [youtube] abc: Video unavailable. This video has been removed by the uploader") << "unavailable" << false << false;
    QTest::newRow("age") << QByteArray("ERROR: [youtube] abc: Sign in to confirm your age. This video may be inappropriate for some users.") << "auth_required" << false << false;
    QTest::newRow("members") << QByteArray("ERROR: [youtube] abc: Join this channel to get access to members-only content like this video") << "auth_required" << false << false;
    QTest::newRow("bot check") << QByteArray("ERROR: [youtube] abc: Sign in to confirm you’re not a bot. This helps protect our community.") << "bot_check" << true << true;
    QTest::newRow("try again later") << QByteArray("ERROR: [youtube] abc: This content isn't available, try again later.") << "rate_limited" << true << true;
    QTest::newRow("session rate limited") << QByteArray("ERROR: [youtube] abc: The current session has been rate-limited by YouTube for up to an hour. It is recommended to use `-t sleep` to add a delay between video requests") << "rate_limited" << true << true;
    QTest::newRow("disk full") << QByteArray("ERROR: unable to write data: [Errno 28] No space left on device") << "disk_full" << true << false;
    QTest::newRow("unknown") << QByteArray("ERROR: something nobody has seen before") << "unknown" << true << false;
}

void TestYtDlp::classify()
{
    QFETCH(QByteArray, stderrText);
    QFETCH(QString, errorClass);
    QFETCH(bool, retryable);
    QFETCH(bool, coolDown);
    const YtDlp::Failure f = YtDlp::classify(1, "WARNING: [generic] Falling back on generic information extractor\n" + stderrText + '\n', {});
    QCOMPARE(f.errorClass, errorClass);
    QCOMPARE(f.retryable, retryable);
    QCOMPARE(f.coolDownHost, coolDown);
    QVERIFY2(!f.message.startsWith(QStringLiteral("ERROR")), qPrintable(f.message));
    QVERIFY2(!f.message.startsWith(QLatin1Char('[')), qPrintable(f.message));
    QVERIFY(!f.message.contains(QStringLiteral("please report")));
    QVERIFY(!f.message.isEmpty());
}

void TestYtDlp::messagesReadLikeSentences()
{
    auto message = [](const QByteArray &err) { return YtDlp::classify(1, err, {}).message; };
    QCOMPARE(message("ERROR: [generic] None: Unable to download webpage: HTTP Error 404: Not Found (caused by <HTTPError 404: 'Not Found'>); please report this issue on  https://github.com/yt-dlp/yt-dlp/issues?q= , filling"),
             QStringLiteral("Unable to download webpage: HTTP Error 404: Not Found (caused by <HTTPError 404: 'Not Found'>)"));
    QCOMPARE(message("ERROR: [youtube] abc123: Private video. Sign in if you've been granted access"),
             QStringLiteral("Private video. Sign in if you've been granted access"));
    QCOMPARE(message("ERROR: \r[download] Got error: HTTP Error 500: Internal Server Error. Giving up after 2 retries"),
             QStringLiteral("HTTP Error 500: Internal Server Error. Giving up after 2 retries"));
    QCOMPARE(message("ERROR: unable to download video data: HTTP Error 404: Not Found"),
             QStringLiteral("Unable to download video data: HTTP Error 404: Not Found"));
}

void TestYtDlp::retryAfterFromTraffic()
{
    const QByteArray tail = "reply: 'HTTP/1.1 429 Too Many Requests\\r\\n'\nheader: Retry-After: 7\nheader: Content-Length: 0\n";
    const YtDlp::Failure f = YtDlp::classify(1, "ERROR: unable to download video data: HTTP Error 429: Too Many Requests\n", tail);
    QCOMPARE(f.retryAfterS, 7);
    const YtDlp::Failure none = YtDlp::classify(1, "ERROR: unable to download video data: HTTP Error 429: Too Many Requests\n", {});
    QCOMPARE(none.retryAfterS, -1);
}

void TestYtDlp::retryAfterHttpDate()
{
    const qint64 now = QDateTime(QDate(2015, 10, 21), QTime(7, 28, 0), Qt::UTC).toMSecsSinceEpoch();
    QCOMPARE(YtDlp::parseRetryAfter("header: Retry-After: Wed, 21 Oct 2015 07:30:00 GMT", now), 120);
    QCOMPARE(YtDlp::parseRetryAfter("header: Retry-After: 0", now), 0);
    QCOMPARE(YtDlp::parseRetryAfter("header: Retry-After: soon", now), -1);
}

void TestYtDlp::sensitiveTrafficIsHidden()
{
    QVERIFY(YtDlp::isSensitiveTrafficLine("send: b'GET / HTTP/1.1\\r\\nCookie: SID=secret\\r\\n'"));
    QVERIFY(YtDlp::isSensitiveTrafficLine("header: Set-Cookie: SID=secret"));
    QVERIFY(!YtDlp::isSensitiveTrafficLine("header: Retry-After: 7"));
    QVERIFY(!YtDlp::isSensitiveTrafficLine("[download] Destination: x.mp4"));
}

void TestYtDlp::quality_data()
{
    QTest::addColumn<QString>("quality");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("format");
    QTest::newRow("default") << QString() << true << QString();
    QTest::newRow("best") << "best" << true << QString();
    QTest::newRow("720p") << "720p" << true << "bestvideo*[height<=720]+bestaudio/best[height<=720]/best";
    QTest::newRow("2160p") << "2160p" << true << "bestvideo*[height<=2160]+bestaudio/best[height<=2160]/best";
    QTest::newRow("audio") << "audio" << true << "bestaudio/best";
    QTest::newRow("junk") << "potato" << false << QString();
    QTest::newRow("injection") << "720p]+x" << false << QString();
}

void TestYtDlp::quality()
{
    QFETCH(QString, quality);
    QFETCH(bool, valid);
    QFETCH(QString, format);
    const auto f = YtDlp::formatForQuality(quality);
    QCOMPARE(f.has_value(), valid);
    if (valid)
        QCOMPARE(*f, format);
}

void TestYtDlp::entryKeys()
{
    QCOMPARE(YtDlp::entryKey({{"id", "channel-1"}, {"extractor_key", "HTML5MediaEmbed"}}), QStringLiteral("html5mediaembed:channel-1"));
    QCOMPARE(YtDlp::entryKey({{"id", "dQw4w9WgXcQ"}, {"ie_key", "Youtube"}}), QStringLiteral("youtube:dQw4w9WgXcQ"));
    QCOMPARE(YtDlp::entryKey({{"id", "x"}}), QStringLiteral("unknown:x"));
    QVERIFY(YtDlp::entryKey({{"ie_key", "Youtube"}}).isEmpty());
    // Generic extractors number media per page: the file's address identifies it instead.
    const QString onChannel = YtDlp::entryKey({{"id", "channel-1"}, {"ie_key", "HTML5MediaEmbed"},
                                               {"url", "http://127.0.0.1:8000/media/clip-0.mp4"}});
    const QString onPlaylist = YtDlp::entryKey({{"id", "playlist-3"}, {"ie_key", "HTML5MediaEmbed"},
                                                {"url", "http://127.0.0.1:8000/media/clip-0.mp4"}});
    QCOMPARE(onChannel, onPlaylist);
    QVERIFY(onChannel.startsWith(QStringLiteral("url:")));
    QCOMPARE(YtDlp::mediaKey(QStringLiteral("Generic"), QStringLiteral("clip-0"), QStringLiteral("http://127.0.0.1:8000/media/clip-0.mp4")),
             onChannel); // the same file added on its own
    QCOMPARE(YtDlp::mediaKey(QStringLiteral("Youtube"), QStringLiteral("abc"), QStringLiteral("https://www.youtube.com/watch?v=abc")),
             QStringLiteral("youtube:abc"));
    // A listing's claim is taken where the address is on a site of that name, and only there.
    QCOMPARE(YtDlp::entryKey({{"id", "dQw4w9WgXcQ"}, {"ie_key", "Youtube"}, {"url", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}}),
             QStringLiteral("youtube:dQw4w9WgXcQ"));
    QCOMPARE(YtDlp::entryKey({{"id", "UCx"}, {"ie_key", "YoutubeTab"}, {"url", "https://m.youtube.com/channel/UCx"}}),
             QStringLiteral("youtubetab:UCx"));
    QCOMPARE(YtDlp::entryKey({{"id", "dQw4w9WgXcQ"}, {"ie_key", "Youtube"}, {"url", "http://evil.example/x.mp4"}}),
             QStringLiteral("url:http://evil.example/x.mp4"));
    QCOMPARE(YtDlp::entryKey({{"id", "dQw4w9WgXcQ"}, {"ie_key", "Youtube"}, {"url", "http://youtube.evil.example/x"}}),
             QStringLiteral("youtube:dQw4w9WgXcQ")); // a label of the host is the name: a known limit, see README
    QCOMPARE(YtDlp::entryKey({{"id", "1"}, {"ie_key", "Comedycentral"}, {"url", "http://www.evil.com/x"}}),
             QStringLiteral("url:http://www.evil.com/x"));
}

void TestYtDlp::privateHosts_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("isPrivate");
    for (const char *h : {"127.0.0.1", "127.1.2.3", "localhost", "LOCALHOST.", "printer.localhost", "::1", "[::1]",
                          "10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                          "0.0.0.0", "::ffff:192.168.0.1", "fe80::1", "fd00::1", "fc12::3"})
        QTest::newRow(h) << QString::fromLatin1(h) << true;
    for (const char *h : {"www.youtube.com", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2001:4860::8888", "localhost.example",
                          "10.example"})
        QTest::newRow(h) << QString::fromLatin1(h) << false;
}

void TestYtDlp::privateHosts()
{
    QFETCH(QString, host);
    QFETCH(bool, isPrivate);
    QCOMPARE(YtDlp::isPrivateHost(host), isPrivate);
}

QTEST_GUILESS_MAIN(TestYtDlp)
#include "tst_ytdlp.moc"
