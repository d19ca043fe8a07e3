#include "mainwindow.h"

#include "plaintext.h"

#include "adddialog.h"
#include "detailpane.h"
#include "hostpausebar.h"
#include "jobtablemodel.h"
#include "logview.h"
#include "progressdelegate.h"
#include "settingsdialog.h"
#include "statusicons.h"
#include "subscriptionsdialog.h"
#include "traycontroller.h"
#include "urlinput.h"
#include "welcomedialog.h"

#include "core/spoolcore.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/joblog.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "queue/subscriptions.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QComboBox>
#include <QDesktopServices>
#include <QDir>
#include <QFileInfo>
#include <QDragEnterEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressDialog>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

namespace {
constexpr int kSearchDelayMs = 250;
constexpr int kStatusDelayMs = 500;

// Why a queue request was refused, or nothing when it was done.
template<typename T>
std::optional<QString> problem(const Expected<T> &result)
{
    return result ? std::nullopt : std::optional<QString>(result.error().message);
}
} // namespace

MainWindow::MainWindow(SpoolCore &core, const QString &settingsFile, QWidget *parent)
    : QMainWindow(parent), m_core(core),
      m_settingsFile(settingsFile.isEmpty() ? core.dataDir() + QStringLiteral("/settings.ini") : settingsFile),
      m_model(new JobTableModel(core.queue(), this)), m_table(new QTableView(this)),
      m_detail(new DetailPane(core.queue(), this)), m_log(new LogView(this))
{
    setWindowTitle(tr("Spool"));
    setAcceptDrops(true);
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(JobTableModel::Progress, new ProgressDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(JobTableModel::Created, Qt::AscendingOrder);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 10);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    m_table->setAlternatingRowColors(true);
    QHeaderView *header = m_table->horizontalHeader();
    header->setSectionResizeMode(JobTableModel::Title, QHeaderView::Stretch);
    header->resizeSection(JobTableModel::Type, 80);
    header->resizeSection(JobTableModel::Progress, 250);
    header->resizeSection(JobTableModel::Status, 110);
    header->resizeSection(JobTableModel::Priority, 60);
    header->resizeSection(JobTableModel::Attempts, 70);
    header->resizeSection(JobTableModel::Created, 130);
    header->resizeSection(JobTableModel::Finished, 130);
    header->resizeSection(JobTableModel::Error, 220);
    for (int column = 0; column < JobTableModel::ColumnCount; ++column) // a translated title fits
        header->resizeSection(column, qMax(header->sectionSize(column), header->sectionSizeHint(column)));
    header->setContextMenuPolicy(Qt::ActionsContextMenu);
    // Every column can be shown or hidden from the header's context menu; these start hidden.
    for (int column = 0; column < JobTableModel::ColumnCount; ++column) {
        auto *toggle = new QAction(m_model->headerData(column, Qt::Horizontal, Qt::DisplayRole).toString(), header);
        toggle->setCheckable(true);
        // The host that runs each job matters when several share the queue.
        toggle->setChecked(column != JobTableModel::Started && column != JobTableModel::Finished
                           && (column != JobTableModel::Worker || m_core.isShared()));
        m_table->setColumnHidden(column, !toggle->isChecked());
        connect(toggle, &QAction::toggled, this, [this, column](bool on) { m_table->setColumnHidden(column, !on); });
        header->addAction(toggle);
    }

    auto *bottom = new QTabWidget(this);
    bottom->addTab(m_detail, tr("Details"));
    bottom->addTab(m_log, tr("Log"));
    m_split = new QSplitter(Qt::Vertical, this);
    m_split->addWidget(m_table);
    m_split->addWidget(bottom);
    m_split->setStretchFactor(0, 3);
    m_split->setStretchFactor(1, 2);
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(6, 6, 6, 0);
    buildBanner();
    layout->addWidget(buildFilterBar());
    layout->addWidget(m_banner);
    m_hostPauses = new HostPauseBar(m_core.queue(), central);
    connect(m_hostPauses, &HostPauseBar::resumeRefused, this,
            [this](const QString &why) { statusBar()->showMessage(tr("Not resumed: %1").arg(why), 8000); });
    layout->addWidget(m_hostPauses);
    layout->addWidget(m_split, 1);
    setCentralWidget(central);
    buildActions();
    buildMenus();
    m_counts = new QLabel(this);
    m_counts->setTextFormat(Qt::PlainText);
    statusBar()->addPermanentWidget(m_counts);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(kSearchDelayMs);
    connect(&m_searchDelay, &QTimer::timeout, this, &MainWindow::applyFilter);
    m_statusDelay.setSingleShot(true);
    m_statusDelay.setInterval(kStatusDelayMs);
    connect(&m_statusDelay, &QTimer::timeout, this, &MainWindow::refreshStatusBar);
    auto later = [this] {
        if (!m_statusDelay.isActive())
            m_statusDelay.start();
    };
    connect(&m_core.queue(), &JobQueue::jobAdded, this, later);
    connect(&m_core.queue(), &JobQueue::jobChanged, this, later);
    connect(&m_core.queue(), &JobQueue::jobRemoved, this, later);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &MainWindow::handleCurrentChanged);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    // A selected job that finishes or fails changes what can be done with it.
    connect(m_model, &QAbstractItemModel::dataChanged, this, &MainWindow::updateActions);
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateActions);
    connect(m_table, &QTableView::customContextMenuRequested, this, &MainWindow::showContextMenu);
    connect(m_detail, &DetailPane::childActivated, this, [this](qint64 id) {
        m_detail->showJob(id);
        m_log->setSource(logSource(id));
    });
    connect(QApplication::clipboard(), &QClipboard::dataChanged, this, &MainWindow::handleClipboard);

    m_tray = new TrayController(m_core.queue(), m_core.dispatcher(), this, this);
    connect(m_tray, &TrayController::quitRequested, this, &MainWindow::quit);
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    m_monitorClipboard = settings.value(QStringLiteral("ui/clipboard_monitor"), false).toBool();
    resize(1200, 760);
    restoreLayout(settings);
    refreshStatusBar();
    updateActions();
}

