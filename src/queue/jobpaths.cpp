#include "queue/jobpaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace JobPaths {
namespace {
constexpr qsizetype kMaxTemplate = 1024;

bool hasControl(const QString &text)
{
    return std::any_of(text.cbegin(), text.cend(), [](QChar c) {
        return c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() <= 0x9f);
    });
}

// Text that is only dots (and blanks): a folder of that name is "." or ".." once fields are empty.
bool onlyDots(const QString &text)
{
    static const QRegularExpression dots(QStringLiteral("\\A[\\s.]*\\.[\\s.]*\\z"));
    return dots.match(text).hasMatch();
}

struct Field
{
    QString key;    // what is inside %( )
    qsizetype end;  // index after the conversion letter
};

// The field starting at template[at] == '%' and template[at + 1] == '(', or nothing when it is
// not closed or has no conversion.
std::optional<Field> readField(const QString &t, qsizetype at)
{
    int depth = 0;
    qsizetype i = at + 1;
    for (; i < t.size(); ++i) {
        if (t[i] == QLatin1Char('('))
            ++depth;
        else if (t[i] == QLatin1Char(')') && --depth == 0)
            break;
    }
    if (i >= t.size())
        return std::nullopt;
    static const QRegularExpression conversion(QStringLiteral("\\G[#0\\-+ ]*[0-9]*(?:\\.[0-9]+)?[A-Za-z]"));
    const auto m = conversion.match(t, i + 1);
    if (!m.hasMatch())
        return std::nullopt;
    return Field{t.mid(at + 2, i - at - 2), m.capturedEnd()};
}

// A field in a folder: plain names (alternatives with ","), and no literal part (a date format,
// a replacement after "&", a default after "|") that starts with a dot or a blank.
std::variant<QStringList, QString> folderFieldNames(const QString &key)
{
    static const QRegularExpression shape(QStringLiteral(
        "\\A(?<fields>[A-Za-z_][A-Za-z0-9_]*(?:,[A-Za-z_][A-Za-z0-9_]*)*)(?:>(?<strf>[^&|]*))?(?:&(?<repl>[^|]*))?(?:\\|(?<def>.*))?\\z"));
    const auto m = shape.match(key);
    if (!m.hasMatch())
        return QCoreApplication::translate("JobPaths", "the field '%1' in a folder name must be a plain field name (such as uploader or "
                  "playlist_title), alternatives separated by commas")
            .arg(key);
    // A value shortened by a precision (".2s") keeps its start: a start of dots can become "..".
    static const QRegularExpression dotStart(QStringLiteral("\\A[\\s.]"));
    for (const QString &part : {m.captured(u"strf"), m.captured(u"repl"), m.captured(u"def")}) {
        if (dotStart.match(part).hasMatch())
            return QCoreApplication::translate("JobPaths", "the field '%1' in a folder name can become '.' or '..'").arg(key);
    }
    return m.captured(u"fields").split(QLatin1Char(','));
}
} // namespace

