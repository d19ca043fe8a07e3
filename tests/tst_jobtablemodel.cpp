#include "testsupport.h"

#include "jobtablemodel.h"
#include "translations.h"
#include "queue/jobtypes.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>
#include <QTextDocumentFragment>
#include <QDateTime>

// The job table model: paging over the store, filters and sorting in SQL, live batched updates
// without resets, checked by QAbstractItemModelTester throughout.
class TestJobTableModel final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void pagesThroughManyRows();
    void filtersBySearchTypeAndStatus();
    void searchFollowsNewJobsAndCapsBroadTerms();
    void sortsInSql();
    void newJobsAppearWithoutReset();
    void changesUpdateRowsInPlace();
    void statusFilterDropsRowThatLeaves();
    void progressIsBatched();
    void childrenHiddenAndSummarised();
    void channelShowsWhatItsVideosDo();
    void bigTablesArriveAStepAtATime();
    void strangersTextInToolTipsIsShownNotRendered();

private:
    void addMany(int n);
    std::unique_ptr<TestCore> m_t;
    std::unique_ptr<JobTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestJobTableModel::initTestCase()
{
    installTranslations(*QCoreApplication::instance(), QStringLiteral("en")); // English plural forms
}

void TestJobTableModel::init()
{
    m_t = std::make_unique<TestCore>();
    m_model = std::make_unique<JobTableModel>(m_t->queue());
    m_tester = std::make_unique<QAbstractItemModelTester>(m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestJobTableModel::cleanup()
{
    m_tester.reset();
    m_model.reset();
    m_t.reset();
}

void TestJobTableModel::addMany(int n)
{
    QList<NewJob> jobs;
    for (int i = 0; i < n; ++i) {
        NewJob j;
        j.type = i % 2 ? TestTypes::Scripted : TestTypes::Other;
        j.title = QStringLiteral("job %1").arg(i, 5, 10, QLatin1Char('0'));
        j.priority = i % 7;
        jobs << j;
    }
    QVERIFY(m_t->queue().addJobs(jobs));
    m_model->flushChanges();
}

void TestJobTableModel::strangersTextInToolTipsIsShownNotRendered()
{
    // A tool tip that looks like markup is rendered as rich text by Qt: a stranger's "<img>" or
    // "<a>" must come out as the characters it is.
    NewJob job;
    job.type = TestTypes::Scripted;
    job.url = QStringLiteral("<b>bold</b><img src=\"file:///etc/passwd\"> & <a href=\"x\">link</a>");
    job.runAt = QDateTime::currentMSecsSinceEpoch() + 86'400'000;
    QVERIFY(m_t->queue().addJob(job));
    m_model->flushChanges();
    QCOMPARE(m_model->rowCount(), 1);
    const QString tip = m_model->index(0, JobTableModel::Title).data(Qt::ToolTipRole).toString();
    QCOMPARE(QTextDocumentFragment::fromHtml(tip).toPlainText(), job.url);
}

void TestJobTableModel::pagesThroughManyRows()
{
    addMany(1000);
    QCOMPARE(m_model->rowCount(), 1000);
    QCOMPARE(m_model->index(0, JobTableModel::Title).data().toString(), QStringLiteral("job 00000"));
    QCOMPARE(m_model->index(777, JobTableModel::Title).data().toString(), QStringLiteral("job 00777"));
    QCOMPARE(m_model->index(999, JobTableModel::Title).data().toString(), QStringLiteral("job 00999"));
    QCOMPARE(m_model->index(5, JobTableModel::Status).data().toString(), QStringLiteral("Pending"));
    QVERIFY(m_model->cachedRowOf(m_model->index(777, 0).data(JobTableModel::JobIdRole).toLongLong()) == 777);
    QVERIFY(!m_model->hasRowIndex()); // the first pages do not need it
}

void TestJobTableModel::filtersBySearchTypeAndStatus()
{
    addMany(300);
    QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
    m_model->setFilter({}, {}, QStringLiteral("job 0012"), true);
    QCOMPARE(m_model->rowCount(), 10); // 00120 .. 00129
    m_model->setFilter({}, {TestTypes::Scripted}, QString(), true);
    QCOMPARE(m_model->rowCount(), 150);
    QVERIFY(m_t->queue().cancel(m_model->index(0, 0).data(JobTableModel::JobIdRole).toLongLong()));
    m_model->setFilter({JobStatus::Cancelled}, {}, QString(), true);
    QCOMPARE(m_model->rowCount(), 1);
    QCOMPARE(resets.count(), 3); // one per filter change, as a filter change is a new table
}

void TestJobTableModel::searchFollowsNewJobsAndCapsBroadTerms()
{
    addMany(300);
    QSignalSpy capped(m_model.get(), &JobTableModel::searchCappedChanged);
    m_model->setSearchCap(50);
    m_model->setFilter({}, {}, QStringLiteral("job 0012"), true);
    QCOMPARE(m_model->totalRows(), 10); // 00120 .. 00129: under the cap
    QVERIFY(!m_model->searchCapped());
    // A job added while the search is shown joins it: the match is not a stale snapshot.
    NewJob late;
    late.type = TestTypes::Scripted;
    late.title = QStringLiteral("late job 0012x");
    QVERIFY(m_t->queue().addJob(late));
    QTRY_COMPARE(m_model->totalRows(), 11);
    QCOMPARE(m_model->index(10, JobTableModel::Title).data().toString(), late.title);
    // A term found in every job shows the first 50 by id and says so.
    m_model->setFilter({}, {}, QStringLiteral("job"), true);
    QVERIFY(m_model->searchCapped());
    QCOMPARE(capped.count(), 1);
    QCOMPARE(m_model->totalRows(), 50);
    QCOMPARE(m_model->index(0, JobTableModel::Title).data().toString(), QStringLiteral("job 00000"));
    QCOMPARE(m_model->index(49, JobTableModel::Title).data().toString(), QStringLiteral("job 00049"));
    m_model->setFilter({}, {}, QString(), true);
    QVERIFY(!m_model->searchCapped());
    QCOMPARE(capped.count(), 2);
    QCOMPARE(m_model->totalRows(), 301);
}

void TestJobTableModel::sortsInSql()
{
    addMany(100);
    m_model->sort(JobTableModel::Priority, Qt::DescendingOrder);
    QCOMPARE(m_model->index(0, JobTableModel::Priority).data().toInt(), 6);
    QCOMPARE(m_model->index(99, JobTableModel::Priority).data().toInt(), 0);
    m_model->sort(JobTableModel::Title, Qt::DescendingOrder);
    QCOMPARE(m_model->index(0, JobTableModel::Title).data().toString(), QStringLiteral("job 00099"));
}

void TestJobTableModel::newJobsAppearWithoutReset()
{
    addMany(10);
    QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    for (int i = 0; i < 5; ++i)
        m_t->add();
    QCOMPARE(m_model->rowCount(), 10); // batched: nothing yet
    QTRY_COMPARE(m_model->rowCount(), 15);
    QCOMPARE(inserted.count(), 1); // five adds, one insertion
    QCOMPARE(resets.count(), 0);
}

void TestJobTableModel::changesUpdateRowsInPlace()
{
    addMany(10);
    const qint64 id = m_model->index(3, 0).data(JobTableModel::JobIdRole).toLongLong();
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
    QVERIFY(m_t->queue().setPriority(id, 50));
    m_model->flushChanges();
    QCOMPARE(m_model->index(3, JobTableModel::Priority).data().toInt(), 50);
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 3);
    QCOMPARE(resets.count(), 0);
}

void TestJobTableModel::statusFilterDropsRowThatLeaves()
{
    addMany(20);
    m_model->setFilter({JobStatus::Pending}, {}, QString(), true);
    QCOMPARE(m_model->rowCount(), 20);
    QPersistentModelIndex keep = m_model->index(10, 0);
    const qint64 keptId = keep.data(JobTableModel::JobIdRole).toLongLong();
    QSignalSpy resets(m_model.get(), &QAbstractItemModel::modelReset);
    QVERIFY(m_t->queue().cancel(m_model->index(2, 0).data(JobTableModel::JobIdRole).toLongLong()));
    m_model->flushChanges();
    QCOMPARE(m_model->rowCount(), 19);
    QCOMPARE(resets.count(), 0);
    QVERIFY(keep.isValid());
    QCOMPARE(keep.data(JobTableModel::JobIdRole).toLongLong(), keptId); // the selection follows its job
    QCOMPARE(keep.row(), 9);
}

void TestJobTableModel::progressIsBatched()
{
    addMany(5);
    const qint64 id = m_model->index(1, 0).data(JobTableModel::JobIdRole).toLongLong();
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    for (int i = 1; i <= 100; ++i) {
        JobProgress p;
        p.percent = i;
        m_t->queue().publishProgress(id, p);
    }
    QTRY_COMPARE(m_model->index(1, JobTableModel::Progress).data().toDouble(), 100.0);
    QVERIFY2(changed.count() <= 2, qPrintable(QString::number(changed.count()))); // 100 reports, one repaint
}

void TestJobTableModel::childrenHiddenAndSummarised()
{
    const qint64 parent = m_t->add({{QStringLiteral("children"), 4}});
    m_t->core().start();
    QTRY_COMPARE(m_t->queue().childSummary(parent).completed, 4);
    m_model->setFilter({}, {}, QString(), true);
    QCOMPARE(m_model->rowCount(), 1); // top level only: the children live under their parent
    m_model->setFilter({}, {}, QString(), false);
    QCOMPARE(m_model->rowCount(), 5);
    m_model->setParentFilter(parent);
    QCOMPARE(m_model->rowCount(), 4);
}

void TestJobTableModel::channelShowsWhatItsVideosDo()
{
    NewJob listing;
    listing.type = JobTypes::ChannelDownload;
    listing.url = QStringLiteral("https://www.youtube.com/@example");
    listing.priority = 10; // claimed first below
    const auto added = m_t->queue().addJob(listing);
    QVERIFY(added);
    const qint64 channel = added.value().job.id;
    const qint64 a = m_t->add({}, 0, channel);
    const qint64 b = m_t->add({}, 0, channel);
    const qint64 c = m_t->add({}, 0, channel);
    Store &store = m_t->queue().store();
    const qint64 now = m_t->clock()->nowMs();
    const QList<Job> claimed = m_t->claim();
    QCOMPARE(claimed.size(), 1);
    QCOMPARE(claimed.first().id, channel);
    QVERIFY(store.jobs().transition(channel, JobStatus::Completed, {}, now)); // the listing is done
    auto shown = [&] {
        m_model->setFilter({}, {}, QString(), true);
        const QModelIndex row = m_model->index(m_model->cachedRowOf(channel), JobTableModel::Status);
        return std::make_pair(row.data().toString(), row.siblingAtColumn(JobTableModel::Error).data().toString());
    };
    QCOMPARE(shown(), std::make_pair(QStringLiteral("Pending"), QString())); // its videos wait
    QVERIFY(m_t->queue().cancel(a));
    QVERIFY(m_t->queue().pause(b));
    QCOMPARE(shown(), std::make_pair(QStringLiteral("Pending"), QStringLiteral("1 video failed or cancelled")));
    QCOMPARE(m_t->claim(5).size(), 1); // c starts
    QCOMPARE(shown().first, QStringLiteral("Running"));
    QVERIFY(store.jobs().transition(c, JobStatus::Completed, {}, now));
    QCOMPARE(shown().first, QStringLiteral("Paused")); // only the paused one is left
    QVERIFY(m_t->queue().cancel(b));
    QCOMPARE(shown(), std::make_pair(QStringLiteral("Completed"), QStringLiteral("2 videos failed or cancelled")));
    // The job itself keeps its own status: actions and filters go by it.
    QCOMPARE(static_cast<JobStatus>(m_model->index(m_model->cachedRowOf(channel), 0).data(JobTableModel::StatusRole).toInt()),
             JobStatus::Completed);
}

void TestJobTableModel::bigTablesArriveAStepAtATime()
{
    addMany(5000);
    m_model->setFilter({}, {}, QString(), true); // a fresh view of a big table
    QCOMPARE(m_model->totalRows(), 5000);
    QCOMPARE(m_model->rowCount(), 2000); // the view gets rows as it scrolls, not all at once
    QVERIFY(m_model->canFetchMore({}));
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    m_model->fetchMore({});
    QTRY_COMPARE(m_model->rowCount(), 4000);
    m_model->fetchMore({});
    QTRY_COMPARE(m_model->rowCount(), 5000);
    QVERIFY(!m_model->canFetchMore({}));
    QVERIFY(inserted.count() >= 2);
    QCOMPARE(m_model->index(4999, JobTableModel::Title).data().toString(), QStringLiteral("job 04999"));
    // A deep read builds the row index off the UI thread; rows then come by id, in the same order.
    QTRY_VERIFY(m_model->hasRowIndex());
    m_model->sort(JobTableModel::Title, Qt::DescendingOrder); // keeps the rows already fetched
    QVERIFY(!m_model->hasRowIndex());
    QCOMPARE(m_model->rowCount(), 5000);
    m_model->index(3999, JobTableModel::Title).data();
    QTRY_VERIFY(m_model->hasRowIndex());
    QCOMPARE(m_model->index(0, JobTableModel::Title).data().toString(), QStringLiteral("job 04999"));
    QCOMPARE(m_model->index(3999, JobTableModel::Title).data().toString(), QStringLiteral("job 01000"));
    QCOMPARE(m_model->index(2500, JobTableModel::Title).data().toString(), QStringLiteral("job 02499"));
    m_model->sort(JobTableModel::Created, Qt::AscendingOrder);
    // Jobs added while everything is shown appear at once.
    m_t->add();
    m_model->flushChanges();
    QCOMPARE(m_model->rowCount(), 5001);
    // With a filter that shows only part, new matches wait to be fetched.
    m_model->setFilter({}, {}, QString(), true);
    QCOMPARE(m_model->rowCount(), 2000);
    m_t->add();
    m_model->flushChanges();
    QCOMPARE(m_model->rowCount(), 2000);
    QCOMPARE(m_model->totalRows(), 5002);
}

QTEST_MAIN(TestJobTableModel)
#include "tst_jobtablemodel.moc"