MainWindow::~MainWindow()
{
    saveLayout();
}

QAction *MainWindow::makeAction(const QString &name, const QString &text, const QKeySequence &shortcut,
                                const std::function<void()> &slot)
{
    auto *action = new QAction(text, this);
    action->setShortcut(shortcut);
    action->setShortcutContext(Qt::WindowShortcut);
    connect(action, &QAction::triggered, this, slot);
    addAction(action);
    m_actions.insert(name, action);
    return action;
}

QAction *MainWindow::action(const QString &name) const
{
    return m_actions.value(name);
}

void MainWindow::buildActions()
{
    JobQueue &q = m_core.queue();
    makeAction(QStringLiteral("add"), tr("&Add…"), QKeySequence::New, [this] { openAddDialog(); });
    makeAction(QStringLiteral("paste"), tr("&Paste URLs"), QKeySequence::Paste,
               [this] { addFromText(QApplication::clipboard()->text()); });
    makeAction(QStringLiteral("retry"), tr("&Retry"), QKeySequence(tr("Ctrl+R")), [this, &q] { forEachSelected([&q](qint64 id) { return problem(q.retry(id)); }, Reach::Videos); });
    makeAction(QStringLiteral("cancel"), tr("&Cancel"), QKeySequence(tr("Ctrl+K")), [this, &q] { forEachSelected([&q](qint64 id) { return problem(q.cancel(id)); }, Reach::Videos); });
    makeAction(QStringLiteral("pause"), tr("Pa&use"), QKeySequence(tr("Ctrl+P")), [this, &q] { forEachSelected([&q](qint64 id) { return problem(q.pause(id)); }, Reach::Videos); });
    makeAction(QStringLiteral("resume"), tr("Res&ume"), QKeySequence(tr("Ctrl+Shift+P")), [this, &q] { forEachSelected([&q](qint64 id) { return problem(q.resume(id)); }, Reach::Videos); });
    makeAction(QStringLiteral("raise"), tr("Raise priority"), QKeySequence(tr("Ctrl+Up")), [this, &q] {
        forEachSelected([&q](qint64 id) { return problem(q.setPriority(id, q.job(id).value_or(Job{}).priority + 1)); });
    });
    makeAction(QStringLiteral("lower"), tr("Lower priority"), QKeySequence(tr("Ctrl+Down")), [this, &q] {
        forEachSelected([&q](qint64 id) { return problem(q.setPriority(id, q.job(id).value_or(Job{}).priority - 1)); });
    });
    makeAction(QStringLiteral("remove"), tr("Re&move"), QKeySequence::Delete, [this] { removeSelected(); });
    makeAction(QStringLiteral("openfolder"), tr("Open download &folder"), QKeySequence(tr("Ctrl+Shift+O")), [this] {
        const QList<qint64> ids = selectedIds();
        if (ids.isEmpty())
            return;
        const QString folder = downloadFolderOf(ids.first());
        if (folder.isEmpty())
            statusBar()->showMessage(tr("Not done: job %1 has downloaded nothing yet").arg(ids.first()), 8000);
        else
            QDesktopServices::openUrl(QUrl::fromLocalFile(folder));
    });
    makeAction(QStringLiteral("logfolder"), tr("Open &log folder"), QKeySequence(tr("Ctrl+L")), [this] {
        const QList<qint64> ids = selectedIds();
        if (!ids.isEmpty())
            QDesktopServices::openUrl(QUrl::fromLocalFile(m_core.logs().jobDir(ids.first())));
    });
    makeAction(QStringLiteral("copyurl"), tr("Copy &URL"), QKeySequence(tr("Ctrl+Shift+C")), [this] {
        QStringList urls;
        for (qint64 id : selectedIds())
            urls << m_core.queue().job(id).value_or(Job{}).url;
        QApplication::clipboard()->setText(urls.join(QLatin1Char('\n')));
    });
    QAction *hold = makeAction(QStringLiteral("hold"), tr("Pause &queue"), QKeySequence(tr("F6")), [this] {
        if (!m_core.dispatcher().setHeld(m_actions.value(QStringLiteral("hold"))->isChecked()))
            statusBar()->showMessage(tr("Done for now, but the database refused to keep it for the next start."), 15000);
        refreshStatusBar();
    });
    hold->setCheckable(true);
    // Paused from the tray, or before the last quit: the check mark follows the queue.
    hold->setChecked(m_core.dispatcher().isHeld());
    connect(&m_core.dispatcher(), &Dispatcher::heldChanged, this, [this, hold](bool held) {
        hold->setChecked(held);
        refreshStatusBar();
    });
    // A database that refuses writes is said at once; finished jobs wait in memory meanwhile.
    connect(&m_core.dispatcher(), &Dispatcher::storageTroubleChanged, this, [this](bool trouble, const QString &why) {
        const bool unreachable = m_core.store().database().isUnreachable();
        statusBar()->showMessage(
            !trouble      ? tr("The database takes writes again; every waiting result is saved.")
            : unreachable ? tr("The shared queue is unreachable (%1). Spool reconnects; results are kept meanwhile.").arg(why)
                          : tr("The database refused to save (%1). Results are kept and saved again shortly.").arg(why),
            15000);
        refreshStatusBar();
    });
    makeAction(QStringLiteral("settings"), tr("&Settings…"), QKeySequence::Preferences, [this] { openSettings(); });
    makeAction(QStringLiteral("subscriptions"), tr("&Subscriptions…"), QKeySequence(tr("Ctrl+Shift+S")), [this] {
        if (!m_subscriptionsDialog) {
            m_subscriptionsDialog = new SubscriptionsDialog(m_core.subscriptions(), m_core.queue(), this);
            m_subscriptionsDialog->setAttribute(Qt::WA_DeleteOnClose);
        }
        m_subscriptionsDialog->show();
        m_subscriptionsDialog->raise();
        m_subscriptionsDialog->activateWindow();
    });
    makeAction(QStringLiteral("quit"), tr("&Quit"), QKeySequence::Quit, [this] { quit(); });
    makeAction(QStringLiteral("welcome"), tr("&Welcome…"), QKeySequence(), [this] { openWelcome(); });
    makeAction(QStringLiteral("about"), tr("&About Spool"), QKeySequence(), [this] {
        auto *box = new QMessageBox(QMessageBox::NoIcon, tr("About Spool"), aboutText(), QMessageBox::Ok, this);
        box->setIconPixmap(QApplication::windowIcon().pixmap(64));
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
    });
    makeAction(QStringLiteral("aboutqt"), tr("About &Qt"), QKeySequence(), [] { QApplication::aboutQt(); });
    auto *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    for (const char *name : {"add", "retry", "cancel", "pause", "resume", "raise", "lower", "remove", "hold"})
        toolbar->addAction(m_actions.value(QLatin1String(name)));
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    for (const char *name : {"add", "paste", "settings"})
        file->addAction(m_actions.value(QLatin1String(name)));
    file->addSeparator();
    file->addAction(m_actions.value(QStringLiteral("quit")));
    QMenu *jobs = menuBar()->addMenu(tr("&Jobs"));
    for (const char *name : {"retry", "cancel", "pause", "resume", "raise", "lower", "remove", "copyurl", "openfolder", "logfolder"})
        jobs->addAction(m_actions.value(QLatin1String(name)));
    QMenu *queue = menuBar()->addMenu(tr("&Queue"));
    queue->addAction(m_actions.value(QStringLiteral("hold")));
    queue->addAction(m_actions.value(QStringLiteral("subscriptions")));
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_actions.value(QStringLiteral("welcome")));
    help->addSeparator();
    help->addAction(m_actions.value(QStringLiteral("about")));
    help->addAction(m_actions.value(QStringLiteral("aboutqt")));
}

