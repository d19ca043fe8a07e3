#include "api/toolsapi.h"

#include "queue/dispatcher.h"
#include "workers/downloadenv.h"
#include "workers/toolchain.h"

#include <QHttpServerRequest>
#include <QJsonArray>
#include <QUrlQuery>
#include <QtConcurrent>

namespace {
QJsonValue nullIfEmpty(const QString &text)
{
    return text.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(text);
}

QJsonObject program(const Toolchain::Tool &tool, const QDate &today)
{
    const QString version = Toolchain::shortVersion(tool.version);
    QJsonObject json{{QStringLiteral("name"), tool.name},
                     {QStringLiteral("ok"), tool.ok()},
                     {QStringLiteral("path"), nullIfEmpty(tool.path)},
                     {QStringLiteral("version"), nullIfEmpty(version)},
                     {QStringLiteral("release_date"), QJsonValue::Null},
                     {QStringLiteral("age_days"), QJsonValue::Null},
                     {QStringLiteral("warning"), nullIfEmpty(tool.warning)},
                     {QStringLiteral("error"), nullIfEmpty(tool.error)}};
    // yt-dlp's version is its release date; an old one fails on sites that change every week.
    const QDate released =
        tool.name == QLatin1String("yt-dlp") ? Toolchain::ytdlpReleaseDate(version) : QDate();
    if (released.isValid()) {
        json.insert(QStringLiteral("release_date"), released.toString(Qt::ISODate));
        json.insert(QStringLiteral("age_days"), released.daysTo(today));
    }
    return json;
}

QJsonObject jsRuntime(const Toolchain::Tool &runtime, const Toolchain::Tool &ytdlp)
{
    QJsonArray passed; // what a download gives yt-dlp, as DownloadEnv::commonArguments does
    for (const QString &argument :
         Toolchain::jsRuntimeArguments(Toolchain::shortVersion(ytdlp.version), runtime))
        passed << argument;
    const bool found = runtime.name != Toolchain::kJsRuntime;
    return QJsonObject{
        {QStringLiteral("name"), QStringLiteral("js_runtime")},
        {QStringLiteral("runtime"), found ? QJsonValue(runtime.name) : QJsonValue(QJsonValue::Null)},
        {QStringLiteral("ok"), runtime.ok()},
        {QStringLiteral("path"), nullIfEmpty(runtime.path)},
        {QStringLiteral("version"), nullIfEmpty(Toolchain::shortVersion(runtime.version))},
        {QStringLiteral("error"), nullIfEmpty(runtime.error)},
        {QStringLiteral("passed_to_ytdlp"), passed}};
}
} // namespace

ToolsApi::ToolsApi(const Dispatcher *dispatcher) : m_dispatcher(dispatcher)
{
    m_pool.setMaxThreadCount(1);
}

ToolsApi::~ToolsApi()
{
    // Checks still queued are dropped (their answers would go nowhere); a running one ends within
    // Toolchain's process timeouts.
    m_pool.clear();
    m_pool.waitForDone();
}

QFuture<ApiReply> ToolsApi::list(const ApiRequest &request)
{
    const QUrlQuery query = request.http.query();
    const QString refresh = query.queryItemValue(QStringLiteral("refresh"));
    if (query.hasQueryItem(QStringLiteral("refresh")) && refresh != QLatin1String("0") &&
        refresh != QLatin1String("1"))
        return QtFuture::makeReadyFuture(
            ApiReply::error(400, QStringLiteral("invalid_argument"), tr("refresh must be 0 or 1")));
    // The paths are read here, on the main thread, where the settings change them.
    const QVariantMap environment = m_dispatcher ? m_dispatcher->environment() : QVariantMap();
    return QtConcurrent::run(&m_pool, [environment, fresh = refresh == QLatin1String("1")] {
        if (fresh)
            Toolchain::forget();
        return ApiReply::json(tools(environment, QDate::currentDate()));
    });
}

QJsonObject ToolsApi::tools(const QVariantMap &environment, const QDate &today)
{
    const auto find = [&](const QString &name, const QString &key) {
        return Toolchain::find(name, environment.value(key).toString());
    };
    const Toolchain::Tool ytdlp = find(QStringLiteral("yt-dlp"), DownloadEnv::YtDlpPath);
    const QJsonArray tools{program(ytdlp, today),
                           program(find(QStringLiteral("ffmpeg"), DownloadEnv::FfmpegPath), today),
                           program(find(QStringLiteral("ffprobe"), DownloadEnv::FfprobePath), today),
                           jsRuntime(Toolchain::find(Toolchain::kJsRuntime), ytdlp)};
    return QJsonObject{{QStringLiteral("tools"), tools}};
}
