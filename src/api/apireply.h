#pragma once

#include "core/expected.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QPair>

class QHttpServerResponder;

// One complete HTTP answer of the API: status, content type, extra headers and body. Handlers return
// it; the server writes it. Errors are {"error": {"code", "message"}}.
struct ApiReply
{
    int status = 200;
    QByteArray contentType = "application/json";
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    static ApiReply json(const QJsonValue &value, int status = 200);
    static ApiReply error(int status, const QString &code, const QString &message);
    // The HTTP status and code an error of the queue service maps to.
    static ApiReply fromError(const Error &error);
    static ApiReply text(const QByteArray &body, const QByteArray &contentType, int status = 200);

    void send(QHttpServerResponder &responder) const;
};
