#include "cli.h"

#include "api/apiendpoint.h"
#include "api/apiidentity.h"
#include "api/apitoken.h"
#include "queue/jobstatus.h"
#include "queue/jobtypes.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>

namespace {
constexpr int kRequestTimeoutMs = 30'000;
// The probe goes to a program not yet known to be Spool: it gets a deadline for its whole answer
// (not only between bytes) and room for a proof, not for whatever it chooses to send.
constexpr int kProbeTimeoutMs = 10'000;
constexpr qint64 kProbeMaxBytes = 64 * 1024;
constexpr int kFollowPollMs = 500;

void pause(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

QString progressText(const QJsonObject &job)
{
    const QJsonObject p = job.value(QStringLiteral("progress")).toObject();
    if (p.value(QStringLiteral("items_total")).toInt() > 0)
        return QStringLiteral("%1/%2")
            .arg(p.value(QStringLiteral("items_done")).toInt())
            .arg(p.value(QStringLiteral("items_total")).toInt());
    if (p.value(QStringLiteral("percent")).isDouble())
        return QStringLiteral("%1%").arg(p.value(QStringLiteral("percent")).toDouble(), 0, 'f', 1);
    return QStringLiteral("-");
}

QString plainText(const QJsonValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isNull() || v.isUndefined())
        return QStringLiteral("-");
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    const QJsonDocument document = v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject());
    return QString::fromUtf8(document.toJson(QJsonDocument::Compact));
}

QString nameOf(const QJsonObject &job)
{
    for (const char *key : {"title", "url", "type"}) {
        const QString value = job.value(QLatin1String(key)).toString();
        if (!value.isEmpty())
            return value;
    }
    return {};
}

QString tableRow(const QJsonObject &job)
{
    return QStringLiteral("%1  %2  %3  %4  %5")
        .arg(job.value(QStringLiteral("id")).toInteger(), 6)
        .arg(job.value(QStringLiteral("status")).toString(), -9)
        .arg(job.value(QStringLiteral("type")).toString(), -19)
        .arg(progressText(job), -8)
        .arg(nameOf(job));
}
} // namespace

Cli::Cli(const CommandLine &commandLine)
    : m_cl(commandLine), m_outDevice(stdout), m_errDevice(stderr), m_out(&m_outDevice), m_err(&m_errDevice), m_network(std::make_unique<QNetworkAccessManager>())
{
}

Cli::~Cli() = default;

int Cli::run()
{
    using C = CommandLine::Command;
    if (!findInstance())
        return noInstance();
    switch (m_cl.command) {
    case C::Add:
        return add();
    case C::List:
        return list();
    case C::Show:
        return show();
    case C::Retry:
        return act("POST", QStringLiteral("/api/jobs/%1/retry").arg(idArgument()));
    case C::Cancel:
        return act("DELETE", QStringLiteral("/api/jobs/%1").arg(idArgument()));
    case C::Log:
        return log();
    case C::PauseQueue:
        return queue("POST", QStringLiteral("/api/queue/pause"));
    case C::ResumeQueue:
        return queue("POST", QStringLiteral("/api/queue/resume"));
    case C::Subscriptions:
        return subscriptions();
    case C::Hosts:
        return hosts();
    case C::Tools:
        return tools();
    case C::Unsubscribe: {
        const Response r = request("DELETE", QStringLiteral("/api/subscriptions/%1").arg(idArgument()));
        if (r.status != 200)
            return fail(r);
        m_out << tr("Subscription %1 removed; its jobs and downloaded videos stay.").arg(idArgument()) << Qt::endl;
        return 0;
    }
    case C::None:
        break;
    }
    return 2;
}

bool Cli::findInstance()
{
    // A file left by a crash names a process that is gone: no instance, without trying the port.
    const auto endpoint = ApiEndpoint::read(m_cl.dataDir);
    if (!endpoint || !endpoint->processAlive())
        return false;
    m_base = endpoint->baseUrl();
    m_token = (m_cl.apiToken.isEmpty() ? ApiToken::read(m_cl.dataDir) : m_cl.apiToken).toUtf8();
    m_identityDir = ApiIdentity::canonicalDataDir(m_cl.dataDir);
    return true;
}

