#include "core/downloadsettings.h"

#include "workers/downloadenv.h"

#include <QSettings>

void DownloadSettings::load(QSettings &s)
{
    s.beginGroup(QStringLiteral("downloads"));
    downloadDir = s.value(QStringLiteral("download_dir"), downloadDir).toString();
    rateLimit = s.value(QStringLiteral("rate_limit"), rateLimit).toString();
    cookiesFile = s.value(QStringLiteral("cookies_file"), cookiesFile).toString();
    cookiesFromBrowser = s.value(QStringLiteral("cookies_from_browser"), cookiesFromBrowser).toString();
    window = s.value(QStringLiteral("window"), window).toString();
    metadataAfterDownload = s.value(QStringLiteral("metadata_after_download"), metadataAfterDownload).toBool();
    socketTimeoutS = s.value(QStringLiteral("socket_timeout_s"), socketTimeoutS).toInt();
    retries = s.value(QStringLiteral("ytdlp_retries"), retries).toInt();
    extractorArgs = s.value(QStringLiteral("extractor_args"), extractorArgs).toStringList();
    poTokenProvider = s.value(QStringLiteral("po_token_provider"), poTokenProvider).toString();
    s.endGroup();
    s.beginGroup(QStringLiteral("tools"));
    ytdlpPath = s.value(QStringLiteral("ytdlp_path"), ytdlpPath).toString();
    ffmpegPath = s.value(QStringLiteral("ffmpeg_path"), ffmpegPath).toString();
    ffprobePath = s.value(QStringLiteral("ffprobe_path"), ffprobePath).toString();
    s.endGroup();
}

void DownloadSettings::save(QSettings &s) const
{
    s.beginGroup(QStringLiteral("downloads"));
    s.setValue(QStringLiteral("download_dir"), downloadDir);
    s.setValue(QStringLiteral("rate_limit"), rateLimit);
    s.setValue(QStringLiteral("cookies_file"), cookiesFile);
    s.setValue(QStringLiteral("cookies_from_browser"), cookiesFromBrowser);
    s.setValue(QStringLiteral("window"), window);
    s.setValue(QStringLiteral("metadata_after_download"), metadataAfterDownload);
    s.setValue(QStringLiteral("socket_timeout_s"), socketTimeoutS);
    s.setValue(QStringLiteral("ytdlp_retries"), retries);
    s.setValue(QStringLiteral("extractor_args"), extractorArgs);
    s.setValue(QStringLiteral("po_token_provider"), poTokenProvider);
    s.endGroup();
    s.beginGroup(QStringLiteral("tools"));
    s.setValue(QStringLiteral("ytdlp_path"), ytdlpPath);
    s.setValue(QStringLiteral("ffmpeg_path"), ffmpegPath);
    s.setValue(QStringLiteral("ffprobe_path"), ffprobePath);
    s.endGroup();
}

QVariantMap DownloadSettings::environment() const
{
    return {{DownloadEnv::DownloadDir, downloadDir},
            {DownloadEnv::RateLimit, rateLimit},
            {DownloadEnv::CookiesFile, cookiesFile},
            {DownloadEnv::CookiesFromBrowser, cookiesFromBrowser},
            {DownloadEnv::MetadataAfterDownload, metadataAfterDownload},
            {DownloadEnv::YtDlpPath, ytdlpPath},
            {DownloadEnv::FfmpegPath, ffmpegPath},
            {DownloadEnv::FfprobePath, ffprobePath},
            {DownloadEnv::SocketTimeoutS, socketTimeoutS},
            {DownloadEnv::Retries, retries},
            {DownloadEnv::ExtractorArgs, extractorArgs},
            {DownloadEnv::PoTokenProvider, poTokenProvider}};
}
