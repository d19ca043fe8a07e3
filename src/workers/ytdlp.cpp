#include "workers/ytdlp.h"

#include "queue/jobtypes.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonDocument>
#include <QUrl>
#include <QLocale>
#include <QRegularExpression>

namespace YtDlp {
QString progressTemplate()
{
    // Raw numbers, '|'-separated; the title goes last because it may contain '|'.
    return QStringLiteral("download:") + QLatin1String(kProgressTag)
           + QStringLiteral("%(progress.downloaded_bytes)s|%(progress.total_bytes)s|"
                            "%(progress.total_bytes_estimate)s|%(progress.speed)s|%(progress.eta)s|"
                            "%(progress.status)s|%(info.id)s|%(info.title)s");
}

QStringList baseArguments(int socketTimeoutS, int retries)
{
    return {QStringLiteral("--ignore-config"),
            QStringLiteral("--newline"),
            QStringLiteral("--progress-template"),
            progressTemplate(),
            QStringLiteral("--print-traffic"),
            QStringLiteral("--socket-timeout"),
            QString::number(socketTimeoutS),
            QStringLiteral("--retries"),
            QString::number(retries),
            QStringLiteral("--no-playlist")};
}

namespace {
double number(const QByteArray &field, double fallback)
{
    bool ok = false;
    const double v = field.toDouble(&ok);
    return ok ? v : fallback;
}
} // namespace

std::optional<ProgressLine> parseProgress(const QByteArray &line)
{
    if (!line.startsWith(kProgressTag))
        return std::nullopt;
    const QList<QByteArray> f = line.mid(static_cast<qsizetype>(qstrlen(kProgressTag))).trimmed().split('|');
    if (f.size() < 8)
        return std::nullopt;
    ProgressLine p;
    p.progress.downloadedBytes = static_cast<qint64>(number(f[0], 0));
    double total = number(f[1], -1);
    if (total < 0)
        total = number(f[2], -1); // an estimate is better than nothing
    p.progress.totalBytes = static_cast<qint64>(total);
    p.progress.speedBps = number(f[3], -1);
    p.progress.etaSeconds = static_cast<qint64>(number(f[4], -1));
    p.status = QString::fromUtf8(f[5]);
    p.id = QString::fromUtf8(f[6]);
    p.title = QString::fromUtf8(f.mid(7).join('|'));
    if (p.title == QLatin1String("NA"))
        p.title.clear();
    if (total > 0)
        p.progress.percent = qBound(0.0, 100.0 * static_cast<double>(p.progress.downloadedBytes) / total, 100.0);
    return p;
}

std::optional<QString> formatForQuality(const QString &quality)
{
    if (quality.isEmpty() || quality == QLatin1String("best"))
        return QString();
    if (quality == QLatin1String("audio"))
        return QStringLiteral("bestaudio/best");
    static const QRegularExpression height(QStringLiteral("^(\\d{3,4})p$"));
    const auto m = height.match(quality);
    if (!m.hasMatch())
        return std::nullopt;
    const QString h = m.captured(1);
    return QStringLiteral("bestvideo*[height<=%1]+bestaudio/best[height<=%1]/best").arg(h);
}

int parseRetryAfter(const QByteArray &headerLine, qint64 nowMs)
{
    const qsizetype colon = headerLine.indexOf(':', headerLine.toLower().indexOf("retry-after"));
    if (colon < 0)
        return -1;
    const QByteArray value = headerLine.mid(colon + 1).trimmed();
    bool ok = false;
    const int seconds = value.toInt(&ok);
    if (ok)
        return qMax(0, seconds);
    const QDateTime at = QLocale::c().toDateTime(QString::fromLatin1(value), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!at.isValid())
        return -1;
    QDateTime utc = at;
    utc.setTimeSpec(Qt::UTC);
    return static_cast<int>(qMax<qint64>(0, (utc.toMSecsSinceEpoch() - nowMs + 999) / 1000));
}

bool isSensitiveTrafficLine(const QByteArray &line)
{
    const QByteArray lower = line.left(64).toLower();
    return lower.startsWith("send: ") || lower.startsWith("header: set-cookie");
}

namespace {
struct Rule
{
    const char *pattern;
    const char *errorClass;
    bool retryable;
    bool coolDown;
};

// Most specific first. Permanent: retrying cannot help without the user changing something.
const Rule kRules[] = {
    {"HTTP Error 429", "rate_limited", true, true},
    {"Too Many Requests", "rate_limited", true, true},
    {"confirm you('|’)re not a bot", "bot_check", true, true},
    // YouTube's answer to a guest that asked too much: the video is fine, the address is not.
    {"content isn('|’)t available, try again later", "rate_limited", true, true},
    {"session has been rate-limited", "rate_limited", true, true},
    {"No space left on device", "disk_full", true, false},
    {"HTTP Error 404", "not_found", false, false},
    {"HTTP Error 410", "not_found", false, false},
    {"Unsupported URL", "unsupported", false, false},
    {"is not a valid URL", "unsupported", false, false},
    {"Private video", "unavailable", false, false},
    {"Video unavailable", "unavailable", false, false},
    {"has been removed", "unavailable", false, false},
    {"This video is not available", "unavailable", false, false},
    {"members-only|Join this channel", "auth_required", false, false},
    {"Sign in to confirm your age|age-restricted|inappropriate for some users", "auth_required", false, false},
    {"HTTP Error 401", "auth_required", false, false},
    {"HTTP Error 403", "forbidden", true, false},
    {"HTTP Error 5\\d\\d", "server_error", true, false},
    {"timed out|Read timed out", "timeout", true, false},
    {"Connection reset|Connection refused|Connection aborted|Errno 104|Errno 111|"
     "Name or service not known|Temporary failure in name resolution|IncompleteRead|"
     "Remote end closed|urlopen error|Got error",
     "network", true, false},
};

QString tellingLine(const QByteArray &stderrText, const QByteArray &stdoutTail)
{
    const QList<QByteArray> lines = stderrText.split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        if (it->contains("ERROR:"))
            return QString::fromUtf8(it->trimmed()).remove(QLatin1Char('\r'));
    }
    const QByteArray both = stderrText.trimmed() + '\n' + stdoutTail.trimmed();
    const QList<QByteArray> all = both.trimmed().split('\n');
    return all.isEmpty() ? QString() : QString::fromUtf8(all.last().trimmed());
}

QString shorten(QString message)
{
    // yt-dlp appends a bug-report plea to extractor errors; it only confuses people here.
    const qsizetype plea = message.indexOf(QLatin1String("; please report this issue"));
    if (plea > 0)
        message.truncate(plea);
    // "ERROR: [generic] None: Unable to ..." -> "Unable to ...": the prefixes are yt-dlp's plumbing.
    static const QRegularExpression prefix(QStringLiteral("^ERROR:\\s*(\\[[^\\]]+\\]\\s*)?([^\\s:]+:\\s+(?=[A-Z]))?"));
    message.remove(prefix);
    message.remove(QStringLiteral("\\r"));
    static const QRegularExpression gotError(QStringLiteral("^Got error:\\s*"));
    message.remove(gotError);
    message = message.trimmed();
    if (!message.isEmpty())
        message[0] = message[0].toUpper();
    return message.left(1000);
}
} // namespace

