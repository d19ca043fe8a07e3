#include "settingsdialog.h"

#include "api/apitoken.h"
#include "core/throttle.h"
#include "queue/jobtypes.h"
#include "workers/downloadenv.h"
#include "workers/toolchain.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QTabWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {
QSpinBox *spin(QWidget *parent, int min, int max, const QString &suffix)
{
    auto *box = new QSpinBox(parent);
    box->setRange(min, max);
    box->setSuffix(suffix);
    return box;
}
} // namespace

SettingsDialog::SettingsDialog(const QString &settingsFile, QWidget *parent) : QDialog(parent), m_file(settingsFile)
{
    setWindowTitle(tr("Settings"));
    auto *tabs = new QTabWidget(this);
    tabs->addTab(generalPage(), tr("Downloads"));
    tabs->addTab(queuePage(), tr("Queue"));
    tabs->addTab(sitesPage(), tr("Sites"));
    tabs->addTab(toolsPage(), tr("Tools"));
    tabs->addTab(apiPage(), tr("Remote control"));
    auto *note = new QLabel(tr("Changes to the queue, tools and remote control apply after Spool restarts."), this);
    note->setWordWrap(true);
    m_problem = new QLabel(this);
    m_problem->setTextFormat(Qt::PlainText);
    m_problem->setWordWrap(true);
    m_problem->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_problem->hide();
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(m_problem);
    layout->addWidget(note);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (save())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    load();
}

QWidget *SettingsDialog::generalPage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_downloadDir = new QLineEdit(page);
    auto *browse = new QPushButton(tr("Choose…"), page);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Download folder"), m_downloadDir->text());
        if (!dir.isEmpty())
            m_downloadDir->setText(dir);
    });
    auto *row = new QHBoxLayout;
    row->addWidget(m_downloadDir, 1);
    row->addWidget(browse);
    form->addRow(tr("Download folder"), row);
    m_rateLimit = new QLineEdit(page);
    m_rateLimit->setPlaceholderText(tr("unlimited (e.g. 2M for 2 MB/s)"));
    form->addRow(tr("Bandwidth cap"), m_rateLimit);
    m_window = new QLineEdit(page);
    m_window->setPlaceholderText(tr("any time (e.g. 01:00-07:00)"));
    form->addRow(tr("Download only between"), m_window);
    m_cookies = new QLineEdit(page);
    m_cookies->setPlaceholderText(tr("cookies.txt for members-only or age-restricted videos"));
    form->addRow(tr("Cookies file"), m_cookies);
    m_metadata = new QCheckBox(tr("Extract metadata (.info.json) after each download"), page);
    form->addRow(QString(), m_metadata);
    m_clipboard = new QCheckBox(tr("Offer to add video links copied to the clipboard"), page);
    form->addRow(QString(), m_clipboard);
    return page;
}

QWidget *SettingsDialog::queuePage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_concurrent = spin(page, 1, 64, QString());
    form->addRow(tr("Jobs at once"), m_concurrent);
    m_maxAttempts = spin(page, 1, 100, QString());
    form->addRow(tr("Attempts per job"), m_maxAttempts);
    m_backoffBase = spin(page, 1, 3600, tr(" s"));
    form->addRow(tr("First retry after"), m_backoffBase);
    m_backoffMax = spin(page, 1, 24 * 3600, tr(" s"));
    form->addRow(tr("Longest wait between retries"), m_backoffMax);
    m_stall = spin(page, 10, 3600, tr(" s"));
    form->addRow(tr("Stalled after no progress for"), m_stall);
    m_maxRun = spin(page, 1, 7 * 24, tr(" h"));
    form->addRow(tr("Longest run of one job"), m_maxRun);
    m_retention = spin(page, 0, 3650, tr(" days"));
    m_retention->setSpecialValueText(tr("keep forever"));
    form->addRow(tr("Forget finished jobs after"), m_retention);
    return page;
}