QWidget *MainWindow::buildFilterBar()
{
    auto *bar = new QWidget(this);
    auto *row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_statusFilter = new QComboBox(bar);
    m_statusFilter->addItem(tr("All statuses"), QStringList());
    m_statusFilter->addItem(tr("Active"), QStringList{QStringLiteral("pending"), QStringLiteral("running"), QStringLiteral("retrying")});
    for (JobStatus s : allStatuses())
        m_statusFilter->addItem(StatusIcons::icon(s), JobTableModel::statusText(s), QStringList{statusName(s)});
    // The popup is as wide as its longest entry ("Completed" beside its icon was elided).
    m_statusFilter->view()->setMinimumWidth(m_statusFilter->view()->sizeHintForColumn(0) + m_statusFilter->iconSize().width() + 24);
    m_typeFilter = new QComboBox(bar);
    m_typeFilter->addItem(tr("All types"), QString());
    for (const QString &type : JobTypes::all())
        m_typeFilter->addItem(JobTableModel::typeText(type), type);
    m_search = new QLineEdit(bar);
    m_search->setPlaceholderText(tr("Search titles and URLs"));
    m_search->setClearButtonEnabled(true);
    m_searchNote = new QLabel(bar);
    m_searchNote->setObjectName(QStringLiteral("searchNote"));
    m_searchNote->hide();
    connect(m_model, &JobTableModel::searchCappedChanged, m_searchNote, [this](bool capped) {
        m_searchNote->setText(tr("Showing the first %L1 matches; type more to narrow the search")
                                  .arg(m_model->searchCap()));
        m_searchNote->setVisible(capped);
    });
    m_children = new QCheckBox(tr("Show videos of channels"), bar);
    row->addWidget(m_statusFilter);
    row->addWidget(m_typeFilter);
    row->addWidget(m_search, 1);
    row->addWidget(m_searchNote);
    row->addWidget(m_children);
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(m_typeFilter, &QComboBox::currentIndexChanged, this, &MainWindow::applyFilter);
    connect(m_children, &QCheckBox::toggled, this, &MainWindow::applyFilter);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDelay.start(); });
    return bar;
}

