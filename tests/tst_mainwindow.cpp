#include "testsupport.h"

#include "adddialog.h"
#include "detailpane.h"
#include "hostpausebar.h"
#include "jobtablemodel.h"
#include "logview.h"
#include "mainwindow.h"
#include "progressdelegate.h"
#include "settingsdialog.h"
#include "subscriptionsdialog.h"
#include "traycontroller.h"
#include "translations.h"

#include "logging/joblogger.h"
#include "logging/logstore.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "queue/subscriptions.h"

#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QStatusBar>
#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QTableWidget>
#include <QTest>

// The main window offscreen, driven as a user would: actions on selections, drag and drop,
// paste, filters, the add and settings dialogs, clipboard offers, the tray without a tray.
class TestMainWindow final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void actionsActOnEverySelectedJob();
    void actionsFollowTheSelectedJobsStatus();
    void actionsOnAChannelReachItsVideos();
    void refusedActionSaysWhy();
    void shownJobIsTheSelectedJob();
    void subscriptionsAreManagedFromTheirDialog();
    void downloadFolderOfVideosAndChannels();
    void removingAChannelAsksFirstAndTakesItsVideos();
    void aboutNamesVersionAndDataDir();
    void windowLayoutIsRemembered();
    void statusFilterAndSearchReachVideosOfChannels();
    void detailPaneFollowsTheVideosOfAChannel();
    void syncWithNothingNewSaysSo();
    void dropOfUrlsAddsJobs();
    void dropWithAnInvalidEntryAddsNothing();
    void pasteAddsFromClipboard();
    void filtersAndSearchNarrowTheTable();
    void statusBarCountsPerStatus();
    void detailPaneShowsSelectedJob();
    void addDialogDetectsTypesAndAddsAll();
    void addDialogRefusesInvalidWithoutAdding();
    void clipboardOfferIsOptInAndNeverSilent();
    void settingsSaveAndToolCheck();
    void pausedHostIsShownWithResumeNow();
    void siteRulesAreEditedAndCheckedInSettings();
    void trayFallbackAndBatchedNotifications(); // last: without a tray, it quits
    void logViewFollowsGrowingLog();

private:
    void select(const QList<qint64> &ids);
    std::unique_ptr<TestCore> m_t;
    std::unique_ptr<MainWindow> m_window;
};

void TestMainWindow::initTestCase()
{
    installTranslations(*QCoreApplication::instance(), QStringLiteral("en")); // English plural forms
}

void TestMainWindow::init()
{
    m_t = std::make_unique<TestCore>();
    m_window = std::make_unique<MainWindow>(m_t->core());
    new QAbstractItemModelTester(m_window->model(), QAbstractItemModelTester::FailureReportingMode::QtTest, m_window.get());
    m_window->show();
}

void TestMainWindow::cleanup()
{
    m_window.reset();
    m_t.reset();
}

