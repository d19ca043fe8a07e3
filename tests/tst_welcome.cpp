#include "testsupport.h"
#include "translations.h"
#include "welcomedialog.h"

#include "workers/toolchain.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

// The first-run welcome, offscreen: never exec()'d, read through its accessors, its buttons
// pressed with click().
class TestWelcome final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void shownUntilClosedOnce();
    void missingToolsSayHowToInstall();
    void realToolsAreFound();
    void showsFolderFromSettingsOrFallback();
    void getStartedSavesTheFolder();
    void closingKeepsTheFolder();
    void chooseOpensAPickerWithoutBlocking();
    void checkAgainLooksAgain();
    void speaksRussian();

private:
    QString settingsFile() const { return m_dir->filePath(QStringLiteral("settings.ini")); }
    void setValue(const QString &key, const QVariant &value) const;
    QVariant value(const QString &key) const;
    static void waitForTools(WelcomeDialog &dialog);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestWelcome::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestWelcome::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    Toolchain::forget();
}

void TestWelcome::setValue(const QString &key, const QVariant &value) const
{
    QSettings settings(settingsFile(), QSettings::IniFormat);
    settings.setValue(key, value);
}

QVariant TestWelcome::value(const QString &key) const
{
    const QSettings settings(settingsFile(), QSettings::IniFormat);
    return settings.value(key);
}