void MainWindow::buildBanner()
{
    m_banner = new QWidget(this);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setStyleSheet(QStringLiteral("#banner { background: #fff7e6; border: 1px solid #f5c26b; border-radius: 4px; }"));
    auto *row = new QHBoxLayout(m_banner);
    m_bannerText = new QLabel(m_banner);
    m_bannerText->setTextFormat(Qt::PlainText); // shows a copied link, a stranger's text
    m_bannerText->setWordWrap(true);
    m_bannerAdd = new QPushButton(tr("Add"), m_banner);
    auto *dismiss = new QPushButton(tr("Dismiss"), m_banner);
    row->addWidget(m_bannerText, 1);
    row->addWidget(m_bannerAdd);
    row->addWidget(dismiss);
    connect(m_bannerAdd, &QPushButton::clicked, this, &MainWindow::acceptOffer);
    connect(dismiss, &QPushButton::clicked, m_banner, &QWidget::hide);
    m_banner->hide();
}

void MainWindow::showBanner(const QString &text, const QString &offerUrl)
{
    m_offerUrl = offerUrl;
    m_bannerText->setText(text);
    m_bannerAdd->setVisible(!offerUrl.isEmpty());
    m_banner->show();
}

QString MainWindow::bannerText() const
{
    return m_banner->isHidden() ? QString() : m_bannerText->text();
}

