#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>

class JobContext;

// Runs one external program for a worker, blocking the worker's thread: an argument list (never a
// shell), a process group of its own (yt-dlp starts ffmpeg; both must stop together), raw output
// captured to the job's stdout.log/stderr.log, every line handed to a callback, heartbeats for as
// long as the process exists, and cancellation through the job's token: SIGTERM to the group, SIGKILL after a
// grace period, and no process of the group left behind when run() returns.
class ProcessRunner final
{
public:
    struct Result
    {
        bool started = false;
        QString startError;
        int exitCode = -1;
        bool crashed = false;   // ended by a signal
        bool cancelled = false; // the token was cancelled while it ran
        QByteArray stdoutData;  // all of stdout when captureStdout is set
        QByteArray stderrData;  // all of stderr (bounded); both without the lines the filter hides
        QByteArray stdoutTail;  // the last lines of stdout
        // Captured stdout reached the output limit: the process was stopped (its group killed)
        // and what it printed is incomplete.
        bool outputTooLarge = false;
        qint64 outputLimit = 0;
    };
    using LineHandler = std::function<void(const QByteArray &line, bool fromStderr)>;

    explicit ProcessRunner(JobContext &context);
    Q_DISABLE_COPY_MOVE(ProcessRunner)

    void setLineHandler(LineHandler handler) { m_onLine = std::move(handler); }
    void setCaptureStdout(bool capture) { m_captureStdout = capture; }
    // Lines that must not reach the log files or the kept tail (secrets); they still reach the handler.
    void setLogFilter(std::function<bool(const QByteArray &line)> hide) { m_hide = std::move(hide); }
    void setKillGraceMs(int ms) { m_killGraceMs = ms; }
    // At most this much captured stdout (a listing of a huge channel is tens of megabytes); more
    // stops the process. Output that is not captured is never kept whole, whatever its size; a line
    // longer than kMaxLineBytes is handed on (and logged) in pieces of that size.
    void setOutputLimit(qint64 bytes) { m_outputLimit = bytes; }
    static constexpr qint64 kDefaultOutputLimit = 256LL * 1024 * 1024;
    static constexpr qsizetype kMaxLineBytes = 1024 * 1024;

    Result run(const QString &program, const QStringList &arguments);

private:
    struct Stream
    {
        QByteArray pending;
        bool isStderr = false;
        bool hidingLine = false; // the rest of a line whose first piece the filter hid
    };
    void consume(Stream &stream, const QByteArray &data, Result &result);
    // One line of a stream (or a piece of an endless one): `raw` to its log file and `line` (without
    // its carriage return) to the tail and the handler, unless the log filter hides it.
    // Captured output is built from what the filter lets through, so a hidden line is kept
    // nowhere (`wholeLine`: `raw` ends a line, so its newline is captured too).
    void takeLine(Stream &stream, const QByteArray &raw, const QByteArray &line, bool wholeLine, Result &result);

    JobContext &m_context;
    LineHandler m_onLine;
    std::function<bool(const QByteArray &)> m_hide;
    bool m_captureStdout = false;
    int m_killGraceMs = 3000;
    qint64 m_outputLimit = kDefaultOutputLimit;
    qint64 m_pgid = 0;
    qint64 m_captured = 0; // stdout bytes read while capturing, hidden lines included
};
