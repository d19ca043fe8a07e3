#include "translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

#include <memory>

namespace {
const QString kTranslatorName = QStringLiteral("spool-translator");
const QString kEmbedded = QStringLiteral(":/i18n");

// Where a package puts the .qm files, relative to the binary so a relocated install finds them.
QStringList installDirs()
{
    const QString appDir = QCoreApplication::applicationDirPath();
    return {appDir + QStringLiteral("/../share/spool/translations"), QStringLiteral(SPOOL_TRANSLATIONS_DIR)};
}

// The embedded copy first: it always matches the strings compiled into this binary.
bool loadSpool(QTranslator &translator, const QString &language)
{
    const QString file = QStringLiteral("spool_") + language;
    if (translator.load(file, kEmbedded))
        return true;
    for (const QString &dir : installDirs()) {
        if (translator.load(file, dir))
            return true;
    }
    return false;
}

void install(QCoreApplication &app, std::unique_ptr<QTranslator> translator)
{
    translator->setObjectName(kTranslatorName);
    QCoreApplication::installTranslator(translator.get());
    translator.release()->setParent(&app);
}

void removePrevious(QCoreApplication &app)
{
    for (QTranslator *old : app.findChildren<QTranslator *>(kTranslatorName, Qt::FindDirectChildrenOnly)) {
        QCoreApplication::removeTranslator(old);
        delete old;
    }
}
} // namespace

namespace Translations {
QStringList available()
{
    return {QStringLiteral("en"), QStringLiteral("ru")};
}

QString chooseLanguage(const QString &overrideLocale, const QLocale &system)
{
    const QStringList ours = available();
    const QString wanted = QLocale(overrideLocale.trimmed()).name().section(QLatin1Char('_'), 0, 0);
    if (!overrideLocale.trimmed().isEmpty() && ours.contains(wanted))
        return wanted;
    // uiLanguages() lists the user's preferences in order ("de-DE", "ru-RU", "ru", ...).
    for (const QString &tag : system.uiLanguages()) {
        const QString language = tag.section(QLatin1Char('-'), 0, 0).toLower();
        if (ours.contains(language))
            return language;
    }
    return QStringLiteral("en");
}

QString languageSetting(const QString &settingsFile)
{
    const QSettings settings(settingsFile, QSettings::IniFormat);
    return settings.value(QStringLiteral("ui/language")).toString().trimmed();
}
} // namespace Translations

void installTranslations(QCoreApplication &app, const QString &overrideLocale)
{
    removePrevious(app);
    const QString language = Translations::chooseLanguage(overrideLocale);
    // Dates and numbers follow a chosen language; without a choice, they follow the system.
    const bool chosen = !overrideLocale.trimmed().isEmpty() &&
                        QLocale::system().name().section(QLatin1Char('_'), 0, 0) != language;
    QLocale::setDefault(chosen ? QLocale(language) : QLocale::system());
    auto spool = std::make_unique<QTranslator>();
    if (loadSpool(*spool, language))
        install(app, std::move(spool));
    auto qt = std::make_unique<QTranslator>();
    if (language != QLatin1String("en") &&
        qt->load(QStringLiteral("qtbase_") + language, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        install(app, std::move(qt));
}