Cli::Identity Cli::proveIdentity()
{
    // A live pid in api.json proves nothing: Spool may have died and its pid and port been reused
    // by someone else's program, which must not be handed the token. Only the token's holder can
    // answer a fresh challenge for this data dir.
    const QByteArray challenge = ApiIdentity::newChallenge();
    const Response r =
        send("GET", QStringLiteral("/api/identity?challenge=") + QString::fromLatin1(challenge), {}, false);
    if (r.status == 0 && r.connectionRefused)
        return Identity::Absent;
    const QByteArray expected = ApiIdentity::proof(m_token, challenge, m_identityDir);
    const QByteArray given = r.object().value(QStringLiteral("proof")).toString().toLatin1();
    if (r.status != 200 || given.size() != expected.size())
        return Identity::Unproven;
    return ApiToken::matches(given, expected) ? Identity::Proven : Identity::OtherToken;
}

int Cli::notProven(Identity identity)
{
    if (identity == Identity::Absent)
        return noInstance();
    m_err << tr("The program listening on %1 is not Spool for %2 (stale api.json?) — the token was not sent.")
                 .arg(m_base.authority(), m_cl.dataDir)
          << Qt::endl;
    if (identity == Identity::OtherToken)
        m_err << tr("Its answer does not match this token: if Spool was started with another token, give "
                    "that one with --api-token.")
              << Qt::endl;
    return 1;
}

int Cli::noInstance()
{
    m_err << tr("No Spool instance is running for %1.").arg(m_cl.dataDir) << Qt::endl
          << tr("Start one with: spool --headless --data-dir %1").arg(m_cl.dataDir) << Qt::endl;
    return 1;
}

qint64 Cli::idArgument() const
{
    return m_cl.commandArguments.value(0).toLongLong();
}

Cli::Response Cli::request(const QByteArray &method, const QString &path, const QByteArray &json)
{
    // Proven again before every request: between two of them (log --follow runs for as long as
    // the job does) the instance may have stopped and its port been taken.
    if (const Identity identity = proveIdentity(); identity != Identity::Proven) {
        Response refused;
        refused.identity = identity;
        return refused;
    }
    return send(method, path, json, true);
}

Cli::Response Cli::send(const QByteArray &method, const QString &path, const QByteArray &json, bool withToken)
{
    QUrl url = m_base;
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(path.left(query));
    if (query >= 0)
        url.setQuery(path.mid(query + 1));
    QNetworkRequest request(url);
    if (withToken)
        request.setRawHeader("Authorization", "Bearer " + m_token);
    // Spool never redirects: an answer that does must not take the request (and token) elsewhere.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(withToken ? kRequestTimeoutMs : kProbeTimeoutMs);
    if (!json.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = m_network->sendCustomRequest(request, method, json);
    if (!withToken) {
        QTimer::singleShot(kProbeTimeoutMs, reply, &QNetworkReply::abort);
        QObject::connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
            if (received > kProbeMaxBytes)
                reply->abort();
        });
    }
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    Response response;
    response.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    response.body = withToken ? reply->readAll() : reply->read(kProbeMaxBytes);
    response.headers = reply->rawHeaderPairs();
    response.networkError = reply->errorString();
    response.connectionRefused = reply->error() == QNetworkReply::ConnectionRefusedError;
    reply->deleteLater();
    return response;
}

QJsonObject Cli::Response::object() const
{
    return QJsonDocument::fromJson(body).object();
}

QByteArray Cli::Response::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

int Cli::fail(const Response &response)
{
    if (response.identity != Identity::Proven)
        return notProven(response.identity);
    if (response.status == 0)
        return noInstance();
    const QString message = response.object()
                                .value(QStringLiteral("error"))
                                .toObject()
                                .value(QStringLiteral("message"))
                                .toString();
    if (response.status == 401)
        m_err << tr("The running instance refused the token (give the one it uses with --api-token).")
              << Qt::endl;
    else
        m_err << tr("Error: %1").arg(message.isEmpty() ? QString::number(response.status) : message)
              << Qt::endl;
    return 1;
}

