#include "testsupport.h"
#include "translations.h"

#include <QCoreApplication>
#include <QFile>
#include <QLibraryInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>
#include <QXmlStreamReader>

namespace {
// One <message> of a .ts file.
struct Message
{
    QString context;
    QString source;
    QString comment;
    bool numerus = false;
    QString type; // "", "unfinished", "obsolete" or "vanished"
    QStringList forms;

    QString key() const { return context + QLatin1Char('\x1f') + source + QLatin1Char('\x1f') + comment; }
    QString where() const { return QStringLiteral("[%1] \"%2\"").arg(context, source); }
    bool active() const { return type != QLatin1String("obsolete") && type != QLatin1String("vanished"); }
};

void readTranslation(QXmlStreamReader &xml, Message &m)
{
    m.type = xml.attributes().value(QLatin1String("type")).toString();
    if (!m.numerus) {
        m.forms = QStringList{xml.readElementText()};
        return;
    }
    while (xml.readNextStartElement()) {
        if (xml.name() == QLatin1String("numerusform"))
            m.forms << xml.readElementText();
        else
            xml.skipCurrentElement();
    }
}

Message readMessage(QXmlStreamReader &xml, const QString &context)
{
    Message m;
    m.context = context;
    m.numerus = xml.attributes().value(QLatin1String("numerus")) == QLatin1String("yes");
    while (xml.readNextStartElement()) {
        if (xml.name() == QLatin1String("source"))
            m.source = xml.readElementText();
        else if (xml.name() == QLatin1String("comment"))
            m.comment = xml.readElementText();
        else if (xml.name() == QLatin1String("translation"))
            readTranslation(xml, m);
        else
            xml.skipCurrentElement();
    }
    return m;
}

QList<Message> readTs(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read %s", qPrintable(path));
    QXmlStreamReader xml(&file);
    QList<Message> messages;
    QString context;
    while (!xml.atEnd()) {
        if (xml.readNext() != QXmlStreamReader::StartElement)
            continue;
        if (xml.name() == QLatin1String("name"))
            context = xml.readElementText();
        else if (xml.name() == QLatin1String("message"))
            messages << readMessage(xml, context);
    }
    if (xml.hasError())
        qFatal("%s: %s", qPrintable(path), qPrintable(xml.errorString()));
    return messages;
}

QHash<QString, Message> byKey(const QList<Message> &messages)
{
    QHash<QString, Message> map;
    for (const Message &m : messages)
        map.insert(m.key(), m);
    return map;
}

QString tsPath(const QString &language)
{
    return QStringLiteral(SPOOL_SOURCE_DIR "/resources/translations/spool_%1.ts").arg(language);
}

QString translate(const Message &m, int n = -1)
{
    return QCoreApplication::translate(qPrintable(m.context), qPrintable(m.source),
                                       m.comment.isEmpty() ? nullptr : qPrintable(m.comment), n);
}

// %1..%99 and %n, as a sorted list (a placeholder may appear twice).
QStringList placeholders(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("%(\\d{1,2}|n)"));
    QStringList found;
    for (const QRegularExpressionMatch &match : re.globalMatch(text))
        found << match.captured();
    found.sort();
    found.removeDuplicates();
    return found;
}

// A keyboard accelerator: '&' before a letter or digit ("&&" is a literal ampersand).
bool hasAccelerator(QString text)
{
    text.remove(QStringLiteral("&&"));
    static const QRegularExpression re(QStringLiteral("&\\w"),
                                       QRegularExpression::UseUnicodePropertiesOption);
    return re.match(text).hasMatch();
}

