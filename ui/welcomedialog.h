#pragma once

#include "workers/toolchain.h"

#include <QDialog>
#include <QFutureWatcher>
#include <QList>

class QLabel;
class QLayout;
class QLineEdit;
class QPushButton;
class QSettings;

// The first-run welcome: what Spool does, where downloads go (changeable), whether yt-dlp and
// ffmpeg are there and how to install them. Shown once ([ui] welcome_shown in settings.ini), and
// again whenever the user asks from the Help menu. Never blocks on its own: tests drive it through
// the accessors and press its buttons with click().
class WelcomeDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WelcomeDialog)
public:
    // `fallbackDownloadDir`: shown when the settings name no download folder; empty: ~/Videos/Spool.
    explicit WelcomeDialog(const QString &settingsFile, const QString &fallbackDownloadDir = QString(),
                           QWidget *parent = nullptr);
    ~WelcomeDialog() override;

    // False once the welcome was closed, whichever way.
    static bool shouldShow(QSettings &settings);

    QString downloadDir() const;
    void setDownloadDir(const QString &dir);
    // The welcome's whole text as shown: introduction, folders and tool states.
    QString text() const;
    // What the dialog says about one tool ("yt-dlp" or "ffmpeg"): ready, or missing and how to install it.
    QString toolText(const QString &name) const;
    bool isChecking() const { return m_watcher.isRunning(); }

    QLineEdit *downloadDirEdit() const { return m_downloadDir; }
    QPushButton *chooseButton() const { return m_choose; }
    QPushButton *checkAgainButton() const { return m_checkAgain; }
    QPushButton *startButton() const { return m_start; }

    // Saves the download folder (when accepted) and that the welcome was shown (always).
    void done(int result) override;

Q_SIGNALS:
    void toolsChecked();

private:
    struct ToolRow
    {
        QString name;
        QString configured;
        QLabel *icon = nullptr;
        QLabel *text = nullptr;
    };

    QLayout *buildHeader();
    QWidget *buildButtons();
    QWidget *buildFolderBox();
    QWidget *buildToolsBox();
    void checkTools();
    void handleToolsChecked();
    void fitHeight();
    void showTool(ToolRow &row, const Toolchain::Tool &tool);
    QString toolStateText(const ToolRow &row, const Toolchain::Tool &tool) const;
    void chooseFolder();

    QString m_settingsFile;
    QLabel *m_intro = nullptr;
    QLabel *m_dataDirText = nullptr;
    QLineEdit *m_downloadDir = nullptr;
    QPushButton *m_choose = nullptr;
    QPushButton *m_checkAgain = nullptr;
    QPushButton *m_start = nullptr;
    QList<ToolRow> m_tools;
    QFutureWatcher<QList<Toolchain::Tool>> m_watcher;
};