void MainWindow::acceptOffer()
{
    const QString url = m_offerUrl;
    m_banner->hide();
    m_offerUrl.clear();
    if (!url.isEmpty())
        addFromText(url);
}

void MainWindow::applyFilter()
{
    QList<JobStatus> statuses;
    for (const QString &name : m_statusFilter->currentData().toStringList())
        statuses << *statusFromName(name);
    const QString type = m_typeFilter->currentData().toString();
    // Channels list their videos in the detail pane; a status filter or a search looks at every
    // job, so "Failed" lists the failed videos of every channel and a video's title finds it.
    const bool topLevelOnly = !m_children->isChecked() && statuses.isEmpty() && m_search->text().trimmed().isEmpty()
                              && type != JobTypes::VideoDownload && type != JobTypes::MetadataExtraction;
    m_model->setFilter(statuses, type.isEmpty() ? QStringList() : QStringList{type}, m_search->text(), topLevelOnly);
    updateActions();
}

QString MainWindow::aboutText() const
{
    return QStringLiteral("<h3>Spool %1</h3><p>%2</p><p>%3</p>")
        .arg(QStringLiteral(SPOOL_VERSION),
             tr("A download manager for channels, playlists and videos, built around a durable job queue."),
             tr("Downloads with yt-dlp and ffmpeg. The queue, the log of every job and the settings are kept in %1.")
                 .arg(QDir::toNativeSeparators(m_core.dataDir()).toHtmlEscaped()));
}

QString MainWindow::statusSummary() const
{
    return m_counts->text();
}

void MainWindow::refreshStatusBar()
{
    const auto counts = m_core.queue().countByStatus();
    QStringList parts;
    for (JobStatus s : allStatuses()) {
        if (const qint64 n = counts.value(statusName(s)); n > 0)
            parts << QStringLiteral("%1 %2").arg(JobTableModel::statusText(s)).arg(n);
    }
    if (m_core.dispatcher().isHeld())
        parts.prepend(tr("Queue paused"));
    if (m_core.queue().settings().maxConcurrent == 0)
        parts.prepend(tr("Monitoring: this host runs no jobs"));
    const Dispatcher::Health health = m_core.dispatcher().health();
    if (m_core.store().database().isUnreachable())
        parts.prepend(tr("Queue unreachable, reconnecting (%n result(s) waiting)", "", health.pendingOutcomes));
    else if (!health.ok)
        parts.prepend(tr("Not saving: the database refuses writes (%n result(s) waiting)", "", health.pendingOutcomes));
    m_counts->setText(parts.isEmpty() ? tr("No jobs") : parts.join(QStringLiteral("  ·  ")));
    m_counts->setToolTip(health.ok ? QString() : PlainText::toolTip(health.error));
}

SubscriptionsDialog *MainWindow::subscriptionsDialog() const
{
    return m_subscriptionsDialog;
}

QList<qint64> MainWindow::selectedIds() const
{
    QList<qint64> ids;
    for (const QModelIndex &row : m_table->selectionModel()->selectedRows())
        ids << row.data(JobTableModel::JobIdRole).toLongLong();
    return ids;
}

void MainWindow::selectJob(qint64 id)
{
    const int row = m_model->cachedRowOf(id);
    if (row >= 0)
        m_table->selectRow(row);
}

void MainWindow::forEachSelected(const std::function<std::optional<QString>(qint64)> &act, Reach reach)
{
    forEachJob(selectedIds(), act, reach);
}

