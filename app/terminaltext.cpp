#include "terminaltext.h"

namespace {
void appendEscape(QByteArray &out, unsigned code)
{
    out += "\\u" + QByteArray::number(code, 16).rightJustified(4, '0');
}
} // namespace

TerminalText::TerminalText(FILE *stream) : m_stream(stream)
{
    open(QIODevice::WriteOnly | QIODevice::Unbuffered);
}

TerminalText::~TerminalText()
{
    if (!m_pending.isEmpty()) { // a cut character that never got its end: shown as bytes
        QByteArray out;
        for (char c : std::as_const(m_pending))
            appendEscape(out, static_cast<unsigned char>(c));
        std::fwrite(out.constData(), 1, static_cast<size_t>(out.size()), m_stream);
    }
    std::fflush(m_stream);
}

QByteArray TerminalText::escape(const QByteArray &text, QByteArray *pending)
{
    const QByteArray in = pending ? *pending + text : text;
    if (pending)
        pending->clear();
    QByteArray out;
    out.reserve(in.size());
    const auto byte = [&in](qsizetype i) { return static_cast<unsigned char>(in[i]); };
    for (qsizetype i = 0; i < in.size(); ++i) {
        const unsigned char c = byte(i);
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            appendEscape(out, c);
            continue;
        }
        // C1 controls: U+0080..U+009F, in UTF-8 0xC2 0x80..0x9F.
        // Bidirectional embeddings and overrides U+202A..U+202E (0xE2 0x80 0xAA..0xAE) and
        // isolates U+2066..U+2069 (0xE2 0x81 0xA6..0xA9).
        if (c == 0xc2 || c == 0xe2) {
            const qsizetype need = c == 0xc2 ? 2 : 3;
            if (i + need > in.size()) {
                if (pending) { // the rest of this character comes with the next piece
                    *pending = in.mid(i);
                    break;
                }
                out += in.mid(i);
                break;
            }
            if (c == 0xc2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9f) {
                appendEscape(out, byte(i + 1));
                ++i;
                continue;
            }
            if (c == 0xe2) {
                const unsigned char b1 = byte(i + 1);
                const unsigned char b2 = byte(i + 2);
                if ((b1 == 0x80 && b2 >= 0xaa && b2 <= 0xae) || (b1 == 0x81 && b2 >= 0xa6 && b2 <= 0xa9)) {
                    appendEscape(out, 0x2000u + ((b1 & 0x3fu) << 6) + (b2 & 0x3fu));
                    i += 2;
                    continue;
                }
            }
        }
        out += static_cast<char>(c);
    }
    return out;
}

qint64 TerminalText::writeData(const char *data, qint64 size)
{
    const QByteArray out = escape(QByteArray::fromRawData(data, static_cast<qsizetype>(size)), &m_pending);
    if (std::fwrite(out.constData(), 1, static_cast<size_t>(out.size()), m_stream) != static_cast<size_t>(out.size()))
        return -1;
    std::fflush(m_stream);
    return size;
}
