#include "queue/job.h"

bool JobProgress::advancedFrom(const JobProgress &before) const
{
    return downloadedBytes > before.downloadedBytes || percent > before.percent
           || itemsDone > before.itemsDone;
}

QJsonObject JobProgress::toJson() const
{
    auto orNull = [](auto v) { return v < 0 ? QJsonValue() : QJsonValue(static_cast<double>(v)); };
    return QJsonObject{
        {QStringLiteral("percent"), orNull(percent)},
        {QStringLiteral("downloaded_bytes"), static_cast<double>(downloadedBytes)},
        {QStringLiteral("total_bytes"), orNull(totalBytes)},
        {QStringLiteral("speed_bps"), orNull(speedBps)},
        {QStringLiteral("eta_s"), orNull(etaSeconds)},
        {QStringLiteral("items_done"), itemsDone},
        {QStringLiteral("items_total"), itemsTotal},
    };
}

QString Job::displayName() const
{
    if (!title.isEmpty())
        return title;
    if (!url.isEmpty())
        return url;
    return type;
}
