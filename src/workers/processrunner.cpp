#include "workers/processrunner.h"

#include "logging/joblogger.h"
#include "workers/cancellationtoken.h"
#include "workers/progressreporter.h"
#include "workers/worker.h"

#include <QElapsedTimer>
#include <QProcess>

#include <cerrno>
#include <csignal>
#include <unistd.h>

namespace {
constexpr qsizetype kMaxStderrKept = 256 * 1024;
constexpr qsizetype kTailBytes = 8 * 1024;
constexpr int kPollMs = 100;

bool groupAlive(qint64 pgid)
{
    return ::kill(static_cast<pid_t>(-pgid), 0) == 0 || errno == EPERM;
}
} // namespace

ProcessRunner::ProcessRunner(JobContext &context) : m_context(context) {}

void ProcessRunner::takeLine(Stream &stream, const QByteArray &raw, const QByteArray &line, bool wholeLine,
                             Result &result)
{
    // A line kept from the logs (a request with its cookies) is kept from the tail, the captured
    // output and stderr too: any of them may become the job's error message, stored and served.
    const bool hidden = stream.hidingLine || (m_hide && m_hide(line));
    stream.hidingLine = hidden && !wholeLine;
    if (!hidden) {
        // The log files get a piece as a line of its own; what is captured keeps the bytes exact.
        const QByteArray kept = wholeLine ? raw + '\n' : raw;
        if (stream.isStderr) {
            m_context.log().appendStderr(raw + '\n');
            if (result.stderrData.size() < kMaxStderrKept)
                result.stderrData += kept;
        } else {
            if (!m_captureStdout)
                m_context.log().appendStdout(raw + '\n');
            else if (!result.outputTooLarge)
                result.stdoutData += kept;
            result.stdoutTail += line + '\n';
            if (result.stdoutTail.size() > kTailBytes)
                result.stdoutTail = result.stdoutTail.right(kTailBytes);
        }
    }
    if (m_onLine)
        m_onLine(line, stream.isStderr);
}

void ProcessRunner::consume(Stream &stream, const QByteArray &data, Result &result)
{
    if (data.isEmpty())
        return;
    if (!stream.isStderr && m_captureStdout && !result.outputTooLarge) {
        m_captured += data.size();
        if (m_captured > m_outputLimit) {
            // Memory is not the process's to take: stop it, and say why.
            result.outputTooLarge = true;
            result.outputLimit = m_outputLimit;
            result.stdoutData.clear();
            if (m_pgid > 0)
                ::kill(static_cast<pid_t>(-m_pgid), SIGKILL);
        }
    }
    stream.pending += data;
    // A line without its end in sight goes on in pieces: nothing is kept whole that a process can
    // make endless.
    while (stream.pending.size() > kMaxLineBytes && stream.pending.indexOf('\n') < 0) {
        const QByteArray piece = stream.pending.left(kMaxLineBytes);
        stream.pending.remove(0, kMaxLineBytes);
        takeLine(stream, piece, piece, false, result);
    }
    qsizetype start = 0;
    for (qsizetype nl = stream.pending.indexOf('\n'); nl >= 0; nl = stream.pending.indexOf('\n', start)) {
        const QByteArray line = stream.pending.mid(start, nl - start);
        start = nl + 1;
        takeLine(stream, line, line.endsWith('\r') ? line.chopped(1) : line, true, result);
    }
    stream.pending.remove(0, start);
}

ProcessRunner::Result ProcessRunner::run(const QString &program, const QStringList &arguments)
{
    Result result;
    QProcess process;
    process.setProgram(program);
    process.setArguments(arguments);
    // A group of its own, so one signal reaches yt-dlp and every ffmpeg it started.
    process.setChildProcessModifier([] { ::setpgid(0, 0); });
    m_context.log().log(JobLogger::Level::Debug, QStringLiteral("process_start"),
                        QStringLiteral("Running %1 %2").arg(program, arguments.join(QLatin1Char(' '))));
    process.start();
    if (!process.waitForStarted(30'000)) {
        result.startError = process.errorString();
        return result;
    }
    result.started = true;
    const qint64 pgid = process.processId();
    m_pgid = pgid;
    m_context.token().attachProcessGroup(pgid);
    Stream out{{}, false}, err{{}, true};
    QElapsedTimer sinceCancel;
    while (process.state() != QProcess::NotRunning) {
        // Alive is the process existing, not it printing: a silent ffmpeg merge keeps its lease.
        // Whether it moves forward is for the stall watchdog to judge, by progress.
        m_context.progress().heartbeat();
        process.waitForReadyRead(kPollMs);
        consume(out, process.readAllStandardOutput(), result);
        consume(err, process.readAllStandardError(), result);
        if (m_context.token().isCancelled()) {
            result.cancelled = true;
            if (!sinceCancel.isValid())
                sinceCancel.start();
            else if (sinceCancel.elapsed() > m_killGraceMs)
                ::kill(static_cast<pid_t>(-pgid), SIGKILL);
        }
    }
    process.waitForFinished(1000);
    consume(out, process.readAllStandardOutput() + (out.pending.isEmpty() ? QByteArray() : QByteArray("\n")), result);
    consume(err, process.readAllStandardError() + (err.pending.isEmpty() ? QByteArray() : QByteArray("\n")), result);
    // The leader is gone; anything it left in its group goes too.
    if (groupAlive(pgid))
        ::kill(static_cast<pid_t>(-pgid), SIGKILL);
    m_context.token().detachProcessGroup(pgid);
    m_pgid = 0;
    result.exitCode = process.exitCode();
    result.crashed = process.exitStatus() == QProcess::CrashExit;
    result.cancelled = result.cancelled || m_context.token().isCancelled();
    return result;
}
