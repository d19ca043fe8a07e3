#include "api/apireply.h"

#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

ApiReply ApiReply::json(const QJsonValue &value, int status)
{
    ApiReply reply;
    reply.status = status;
    const QJsonDocument document =
        value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    reply.body = document.toJson(QJsonDocument::Compact);
    return reply;
}

ApiReply ApiReply::error(int status, const QString &code, const QString &message)
{
    const QJsonObject error{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}};
    return json(QJsonObject{{QStringLiteral("error"), error}}, status);
}

ApiReply ApiReply::fromError(const Error &error)
{
    switch (error.code) {
    case ErrorCode::InvalidArgument:
        return ApiReply::error(400, QStringLiteral("invalid_argument"), error.message);
    case ErrorCode::NotFound:
        return ApiReply::error(404, QStringLiteral("not_found"), error.message);
    case ErrorCode::Conflict:
        return ApiReply::error(409, QStringLiteral("conflict"), error.message);
    case ErrorCode::Fenced:
        return ApiReply::error(409, QStringLiteral("superseded"), error.message);
    case ErrorCode::Unavailable: {
        ApiReply reply = ApiReply::error(503, QStringLiteral("unavailable"), error.message);
        reply.headers.append({QByteArrayLiteral("Retry-After"), QByteArrayLiteral("5")});
        return reply;
    }
    case ErrorCode::Storage:
    case ErrorCode::None:
        break;
    }
    return ApiReply::error(500, QStringLiteral("storage"), error.message);
}

ApiReply ApiReply::text(const QByteArray &body, const QByteArray &contentType, int status)
{
    ApiReply reply;
    reply.status = status;
    reply.contentType = contentType;
    reply.body = body;
    return reply;
}

void ApiReply::send(QHttpServerResponder &responder) const
{
    responder.writeStatusLine(static_cast<QHttpServerResponder::StatusCode>(status));
    responder.writeHeader("Content-Type", contentType);
    responder.writeHeader("Content-Length", QByteArray::number(body.size()));
    // Nothing the API answers may be cached or sniffed into another type.
    responder.writeHeader("Cache-Control", "no-store");
    responder.writeHeader("X-Content-Type-Options", "nosniff");
    for (const auto &[name, value] : headers)
        responder.writeHeader(name, value);
    responder.writeBody(body);
}