QWidget *SettingsDialog::toolsPage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_ytdlp = new QLineEdit(page);
    m_ytdlp->setPlaceholderText(tr("found on PATH"));
    form->addRow(tr("yt-dlp"), m_ytdlp);
    m_ffmpeg = new QLineEdit(page);
    m_ffmpeg->setPlaceholderText(tr("found on PATH"));
    form->addRow(tr("ffmpeg"), m_ffmpeg);
    auto *check = new QPushButton(tr("Check"), page);
    m_toolReport = new QLabel(page);
    m_toolReport->setTextFormat(Qt::PlainText); // what the tools printed
    m_toolReport->setWordWrap(true);
    m_toolReport->setTextInteractionFlags(Qt::TextSelectableByMouse);
    form->addRow(check, m_toolReport);
    m_checkButton = check;
    connect(check, &QPushButton::clicked, this, &SettingsDialog::checkTools);
    connect(&m_toolWatcher, &QFutureWatcherBase::finished, this, &SettingsDialog::handleToolsChecked);
    return page;
}

QWidget *SettingsDialog::apiPage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_apiEnabled = new QCheckBox(tr("Allow scripts and the browser page to control Spool"), page);
    form->addRow(QString(), m_apiEnabled);
    m_apiPort = spin(page, 1, 65535, QString());
    form->addRow(tr("Port (on this computer only)"), m_apiPort);
    m_apiToken = new QLineEdit(page);
    m_apiToken->setEchoMode(QLineEdit::Password); // a secret: not for whoever looks at the screen
    m_apiToken->setPlaceholderText(tr("generated at first start"));
    form->addRow(tr("Access token"), m_apiToken);
    m_apiTokenProblem = new QLabel(page);
    m_apiTokenProblem->setTextFormat(Qt::PlainText);
    m_apiTokenProblem->setWordWrap(true);
    m_apiTokenProblem->hide();
    form->addRow(QString(), m_apiTokenProblem);
    return page;
}

void SettingsDialog::checkTools()
{
    // A version check starts a process (yt-dlp is a Python program): done off the UI thread.
    if (m_toolWatcher.isRunning())
        return;
    Toolchain::forget();
    m_checkButton->setEnabled(false);
    m_toolReport->setText(tr("Checking…"));
    m_toolWatcher.setFuture(QtConcurrent::run(&Toolchain::findAll, QList<std::pair<QString, QString>>{
        {QStringLiteral("yt-dlp"), m_ytdlp->text().trimmed()}, {QStringLiteral("ffmpeg"), m_ffmpeg->text().trimmed()},
        {Toolchain::kJsRuntime, QString()}}));
}

void SettingsDialog::handleToolsChecked()
{
    QStringList lines;
    for (const Toolchain::Tool &tool : m_toolWatcher.result())
    {
        lines << (tool.ok() ? tr("%1 %2 at %3").arg(tool.name, Toolchain::shortVersion(tool.version), tool.path) : tool.error);
        if (!tool.warning.isEmpty())
            lines << tool.warning;
    }
    m_toolReport->setText(lines.join(QLatin1Char('\n')));
    m_checkButton->setEnabled(true);
    Q_EMIT toolsChecked();
}

QString SettingsDialog::toolReport() const
{
    return m_toolReport->text();
}

