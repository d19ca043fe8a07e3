#pragma once

#include "api/apireply.h"
#include "api/apirequest.h"

#include <QCoreApplication>
#include <QDate>
#include <QFuture>
#include <QJsonObject>
#include <QThreadPool>
#include <QVariantMap>

class Dispatcher;

// The handler of GET /api/tools: the programs Spool runs (yt-dlp, ffmpeg, ffprobe, and the
// JavaScript runtime yt-dlp needs for YouTube) with the paths the settings give, their versions,
// how old yt-dlp is, and what is wrong with each. Checking a program starts it (yt-dlp is Python:
// about half a second), so the answer is made on a thread of its own and sent when it is ready
// (ApiServer::answerLater); the event loop goes on serving meanwhile.
class ToolsApi final
{
    Q_DECLARE_TR_FUNCTIONS(ToolsApi)
public:
    explicit ToolsApi(const Dispatcher *dispatcher);
    ~ToolsApi();
    Q_DISABLE_COPY_MOVE(ToolsApi)

    // ?refresh=1 checks the programs again: Toolchain keeps what it found for the life of the
    // process. Reads nothing of `request` once it has returned.
    QFuture<ApiReply> list(const ApiRequest &request);

    // The answer for the tool paths of `environment` (DownloadEnv's keys; none set: from PATH) on
    // `today`. Blocks while it starts the programs Toolchain has not checked yet.
    static QJsonObject tools(const QVariantMap &environment, const QDate &today);

private:
    const Dispatcher *m_dispatcher; // null: no settings, every program from PATH
    // One check at a time: a request that comes during one waits for it, then finds Toolchain's
    // cache warm, instead of starting the same programs again beside it.
    QThreadPool m_pool;
};