std::optional<QString> Cli::runAt()
{
    static const QRegularExpression relative(QStringLiteral("^\\+(\\d+)([smhd])$"));
    const QRegularExpressionMatch m = relative.match(m_cl.at.trimmed());
    QDateTime at;
    if (m.hasMatch()) {
        const qint64 unit = QHash<QString, qint64>{
            {QStringLiteral("s"), 1},
            {QStringLiteral("m"), 60},
            {QStringLiteral("h"), 3600},
            {QStringLiteral("d"),
             86400}}.value(m.captured(2));
        at = QDateTime::currentDateTimeUtc().addSecs(m.captured(1).toLongLong() * unit);
    } else {
        at = QDateTime::fromString(m_cl.at.trimmed(), Qt::ISODate); // no zone: the user's local time
    }
    if (!at.isValid())
        return std::nullopt;
    return at.toUTC().toString(Qt::ISODateWithMs);
}

int Cli::add()
{
    QJsonArray jobs;
    for (const QString &url : m_cl.commandArguments) {
        QJsonObject job{{QStringLiteral("type"), m_cl.type.isEmpty() ? JobTypes::detectType(url) : m_cl.type},
                        {QStringLiteral("url"), url}};
        if (m_cl.priority)
            job.insert(QStringLiteral("priority"), *m_cl.priority);
        if (m_cl.every)
            job.insert(QStringLiteral("options"), QJsonObject{{QStringLiteral("subscribe_hours"), *m_cl.every}});
        if (!m_cl.at.isEmpty()) {
            const auto at = runAt();
            if (!at) {
                m_err << tr("--at takes an ISO 8601 time (2030-01-31T08:00) or +30m, +2h, +1d") << Qt::endl;
                return 2;
            }
            job.insert(QStringLiteral("run_at"), *at);
        }
        jobs << job;
    }
    const Response r =
        request("POST", QStringLiteral("/api/jobs"), QJsonDocument(jobs).toJson(QJsonDocument::Compact));
    if (r.status != 200 && r.status != 201)
        return fail(r);
    for (const QJsonValue &value : QJsonDocument::fromJson(r.body).array()) {
        const QJsonObject job = value.toObject();
        m_out << tr("job %1 (%2, %3): %4")
                     .arg(job.value(QStringLiteral("id")).toInteger())
                     .arg(job.value(QStringLiteral("type")).toString(),
                          job.value(QStringLiteral("status")).toString(), nameOf(job))
              << Qt::endl;
    }
    return 0;
}

int Cli::list()
{
    QString path = QStringLiteral("/api/jobs?limit=1000");
    if (!m_cl.status.isEmpty())
        path += QStringLiteral("&status=") + QString::fromLatin1(QUrl::toPercentEncoding(m_cl.status));
    const Response r = request("GET", path);
    if (r.status != 200)
        return fail(r);
    if (m_cl.json) {
        m_out << r.body << Qt::endl;
        return 0;
    }
    const QJsonObject page = r.object();
    m_out << QStringLiteral("%1  %2  %3  %4  %5")
                 .arg(tr("ID"), 6)
                 .arg(tr("STATUS"), -9)
                 .arg(tr("TYPE"), -19)
                 .arg(tr("PROGRESS"), -8)
                 .arg(tr("NAME"))
          << Qt::endl;
    for (const QJsonValue &value : page.value(QStringLiteral("jobs")).toArray())
        m_out << tableRow(value.toObject()) << Qt::endl;
    const auto shown = page.value(QStringLiteral("jobs")).toArray().size();
    const qint64 total = page.value(QStringLiteral("total")).toInteger();
    if (shown < total)
        m_out << tr("(%1 of %2 jobs shown)").arg(shown).arg(total) << Qt::endl;
    return 0;
}