void TestMainWindow::select(const QList<qint64> &ids)
{
    m_window->model()->flushChanges();
    m_window->model()->jobAt(0); // the first page, where these few jobs are
    m_window->table()->clearSelection();
    for (qint64 id : ids) {
        const int row = m_window->model()->cachedRowOf(id);
        QVERIFY(row >= 0);
        m_window->table()->selectionModel()->select(m_window->model()->index(row, 0),
                                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
}

void TestMainWindow::actionsActOnEverySelectedJob()
{
    const qint64 a = m_t->add();
    const qint64 b = m_t->add();
    const qint64 c = m_t->add();
    select({a, b});
    QVERIFY(m_window->action(QStringLiteral("pause"))->isEnabled());
    m_window->action(QStringLiteral("pause"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Paused);
    QCOMPARE(m_t->status(b), JobStatus::Paused);
    QCOMPARE(m_t->status(c), JobStatus::Pending);
    m_window->action(QStringLiteral("resume"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Pending);
    m_window->action(QStringLiteral("raise"))->trigger();
    QCOMPARE(m_t->queue().job(b)->priority, 1);
    m_window->action(QStringLiteral("cancel"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Cancelled);
    QCOMPARE(m_t->status(b), JobStatus::Cancelled);
    select({a});
    m_window->action(QStringLiteral("retry"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Pending);
    select({c});
    m_window->action(QStringLiteral("copyurl"))->trigger();
    m_window->action(QStringLiteral("remove"))->trigger();
    QVERIFY(!m_t->queue().job(c));
    m_window->action(QStringLiteral("hold"))->trigger();
    QVERIFY(m_t->dispatcher().isHeld());
    QVERIFY(m_window->statusSummary().contains(QStringLiteral("Queue paused")));
    // Resumed elsewhere (the tray's "Resume all"): the check mark and the status bar follow.
    m_t->dispatcher().setHeld(false);
    QVERIFY(!m_window->action(QStringLiteral("hold"))->isChecked());
    QVERIFY(!m_window->statusSummary().contains(QStringLiteral("Queue paused")));
}

void TestMainWindow::actionsFollowTheSelectedJobsStatus()
{
    auto enabled = [this] {
        QStringList names;
        for (const char *name : {"retry", "cancel", "pause", "resume", "remove"})
            if (m_window->action(QLatin1String(name))->isEnabled())
                names << QLatin1String(name);
        return names.join(QLatin1Char(' '));
    };
    const qint64 a = m_t->add();
    const qint64 b = m_t->add();
    QCOMPARE(enabled(), QString()); // nothing selected
    select({a});
    QCOMPARE(enabled(), QStringLiteral("cancel pause remove")); // waiting: nothing to retry or resume
    QVERIFY(m_t->queue().cancel(a));
    // The selected job changed under the selection: the actions follow without a click.
    QTRY_COMPARE(enabled(), QStringLiteral("retry remove"));
    select({a, b});
    QCOMPARE(enabled(), QStringLiteral("retry cancel pause remove")); // each applies to one of them
    QVERIFY(m_t->queue().pause(b));
    select({b});
    QCOMPARE(enabled(), QStringLiteral("cancel resume remove"));
}

void TestMainWindow::actionsOnAChannelReachItsVideos()
{
    NewJob listing;
    listing.type = JobTypes::ChannelDownload;
    listing.url = QStringLiteral("https://www.youtube.com/@example");
    listing.priority = 10;
    const qint64 channel = m_t->queue().addJob(listing).value().job.id;
    const qint64 a = m_t->add({}, 0, channel);
    const qint64 b = m_t->add({}, 0, channel);
    QCOMPARE(m_t->claim().value(0).id, channel);
    QVERIFY(m_t->queue().transition(channel, JobStatus::Completed)); // listed; its videos wait
    select({channel});
    auto enabled = [this](const char *name) { return m_window->action(QLatin1String(name))->isEnabled(); };
    QVERIFY(enabled("pause") && enabled("cancel") && !enabled("resume") && !enabled("retry"));
    m_window->action(QStringLiteral("pause"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Paused);
    QCOMPARE(m_t->status(b), JobStatus::Paused);
    QCOMPARE(m_t->status(channel), JobStatus::Completed);
    QTRY_VERIFY(enabled("resume") && !enabled("pause"));
    m_window->action(QStringLiteral("resume"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Pending);
    m_window->action(QStringLiteral("cancel"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Cancelled);
    QCOMPARE(m_t->status(b), JobStatus::Cancelled);
    QTRY_VERIFY(enabled("retry") && !enabled("cancel"));
    m_window->action(QStringLiteral("retry"))->trigger();
    QCOMPARE(m_t->status(a), JobStatus::Pending);
    QCOMPARE(m_t->status(b), JobStatus::Pending);
}

void TestMainWindow::windowLayoutIsRemembered()
{
    QHeaderView *header = m_window->table()->horizontalHeader();
    header->actions().at(JobTableModel::Attempts)->setChecked(false); // the user hides a column
    header->resizeSection(JobTableModel::Type, 150);
    m_window->table()->sortByColumn(JobTableModel::Priority, Qt::DescendingOrder);
    m_window.reset();
    m_window = std::make_unique<MainWindow>(m_t->core());
    header = m_window->table()->horizontalHeader();
    QVERIFY(m_window->table()->isColumnHidden(JobTableModel::Attempts));
    QVERIFY(!header->actions().at(JobTableModel::Attempts)->isChecked());
    QVERIFY(!m_window->table()->isColumnHidden(JobTableModel::Type));
    QCOMPARE(header->sectionSize(JobTableModel::Type), 150);
    QCOMPARE(header->sortIndicatorSection(), int(JobTableModel::Priority));
    QCOMPARE(m_window->model()->filter().sort, QStringLiteral("priority"));
    QVERIFY(m_window->model()->filter().descending);
}

void TestMainWindow::refusedActionSaysWhy()
{
    const qint64 busy = m_t->add({{QStringLiteral("block"), true}});
    m_t->core().start();
    QTRY_COMPARE(m_t->status(busy), JobStatus::Running);
    select({busy});
    m_window->action(QStringLiteral("remove"))->trigger(); // a running job is not removed...
    QVERIFY(m_t->queue().job(busy));
    // ...and the window says so instead of leaving the click unanswered.
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("cancel it first")),
             qPrintable(m_window->statusBar()->currentMessage()));
    // In Russian, the reason is Russian too, not the queue's English.
    installTranslations(*QCoreApplication::instance(), QStringLiteral("ru"));
    m_window->action(QStringLiteral("remove"))->trigger();
    const QString russian = m_window->statusBar()->currentMessage();
    installTranslations(*QCoreApplication::instance(), QStringLiteral("en"));
    QVERIFY2(russian.contains(QStringLiteral("задача %1 выполняется; сначала отмените её").arg(busy)), qPrintable(russian));
    QVERIFY(m_t->queue().job(busy));
    QVERIFY(m_t->queue().cancel(busy));
}

void TestMainWindow::subscriptionsAreManagedFromTheirDialog()
{
    m_t->dispatcher().setHeld(true); // about the list: nothing runs
    m_t->core().start();
    m_window->action(QStringLiteral("subscriptions"))->trigger();
    SubscriptionsDialog *dialog = m_window->subscriptionsDialog();
    QVERIFY(dialog && dialog->isVisible());
    QVERIFY(dialog->showsEmptyHint());
    QVERIFY(!dialog->syncButton()->isEnabled());
    // A channel added with "Re-sync every 6 h" appears at once.
    NewJob listing;
    listing.type = JobTypes::ChannelDownload;
    listing.url = QStringLiteral("https://www.youtube.com/@kept");
    listing.options = {{QStringLiteral("subscribe_hours"), 6}};
    const qint64 first = m_t->queue().addJob(listing).value().job.id;
    QVERIFY(!dialog->showsEmptyHint());
    QTableWidget *table = dialog->table();
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, SubscriptionsDialog::Name)->text(), listing.url);
    QCOMPARE(table->item(0, SubscriptionsDialog::Type)->text(), QStringLiteral("Channel"));
    QCOMPARE(table->item(0, SubscriptionsDialog::Every)->text(), QStringLiteral("6 hours"));
    QCOMPARE(table->item(0, SubscriptionsDialog::Last)->text(), QStringLiteral("Pending"));
    QVERIFY(dialog->syncButton()->isEnabled());
    QCOMPARE(dialog->intervalBox()->value(), 6);
    // A second one, checked every 30 minutes; the first stays selected.
    NewJob other;
    other.type = JobTypes::PlaylistDownload;
    other.url = QStringLiteral("https://www.youtube.com/playlist?list=PLkept");
    other.options = {{QStringLiteral("subscribe_hours"), 0.5}};
    QVERIFY(m_t->queue().addJob(other));
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(1, SubscriptionsDialog::Every)->text(), QStringLiteral("30 minutes"));
    QCOMPARE(dialog->selectedId(), m_t->core().subscriptions().list().first().id);
    // Its first sync has not run: syncing now again is refused, with the reason.
    dialog->syncButton()->click();
    QVERIFY2(dialog->message().contains(QStringLiteral("already queued")), qPrintable(dialog->message()));
    QVERIFY(m_t->queue().cancel(first));
    QCOMPARE(table->item(0, SubscriptionsDialog::Last)->text(), QStringLiteral("Cancelled")); // follows its job
    dialog->syncButton()->click();
    QCOMPARE(dialog->message(), QStringLiteral("A sync was added to the queue."));
    QCOMPARE(table->item(0, SubscriptionsDialog::Last)->text(), QStringLiteral("Pending"));
    QVERIFY(table->item(0, SubscriptionsDialog::Last)->data(Qt::UserRole).toLongLong() != first);
    dialog->intervalBox()->setValue(12);
    dialog->applyButton()->click();
    QCOMPARE(table->item(0, SubscriptionsDialog::Every)->text(), QStringLiteral("12 hours"));
    QCOMPARE(m_t->core().subscriptions().list().first().intervalS, 12 * 3600);
    // Removing an old sync job from the list does not unsubscribe; the window says so.
    const qint64 second = m_t->core().subscriptions().list().first().lastJobId;
    m_window->model()->flushChanges();
    select({first});
    m_window->action(QStringLiteral("remove"))->trigger();
    QVERIFY(!m_t->queue().job(first));
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("is still checked for new videos")),
             qPrintable(m_window->statusBar()->currentMessage()));
    QCOMPARE(m_t->core().subscriptions().list().size(), 2);
    dialog->removeButton()->click();
    QCOMPARE(m_t->core().subscriptions().list().size(), 1);
    QCOMPARE(table->rowCount(), 1);
    QCOMPARE(table->item(0, SubscriptionsDialog::Name)->text(), other.url);
    QVERIFY(dialog->removeButton()->isEnabled()); // the one left is selected
    dialog->removeButton()->click();
    QVERIFY(m_t->core().subscriptions().list().isEmpty());
    QVERIFY(dialog->showsEmptyHint());
    QVERIFY(dialog->message().startsWith(QStringLiteral("Unsubscribed")));
    QVERIFY(m_t->queue().job(second)); // its jobs stay
    // Asked for again, the same window comes forward.
    m_window->action(QStringLiteral("subscriptions"))->trigger();
    QCOMPARE(m_window->subscriptionsDialog(), dialog);
}

void TestMainWindow::shownJobIsTheSelectedJob()
{
    const qint64 a = m_t->add();
    const qint64 b = m_t->add();
    m_window->model()->flushChanges();
    // Focus arriving in the table makes a row current without selecting it; the details of that
    // row are shown, so the actions must act on it too.
    m_window->table()->selectionModel()->setCurrentIndex(m_window->model()->index(m_window->model()->cachedRowOf(a), 0),
                                                          QItemSelectionModel::NoUpdate);
    QCOMPARE(m_window->detail()->jobId(), a);
    QTRY_COMPARE(m_window->selectedIds(), QList<qint64>{a});
    QVERIFY(m_window->action(QStringLiteral("remove"))->isEnabled());
    m_window->action(QStringLiteral("remove"))->trigger();
    QVERIFY(!m_t->queue().job(a));
    m_window->model()->flushChanges();
    QTRY_COMPARE(m_window->detail()->jobId(), b); // the neighbour is shown, and selected with it
    QTRY_COMPARE(m_window->selectedIds(), QList<qint64>{b});
    // A Ctrl+click on a row, with nothing selected, selects it (and not: selects, then toggles off).
    const qint64 c = m_t->add();
    m_window->model()->flushChanges();
    m_window->table()->clearSelection();
    const QRect cell = m_window->table()->visualRect(m_window->model()->index(m_window->model()->cachedRowOf(c), 0));
    QTest::mouseClick(m_window->table()->viewport(), Qt::LeftButton, Qt::ControlModifier, cell.center());
    QTest::qWait(50);
    QCOMPARE(m_window->selectedIds(), QList<qint64>{c});
}

void TestMainWindow::downloadFolderOfVideosAndChannels()
{
    NewJob listing;
    listing.type = JobTypes::ChannelDownload;
    listing.url = QStringLiteral("https://www.youtube.com/@example");
    listing.priority = 10;
    const qint64 channel = m_t->queue().addJob(listing).value().job.id;
    const qint64 first = m_t->add({}, 0, channel);
    const qint64 second = m_t->add({}, 0, channel);
    QCOMPARE(m_t->claim(3).size(), 1); // the channel; its videos wait for it
    QVERIFY(m_t->queue().transition(channel, JobStatus::Completed));
    QCOMPARE(m_t->claim(3).size(), 2);
    QVERIFY(m_t->queue().transition(first, JobStatus::Dead));
    // Nothing downloaded yet: no folder, and the action says so instead of opening nothing.
    QCOMPARE(m_window->downloadFolderOf(channel), QString());
    m_window->model()->flushChanges();
    select({channel});
    m_window->action(QStringLiteral("openfolder"))->trigger();
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("downloaded nothing yet")),
             qPrintable(m_window->statusBar()->currentMessage()));
    TransitionChanges done;
    done.result = QJsonObject{{QStringLiteral("file"), QStringLiteral("/data/videos/Example/clip [x].mp4")}};
    QVERIFY(m_t->queue().transition(second, JobStatus::Completed, done));
    QCOMPARE(m_window->downloadFolderOf(second), QStringLiteral("/data/videos/Example"));
    QCOMPARE(m_window->downloadFolderOf(channel), QStringLiteral("/data/videos/Example")); // its videos' folder
    QCOMPARE(m_window->downloadFolderOf(987654), QString());
}