QStringList checkForm(const Message &m, const QString &form)
{
    QStringList problems;
    if (form.trimmed().isEmpty() && !m.source.trimmed().isEmpty())
        return {QStringLiteral("%1: empty translation").arg(m.where())};
    if (placeholders(form) != placeholders(m.source))
        problems << QStringLiteral("%1: placeholders %2 became %3 in \"%4\"")
                        .arg(m.where(), placeholders(m.source).join(QLatin1Char(' ')),
                             placeholders(form).join(QLatin1Char(' ')), form);
    if (hasAccelerator(m.source) != hasAccelerator(form))
        problems << QStringLiteral("%1: the accelerator (&) is lost or added in \"%2\"").arg(m.where(), form);
    if (m.source.endsWith(QStringLiteral("…")) != form.endsWith(QStringLiteral("…")))
        problems << QStringLiteral("%1: an ellipsis (…) is lost or added in \"%2\"").arg(m.where(), form);
    return problems;
}

// What is wrong with one message's translation; empty when it is complete.
QStringList checkMessage(const Message &found, const QHash<QString, Message> &translated, int pluralForms)
{
    const auto it = translated.constFind(found.key());
    if (it == translated.cend())
        return {QStringLiteral("%1: missing (run packaging/update-translations.sh)").arg(found.where())};
    if (!it->active() || it->type == QLatin1String("unfinished"))
        return {QStringLiteral("%1: %2").arg(found.where(), it->type)};
    if (it->forms.size() != (found.numerus ? pluralForms : 1))
        return {QStringLiteral("%1: %2 forms instead of %3")
                    .arg(found.where())
                    .arg(it->forms.size())
                    .arg(pluralForms)};
    QStringList problems;
    for (const QString &form : it->forms)
        problems << checkForm(*it, form);
    return problems;
}
// One line each: QVERIFY2 would cut a long list short.
void report(const QStringList &problems)
{
    for (const QString &problem : problems)
        qWarning().noquote() << problem;
}
} // namespace

// Translations: every tr() string of app/, ui/ and src/ has a finished Russian translation (and
// English plural forms), the .qm files are embedded, and installTranslations picks and switches.
class TestTranslations final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyStringHasARussianTranslation();
    void everyPluralHasEnglishForms();
    void staleTranslationsAreReported();
    void translationsAreEmbedded();
    void chooseLanguage_data();
    void chooseLanguage();
    void languageComesFromSettings();
    void russianTranslatesEveryMessage();
    void russianPluralsHaveThreeForms();
    void englishPluralsReadNaturally();
    void qtOwnStringsFollow();
    void switchingReplacesTranslators();
    void cleanupTestCase();

private:
    QTemporaryDir m_tmp;
    QList<Message> m_found; // what lupdate finds in the sources now
};