void MainWindow::forEachJob(const QList<qint64> &ids, const std::function<std::optional<QString>(qint64)> &act, Reach reach)
{
    // A channel whose listing is done is "completed" itself; cancelling, pausing, resuming or
    // retrying it means doing that to its videos. Each video accepts what applies to it and
    // refuses the rest; all of it is written in one commit, so a channel of thousands of videos
    // does not cost thousands of disk syncs.
    JobQueue &q = m_core.queue();
    JobQueue::Unit unit(q);
    int done = 0;
    std::optional<QString> refused;
    for (qint64 id : ids) {
        if (const std::optional<QString> problem = act(id); !problem)
            ++done;
        else if (!refused)
            refused = problem;
        if (reach != Reach::Videos)
            continue;
        const std::optional<Job> job = q.job(id);
        if (job && JobTypes::listsVideos(job->type)) {
            for (qint64 child : q.childIds(id))
                done += act(child) ? 0 : 1; // videos it does not apply to are no news
        }
    }
    if (!unit.commit()) {
        statusBar()->showMessage(tr("Not done: the database refused the change (%1)")
                                     .arg(q.store().database().lastError()), 8000);
        return;
    }
    m_model->flushChanges();
    // Nothing happened at all: say why instead of leaving the click without an answer.
    if (done == 0 && refused)
        statusBar()->showMessage(tr("Not done: %1").arg(*refused), 8000);
}

void MainWindow::removeSelected()
{
    // One job goes at once; more than one (a channel takes its videos along) is asked about first,
    // in a box that does not block the window.
    const QList<qint64> ids = selectedIds();
    int total = 0;
    int videos = 0;
    std::optional<Job> lister;
    for (qint64 id : ids) {
        const std::optional<Job> job = m_core.queue().job(id);
        const int listed = job && JobTypes::listsVideos(job->type) ? int(m_core.queue().childIds(id).size()) : 0;
        total += 1 + listed;
        videos += listed;
        if (listed > 0)
            lister = job;
    }
    if (total <= 1) {
        removeJobs(ids);
        return;
    }
    const QString question = ids.size() == 1 && lister
        ? tr("Remove “%1” and its %n video(s) from the list?", "", videos)
              .arg(lister->title.isEmpty() ? lister->url : lister->title)
        : tr("Remove %n job(s) from the list?", "", total);
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove jobs"), question, QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("confirmRemove"));
    box->setInformativeText(videos > 0 ? tr("Downloaded files stay on disk. Spool remembers which videos it downloaded, "
                                            "so adding the channel again does not fetch them twice.")
                                       : tr("Downloaded files stay on disk."));
    box->setStyleSheet(QStringLiteral("QLabel#qt_msgbox_informativelabel { min-width: 26em; }"));
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(remove);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, remove, ids](QAbstractButton *clicked) {
        if (clicked == remove)
            removeJobs(ids);
    });
    box->open();
}

void MainWindow::removeJobs(const QList<qint64> &ids)
{
    // A removed sync job does not end its subscription (each sync is a job of its own): say so.
    QSet<QString> subscribed;
    for (const Subscription &s : m_core.subscriptions().list())
        subscribed.insert(s.url);
    QString stillSubscribed;
    int removed = 0;
    forEachJob(ids, [this, &removed, &subscribed, &stillSubscribed](qint64 id) {
        const std::optional<Job> job = m_core.queue().job(id);
        auto gone = m_core.queue().remove(id);
        removed += gone ? int(gone.value().size()) : 0;
        if (gone && job && subscribed.contains(job->url))
            stillSubscribed = job->title.isEmpty() ? job->url : job->title;
        return problem(gone);
    }, Reach::Selected);
    if (!stillSubscribed.isEmpty())
        statusBar()->showMessage(tr("“%1” is still checked for new videos; to stop, unsubscribe in Queue ▸ Subscriptions.")
                                     .arg(stillSubscribed), 15000);
    else if (removed > 1)
        statusBar()->showMessage(tr("Removed %n job(s) from the list.", "", removed), 8000);
}