Failure classify(int exitCode, const QByteArray &stderrText, const QByteArray &stdoutTail)
{
    Failure f;
    f.message = shorten(tellingLine(stderrText, stdoutTail));
    if (f.message.isEmpty())
        f.message = QStringLiteral("yt-dlp exited with code %1").arg(exitCode);
    const QString haystack = QString::fromUtf8(stderrText);
    f.errorClass = QStringLiteral("unknown");
    f.retryable = true; // unknown errors get the usual attempts, then dead
    for (const Rule &rule : kRules) {
        const QRegularExpression re(QString::fromUtf8(rule.pattern), QRegularExpression::CaseInsensitiveOption);
        if (re.match(haystack).hasMatch()) {
            f.errorClass = QString::fromLatin1(rule.errorClass);
            f.retryable = rule.retryable;
            f.coolDownHost = rule.coolDown;
            break;
        }
    }
    if (f.coolDownHost) {
        for (const QByteArray &line : stdoutTail.split('\n')) {
            if (line.toLower().contains("retry-after"))
                f.retryAfterS = parseRetryAfter(line, QDateTime::currentMSecsSinceEpoch());
        }
    }
    return f;
}

QJsonObject lastJsonObject(const QByteArray &stdoutData)
{
    const QList<QByteArray> lines = stdoutData.split('\n');
    for (auto it = lines.crbegin(); it != lines.crend(); ++it) {
        if (it->startsWith('{'))
            return QJsonDocument::fromJson(*it).object();
    }
    return {};
}

