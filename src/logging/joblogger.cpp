#include "logging/joblogger.h"

#include "core/clock.h"

#include <QDateTime>
#include <QDir>
#include <QJsonDocument>

#include <utility>

JobLogger::JobLogger(QString dir, qint64 capBytes, const Clock *clock)
    : m_dir(std::move(dir)), m_cap(capBytes), m_clock(clock)
{
}

JobLogger::~JobLogger() = default;

QString JobLogger::levelName(Level level)
{
    switch (level) {
    case Level::Debug: return QStringLiteral("debug");
    case Level::Info: return QStringLiteral("info");
    case Level::Warning: return QStringLiteral("warning");
    case Level::Error: return QStringLiteral("error");
    }
    return QString();
}

QByteArray JobLogger::humanLine(const QString &time, const QString &level, QString message)
{
    message.replace(QLatin1Char('\n'), QLatin1String("\n    ")); // one entry stays one visual block
    return (time + QLatin1Char(' ') + level.toUpper().leftJustified(8) + message).toUtf8() + '\n';
}

void JobLogger::log(Level level, const QString &event, const QString &message, const QJsonObject &fields)
{
    const qint64 at = m_clock->nowMs();
    const QString ts = QDateTime::fromMSecsSinceEpoch(at, Qt::UTC).toString(Qt::ISODateWithMs);
    const QByteArray line = humanLine(ts, levelName(level), message);
    std::lock_guard lock(m_mutex);
    write(m_human, QStringLiteral("job.log"), line);
    if (m_mirrorCap > 0 && !m_mirrorCapped) {
        m_mirrored += line.size(); // the entry's bytes, as job.log holds them
        if (m_mirrored > m_mirrorCap) {
            m_mirrorCapped = true;
            m_lines.append(Line{at, levelName(Level::Warning), QStringLiteral("log_capped"),
                                QStringLiteral("[The shared queue keeps the first %1 bytes of this log; the rest is in job.log on "
                                               "the host that ran it]")
                                    .arg(m_mirrorCap),
                                {}});
        } else {
            m_lines.append(Line{at, levelName(level), event, message, fields});
        }
    }
    if (event.isEmpty())
        return;
    QJsonObject object{{QStringLiteral("ts"), ts},
                       {QStringLiteral("level"), levelName(level)},
                       {QStringLiteral("event"), event},
                       {QStringLiteral("message"), message}};
    if (!fields.isEmpty())
        object.insert(QStringLiteral("fields"), fields);
    write(m_events, QStringLiteral("events.jsonl"), QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
}

void JobLogger::appendStdout(const QByteArray &data)
{
    std::lock_guard lock(m_mutex);
    write(m_stdout, QStringLiteral("stdout.log"), data);
}

void JobLogger::appendStderr(const QByteArray &data)
{
    std::lock_guard lock(m_mutex);
    write(m_stderr, QStringLiteral("stderr.log"), data);
}

void JobLogger::flush()
{
    std::lock_guard lock(m_mutex);
    for (CappedFile *f : {&m_human, &m_events, &m_stdout, &m_stderr}) {
        if (f->file.isOpen())
            f->file.flush();
    }
}

void JobLogger::mirrorLines(qint64 capBytes)
{
    std::lock_guard lock(m_mutex);
    m_mirrorCap = capBytes;
}

QList<JobLogger::Line> JobLogger::takeLines()
{
    std::lock_guard lock(m_mutex);
    return std::exchange(m_lines, {});
}

void JobLogger::giveBack(QList<Line> lines)
{
    std::lock_guard lock(m_mutex);
    lines.append(m_lines);
    m_lines = std::move(lines);
}

void JobLogger::write(CappedFile &target, const QString &name, const QByteArray &data)
{
    if (target.capped)
        return;
    if (target.size < 0) {
        QDir().mkpath(m_dir);
        target.file.setFileName(m_dir + QLatin1Char('/') + name);
        if (!target.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
            target.capped = true; // cannot write: stay quiet rather than retry on every line
            return;
        }
        target.size = target.file.size();
    }
    if (target.size + data.size() > m_cap) {
        const QByteArray notice = "\n[log capped at " + QByteArray::number(m_cap) + " bytes; further output dropped]\n";
        target.file.write(notice);
        target.capped = true;
        return;
    }
    target.size += target.file.write(data);
}