void TestWelcome::waitForTools(WelcomeDialog &dialog)
{
    QSignalSpy checked(&dialog, &WelcomeDialog::toolsChecked);
    QVERIFY(checked.wait(60'000));
    QVERIFY(!dialog.isChecking());
}

void TestWelcome::shownUntilClosedOnce()
{
    {
        QSettings settings(settingsFile(), QSettings::IniFormat);
        QVERIFY(WelcomeDialog::shouldShow(settings));
    }
    WelcomeDialog dialog(settingsFile());
    dialog.reject();
    QSettings settings(settingsFile(), QSettings::IniFormat);
    QVERIFY(!WelcomeDialog::shouldShow(settings));
    QCOMPARE(settings.value(QStringLiteral("ui/welcome_shown")).toBool(), true);
}

void TestWelcome::missingToolsSayHowToInstall()
{
    const QString ytdlp = m_dir->filePath(QStringLiteral("nowhere/yt-dlp"));
    const QString ffmpeg = m_dir->filePath(QStringLiteral("nowhere/ffmpeg"));
    setValue(QStringLiteral("tools/ytdlp_path"), ytdlp);
    setValue(QStringLiteral("tools/ffmpeg_path"), ffmpeg);
    WelcomeDialog dialog(settingsFile());
    waitForTools(dialog);
    const QString yt = dialog.toolText(QStringLiteral("yt-dlp"));
    QVERIFY2(yt.contains(QStringLiteral("yt-dlp was not found at %1.").arg(ytdlp)), qPrintable(yt));
    QVERIFY2(yt.contains(Toolchain::installHint(QStringLiteral("yt-dlp"))), qPrintable(yt));
    QVERIFY2(yt.contains(QStringLiteral("sudo apt install yt-dlp")), qPrintable(yt));
    const QString ff = dialog.toolText(QStringLiteral("ffmpeg"));
    QVERIFY2(ff.contains(QStringLiteral("ffmpeg was not found at %1.").arg(ffmpeg)), qPrintable(ff));
    QVERIFY2(ff.contains(QStringLiteral("sudo apt install ffmpeg")), qPrintable(ff));
    QVERIFY(dialog.text().contains(yt));
    QVERIFY(dialog.text().contains(ff));
}

void TestWelcome::realToolsAreFound()
{
    const Toolchain::Tool ytdlp = Toolchain::find(QStringLiteral("yt-dlp"));
    const Toolchain::Tool ffmpeg = Toolchain::find(QStringLiteral("ffmpeg"));
    if (!ytdlp.ok() || !ffmpeg.ok())
        SPOOL_SKIP_UNLESS_REQUIRED("yt-dlp and ffmpeg are not both installed");
    WelcomeDialog dialog(settingsFile());
    waitForTools(dialog);
    const QString yt = dialog.toolText(QStringLiteral("yt-dlp"));
    QVERIFY2(yt.startsWith(QStringLiteral("yt-dlp %1 is ready (%2).").arg(ytdlp.version, ytdlp.path)),
             qPrintable(yt));
    const QString ff = dialog.toolText(QStringLiteral("ffmpeg"));
    QVERIFY2(ff.startsWith(QStringLiteral("ffmpeg ")), qPrintable(ff));
    QVERIFY2(ff.endsWith(QStringLiteral(" is ready (%1).").arg(ffmpeg.path)), qPrintable(ff));
    QVERIFY2(!ff.contains(QStringLiteral("Copyright")), qPrintable(ff)); // only the version number
    QVERIFY(!dialog.text().contains(QStringLiteral("sudo apt install")));
}

void TestWelcome::showsFolderFromSettingsOrFallback()
{
    {
        WelcomeDialog dialog(settingsFile(), QStringLiteral("/srv/fallback"));
        QCOMPARE(dialog.downloadDir(), QStringLiteral("/srv/fallback"));
        QVERIFY(dialog.text().contains(QStringLiteral("/srv/fallback")));
        QVERIFY(dialog.text().contains(m_dir->path())); // where the queue and logs live
    }
    {
        WelcomeDialog dialog(settingsFile());
        QCOMPARE(dialog.downloadDir(),
                 QStandardPaths::writableLocation(QStandardPaths::MoviesLocation) + QStringLiteral("/Spool"));
    }
    setValue(QStringLiteral("downloads/download_dir"), QStringLiteral("/srv/videos"));
    WelcomeDialog dialog(settingsFile(), QStringLiteral("/srv/fallback"));
    QCOMPARE(dialog.downloadDir(), QStringLiteral("/srv/videos"));
}

void TestWelcome::getStartedSavesTheFolder()
{
    WelcomeDialog dialog(settingsFile(), QStringLiteral("/srv/fallback"));
    dialog.show();
    dialog.downloadDirEdit()->setText(m_dir->filePath(QStringLiteral("Videos")));
    dialog.startButton()->click();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(!dialog.isVisible());
    QCOMPARE(value(QStringLiteral("downloads/download_dir")).toString(),
             m_dir->filePath(QStringLiteral("Videos")));
    QCOMPARE(value(QStringLiteral("ui/welcome_shown")).toBool(), true);
}

void TestWelcome::closingKeepsTheFolder()
{
    setValue(QStringLiteral("downloads/download_dir"), QStringLiteral("/srv/videos"));
    WelcomeDialog dialog(settingsFile());
    dialog.show();
    dialog.setDownloadDir(QStringLiteral("/srv/elsewhere"));
    QTest::keyClick(&dialog, Qt::Key_Escape);
    QCOMPARE(dialog.result(), int(QDialog::Rejected));
    QCOMPARE(value(QStringLiteral("downloads/download_dir")).toString(), QStringLiteral("/srv/videos"));
    QCOMPARE(value(QStringLiteral("ui/welcome_shown")).toBool(), true);
}

void TestWelcome::chooseOpensAPickerWithoutBlocking()
{
    WelcomeDialog dialog(settingsFile());
    dialog.show();
    dialog.chooseButton()->click(); // returns: the picker is open(), not exec()'d
    auto *picker = dialog.findChild<QFileDialog *>();
    QVERIFY(picker);
    QCOMPARE(picker->fileMode(), QFileDialog::Directory);
    const QString chosen = m_dir->filePath(QStringLiteral("Chosen"));
    Q_EMIT picker->fileSelected(chosen);
    QCOMPARE(dialog.downloadDir(), chosen);
    picker->reject();
}

void TestWelcome::checkAgainLooksAgain()
{
    const QString ytdlp = m_dir->filePath(QStringLiteral("bin/yt-dlp"));
    setValue(QStringLiteral("tools/ytdlp_path"), ytdlp);
    WelcomeDialog dialog(settingsFile());
    waitForTools(dialog);
    QVERIFY(dialog.toolText(QStringLiteral("yt-dlp")).contains(QStringLiteral("was not found")));
    // The user installs it meanwhile: a script that answers --version.
    QVERIFY(QDir().mkpath(m_dir->filePath(QStringLiteral("bin"))));
    QFile script(ytdlp);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("#!/bin/sh\necho 2099.01.01\n");
    script.close();
    QVERIFY(script.setPermissions(script.permissions() | QFile::ExeOwner));
    QVERIFY(dialog.checkAgainButton()->isEnabled());
    dialog.checkAgainButton()->click();
    QVERIFY(dialog.toolText(QStringLiteral("yt-dlp")).startsWith(QStringLiteral("Checking")));
    waitForTools(dialog);
    QCOMPARE(dialog.toolText(QStringLiteral("yt-dlp")),
             QStringLiteral("yt-dlp 2099.01.01 is ready (%1).").arg(ytdlp));
}

void TestWelcome::speaksRussian()
{
    installTranslations(*qApp, QStringLiteral("ru"));
    setValue(QStringLiteral("tools/ytdlp_path"), m_dir->filePath(QStringLiteral("nowhere/yt-dlp")));
    {
        WelcomeDialog dialog(settingsFile());
        QCOMPARE(dialog.windowTitle(), QStringLiteral("Добро пожаловать в Spool"));
        QCOMPARE(dialog.startButton()->text(), QStringLiteral("&Начать работу"));
        waitForTools(dialog);
        QVERIFY2(dialog.toolText(QStringLiteral("yt-dlp")).startsWith(QStringLiteral("yt-dlp не найден")),
                 qPrintable(dialog.toolText(QStringLiteral("yt-dlp"))));
    }
    installTranslations(*qApp, QStringLiteral("en"));
}

QTEST_MAIN(TestWelcome)
#include "tst_welcome.moc"