QString mediaKey(const QString &extractor, const QString &id, const QString &url)
{
    // Generic extractors number the media of a page ("channel-1", "playlist-1"): the same file on
    // two pages gets two ids, so there the file's address is what identifies it.
    const QString lower = extractor.toLower();
    if ((lower == QLatin1String("generic") || lower == QLatin1String("html5mediaembed")) && url.contains(QLatin1String("://")))
        return QStringLiteral("url:") + JobTypes::canonicalUrl(url);
    if (id.isEmpty())
        return QString();
    return (lower.isEmpty() ? QStringLiteral("unknown") : lower) + QLatin1Char(':') + id;
}

namespace {
// Whether the address is on a site named like the extractor: a label of its host (four letters or
// more, not "www") begins the extractor's name ("youtube" in www.youtube.com for YoutubeTab).
bool hostFits(const QString &extractor, const QString &url)
{
    const QString name = extractor.toLower();
    const QStringList labels = QUrl(url).host().toLower().split(QLatin1Char('.'), Qt::SkipEmptyParts);
    return std::any_of(labels.cbegin(), labels.cend(), [&name](const QString &label) {
        return label.size() >= 4 && label != QLatin1String("www") && name.startsWith(label);
    });
}
} // namespace

QString entryKey(const QJsonObject &entry)
{
    QString extractor = entry.value(QStringLiteral("ie_key")).toString();
    if (extractor.isEmpty())
        extractor = entry.value(QStringLiteral("extractor_key")).toString();
    if (extractor.isEmpty())
        extractor = entry.value(QStringLiteral("extractor")).toString();
    const QString url = entryUrl(entry);
    if (url.contains(QLatin1String("://")) && !hostFits(extractor, url))
        return QStringLiteral("url:") + JobTypes::canonicalUrl(url);
    return mediaKey(extractor, entry.value(QStringLiteral("id")).toString(), url);
}

bool isPrivateHost(const QString &hostText)
{
    QString host = hostText.toLower();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    while (host.endsWith(QLatin1Char('.')))
        host.chop(1);
    if (host == QLatin1String("localhost") || host.endsWith(QLatin1String(".localhost")))
        return true;
    QHostAddress address;
    if (!address.setAddress(host))
        return false;
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped)
        address = QHostAddress(v4);
    if (address.isLoopback() || address.isLinkLocal() || address.isSiteLocal() || address.isUniqueLocalUnicast() ||
        address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6)
        return true;
    return address.isInSubnet(QHostAddress(QStringLiteral("10.0.0.0")), 8) ||
           address.isInSubnet(QHostAddress(QStringLiteral("172.16.0.0")), 12) ||
           address.isInSubnet(QHostAddress(QStringLiteral("192.168.0.0")), 16) ||
           address.isInSubnet(QHostAddress(QStringLiteral("100.64.0.0")), 10) ||
           address.isInSubnet(QHostAddress(QStringLiteral("0.0.0.0")), 8);
}

QString entryUrl(const QJsonObject &entry)
{
    const QString url = entry.value(QStringLiteral("url")).toString();
    return url.contains(QLatin1String("://")) ? url : entry.value(QStringLiteral("webpage_url")).toString();
}
QJsonArray listingEntries(const QJsonObject &listing)
{
    if (listing.contains(QStringLiteral("entries")))
        return listing.value(QStringLiteral("entries")).toArray();
    const QString type = listing.value(QStringLiteral("_type")).toString(QStringLiteral("video"));
    const QString page = listing.value(QStringLiteral("webpage_url")).toString();
    if (type != QLatin1String("video") || listing.value(QStringLiteral("id")).toString().isEmpty() || !page.contains(QLatin1String("://")))
        return {};
    QJsonObject entry{{QStringLiteral("_type"), QStringLiteral("url")},
                      {QStringLiteral("url"), page},
                      {QStringLiteral("id"), listing.value(QStringLiteral("id"))},
                      {QStringLiteral("ie_key"), listing.value(QStringLiteral("extractor_key"))}};
    for (const char *key : {"title", "duration", "uploader", "channel", "upload_date"}) {
        if (listing.contains(QLatin1String(key)))
            entry.insert(QLatin1String(key), listing.value(QLatin1String(key)));
    }
    return {entry};
}
} // namespace YtDlp
