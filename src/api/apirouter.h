#pragma once

#include <QByteArray>
#include <QList>
#include <QRegularExpression>
#include <QString>

#include <functional>
#include <optional>

// The API's route table: method + path template ("/api/jobs/{id}") -> handler. Knows which methods
// a path allows, so an unknown path is a 404 and a known path with the wrong method a 405. A template
// has at most one parameter: {id} (a positive number, else no match) or {host} (any one segment,
// empty included: its handler checks it, so a bad host is a 400 that says why, not a 404).
template <typename Handler> class ApiRouter final
{
public:
    struct Route
    {
        QByteArray method;
        QString path; // template, as the OpenAPI document writes it
        Handler handler;
        QRegularExpression pattern;
    };
    struct Match
    {
        const Route *route = nullptr;
        qint64 id = 0;
        QString host;              // the {host} segment, percent-decoded, unchecked
        QList<QByteArray> allowed; // methods the path accepts, for 405's Allow header
    };

    void add(const QByteArray &method, const QString &path, Handler handler)
    {
        QString regex = QRegularExpression::escape(path);
        regex.replace(QStringLiteral("\\{id\\}"), QStringLiteral("([1-9][0-9]{0,15})"));
        regex.replace(QStringLiteral("\\{host\\}"), QStringLiteral("([^/]*)"));
        m_routes.append(Route{method, path, std::move(handler),
                              QRegularExpression(QLatin1Char('^') + regex + QLatin1Char('$'))});
    }

    Match match(const QByteArray &method, const QString &path) const
    {
        Match result;
        for (const Route &route : m_routes) {
            const QRegularExpressionMatch m = route.pattern.match(path);
            if (!m.hasMatch())
                continue;
            result.allowed << route.method;
            if (route.method == method) {
                result.route = &route;
                if (route.path.contains(QLatin1String("{host}")))
                    result.host = m.captured(1);
                else
                    result.id = m.captured(1).toLongLong();
            }
        }
        return result;
    }

    const QList<Route> &routes() const { return m_routes; }

private:
    QList<Route> m_routes;
};
