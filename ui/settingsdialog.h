#pragma once

#include "core/downloadsettings.h"
#include "core/settings.h"
#include "workers/toolchain.h"

#include <QDialog>
#include <QFutureWatcher>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

// Settings (stored in <data dir>/settings.ini): download folder, concurrency, retries, timeouts,
// retention, tool paths with a check of their versions, downloads, and the HTTP API.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)
public:
    SettingsDialog(const QString &settingsFile, QWidget *parent = nullptr);

    void load();
    // False when something is refused (a token shorter than ApiToken::kMinLength): nothing is
    // saved and the dialog says why.
    bool save();
    QLineEdit *apiTokenEdit() const { return m_apiToken; }
    QString apiTokenProblem() const;
    // Looks the tools up again, off the UI thread, and shows their versions (or what is
    // missing); toolsChecked() when the report is up.
    void checkTools();
    bool isChecking() const { return m_toolWatcher.isRunning(); }
    QString toolReport() const;
    QLineEdit *ytdlpEdit() const { return m_ytdlp; }
    QSpinBox *concurrencySpin() const { return m_concurrent; }
    QLineEdit *downloadDirEdit() const { return m_downloadDir; }
    QCheckBox *throttleCheck() const { return m_throttle; }
    QPlainTextEdit *throttleRulesEdit() const { return m_throttleRules; }
    QLineEdit *cooldownStepsEdit() const { return m_cooldownSteps; }
    QPlainTextEdit *extractorArgsEdit() const { return m_extractorArgs; }
    QLineEdit *poTokenProviderEdit() const { return m_poTokenProvider; }
    // Why the last save() was refused (a rule or a step that does not read), else empty.
    QString problem() const;

Q_SIGNALS:
    void toolsChecked();

private:
    void handleToolsChecked();
    QWidget *generalPage();
    QWidget *queuePage();
    QWidget *toolsPage();
    QWidget *apiPage();
    QWidget *sitesPage();
    // Reads the Sites page (throttle, extractor arguments, PO token provider); false, and why, when a line does not read.
    bool readSites(QString *why);

    QString m_file;
    QueueSettings m_queue = QueueSettings::defaults();
    DownloadSettings m_downloads;
    QLineEdit *m_downloadDir = nullptr;
    QSpinBox *m_concurrent = nullptr;
    QSpinBox *m_maxAttempts = nullptr;
    QSpinBox *m_backoffBase = nullptr;
    QSpinBox *m_backoffMax = nullptr;
    QSpinBox *m_stall = nullptr;
    QSpinBox *m_maxRun = nullptr;
    QSpinBox *m_retention = nullptr;
    QLineEdit *m_rateLimit = nullptr;
    QLineEdit *m_cookies = nullptr;
    QLineEdit *m_window = nullptr;
    QCheckBox *m_metadata = nullptr;
    QCheckBox *m_clipboard = nullptr;
    QLineEdit *m_ytdlp = nullptr;
    QLineEdit *m_ffmpeg = nullptr;
    QLabel *m_toolReport = nullptr;
    QPushButton *m_checkButton = nullptr;
    QFutureWatcher<QList<Toolchain::Tool>> m_toolWatcher;
    QCheckBox *m_apiEnabled = nullptr;
    QSpinBox *m_apiPort = nullptr;
    QLineEdit *m_apiToken = nullptr;
    QLabel *m_apiTokenProblem = nullptr;
    QCheckBox *m_throttle = nullptr;
    QPlainTextEdit *m_throttleRules = nullptr;
    QLineEdit *m_cooldownSteps = nullptr;
    QSpinBox *m_cleanPeriod = nullptr;
    QPlainTextEdit *m_extractorArgs = nullptr;
    QLineEdit *m_poTokenProvider = nullptr;
    QLabel *m_problem = nullptr;
};