int Cli::subscriptions()
{
    const Response r = request("GET", QStringLiteral("/api/subscriptions"));
    if (r.status != 200)
        return fail(r);
    if (m_cl.json) {
        m_out << r.body << Qt::endl;
        return 0;
    }
    const QJsonArray all = r.object().value(QStringLiteral("subscriptions")).toArray();
    if (all.isEmpty()) {
        m_out << tr("Nothing is kept in sync.") << Qt::endl;
        return 0;
    }
    m_out << QStringLiteral("%1  %2  %3  %4").arg(tr("ID"), 6).arg(tr("EVERY"), -8).arg(tr("NEXT CHECK"), -20).arg(tr("URL")) << Qt::endl;
    for (const QJsonValue &value : all) {
        const QJsonObject s = value.toObject();
        const QDateTime next = QDateTime::fromString(s.value(QStringLiteral("next_check")).toString(), Qt::ISODateWithMs).toLocalTime();
        m_out << QStringLiteral("%1  %2  %3  %4")
                     .arg(s.value(QStringLiteral("id")).toInteger(), 6)
                     .arg(tr("%1 h").arg(s.value(QStringLiteral("interval_hours")).toDouble()), -8)
                     .arg(next.toString(QStringLiteral("yyyy-MM-dd HH:mm")), -20)
                     .arg(s.value(QStringLiteral("url")).toString())
              << Qt::endl;
    }
    return 0;
}

int Cli::hosts()
{
    // The host was checked as a host name (letters, digits, dots, dashes): safe in the path as it is.
    const bool resume = !m_cl.resumeHost.isEmpty();
    const Response r = resume ? request("POST", QStringLiteral("/api/hosts/%1/resume").arg(m_cl.resumeHost))
                              : request("GET", QStringLiteral("/api/hosts"));
    if (r.status != 200)
        return fail(r);
    if (m_cl.json) {
        m_out << r.body << Qt::endl;
        return 0;
    }
    if (resume)
        m_out << tr("%1 resumed: its jobs may start now.").arg(m_cl.resumeHost) << Qt::endl;
    const QJsonArray paused = r.object().value(QStringLiteral("paused")).toArray();
    if (paused.isEmpty())
        m_out << tr("No host is pausing.") << Qt::endl;
    else
        printHosts(paused);
    return 0;
}

void Cli::printHosts(const QJsonArray &paused)
{
    // The end in local time; with its day when that is not today (a long Retry-After).
    const QDate today = QDate::currentDate();
    QStringList until;
    qsizetype hostWidth = tr("HOST").size();
    for (const QJsonValue &value : paused) {
        const QJsonObject h = value.toObject();
        const QDateTime end = QDateTime::fromMSecsSinceEpoch(h.value(QStringLiteral("until_ms")).toInteger());
        until << end.toString(end.date() == today ? QStringLiteral("HH:mm")
                                                  : QStringLiteral("yyyy-MM-dd HH:mm"));
        hostWidth = qMax(hostWidth, h.value(QStringLiteral("host")).toString().size());
    }
    const qsizetype untilWidth =
        std::max_element(until.cbegin(), until.cend(), [](const QString &a, const QString &b) {
            return a.size() < b.size();
        })->size();
    const auto row = [&](const QString &host, const QString &end, const QString &kind, const QString &strikes,
                         const QString &reason) {
        return QStringLiteral("%1  %2  %3  %4  %5")
            .arg(host, -static_cast<int>(hostWidth))
            .arg(end, -static_cast<int>(qMax(untilWidth, tr("UNTIL").size())))
            .arg(kind, -12)
            .arg(strikes, 7)
            .arg(reason);
    };
    m_out << row(tr("HOST"), tr("UNTIL"), tr("KIND"), tr("STRIKES"), tr("REASON")) << Qt::endl;
    for (qsizetype i = 0; i < paused.size(); ++i) {
        const QJsonObject h = paused.at(i).toObject();
        m_out << row(h.value(QStringLiteral("host")).toString(), until.at(i),
                     plainText(h.value(QStringLiteral("kind"))),
                     QString::number(h.value(QStringLiteral("strikes")).toInt()),
                     plainText(h.value(QStringLiteral("reason"))))
              << Qt::endl;
    }
}

int Cli::tools()
{
    const Response r = request("GET", QStringLiteral("/api/tools"));
    if (r.status != 200)
        return fail(r);
    if (m_cl.json)
        m_out << r.body << Qt::endl;
    else
        printTools(r.object().value(QStringLiteral("tools")).toArray());
    return 0;
}

