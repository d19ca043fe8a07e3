#include "welcomedialog.h"

#include "core/downloadsettings.h"

#include <QApplication>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QStyle>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace {
const QString kShownKey = QStringLiteral("ui/welcome_shown");
const QString kDownloadDirKey = QStringLiteral("downloads/download_dir");
constexpr int kIconSize = 64;
constexpr int kStateIconSize = 16;
constexpr int kMinimumWidth = 560;

QLabel *wrappingLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

// The same default the command line uses when neither it nor the settings name a folder.
QString standardDownloadDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::MoviesLocation) + QStringLiteral("/Spool");
}
} // namespace

WelcomeDialog::WelcomeDialog(const QString &settingsFile, const QString &fallbackDownloadDir, QWidget *parent)
    : QDialog(parent), m_settingsFile(settingsFile)
{
    setWindowTitle(tr("Welcome to Spool"));
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    DownloadSettings downloads;
    downloads.downloadDir = fallbackDownloadDir.isEmpty() ? standardDownloadDir() : fallbackDownloadDir;
    downloads.load(settings);
    m_tools = {ToolRow{QStringLiteral("yt-dlp"), downloads.ytdlpPath},
               ToolRow{QStringLiteral("ffmpeg"), downloads.ffmpegPath}};

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(buildHeader());
    layout->addWidget(buildFolderBox());
    layout->addWidget(buildToolsBox());
    layout->addWidget(wrappingLabel(tr("You can open this welcome again from Help ▸ Welcome."), this));
    layout->addWidget(buildButtons());
    setDownloadDir(downloads.downloadDir);
    setMinimumWidth(kMinimumWidth);
    fitHeight();
    connect(&m_watcher, &QFutureWatcherBase::finished, this, &WelcomeDialog::handleToolsChecked);
    checkTools();
}

WelcomeDialog::~WelcomeDialog() = default;

bool WelcomeDialog::shouldShow(QSettings &settings)
{
    return !settings.value(kShownKey, false).toBool();
}

QLayout *WelcomeDialog::buildHeader()
{
    auto *header = new QGridLayout;
    if (const QIcon icon = QApplication::windowIcon(); !icon.isNull()) {
        auto *logo = new QLabel(this);
        logo->setPixmap(icon.pixmap(kIconSize, kIconSize));
        header->addWidget(logo, 0, 0);
    }
    const QString title = tr("Welcome to Spool").toHtmlEscaped();
    header->addWidget(new QLabel(QStringLiteral("<h2>%1</h2>").arg(title), this), 0, 1);
    m_intro =
        wrappingLabel(tr("Spool downloads videos, playlists and whole channels. Every download is a job in "
                         "a queue kept on disk: it survives restarts, retries network failures by itself "
                         "and keeps a log you can read. Add links with the Add button, by pasting them or "
                         "by dropping them on the window."),
                      this);
    header->addWidget(m_intro, 1, 0, 1, 2);
    header->setColumnStretch(1, 1);
    return header;
}

QWidget *WelcomeDialog::buildButtons()
{
    m_start = new QPushButton(tr("&Get started"), this);
    m_start->setDefault(true);
    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_start, QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    return buttons;
}

QWidget *WelcomeDialog::buildFolderBox()
{
    auto *box = new QGroupBox(tr("Downloads"), this);
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(wrappingLabel(tr("Spool saves what it downloads in this folder:"), box));
    auto *row = new QHBoxLayout;
    m_downloadDir = new QLineEdit(box);
    m_choose = new QPushButton(tr("&Choose…"), box);
    connect(m_choose, &QPushButton::clicked, this, &WelcomeDialog::chooseFolder);
    row->addWidget(m_downloadDir, 1);
    row->addWidget(m_choose);
    layout->addLayout(row);
    const QString dataDir = QDir::toNativeSeparators(QFileInfo(m_settingsFile).absolutePath());
    m_dataDirText =
        wrappingLabel(tr("You can change it later in Settings. The queue, the logs of every job and the "
                         "settings are kept in %1.")
                          .arg(dataDir),
                      box);
    layout->addWidget(m_dataDirText);
    return box;
}

