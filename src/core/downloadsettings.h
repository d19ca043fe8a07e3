#pragma once

#include <QString>
#include <QStringList>
#include <QVariantMap>

class QSettings;

// What downloads need from the settings: folders, tools, network behaviour, cookies, the daily
// window. Loaded from and saved to QSettings; turned into the environment workers read.
struct DownloadSettings
{
    QString downloadDir;
    QString rateLimit;          // yt-dlp --limit-rate, e.g. "2M"; empty: unlimited
    QString cookiesFile;        // Netscape cookies.txt for members-only or age-gated videos
    QString cookiesFromBrowser; // or a browser to take cookies from (firefox, chromium, ...)
    QString window;             // "HH:MM-HH:MM": downloads start only inside; empty: any time
    bool metadataAfterDownload = false;
    QString ytdlpPath;          // empty: search PATH
    QString ffmpegPath;
    QString ffprobePath;
    int socketTimeoutS = 20;
    int retries = 10;           // yt-dlp's own retries inside one attempt
    QStringList extractorArgs;  // "[site] extractor:args" lines for yt-dlp's --extractor-args
    QString poTokenProvider;    // URL of a PO token provider for YouTube (bgutil's HTTP server)

    void load(QSettings &settings);
    void save(QSettings &settings) const;
    QVariantMap environment() const;
};
