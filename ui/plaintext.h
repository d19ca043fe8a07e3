#pragma once

#include <QString>

// Text from strangers (titles, URLs, error messages of yt-dlp and servers) shown where Qt would
// read it as rich text when it looks like markup: tool tips (Qt::mightBeRichText) and labels in
// Qt::AutoText. A title "<img src=…>" must be shown, never rendered.
namespace PlainText {
// A tool tip that shows `text` as it is, line breaks kept.
inline QString toolTip(const QString &text)
{
    if (text.isEmpty())
        return text;
    return QStringLiteral("<p style=\"white-space:pre-wrap\">") + text.toHtmlEscaped() + QStringLiteral("</p>");
}
} // namespace PlainText