QWidget *WelcomeDialog::buildToolsBox()
{
    auto *box = new QGroupBox(tr("Tools"), this);
    auto *grid = new QGridLayout(box);
    grid->addWidget(
        wrappingLabel(tr("Spool uses yt-dlp to download and ffmpeg to join video and audio."), box), 0, 0, 1,
        2);
    int line = 1;
    for (ToolRow &row : m_tools) {
        row.icon = new QLabel(box);
        row.icon->setFixedWidth(kStateIconSize + 4);
        row.text = wrappingLabel(QString(), box);
        grid->addWidget(row.icon, line, 0, Qt::AlignTop);
        grid->addWidget(row.text, line, 1);
        ++line;
    }
    m_checkAgain = new QPushButton(tr("Check &again"), box);
    connect(m_checkAgain, &QPushButton::clicked, this, [this] {
        Toolchain::forget(); // the user may have installed a tool since
        checkTools();
    });
    grid->addWidget(m_checkAgain, line, 1, Qt::AlignLeft);
    grid->setColumnStretch(1, 1);
    return box;
}

// A version check starts a process (yt-dlp is a Python program): done off the UI thread.
void WelcomeDialog::checkTools()
{
    if (m_watcher.isRunning())
        return;
    QList<std::pair<QString, QString>> wanted;
    for (ToolRow &row : m_tools) {
        row.icon->clear();
        row.text->setText(tr("Checking %1…").arg(row.name));
        wanted.append({row.name, row.configured});
    }
    m_checkAgain->setEnabled(false);
    m_watcher.setFuture(QtConcurrent::run(&Toolchain::findAll, wanted));
}

void WelcomeDialog::fitHeight()
{
    // Wrapped labels are measured at the width the dialog has, not the narrower one sizeHint()
    // assumes; otherwise the dialog keeps a band of empty space.
    const int w = qMax(width(), kMinimumWidth);
    const int h = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(w) : sizeHint().height();
    resize(w, qMax(h, minimumSizeHint().height()));
}

void WelcomeDialog::handleToolsChecked()
{
    const QList<Toolchain::Tool> tools = m_watcher.result();
    for (qsizetype i = 0; i < m_tools.size() && i < tools.size(); ++i)
        showTool(m_tools[i], tools[i]);
    m_checkAgain->setEnabled(true);
    fitHeight(); // a missing tool's advice takes more lines than "Checking…"
    Q_EMIT toolsChecked();
}

void WelcomeDialog::showTool(ToolRow &row, const Toolchain::Tool &tool)
{
    const QStyle::StandardPixmap state =
        tool.ok() ? QStyle::SP_DialogApplyButton : QStyle::SP_MessageBoxWarning;
    row.icon->setPixmap(style()->standardIcon(state).pixmap(kStateIconSize, kStateIconSize));
    row.text->setText(toolStateText(row, tool));
}

QString WelcomeDialog::toolStateText(const ToolRow &row, const Toolchain::Tool &tool) const
{
    if (tool.ok())
        return tr("%1 %2 is ready (%3).")
            .arg(row.name, Toolchain::shortVersion(tool.version), QDir::toNativeSeparators(tool.path));
    QString problem;
    if (!tool.path.isEmpty())
        problem = tr("%1 at %2 does not run.").arg(row.name, QDir::toNativeSeparators(tool.path));
    else if (row.configured.isEmpty())
        problem = tr("%1 is not installed.").arg(row.name);
    else
        problem = tr("%1 was not found at %2.").arg(row.name, QDir::toNativeSeparators(row.configured));
    return problem + QLatin1Char(' ') + Toolchain::installHint(row.name);
}

QString WelcomeDialog::toolText(const QString &name) const
{
    for (const ToolRow &row : m_tools) {
        if (row.name == name)
            return row.text->text();
    }
    return {};
}

QString WelcomeDialog::text() const
{
    QStringList parts{m_intro->text(), downloadDir(), m_dataDirText->text()};
    for (const ToolRow &row : m_tools)
        parts << row.text->text();
    return parts.join(QLatin1Char('\n'));
}

QString WelcomeDialog::downloadDir() const
{
    return m_downloadDir->text().trimmed();
}

void WelcomeDialog::setDownloadDir(const QString &dir)
{
    m_downloadDir->setText(QDir::toNativeSeparators(dir));
}

// Non-blocking (open(), not exec()), so the welcome never nests an event loop of its own.
void WelcomeDialog::chooseFolder()
{
    auto *picker = new QFileDialog(this, tr("Download folder"), downloadDir());
    picker->setFileMode(QFileDialog::Directory);
    picker->setOption(QFileDialog::ShowDirsOnly);
    picker->setAttribute(Qt::WA_DeleteOnClose);
    connect(picker, &QFileDialog::fileSelected, this, &WelcomeDialog::setDownloadDir);
    picker->open();
}

void WelcomeDialog::done(int result)
{
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    if (result == QDialog::Accepted && !downloadDir().isEmpty())
        settings.setValue(kDownloadDirKey, QDir::fromNativeSeparators(downloadDir()));
    settings.setValue(kShownKey, true);
    settings.sync();
    QDialog::done(result);
}