void TestTranslations::initTestCase()
{
    QVERIFY(m_tmp.isValid());
    // The same lupdate call as packaging/update-translations.sh, into a scratch file.
    const QString out = m_tmp.filePath(QStringLiteral("found_ru.ts"));
    QProcess lupdate;
    lupdate.setWorkingDirectory(QStringLiteral(SPOOL_SOURCE_DIR));
    lupdate.setProcessChannelMode(QProcess::MergedChannels);
    lupdate.start(QStringLiteral(SPOOL_LUPDATE),
                  {QStringLiteral("-locations"), QStringLiteral("none"), QStringLiteral("-extensions"),
                   QStringLiteral("cpp,h"), QStringLiteral("-target-language"), QStringLiteral("ru"),
                   QStringLiteral("app"), QStringLiteral("ui"), QStringLiteral("src"), QStringLiteral("-ts"),
                   out});
    QVERIFY2(lupdate.waitForFinished(60'000), qPrintable(lupdate.errorString()));
    QVERIFY2(lupdate.exitCode() == 0, lupdate.readAll().constData());
    m_found = readTs(out);
    QVERIFY2(m_found.size() > 100, "lupdate found suspiciously few strings");
}

void TestTranslations::everyStringHasARussianTranslation()
{
    const QHash<QString, Message> russian = byKey(readTs(tsPath(QStringLiteral("ru"))));
    QStringList problems;
    for (const Message &m : std::as_const(m_found))
        problems << checkMessage(m, russian, 3);
    report(problems);
    QVERIFY2(problems.isEmpty(),
             qPrintable(QStringLiteral("%1 problem(s) in spool_ru.ts, listed above").arg(problems.size())));
}

void TestTranslations::everyPluralHasEnglishForms()
{
    const QHash<QString, Message> english = byKey(readTs(tsPath(QStringLiteral("en"))));
    QStringList problems;
    for (const Message &m : std::as_const(m_found)) {
        if (m.numerus)
            problems << checkMessage(m, english, 2);
    }
    report(problems);
    QVERIFY2(problems.isEmpty(),
             qPrintable(QStringLiteral("%1 problem(s) in spool_en.ts, listed above").arg(problems.size())));
}

// A translation whose string left the code is dead weight: said, not failed (removing a string
// must not break the build), and packaging/update-translations.sh drops them.
void TestTranslations::staleTranslationsAreReported()
{
    const QHash<QString, Message> found = byKey(m_found);
    QStringList stale;
    for (const QString &language : {QStringLiteral("ru"), QStringLiteral("en")}) {
        for (const Message &m : readTs(tsPath(language))) {
            if (m.active() && !found.contains(m.key()))
                stale << QStringLiteral("spool_%1.ts: %2").arg(language, m.where());
        }
    }
    for (const QString &line : std::as_const(stale))
        qWarning("not in the code any more (run packaging/update-translations.sh): %s", qPrintable(line));
}

void TestTranslations::translationsAreEmbedded()
{
    for (const QString &language : Translations::available())
        QVERIFY2(QFile::exists(QStringLiteral(":/i18n/spool_%1.qm").arg(language)), qPrintable(language));
}

void TestTranslations::chooseLanguage_data()
{
    QTest::addColumn<QString>("override");
    QTest::addColumn<QString>("system");
    QTest::addColumn<QString>("expected");
    QTest::newRow("system ru") << ""
                               << "ru_RU"
                               << "ru";
    QTest::newRow("system ru_UA") << ""
                                  << "ru_UA"
                                  << "ru";
    QTest::newRow("system en_GB") << ""
                                  << "en_GB"
                                  << "en";
    QTest::newRow("system de falls back to en") << ""
                                                << "de_DE"
                                                << "en";
    QTest::newRow("system C") << ""
                              << "C"
                              << "en";
    QTest::newRow("override ru") << "ru"
                                 << "en_US"
                                 << "ru";
    QTest::newRow("override ru_RU") << "ru_RU"
                                    << "de_DE"
                                    << "ru";
    QTest::newRow("override en") << "en"
                                 << "ru_RU"
                                 << "en";
    QTest::newRow("override blank") << "  "
                                    << "ru_RU"
                                    << "ru";
    QTest::newRow("override unknown") << "fr"
                                      << "ru_RU"
                                      << "ru";
    QTest::newRow("override nonsense") << "xx-yy"
                                       << "ru_RU"
                                       << "ru";
}

void TestTranslations::chooseLanguage()
{
    QFETCH(QString, override);
    QFETCH(QString, system);
    QFETCH(QString, expected);
    QCOMPARE(Translations::chooseLanguage(override, QLocale(system)), expected);
}

void TestTranslations::languageComesFromSettings()
{
    const QString file = m_tmp.filePath(QStringLiteral("settings.ini"));
    QCOMPARE(Translations::languageSetting(file), QString());
    {
        QSettings settings(file, QSettings::IniFormat);
        settings.setValue(QStringLiteral("ui/language"), QStringLiteral("ru"));
    }
    QCOMPARE(Translations::languageSetting(file), QStringLiteral("ru"));
}

void TestTranslations::russianTranslatesEveryMessage()
{
    installTranslations(*QCoreApplication::instance(), QStringLiteral("ru"));
    QStringList wrong;
    for (const Message &m : readTs(tsPath(QStringLiteral("ru")))) {
        if (m.active() && !m.numerus && translate(m) != m.forms.value(0))
            wrong << m.where();
    }
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(QLatin1Char('\n'))));
}

