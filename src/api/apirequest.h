#pragma once

#include <QJsonValue>
#include <QString>

class QHttpServerRequest;

// A request as a route handler sees it: already authorised, its {id} parsed (its {host} only
// decoded: the handler checks it), its JSON body parsed.
struct ApiRequest
{
    const QHttpServerRequest &http;
    qint64 id = 0;
    QJsonValue body;
    QString host;
};