std::variant<Template, QString> parseTemplate(const QString &t)
{
    if (t.trimmed().isEmpty())
        return QCoreApplication::translate("JobPaths", "the output template is empty");
    if (t.size() > kMaxTemplate)
        return QCoreApplication::translate("JobPaths", "the output template is longer than %1 characters").arg(kMaxTemplate);
    if (hasControl(t))
        return QCoreApplication::translate("JobPaths", "the output template contains a control character");
    if (t.startsWith(QLatin1Char('/')) || t.startsWith(QLatin1Char('~')))
        return QCoreApplication::translate("JobPaths", "the output template must be relative to the download folder");
    if (!t.endsWith(QLatin1String(".%(ext)s")))
        return QCoreApplication::translate("JobPaths", "the output template must end with '.%(ext)s'");

    // The template split into its folders and file name, fields kept whole (a date format may
    // hold a "/" of its own).
    struct Part
    {
        QString literal; // the part's own text, fields left out
        QStringList keys;
    };
    QList<Part> parts{Part{}};
    for (qsizetype i = 0; i < t.size(); ++i) {
        if (t[i] == QLatin1Char('/')) {
            parts.append(Part{});
        } else if (t[i] != QLatin1Char('%')) {
            parts.last().literal += t[i];
        } else if (i + 1 < t.size() && t[i + 1] == QLatin1Char('%')) {
            parts.last().literal += QLatin1Char('%');
            ++i;
        } else if (i + 1 >= t.size() || t[i + 1] != QLatin1Char('(')) {
            return QCoreApplication::translate("JobPaths", "the output template has a '%' that starts no field (write %% for a percent sign)");
        } else {
            const auto field = readField(t, i);
            if (!field)
                return QCoreApplication::translate("JobPaths", "the output template has a field that is not closed");
            parts.last().keys << field->key;
            i = field->end - 1;
        }
    }
    Template result;
    for (qsizetype p = 0; p < parts.size(); ++p) {
        const Part &part = parts[p];
        if (part.keys.isEmpty() && (part.literal == QLatin1String(".") || part.literal == QLatin1String("..")))
            return QCoreApplication::translate("JobPaths", "the output template names the folder '%1'").arg(part.literal);
        if (p == parts.size() - 1) // the file name ends in ".ext": never "." or ".."
            break;
        if (!part.keys.isEmpty() && onlyDots(part.literal))
            return QCoreApplication::translate("JobPaths", "a folder of the output template is only dots and fields, so it can become '..'");
        for (const QString &key : part.keys) {
            auto names = folderFieldNames(key);
            if (const auto *why = std::get_if<QString>(&names))
                return *why;
            result.folderFields += std::get<QStringList>(names);
        }
    }
    result.folderFields.removeDuplicates();
    return result;
}

std::optional<QString> pathProblem(const QString &path)
{
    if (path.trimmed().isEmpty())
        return QCoreApplication::translate("JobPaths", "is empty");
    if (hasControl(path))
        return QCoreApplication::translate("JobPaths", "contains a control character");
    const QStringList parts = QDir::fromNativeSeparators(path).split(QLatin1Char('/'));
    if (parts.contains(QLatin1String("..")))
        return QCoreApplication::translate("JobPaths", "contains '..'; name the folder directly");
    if (path.startsWith(QLatin1Char('~')))
        return QCoreApplication::translate("JobPaths", "starts with '~'; give the path inside the download folder");
    return std::nullopt;
}

QString resolve(const QString &path, const QString &downloadDir)
{
    if (pathProblem(path))
        return QString();
    if (QDir::isAbsolutePath(path))
        return QDir::cleanPath(path);
    return QDir::cleanPath(downloadDir + QLatin1Char('/') + path);
}

bool isInside(const QString &path, const QString &downloadDir)
{
    if (downloadDir.isEmpty() || !QDir::isAbsolutePath(downloadDir))
        return false;
    const QString dir = QDir::cleanPath(downloadDir);
    const QString p = QDir::cleanPath(path);
    return p == dir || p.startsWith(dir == QLatin1String("/") ? dir : dir + QLatin1Char('/'));
}

bool isReallyInside(const QString &path, const QString &downloadDir)
{
    const QString dir = QFileInfo(downloadDir).canonicalFilePath();
    if (dir.isEmpty())
        return false;
    QFileInfo info(path);
    QString real = info.canonicalFilePath();
    if (real.isEmpty()) // not there yet: its nearest existing folder decides
        for (QString up = info.absolutePath(); real.isEmpty() && !up.isEmpty(); up = QFileInfo(up).path()) {
            real = QFileInfo(up).canonicalFilePath();
            if (up == QLatin1String("/"))
                break;
        }
    return !real.isEmpty() && isInside(real, dir);
}
} // namespace JobPaths
