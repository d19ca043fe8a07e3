#pragma once

#include <QByteArray>
#include <QIODevice>

#include <cstdio>

// What the command line prints goes through this: titles, URLs, error messages and log lines come
// from strangers (a channel's page, a video's metadata, an API client), and a control or escape
// sequence among them would reach the terminal raw (an OSC 52 clipboard write, a cursor move, a
// line overwritten by a carriage return, text reversed by a bidirectional override). Every C0 and
// C1 control but newline and tab, DEL, and the bidirectional overrides and isolates are written as
// visible JSON-style escapes instead (ESC as \u001b); the rest of the UTF-8 text passes unchanged.
// JSON output stays valid and means the same: such characters only occur inside its strings, where
// that escape is their own spelling.
class TerminalText final : public QIODevice
{
public:
    explicit TerminalText(FILE *stream);
    ~TerminalText() override;
    Q_DISABLE_COPY_MOVE(TerminalText)

    bool isSequential() const override { return true; }
    // The escaped form of UTF-8 text, for what is written in pieces: `pending` keeps the start of a
    // character that a piece cut in two.
    static QByteArray escape(const QByteArray &text, QByteArray *pending = nullptr);

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override;

private:
    FILE *m_stream;
    QByteArray m_pending;
};
