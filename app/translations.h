#pragma once

#include <QLocale>
#include <QString>
#include <QStringList>

class QCoreApplication;

// Chooses Spool's language and installs its translators: Spool's own (spool_<lang>.qm, embedded
// in the binary, or from the install dir) and Qt's (qtbase_<lang>.qm from the system).
namespace Translations {
// The languages Spool ships; English is the source language.
QStringList available();
// `overrideLocale` ("ru", "en", "ru_RU") wins when Spool has that language; otherwise the first of
// the system's UI languages Spool has; otherwise English.
QString chooseLanguage(const QString &overrideLocale, const QLocale &system = QLocale::system());
// [ui] language in a settings.ini; empty when unset (follow the system).
QString languageSetting(const QString &settingsFile);
} // namespace Translations

// Replaces the translators a previous call installed, so it can be called again after the
// setting changed. English installs a translator too: it holds the plural forms ("1 job", "5 jobs").
void installTranslations(QCoreApplication &app, const QString &overrideLocale);