void TestMainWindow::removingAChannelAsksFirstAndTakesItsVideos()
{
    NewJob listing;
    listing.type = JobTypes::ChannelDownload;
    listing.url = QStringLiteral("https://www.youtube.com/@example");
    const qint64 channel = m_t->queue().addJob(listing).value().job.id;
    const qint64 first = m_t->add({}, 0, channel);
    const qint64 second = m_t->add({}, 0, channel);
    m_window->model()->flushChanges();
    select({channel});
    auto confirmation = [this] { return m_window->findChild<QMessageBox *>(QStringLiteral("confirmRemove")); };
    // Three jobs would go: the window asks, in a box that does not block it.
    m_window->action(QStringLiteral("remove"))->trigger();
    QMessageBox *box = confirmation();
    QVERIFY(box);
    QVERIFY(box->isVisible());
    QCOMPARE(box->text(), QStringLiteral("Remove “https://www.youtube.com/@example” and its 2 videos from the list?"));
    box->button(QMessageBox::Cancel)->click();
    QVERIFY(m_t->queue().job(channel) && m_t->queue().job(first) && m_t->queue().job(second));
    QTRY_VERIFY(!confirmation()); // the box is gone
    m_window->action(QStringLiteral("remove"))->trigger();
    box = confirmation();
    QVERIFY(box);
    QAbstractButton *remove = nullptr;
    for (QAbstractButton *b : box->buttons()) {
        if (box->buttonRole(b) == QMessageBox::DestructiveRole)
            remove = b;
    }
    QVERIFY(remove);
    remove->click();
    QVERIFY(!m_t->queue().job(channel));
    QVERIFY(!m_t->queue().job(first));
    QVERIFY(!m_t->queue().job(second));
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QStringLiteral("Removed 3 jobs")),
             qPrintable(m_window->statusBar()->currentMessage()));
    m_window->model()->flushChanges();
    QCOMPARE(m_window->model()->rowCount(), 0);
}