void Cli::printTools(const QJsonArray &tools)
{
    // One line a program (name, version, age, path), and under it what is wrong with it.
    QList<QStringList> rows;
    for (const QJsonValue &value : tools) {
        const QJsonObject t = value.toObject();
        QString version = plainText(t.value(QStringLiteral("version")));
        if (const QJsonValue runtime = t.value(QStringLiteral("runtime")); runtime.isString())
            version = runtime.toString() + QLatin1Char(' ') + version;
        const QJsonValue age = t.value(QStringLiteral("age_days"));
        const int days = age.toInt(); // a plain int for %n (lupdate)
        const QJsonValue path = t.value(QStringLiteral("path"));
        rows << QStringList{t.value(QStringLiteral("name")).toString(), version,
                            age.isDouble() ? tr("%n day(s) old", nullptr, days) : QString(),
                            path.isString() ? path.toString() : tr("not found")};
    }
    QList<qsizetype> widths(3, 0);
    for (const QStringList &row : rows) {
        for (qsizetype c = 0; c < widths.size(); ++c)
            widths[c] = qMax(widths.at(c), row.at(c).size());
    }
    for (qsizetype i = 0; i < rows.size(); ++i) {
        QString line;
        for (qsizetype c = 0; c < widths.size(); ++c) {
            if (widths.at(c) > 0)
                line += rows.at(i).at(c).leftJustified(widths.at(c)) + QStringLiteral("  ");
        }
        m_out << line + rows.at(i).last() << Qt::endl;
        const QJsonObject t = tools.at(i).toObject();
        if (const QJsonValue warning = t.value(QStringLiteral("warning")); warning.isString())
            m_out << QStringLiteral("  ") << tr("Warning: %1").arg(warning.toString()) << Qt::endl;
        if (const QJsonValue error = t.value(QStringLiteral("error")); error.isString())
            m_out << QStringLiteral("  ") << tr("Error: %1").arg(error.toString()) << Qt::endl;
    }
}

int Cli::show()
{
    const Response r = request("GET", QStringLiteral("/api/jobs/%1").arg(idArgument()));
    if (r.status != 200)
        return fail(r);
    if (m_cl.json) {
        m_out << r.body << Qt::endl;
        return 0;
    }
    const QJsonObject job = r.object();
    for (auto it = job.constBegin(); it != job.constEnd(); ++it)
        m_out << QStringLiteral("%1: %2").arg(it.key(), -14).arg(plainText(it.value())) << Qt::endl;
    return 0;
}

int Cli::act(const QByteArray &method, const QString &path)
{
    const Response r = request(method, path);
    if (r.status != 200)
        return fail(r);
    const QJsonObject job = r.object();
    m_out << tr("job %1 is %2")
                 .arg(job.value(QStringLiteral("id")).toInteger())
                 .arg(job.value(QStringLiteral("status")).toString())
          << Qt::endl;
    return 0;
}

int Cli::queue(const QByteArray &method, const QString &path)
{
    const Response r = request(method, path);
    if (r.status != 200)
        return fail(r);
    const QJsonObject state = r.object();
    const int running = state.value(QStringLiteral("running")).toInt();
    if (state.value(QStringLiteral("held")).toBool())
        m_out << tr("The queue is paused: nothing new starts (%n job(s) still running).", nullptr, running) << Qt::endl;
    else
        m_out << tr("The queue is running.") << Qt::endl;
    return 0;
}

bool Cli::jobEnded(qint64 id)
{
    const Response r = request("GET", QStringLiteral("/api/jobs/%1").arg(id));
    const auto status = statusFromName(r.object().value(QStringLiteral("status")).toString());
    return r.status != 200 || (status && isFinal(*status));
}

int Cli::log()
{
    const qint64 id = idArgument();
    qint64 offset = 0;
    bool ended = false;
    while (true) {
        const Response r = request("GET", QStringLiteral("/api/jobs/%1/log?offset=%2").arg(id).arg(offset));
        if (r.status != 200)
            return fail(r);
        m_out << QString::fromUtf8(r.body);
        m_out.flush();
        offset = r.header("X-Next-Offset").toLongLong();
        // After the job ended one more read takes what it wrote last, then the log is complete.
        if (!m_cl.follow || (ended && r.body.isEmpty()))
            return 0;
        if (r.body.isEmpty()) {
            ended = jobEnded(id);
            if (!ended)
                pause(kFollowPollMs);
        }
    }
}