QWidget *SettingsDialog::sitesPage()
{
    auto *page = new QWidget(this);
    auto *form = new QFormLayout(page);
    m_throttle = new QCheckBox(tr("Go gently with sites that ban the hurried (recommended)"), page);
    form->addRow(QString(), m_throttle);
    auto *explain = new QLabel(tr("One site per line: the site, downloads at once, the pause in seconds between two of its "
                                  "downloads (a random time in the range), and the sleep in seconds between yt-dlp's requests. "
                                  "A rule covers the site's subdomains."),
                               page);
    explain->setWordWrap(true);
    form->addRow(explain);
    m_throttleRules = new QPlainTextEdit(page);
    m_throttleRules->setPlaceholderText(QStringLiteral("youtube.com 2 10-20 0.75"));
    m_throttleRules->setTabChangesFocus(true);
    form->addRow(tr("Sites"), m_throttleRules);
    m_cooldownSteps = new QLineEdit(page);
    m_cooldownSteps->setToolTip(tr("When a site rate-limits or bot-checks Spool, it pauses for the first time; refused again "
                                   "soon after, for the next; the last repeats."));
    form->addRow(tr("Pauses after a refusal (minutes)"), m_cooldownSteps);
    m_cleanPeriod = spin(page, 1, 24 * 60, tr(" min"));
    m_cleanPeriod->setToolTip(tr("A site that stayed clean this long after a pause starts again from the first pause."));
    form->addRow(tr("Start over after a clean"), m_cleanPeriod);
    connect(m_throttle, &QCheckBox::toggled, m_throttleRules, &QWidget::setEnabled);
    m_extractorArgs = new QPlainTextEdit(page);
    m_extractorArgs->setPlaceholderText(QStringLiteral("youtube.com youtube:player_client=default"));
    m_extractorArgs->setTabChangesFocus(true);
    m_extractorArgs->setToolTip(tr("Passed to yt-dlp as --extractor-args, one per line, for jobs of the site named first "
                                   "(or every job without a site). yt-dlp's documentation lists each extractor's arguments."));
    form->addRow(tr("Extractor arguments"), m_extractorArgs);
    m_poTokenProvider = new QLineEdit(page);
    m_poTokenProvider->setPlaceholderText(QStringLiteral("http://127.0.0.1:4416"));
    m_poTokenProvider->setToolTip(tr("A PO token provider's address (the bgutil HTTP server, with its yt-dlp plugin "
                                     "installed), given to yt-dlp for YouTube; see yt-dlp's PO token guide."));
    form->addRow(tr("PO token provider"), m_poTokenProvider);
    return page;
}

bool SettingsDialog::readSites(QString *why)
{
    ThrottleSettings t = m_queue.throttle;
    t.enabled = m_throttle->isChecked();
    t.rules.clear();
    for (const QString &line : m_throttleRules->toPlainText().split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty())
            continue;
        HostRule rule;
        if (!HostRule::fromText(line, &rule, why))
            return false;
        t.rules << rule;
    }
    t.cooldownStepsMs.clear();
    for (const QString &step : m_cooldownSteps->text().split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double minutes = QLocale().toDouble(step, &ok);
        if (!ok || minutes <= 0 || minutes > 7 * 24 * 60) {
            *why = tr("\"%1\" is not a pause: write minutes separated by commas, like \"10, 30, 120, 360\"").arg(step.left(40));
            return false;
        }
        t.cooldownStepsMs << static_cast<qint64>(minutes * 60'000);
    }
    if (t.cooldownStepsMs.isEmpty())
        t.cooldownStepsMs = ThrottleSettings().cooldownStepsMs;
    t.cleanPeriodMs = m_cleanPeriod->value() * 60'000LL;
    QStringList extractorArgs;
    for (const QString &line : m_extractorArgs->toPlainText().split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty())
            continue;
        QString site;
        QString args;
        if (!DownloadEnv::parseExtractorArgs(line, &site, &args, why))
            return false;
        extractorArgs << (site.isEmpty() ? args : site + QLatin1Char(' ') + args);
    }
    const QString provider = m_poTokenProvider->text().trimmed();
    if (const QUrl url(provider); !provider.isEmpty()
        && (!url.isValid() || url.host().isEmpty() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))) {
        *why = tr("\"%1\" is not a PO token provider's address: write it as http://host:port").arg(provider.left(80));
        return false;
    }
    m_queue.throttle = t;
    m_downloads.extractorArgs = extractorArgs;
    m_downloads.poTokenProvider = provider;
    return true;
}

QString SettingsDialog::problem() const
{
    return m_problem->isHidden() ? QString() : m_problem->text();
}