void TestMainWindow::statusFilterAndSearchReachVideosOfChannels()
{
    const qint64 parent = m_t->add();
    NewJob child;
    child.type = TestTypes::Scripted;
    child.parentId = parent;
    child.title = QStringLiteral("Lost episode");
    const qint64 video = m_t->queue().addJob(child).value().job.id;
    QVERIFY(m_t->queue().cancel(video));
    m_window->model()->flushChanges();
    QCOMPARE(m_window->model()->rowCount(), 1); // the video is listed under its channel
    m_window->statusFilter()->setCurrentIndex(m_window->statusFilter()->findText(QStringLiteral("Cancelled")));
    QCOMPARE(m_window->model()->rowCount(), 1);
    QCOMPARE(m_window->model()->index(0, 0).data(JobTableModel::JobIdRole).toLongLong(), video);
    m_window->statusFilter()->setCurrentIndex(0);
    m_window->searchBox()->setText(QStringLiteral("lost epi"));
    QTRY_COMPARE(m_window->model()->index(0, 0).data(JobTableModel::JobIdRole).toLongLong(), video);
    QCOMPARE(m_window->model()->rowCount(), 1);
}

void TestMainWindow::detailPaneFollowsTheVideosOfAChannel()
{
    DetailPane *detail = m_window->detail();
    QVERIFY(detail->showsPlaceholder()); // nothing selected: a hint, not a form of empty fields
    NewJob listing;
    listing.type = JobTypes::ChannelDownload;
    listing.url = QStringLiteral("https://www.youtube.com/@example");
    const qint64 channel = m_t->queue().addJob(listing).value().job.id;
    select({channel});
    m_window->table()->setCurrentIndex(m_window->model()->index(m_window->model()->cachedRowOf(channel), 0));
    QCOMPARE(detail->jobId(), channel);
    QVERIFY(!detail->showsPlaceholder());
    QCOMPARE(detail->childrenSummary(), QString()); // nothing listed yet
    const qint64 first = m_t->add({}, 0, channel);
    m_t->add({}, 0, channel);
    // Videos found while the channel is shown appear, and the counts follow their progress.
    QTRY_COMPARE(detail->childrenSummary(), QStringLiteral("Videos: 0 done, 0 failed, 2 in all"));
    QVERIFY(m_t->queue().cancel(first));
    QTRY_COMPARE(detail->childrenSummary(), QStringLiteral("Videos: 0 done, 1 failed, 2 in all"));
    QTRY_COMPARE(detail->childrenModel()->rowCount(), 2);
}