void MainWindow::updateActions()
{
    // An action is offered when it applies to at least one selected job (a huge selection is
    // judged by its first rows).
    constexpr int kRowsToJudge = 1000;
    bool any = false, retry = false, cancel = false, pause = false, resume = false;
    int judged = 0;
    const QItemSelection selection = m_table->selectionModel()->selection();
    for (const QItemSelectionRange &range : selection) {
        for (int row = range.top(); row <= range.bottom() && judged < kRowsToJudge; ++row, ++judged) {
            const std::optional<Job> job = m_model->jobAt(row);
            if (!job)
                continue;
            const JobStatus status = job->status;
            any = true;
            retry = retry || status == JobStatus::Dead || status == JobStatus::Cancelled || status == JobStatus::Retrying;
            cancel = cancel || isTransitionAllowed(status, JobStatus::Cancelled);
            pause = pause || isTransitionAllowed(status, JobStatus::Paused);
            resume = resume || status == JobStatus::Paused;
            // The actions reach the videos of a listed channel (see forEachSelected); the model
            // keeps their counts for the rows it shows, so judging costs no query.
            if (const std::optional<ChildSummary> videos = m_model->videosOf(job->id);
                videos && status == JobStatus::Completed) {
                retry = retry || videos->failed > 0;
                cancel = cancel || videos->waiting() + videos->active + videos->paused > 0;
                pause = pause || videos->waiting() + videos->active > 0;
                resume = resume || videos->paused > 0;
            }
        }
    }
    if (judged >= kRowsToJudge)
        retry = cancel = pause = resume = true;
    m_actions.value(QStringLiteral("retry"))->setEnabled(retry);
    m_actions.value(QStringLiteral("cancel"))->setEnabled(cancel);
    m_actions.value(QStringLiteral("pause"))->setEnabled(pause);
    m_actions.value(QStringLiteral("resume"))->setEnabled(resume);
    for (const char *name : {"raise", "lower", "remove", "copyurl", "openfolder", "logfolder"})
        m_actions.value(QLatin1String(name))->setEnabled(any);
}

QString MainWindow::downloadFolderOf(qint64 id) const
{
    // A video's file, or for a channel or playlist the file of its first downloaded video.
    const std::optional<Job> job = m_core.queue().job(id);
    if (!job)
        return {};
    QString file = job->result.value(QStringLiteral("file")).toString();
    if (file.isEmpty() && JobTypes::listsVideos(job->type)) {
        for (qint64 child : m_core.queue().childIds(id)) {
            file = m_core.queue().job(child).value_or(Job{}).result.value(QStringLiteral("file")).toString();
            if (!file.isEmpty())
                break;
        }
    }
    return file.isEmpty() ? QString() : QFileInfo(file).path();
}