void TestTranslations::russianPluralsHaveThreeForms()
{
    installTranslations(*QCoreApplication::instance(), QStringLiteral("ru"));
    // Russian: 1, 21 -> first form; 2-4, 22 -> second; 5-20, 11, 0 -> third.
    const QList<std::pair<int, int>> numbers{{1, 0}, {21, 0}, {3, 1}, {22, 1}, {5, 2}, {11, 2}, {0, 2}};
    int checked = 0;
    for (const Message &m : readTs(tsPath(QStringLiteral("ru")))) {
        if (!m.active() || !m.numerus)
            continue;
        for (const auto &[n, form] : numbers)
            QCOMPARE(translate(m, n),
                     QString(m.forms.value(form)).replace(QStringLiteral("%n"), QString::number(n)));
        ++checked;
    }
    QVERIFY(checked > 0);
}

void TestTranslations::englishPluralsReadNaturally()
{
    installTranslations(*QCoreApplication::instance(), QStringLiteral("en"));
    int checked = 0;
    for (const Message &m : readTs(tsPath(QStringLiteral("en")))) {
        if (!m.active())
            continue;
        QVERIFY2(!m.forms.value(0).contains(QStringLiteral("(s)")), qPrintable(m.where()));
        QCOMPARE(translate(m, 1),
                 QString(m.forms.value(0)).replace(QStringLiteral("%n"), QStringLiteral("1")));
        QCOMPARE(translate(m, 5),
                 QString(m.forms.value(1)).replace(QStringLiteral("%n"), QStringLiteral("5")));
        ++checked;
    }
    QVERIFY(checked > 0);
    const Message added{QStringLiteral("MainWindow"), QStringLiteral("Added %n job(s)"), {}, true, {}, {}};
    if (byKey(m_found).contains(added.key())) {
        QCOMPARE(translate(added, 1), QStringLiteral("Added 1 job"));
        QCOMPARE(translate(added, 5), QStringLiteral("Added 5 jobs"));
    }
}

void TestTranslations::qtOwnStringsFollow()
{
    const QString qtbase =
        QLibraryInfo::path(QLibraryInfo::TranslationsPath) + QStringLiteral("/qtbase_ru.qm");
    if (!QFile::exists(qtbase))
        SPOOL_SKIP_UNLESS_REQUIRED("qtbase_ru.qm is not installed (Debian: qt6-translations-l10n)");
    installTranslations(*QCoreApplication::instance(), QStringLiteral("ru"));
    QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Отмена"));
    installTranslations(*QCoreApplication::instance(), QStringLiteral("en"));
    QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Cancel"));
}

void TestTranslations::switchingReplacesTranslators()
{
    const Message quit{QStringLiteral("MainWindow"), QStringLiteral("&Quit"), {}, false, {}, {}};
    QCoreApplication &app = *QCoreApplication::instance();
    for (int round = 0; round < 3; ++round) {
        installTranslations(app, QStringLiteral("ru"));
        QCOMPARE(translate(quit), QStringLiteral("&Выход"));
        installTranslations(app, QStringLiteral("en"));
        QCOMPARE(translate(quit), QStringLiteral("&Quit"));
    }
    // English: Spool's plural forms only; Russian: Spool's and Qt's. Never an accumulation.
    QCOMPARE(app.findChildren<QTranslator *>(QString(), Qt::FindDirectChildrenOnly).size(), 1);
    installTranslations(app, QStringLiteral("ru"));
    QVERIFY(app.findChildren<QTranslator *>(QString(), Qt::FindDirectChildrenOnly).size() <= 2);
}

void TestTranslations::cleanupTestCase()
{
    installTranslations(*QCoreApplication::instance(), QStringLiteral("en"));
}

QTEST_GUILESS_MAIN(TestTranslations)
#include "tst_translations.moc"
