#pragma once

#include <QList>
#include <QString>
#include <QStringList>

class QSettings;

// How gently Spool treats a site: at most so many downloads at once, a randomised pause between
// two downloads, a sleep between yt-dlp's requests. Rate limits are per address, so these hold per
// machine (each host of a shared queue keeps its own); a cool-down after a rate limit or a bot check
// holds for the whole queue.
// Whether `host` is `site` or one of its subdomains ("www.youtube.com" is under "youtube.com").
bool siteCovers(const QString &site, const QString &host);

struct HostRule
{
    QString host;             // "youtube.com" also covers its subdomains; empty: every other host
    int maxDownloads = 0;     // 0: only the global limit
    double pauseMinS = 0;     // pause after a download before the next one from the host starts
    double pauseMaxS = 0;
    double sleepRequestsS = 0; // yt-dlp --sleep-requests

    bool matches(const QString &jobHost) const;
    // "youtube.com 2 10-20 0.75": host, downloads at once, pause range, request sleep.
    QString toText() const;
    static bool fromText(const QString &text, HostRule *rule, QString *error);
    bool operator==(const HostRule &other) const = default;
};

struct ThrottleSettings
{
    bool enabled = true;
    QList<HostRule> rules = defaultRules();
    // A rate limit or a bot check pauses the host for the first step, a repeat within the clean
    // period for the next, up to the last; a clean period after a pause ended starts over.
    QList<qint64> cooldownStepsMs{10 * 60'000, 30 * 60'000, 2 * 3'600'000, 6 * 3'600'000};
    qint64 cleanPeriodMs = 3'600'000;

    // The rule for a job's host: the most specific that matches, else an empty rule.
    HostRule ruleFor(const QString &jobHost) const;
    // The cool-down for the n-th strike in a row (1-based).
    qint64 cooldownStepMs(int strike) const;
    static QList<HostRule> defaultRules();

    void load(QSettings &settings);
    void save(QSettings &settings) const;
};