void TestMainWindow::syncWithNothingNewSaysSo()
{
    NewJob listing;
    listing.type = JobTypes::PlaylistDownload;
    listing.url = QStringLiteral("https://www.youtube.com/playlist?list=PL1");
    const qint64 playlist = m_t->queue().addJob(listing).value().job.id;
    QCOMPARE(m_t->claim().value(0).id, playlist);
    TransitionChanges changes;
    changes.result = QJsonObject{{QStringLiteral("children_added"), 0}, {QStringLiteral("children_existing"), 4}};
    changes.progress = JobProgress{};
    changes.progress->percent = 100;
    QVERIFY(m_t->queue().transition(playlist, JobStatus::Completed, changes));
    m_window->model()->flushChanges();
    // Every video it listed was downloaded before: the bar and the pane say "nothing new", not "100%".
    const QModelIndex cell = m_window->model()->index(m_window->model()->cachedRowOf(playlist), JobTableModel::Progress);
    const std::optional<ProgressDelegate::Bar> bar = ProgressDelegate::barFor(cell);
    QVERIFY(bar);
    QCOMPARE(bar->text, QStringLiteral("No new videos"));
    QVERIFY(bar->done);
    m_window->table()->setCurrentIndex(cell);
    QCOMPARE(m_window->detail()->jobId(), playlist);
    QCOMPARE(m_window->detail()->childrenSummary(), QStringLiteral("No new videos: the 4 found were already downloaded or queued."));
    // A video that is new after all joins the count; the known ones are still mentioned.
    m_t->add({}, 0, playlist);
    QTRY_COMPARE(m_window->detail()->childrenSummary(),
                 QStringLiteral("Videos: 0 done, 0 failed, 1 in all · 4 more already downloaded or queued"));
    m_window->model()->flushChanges();
    QCOMPARE(ProgressDelegate::barFor(cell)->text, QStringLiteral("0 / 1 videos"));
}

