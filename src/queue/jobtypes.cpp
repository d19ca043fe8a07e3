#include "queue/jobtypes.h"

#include <QCoreApplication>
#include <QUrl>

namespace JobTypes {
const QStringList &all()
{
    static const QStringList types{ChannelDownload, PlaylistDownload, VideoDownload, MetadataExtraction,
                                   Cleanup};
    return types;
}

bool isKnown(const QString &type)
{
    return all().contains(type);
}

bool needsUrl(const QString &type)
{
    return type != Cleanup && isKnown(type);
}

bool listsVideos(const QString &type)
{
    return type == ChannelDownload || type == PlaylistDownload;
}
QList<OptionSpec> options(const QString &type)
{
    using T = QJsonValue::Type;
    const QList<OptionSpec> download{
        {QStringLiteral("quality"), T::String},        {QStringLiteral("format"), T::String},
        {QStringLiteral("output_template"), T::String}, {QStringLiteral("download_dir"), T::String},
        {QStringLiteral("cookies_file"), T::String},    {QStringLiteral("cookies_from_browser"), T::String},
        {QStringLiteral("rate_limit"), T::String},      {QStringLiteral("metadata"), T::Bool},
        {QStringLiteral("group"), T::String},
    };
    if (type == VideoDownload)
        return download + QList<OptionSpec>{{QStringLiteral("source_id"), T::String}};
    if (listsVideos(type))
        return download + QList<OptionSpec>{{QStringLiteral("date_after"), T::String},
                                            {QStringLiteral("date_before"), T::String},
                                            {QStringLiteral("max_items"), T::Double},
                                            {QStringLiteral("subscribe_hours"), T::Double}};
    if (type == MetadataExtraction)
        return {{QStringLiteral("file"), T::String}, {QStringLiteral("cookies_file"), T::String}};
    if (type == Cleanup)
        return {{QStringLiteral("max_age_days"), T::Double}, {QStringLiteral("keep_per_channel"), T::Double},
                {QStringLiteral("max_total_bytes"), T::Double}, {QStringLiteral("dry_run"), T::Bool},
                {QStringLiteral("part_max_age_hours"), T::Double}, {QStringLiteral("download_dir"), T::String}};
    return {};
}

std::optional<QString> urlProblem(const QString &text)
{
    if (text.trimmed().isEmpty())
        return QCoreApplication::translate("JobQueue", "a URL is required");
    const QUrl url(text.trimmed(), QUrl::StrictMode);
    if (!url.isValid())
        return QCoreApplication::translate("JobQueue", "'%1' is not a valid URL").arg(text);
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return QCoreApplication::translate("JobQueue", "'%1' is not an http or https URL").arg(text);
    if (url.host().isEmpty())
        return QCoreApplication::translate("JobQueue", "'%1' has no host").arg(text);
    return std::nullopt;
}

QString canonicalUrl(const QString &text)
{
    QUrl url(text.trimmed());
    url.setScheme(url.scheme().toLower());
    url.setHost(url.host().toLower());
    url.setFragment(QString());
    QString path = url.path();
    while (path.size() > 1 && path.endsWith(QLatin1Char('/')))
        path.chop(1);
    url.setPath(path);
    return url.toString(QUrl::FullyEncoded);
}
} // namespace JobTypes

namespace JobTypes {
QString detectType(const QString &text)
{
    const QUrl url(text.trimmed());
    const QString path = url.path();
    static const QStringList channelMarks{QStringLiteral("/@"), QStringLiteral("/channel/"), QStringLiteral("/c/"),
                                          QStringLiteral("/user/")};
    if (path.startsWith(QLatin1String("/playlist")) || url.query().contains(QLatin1String("list=")))
        return url.query().contains(QLatin1String("v=")) ? VideoDownload : PlaylistDownload;
    for (const QString &mark : channelMarks) {
        if (path.startsWith(mark))
            return ChannelDownload;
    }
    return VideoDownload;
}
} // namespace JobTypes
