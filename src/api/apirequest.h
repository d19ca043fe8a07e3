#pragma once

#include <QJsonValue>

class QHttpServerRequest;

// A request as a route handler sees it: already authorised, its {id} parsed, its JSON body parsed.
struct ApiRequest
{
    const QHttpServerRequest &http;
    qint64 id = 0;
    QJsonValue body;
};