void TestMainWindow::dropOfUrlsAddsJobs()
{
    auto *mime = new QMimeData;
    mime->setUrls({QUrl(QStringLiteral("https://www.youtube.com/@SomeChannel")),
                   QUrl(QStringLiteral("https://www.youtube.com/watch?v=abc123"))});
    const QPoint at = m_window->rect().center();
    QDragEnterEvent enter(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(at, Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &drop);
    QVERIFY(drop.isAccepted());
    const JobPage page = m_t->queue().list({});
    QCOMPARE(page.total, 2);
    QCOMPARE(page.jobs[0].type, JobTypes::ChannelDownload);
    QCOMPARE(page.jobs[1].type, JobTypes::VideoDownload);
    QTRY_COMPARE(m_window->model()->rowCount(), 2);
    delete mime;
}

void TestMainWindow::dropWithAnInvalidEntryAddsNothing()
{
    auto *mime = new QMimeData;
    mime->setText(QStringLiteral("https://www.youtube.com/watch?v=ok1\nnot a url\nftp://example.org/x\n"));
    QDragEnterEvent enter(m_window->rect().center(), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(m_window->rect().center(), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(m_window.get(), &drop);
    QVERIFY(!drop.isAccepted());
    QCOMPARE(m_t->queue().list({}).total, 0); // nothing half-added
    QVERIFY2(m_window->bannerText().contains(QStringLiteral("not a url")), qPrintable(m_window->bannerText()));
    QVERIFY(m_window->bannerText().contains(QStringLiteral("ftp://example.org/x")));
    QVERIFY(!m_window->bannerText().contains(QStringLiteral("ok1")));
    delete mime;
}

void TestMainWindow::pasteAddsFromClipboard()
{
    QApplication::clipboard()->setText(QStringLiteral("https://example.org/v/1\nhttps://example.org/v/2"));
    m_window->action(QStringLiteral("paste"))->trigger();
    QCOMPARE(m_t->queue().list({}).total, 2);
}

void TestMainWindow::filtersAndSearchNarrowTheTable()
{
    for (int i = 0; i < 6; ++i) {
        NewJob j;
        j.type = TestTypes::Scripted;
        j.title = i < 2 ? QStringLiteral("Ocean film %1").arg(i) : QStringLiteral("Desert film %1").arg(i);
        QVERIFY(m_t->queue().addJob(j));
    }
    m_window->model()->flushChanges();
    QCOMPARE(m_window->model()->rowCount(), 6);
    m_window->searchBox()->setText(QStringLiteral("ocean"));
    QTRY_COMPARE(m_window->model()->rowCount(), 2);
    m_window->searchBox()->clear();
    QTRY_COMPARE(m_window->model()->rowCount(), 6);
    // A term in more jobs than the cap shows the first ones and a note saying so.
    auto *note = m_window->findChild<QLabel *>(QStringLiteral("searchNote"));
    QVERIFY(note);
    m_window->model()->setSearchCap(3);
    m_window->searchBox()->setText(QStringLiteral("film"));
    QTRY_COMPARE(m_window->model()->rowCount(), 3);
    QVERIFY(note->isVisibleTo(m_window.get()));
    QVERIFY(note->text().contains(QLatin1Char('3')));
    m_window->searchBox()->clear();
    QTRY_COMPARE(m_window->model()->rowCount(), 6);
    QVERIFY(!note->isVisibleTo(m_window.get()));
    m_t->queue().pause(m_t->queue().list({}).jobs.first().id);
    m_window->statusFilter()->setCurrentIndex(m_window->statusFilter()->findText(QStringLiteral("Paused")));
    QCOMPARE(m_window->model()->rowCount(), 1);
    m_window->statusFilter()->setCurrentIndex(0);
    m_window->typeFilter()->setCurrentIndex(m_window->typeFilter()->findData(JobTypes::VideoDownload));
    QCOMPARE(m_window->model()->rowCount(), 0);
}

void TestMainWindow::aboutNamesVersionAndDataDir()
{
    const QString about = m_window->aboutText();
    QVERIFY(about.contains(QStringLiteral(SPOOL_VERSION)));
    QVERIFY(about.contains(m_t->dataDir()));
    QVERIFY(m_window->action(QStringLiteral("about")));
    QVERIFY(m_window->action(QStringLiteral("aboutqt")));
}

void TestMainWindow::statusBarCountsPerStatus()
{
    const qint64 a = m_t->add();
    m_t->add();
    m_t->queue().cancel(a);
    QTRY_COMPARE(m_window->statusSummary(), QStringLiteral("Pending 1  ·  Cancelled 1"));
}

void TestMainWindow::detailPaneShowsSelectedJob()
{
    NewJob j;
    j.type = TestTypes::Scripted;
    j.title = QStringLiteral("A documentary");
    j.url = QStringLiteral("https://example.org/doc");
    j.options = {{QStringLiteral("outcome"), QStringLiteral("permanent")}};
    const qint64 id = m_t->queue().addJob(j).value().job.id;
    m_t->core().start();
    QTRY_COMPARE(m_t->status(id), JobStatus::Dead);
    m_window->model()->flushChanges();
    m_window->table()->setCurrentIndex(m_window->model()->index(m_window->model()->cachedRowOf(id), 0));
    QCOMPARE(m_window->detail()->jobId(), id);
    QCOMPARE(m_window->detail()->fieldText(QStringLiteral("title")), QStringLiteral("A documentary"));
    QVERIFY(m_window->detail()->fieldText(QStringLiteral("status")).contains(QStringLiteral("Failed")));
    QVERIFY(m_window->detail()->fieldText(QStringLiteral("error")).contains(QStringLiteral("scripted permanent failure")));
    QVERIFY(m_window->detail()->fieldText(QStringLiteral("error")).startsWith(QStringLiteral("<b>Not found</b>"))); // for people, not "not_found"
    QCOMPARE(m_window->logView()->sourceName(), QString::number(id));
    QTRY_VERIFY(m_window->logView()->text()->toPlainText().contains(QStringLiteral("Failed for good")));
}

void TestMainWindow::addDialogDetectsTypesAndAddsAll()
{
    AddDialog dialog(m_t->queue());
    dialog.setText(QStringLiteral("https://www.youtube.com/@Chan\nhttps://www.youtube.com/playlist?list=PL1\nhttps://www.youtube.com/watch?v=x1"));
    QVERIFY(dialog.detectedSummary().contains(QStringLiteral("1 × Channel")));
    QVERIFY(dialog.detectedSummary().contains(QStringLiteral("1 × Playlist")));
    QVERIFY(dialog.detectedSummary().contains(QStringLiteral("1 × Video")));
    dialog.prioritySpin()->setValue(5);
    dialog.qualityBox()->setCurrentIndex(dialog.qualityBox()->findData(QStringLiteral("720p")));
    dialog.subscribeSpin()->setValue(12);
    dialog.laterBox()->setChecked(true);
    QVERIFY(dialog.submit());
    const JobPage page = m_t->queue().list({});
    QCOMPARE(page.total, 3);
    for (const Job &job : page.jobs) {
        QCOMPARE(job.priority, 5);
        QCOMPARE(job.options.value(QStringLiteral("quality")).toString(), QStringLiteral("720p"));
        QVERIFY(job.runAt > m_t->clock()->nowMs()); // starts later
    }
    QCOMPARE(page.jobs[0].options.value(QStringLiteral("subscribe_hours")).toInt(), 12);
    QVERIFY(!page.jobs[2].options.contains(QStringLiteral("subscribe_hours"))); // videos do not re-sync
}

void TestMainWindow::addDialogRefusesInvalidWithoutAdding()
{
    AddDialog dialog(m_t->queue());
    dialog.setText(QStringLiteral("https://www.youtube.com/watch?v=fine\njavascript:alert(1)"));
    // Said while typing, before Add is pressed.
    QVERIFY(dialog.detectedSummary().contains(QStringLiteral("1 × Video")));
    QVERIFY(dialog.detectedSummary().contains(QStringLiteral("1 line not a URL")));
    QVERIFY(!dialog.submit());
    QCOMPARE(m_t->queue().list({}).total, 0);
    dialog.setText(QString());
    QVERIFY(!dialog.submit());
    // Ctrl+Enter adds from the keyboard (Enter alone makes a new line).
    dialog.setText(QStringLiteral("https://www.youtube.com/watch?v=fine"));
    dialog.show();
    QApplication::setActiveWindow(&dialog);
    QVERIFY(QTest::qWaitForWindowActive(&dialog));
    QTest::keyClick(&dialog, Qt::Key_Return, Qt::ControlModifier);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(m_t->queue().list({}).total, 1);
}

void TestMainWindow::clipboardOfferIsOptInAndNeverSilent()
{
    QApplication::clipboard()->setText(QStringLiteral("https://www.youtube.com/watch?v=copied"));
    QCoreApplication::processEvents();
    QVERIFY(m_window->bannerText().isEmpty()); // off unless the user opts in
    m_window->setClipboardMonitoring(true);
    QApplication::clipboard()->setText(QStringLiteral("https://www.youtube.com/watch?v=copied2"));
    QTRY_VERIFY(m_window->bannerText().contains(QStringLiteral("copied2")));
    QCOMPARE(m_t->queue().list({}).total, 0); // offered, not added
    m_window->acceptOffer();
    QCOMPARE(m_t->queue().list({}).total, 1);
    QApplication::clipboard()->setText(QStringLiteral("just some words"));
    QCoreApplication::processEvents();
    QVERIFY(m_window->bannerText().isEmpty());
    // A copied link is a stranger's text: the banner shows it, never renders it.
    m_window->showWarning(QStringLiteral("<img src=\"x\"><b>bold</b>"));
    const QList<QLabel *> labels = m_window->findChildren<QLabel *>();
    const auto banner = std::find_if(labels.cbegin(), labels.cend(), [&](const QLabel *l) { return l->text() == m_window->bannerText(); });
    QVERIFY(banner != labels.cend());
    QCOMPARE((*banner)->textFormat(), Qt::PlainText);
}

void TestMainWindow::settingsSaveAndToolCheck()
{
    const QString file = m_t->dataDir() + QStringLiteral("/settings-test.ini");
    {
        SettingsDialog dialog(file);
        dialog.concurrencySpin()->setValue(7);
        dialog.downloadDirEdit()->setText(QStringLiteral("/tmp/spool-downloads"));
        dialog.ytdlpEdit()->setText(QStringLiteral("/nonexistent/yt-dlp"));
        dialog.checkTools();
        QTRY_VERIFY_WITH_TIMEOUT(dialog.toolReport().contains(QStringLiteral("apt install yt-dlp")), 30'000); // processes start
        dialog.ytdlpEdit()->clear();
        dialog.checkTools();
        QTRY_VERIFY2_WITH_TIMEOUT(dialog.toolReport().startsWith(QStringLiteral("yt-dlp 20")), qPrintable(dialog.toolReport()), 30'000);
        // Version numbers, not ffmpeg's banner ("ffmpeg version 5.1 Copyright (c) 2000-…").
        QVERIFY2(!dialog.toolReport().contains(QStringLiteral("Copyright")), qPrintable(dialog.toolReport()));
        dialog.save();
    }
    SettingsDialog reopened(file);
    QCOMPARE(reopened.concurrencySpin()->value(), 7);
    QCOMPARE(reopened.downloadDirEdit()->text(), QStringLiteral("/tmp/spool-downloads"));
    // The token is a password field; a short one is refused with the reason and nothing is saved;
    // the file that holds it is for this user only.
    QCOMPARE(reopened.apiTokenEdit()->echoMode(), QLineEdit::Password);
    reopened.concurrencySpin()->setValue(3);
    reopened.apiTokenEdit()->setText(QStringLiteral("short"));
    QVERIFY(!reopened.save());
    QVERIFY2(reopened.apiTokenProblem().contains(QStringLiteral("at least 32 characters")), qPrintable(reopened.apiTokenProblem()));
    QCOMPARE(SettingsDialog(file).concurrencySpin()->value(), 7);
    reopened.apiTokenEdit()->setText(QStringLiteral("a-token-of-thirty-two-characters-or-more"));
    QVERIFY(reopened.save());
    QVERIFY(reopened.apiTokenProblem().isEmpty());
    QCOMPARE(QFile::permissions(file) & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup | QFileDevice::WriteOther),
             QFileDevice::Permissions());
    QCOMPARE(SettingsDialog(file).apiTokenEdit()->text(), QStringLiteral("a-token-of-thirty-two-characters-or-more"));
}

void TestMainWindow::pausedHostIsShownWithResumeNow()
{
    RunLedger::instance().clear(); // job ids start over in each test's queue
    HostPauseBar *bar = m_window->hostPauses();
    QVERIFY(bar->isHidden());
    NewJob job;
    job.type = TestTypes::Scripted;
    job.url = QStringLiteral("https://busy.example/v");
    job.options = {{QStringLiteral("strike_times"), 1}}; // the site asks whether we are a bot, once
    const qint64 id = m_t->queue().addJob(job).value().job.id;
    m_t->core().start();
    QTRY_VERIFY(!bar->isHidden());
    QCOMPARE(bar->lines().size(), 1);
    const QString line = bar->lines().first();
    QVERIFY2(line.startsWith(QStringLiteral("busy.example paused until ")), qPrintable(line));
    QVERIFY2(line.endsWith(QStringLiteral("— asked to prove it is not a bot")), qPrintable(line));
    QCOMPARE(m_window->tray()->lastNotification(), line); // the tray says the same, once
    QCOMPARE(m_t->status(id), JobStatus::Pending);
    auto *resume = bar->findChild<QPushButton *>(QStringLiteral("resume:busy.example"));
    QVERIFY(resume);
    QTest::mouseClick(resume, Qt::LeftButton);
    QTRY_COMPARE(m_t->status(id), JobStatus::Completed);
    QTRY_VERIFY(bar->isHidden());
    QVERIFY(bar->lines().isEmpty());
}

void TestMainWindow::siteRulesAreEditedAndCheckedInSettings()
{
    const QString file = m_t->dataDir() + QStringLiteral("/settings-sites.ini");
    {
        SettingsDialog dialog(file);
        QVERIFY(dialog.throttleCheck()->isChecked()); // on by default, with YouTube's rule
        QVERIFY2(dialog.throttleRulesEdit()->toPlainText().contains(QStringLiteral("youtube.com 2 10-20 0.75")),
                 qPrintable(dialog.throttleRulesEdit()->toPlainText()));
        QCOMPARE(dialog.cooldownStepsEdit()->text(), QStringLiteral("10, 30, 120, 360"));
        dialog.throttleRulesEdit()->setPlainText(QStringLiteral("youtube.com 1 30-60 1.5\n\nvimeo.com 2 5-10 0"));
        dialog.cooldownStepsEdit()->setText(QStringLiteral("15, 60"));
        dialog.extractorArgsEdit()->setPlainText(QStringLiteral("YouTube.com  youtube:player_client=default\ngeneric:impersonate"));
        dialog.poTokenProviderEdit()->setText(QStringLiteral(" http://127.0.0.1:4416 "));
        QVERIFY(dialog.save());
    }
    SettingsDialog reopened(file);
    QCOMPARE(reopened.throttleRulesEdit()->toPlainText(), QStringLiteral("youtube.com 1 30-60 1.5\nvimeo.com 2 5-10 0"));
    QCOMPARE(reopened.cooldownStepsEdit()->text(), QStringLiteral("15, 60"));
    QCOMPARE(reopened.extractorArgsEdit()->toPlainText(), QStringLiteral("youtube.com youtube:player_client=default\ngeneric:impersonate"));
    QCOMPARE(reopened.poTokenProviderEdit()->text(), QStringLiteral("http://127.0.0.1:4416"));
    QSettings stored(file, QSettings::IniFormat);
    QueueSettings q = QueueSettings::defaults();
    q.load(stored);
    QCOMPARE(q.throttle.cooldownStepsMs, (QList<qint64>{15 * 60'000, 60 * 60'000}));
    QCOMPARE(q.throttle.ruleFor(QStringLiteral("www.youtube.com")).pauseMinS, 30.0);
    // A line that does not read: the reason, and nothing saved.
    reopened.throttleRulesEdit()->setPlainText(QStringLiteral("youtube.com 1 60-30 1"));
    QVERIFY(!reopened.save());
    QVERIFY2(reopened.problem().contains(QStringLiteral("min ≤ max")), qPrintable(reopened.problem()));
    reopened.throttleRulesEdit()->setPlainText(QStringLiteral("vimeo.com 1 1-2 0"));
    reopened.cooldownStepsEdit()->setText(QStringLiteral("10, soon"));
    QVERIFY(!reopened.save());
    QVERIFY2(reopened.problem().contains(QStringLiteral("\"soon\" is not a pause")), qPrintable(reopened.problem()));
    reopened.cooldownStepsEdit()->setText(QStringLiteral("10"));
    reopened.poTokenProviderEdit()->setText(QStringLiteral("file:///etc/passwd"));
    QVERIFY(!reopened.save());
    QVERIFY2(reopened.problem().contains(QStringLiteral("not a PO token provider's address")), qPrintable(reopened.problem()));
    reopened.poTokenProviderEdit()->clear();
    reopened.extractorArgsEdit()->setPlainText(QStringLiteral("youtube.com"));
    QVERIFY(!reopened.save());
    QVERIFY2(reopened.problem().contains(QStringLiteral("is not an extractor argument")), qPrintable(reopened.problem()));
    QCOMPARE(SettingsDialog(file).throttleRulesEdit()->toPlainText(), QStringLiteral("youtube.com 1 30-60 1.5\nvimeo.com 2 5-10 0"));
}

void TestMainWindow::trayFallbackAndBatchedNotifications()
{
    TrayController *tray = m_window->tray();
    QCOMPARE(tray->isAvailable(), QSystemTrayIcon::isSystemTrayAvailable());
    tray->setNotificationBatchMs(10 * 60 * 1000); // however slow this machine, one batch
    QList<NewJob> jobs(200, NewJob{TestTypes::Scripted, {}, 0, {}, 0, {}, 0, 0, {}, false});
    QVERIFY(m_t->queue().addJobs(jobs));
    m_t->core().start();
    QTRY_COMPARE_WITH_TIMEOUT(m_t->queue().countByStatus().value(QStringLiteral("completed")), 200, 20'000);
    tray->flushNotifications();
    QCOMPARE(tray->notificationsShown(), 1); // 200 completions, one notification
    QVERIFY2(tray->lastNotification().startsWith(QStringLiteral("200 job")), qPrintable(tray->lastNotification()));
    QVERIFY(tray->lastNotification().endsWith(QStringLiteral("completed")));
    tray->refreshTooltip();
    QVERIFY(tray->tooltip().startsWith(QStringLiteral("Spool: 0 running, 0 waiting")));
    tray->notify(QStringLiteral("one-off"));
    QCOMPARE(tray->notificationsShown(), 2);
    QCOMPARE(tray->lastNotification(), QStringLiteral("one-off"));
    // Closing the window without a tray quits instead of hiding into nothing.
    if (!tray->isAvailable()) {
        m_window->close();
        QCOMPARE(m_t->queue().countByStatus().value(QStringLiteral("running")), 0);
    }
}

void TestMainWindow::logViewFollowsGrowingLog()
{
    LogView *view = m_window->logView();
    const qint64 id = m_t->add();
    auto log = m_t->core().logs().logger(id);
    for (int i = 0; i < 300; ++i)
        log->info(QStringLiteral("line %1").arg(i));
    log->error(QStringLiteral("something broke"));
    view->setLogFile(m_t->core().logs().humanLogPath(id));
    QCOMPARE(view->text()->blockCount(), 301);
    QVERIFY(view->isFollowing());
    log->info(QStringLiteral("more"));
    view->poll();
    QVERIFY(view->text()->toPlainText().endsWith(QStringLiteral("more")));
    QVERIFY(view->isFollowing());
    // A very long line (a command line) does not drag the view sideways away from the others.
    log->info(QStringLiteral("yt-dlp ") + QStringLiteral("--option value ").repeated(80));
    view->poll();
    view->resize(400, 300);
    view->show();
    QVERIFY(QTest::qWaitForWindowExposed(view));
    log->info(QStringLiteral("short"));
    view->poll();
    QVERIFY(view->text()->horizontalScrollBar()->maximum() > 0);
    QCOMPARE(view->text()->horizontalScrollBar()->value(), 0);
    QVERIFY(view->isFollowing());
    view->text()->verticalScrollBar()->setValue(0); // the user scrolls up to read
    log->info(QStringLiteral("even more"));
    view->poll();
    QCOMPARE(view->text()->verticalScrollBar()->value(), 0); // and stays there
    view->setLevelFilter(QStringLiteral("error"));
    QCOMPARE(view->text()->blockCount(), 1);
    QVERIFY(view->text()->toPlainText().contains(QStringLiteral("something broke")));
    view->setLevelFilter(QString());
    QVERIFY(view->findNext(QStringLiteral("line 250")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