void SettingsDialog::load()
{
    QSettings s(m_file, QSettings::IniFormat);
    m_queue.load(s);
    m_downloads.load(s);
    const TypePolicy video = m_queue.policy(JobTypes::VideoDownload);
    m_downloadDir->setText(m_downloads.downloadDir);
    m_rateLimit->setText(m_downloads.rateLimit);
    m_window->setText(m_downloads.window);
    m_cookies->setText(m_downloads.cookiesFile);
    m_metadata->setChecked(m_downloads.metadataAfterDownload);
    m_clipboard->setChecked(s.value(QStringLiteral("ui/clipboard_monitor"), false).toBool());
    m_concurrent->setValue(m_queue.maxConcurrent);
    m_maxAttempts->setValue(video.retry.maxAttempts);
    m_backoffBase->setValue(static_cast<int>(video.retry.baseDelayMs / 1000));
    m_backoffMax->setValue(static_cast<int>(video.retry.maxDelayMs / 1000));
    m_stall->setValue(static_cast<int>(video.stallTimeoutMs / 1000));
    m_maxRun->setValue(static_cast<int>(video.maxRunTimeMs / 3'600'000));
    m_retention->setValue(m_queue.retentionDays);
    m_ytdlp->setText(m_downloads.ytdlpPath);
    m_ffmpeg->setText(m_downloads.ffmpegPath);
    m_apiEnabled->setChecked(s.value(QStringLiteral("api/enabled"), true).toBool());
    m_apiPort->setValue(s.value(QStringLiteral("api/port"), 8765).toInt());
    m_apiToken->setText(s.value(QStringLiteral("api/token")).toString());
    const ThrottleSettings &t = m_queue.throttle;
    m_throttle->setChecked(t.enabled);
    m_throttleRules->setEnabled(t.enabled);
    QStringList rules;
    for (const HostRule &rule : t.rules)
        rules << rule.toText();
    m_throttleRules->setPlainText(rules.join(QLatin1Char('\n')));
    QStringList steps;
    for (qint64 ms : t.cooldownStepsMs)
        steps << QLocale().toString(ms / 60'000.0, 'g', 6);
    m_cooldownSteps->setText(steps.join(QStringLiteral(", ")));
    m_extractorArgs->setPlainText(m_downloads.extractorArgs.join(QLatin1Char('\n')));
    m_poTokenProvider->setText(m_downloads.poTokenProvider);
    m_cleanPeriod->setValue(static_cast<int>(qBound<qint64>(1, t.cleanPeriodMs / 60'000, 24LL * 60)));
}

QString SettingsDialog::apiTokenProblem() const
{
    return m_apiTokenProblem->isHidden() ? QString() : m_apiTokenProblem->text();
}

bool SettingsDialog::save()
{
    const QString token = m_apiToken->text().trimmed();
    if (!token.isEmpty() && token.size() < ApiToken::kMinLength) {
        m_apiTokenProblem->setText(tr("The access token must be at least %1 characters long; nothing was saved.").arg(ApiToken::kMinLength));
        m_apiTokenProblem->show();
        return false;
    }
    m_apiTokenProblem->hide();
    if (QString why; !readSites(&why)) {
        m_problem->setText(tr("Nothing was saved: %1").arg(why));
        m_problem->show();
        return false;
    }
    m_problem->hide();
    m_downloads.downloadDir = m_downloadDir->text().trimmed();
    m_downloads.rateLimit = m_rateLimit->text().trimmed();
    m_downloads.window = m_window->text().trimmed();
    m_downloads.cookiesFile = m_cookies->text().trimmed();
    m_downloads.metadataAfterDownload = m_metadata->isChecked();
    m_downloads.ytdlpPath = m_ytdlp->text().trimmed();
    m_downloads.ffmpegPath = m_ffmpeg->text().trimmed();
    m_queue.maxConcurrent = m_concurrent->value();
    m_queue.retentionDays = m_retention->value();
    for (auto it = m_queue.types.begin(); it != m_queue.types.end(); ++it) {
        it->retry.maxAttempts = m_maxAttempts->value();
        it->retry.baseDelayMs = m_backoffBase->value() * 1000LL;
        it->retry.maxDelayMs = m_backoffMax->value() * 1000LL;
        it->stallTimeoutMs = m_stall->value() * 1000LL;
        it->maxRunTimeMs = m_maxRun->value() * 3'600'000LL;
    }
    QSettings s(m_file, QSettings::IniFormat);
    m_queue.save(s);
    m_downloads.save(s);
    s.setValue(QStringLiteral("ui/clipboard_monitor"), m_clipboard->isChecked());
    s.setValue(QStringLiteral("api/enabled"), m_apiEnabled->isChecked());
    s.setValue(QStringLiteral("api/port"), m_apiPort->value());
    if (!token.isEmpty())
        s.setValue(QStringLiteral("api/token"), token);
    s.sync();
    // The file holds the token: for this user's eyes only.
    QFile::setPermissions(m_file, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return s.status() == QSettings::NoError;
}