void MainWindow::handleCurrentChanged()
{
    // The row the detail pane shows is the one the actions act on: a current row left without a
    // selection (focus arriving in the table, the neighbour of a removed row) gets selected. Not
    // during a Ctrl- or Shift-click: the view moves the current row first and toggles or extends
    // the selection after, which would undo a selection made here.
    const QModelIndex current = m_table->currentIndex();
    const bool clickWithModifier = QGuiApplication::mouseButtons() != Qt::NoButton
                                   && (QGuiApplication::keyboardModifiers() & (Qt::ControlModifier | Qt::ShiftModifier));
    if (current.isValid() && !clickWithModifier && !m_table->selectionModel()->hasSelection())
        m_table->selectionModel()->select(current, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    const qint64 id = current.data(JobTableModel::JobIdRole).toLongLong();
    m_detail->showJob(id);
    m_log->setSource(logSource(id));
}

LogView::Source MainWindow::logSource(qint64 id)
{
    if (id <= 0)
        return {};
    auto log = std::make_shared<JobLog>(m_core.store(), m_core.logs());
    return {QString::number(id), [log, id](qint64 offset, qint64 maxBytes) { return log->read(id, offset, maxBytes); },
            [log, id] { return log->size(id); }};
}

void MainWindow::showContextMenu(const QPoint &pos)
{
    QMenu menu(this);
    for (const char *name : {"retry", "cancel", "pause", "resume", "raise", "lower", "remove", "copyurl", "openfolder", "logfolder"})
        menu.addAction(m_actions.value(QLatin1String(name)));
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

bool MainWindow::addFromText(const QString &text)
{
    const UrlInput::Batch batch = UrlInput::prepare(UrlInput::entriesFromText(text), m_core.queue());
    if (!batch.invalid.isEmpty()) {
        showBanner(tr("Nothing was added. These entries are not valid:\n%1").arg(batch.invalid.join(QLatin1Char('\n'))));
        return false;
    }
    if (batch.jobs.isEmpty())
        return false;
    auto added = m_core.queue().addJobs(batch.jobs);
    if (!added) {
        showBanner(tr("Nothing was added: %1").arg(added.error().message));
        return false;
    }
    statusBar()->showMessage(tr("Added %n job(s)", nullptr, static_cast<int>(added.value().size())), 4000);
    m_model->flushChanges();
    return true;
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls() || event->mimeData()->hasText())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QStringList entries = UrlInput::entriesFromMime(event->mimeData());
    if (addFromText(entries.join(QLatin1Char('\n'))))
        event->acceptProposedAction();
}

void MainWindow::setClipboardMonitoring(bool on)
{
    m_monitorClipboard = on;
}

void MainWindow::handleClipboard()
{
    if (!m_monitorClipboard)
        return;
    const QString text = QApplication::clipboard()->text().trimmed();
    if (text == m_lastClipboard || text.contains(QLatin1Char('\n')) || JobTypes::urlProblem(text))
        return;
    m_lastClipboard = text;
    // Offer, never add silently: the user copied it for some reason we cannot know.
    showBanner(tr("Add the copied %1 link?\n%2").arg(JobTableModel::typeText(JobTypes::detectType(text)).toLower(), text), text);
}

void MainWindow::openAddDialog(const QString &text)
{
    auto *dialog = new AddDialog(m_core.queue(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setText(text);
    connect(dialog, &AddDialog::jobsAdded, this, [this](int n) {
        statusBar()->showMessage(tr("Added %n job(s)", nullptr, n), 4000);
        m_model->flushChanges();
    });
    dialog->open();
}

void MainWindow::openSettings()
{
    auto *dialog = new SettingsDialog(m_settingsFile, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::restoreLayout(QSettings &settings)
{
    // Where the user left the window: size and place, column widths, order and visibility, sort,
    // and the split between the table and the details.
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    QHeaderView *header = m_table->horizontalHeader();
    if (header->restoreState(settings.value(QStringLiteral("window/columns")).toByteArray())) {
        const QList<QAction *> toggles = header->actions();
        for (int column = 0; column < toggles.size(); ++column)
            toggles[column]->setChecked(!m_table->isColumnHidden(column));
        m_model->sort(header->sortIndicatorSection(), header->sortIndicatorOrder());
    }
    m_split->restoreState(settings.value(QStringLiteral("window/split")).toByteArray());
}

void MainWindow::saveLayout()
{
    QSettings settings(m_settingsFile, QSettings::IniFormat);
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/columns"), m_table->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("window/split"), m_split->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    if (!m_quitting && m_tray && m_tray->isAvailable()) {
        hide(); // keeps downloading; the tray menu quits
        event->ignore();
        // The first time, say where the window went: a close that does not quit is a surprise.
        QSettings settings(m_settingsFile, QSettings::IniFormat);
        if (!settings.value(QStringLiteral("ui/trayHintShown"), false).toBool()) {
            m_tray->notify(tr("Spool keeps downloading in the notification area. Click its icon to bring the "
                              "window back; quit from its menu or with Ctrl+Q."));
            settings.setValue(QStringLiteral("ui/trayHintShown"), true);
        }
        return;
    }
    if (!m_quitting) {
        event->ignore();
        quit();
        return;
    }
    event->accept();
}

void MainWindow::quit()
{
    if (m_quitting)
        return;
    m_quitting = true;
    saveLayout();
    QProgressDialog progress(tr("Stopping downloads…"), QString(), 0, 0, this);
    progress.setWindowModality(Qt::NonModal);
    progress.setMinimumDuration(0);
    if (m_core.dispatcher().runningCount() > 0)
        progress.show();
    m_core.shutdown();
    close();
    QApplication::quit();
}

void MainWindow::openWelcome()
{
    auto *dialog = new WelcomeDialog(m_settingsFile, QString(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}
