#include "jobtablemodel.h"

#include "plaintext.h"

#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "statusicons.h"

#include <QDateTime>
#include <QtConcurrent/QtConcurrentRun>

namespace {
constexpr int kFlushMs = 200;

QString formatTime(qint64 ms)
{
    if (ms <= 0)
        return QString();
    // Compact and sortable at a glance; the detail pane shows the long form.
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

const QHash<int, QString> kSortKeys{
    {JobTableModel::Title, QStringLiteral("title")},       {JobTableModel::Type, QStringLiteral("type")},
    {JobTableModel::Status, QStringLiteral("status")},     {JobTableModel::Progress, QStringLiteral("progress")},
    {JobTableModel::Priority, QStringLiteral("priority")}, {JobTableModel::Attempts, QStringLiteral("attempts")},
    {JobTableModel::Created, QStringLiteral("id")},        {JobTableModel::Started, QStringLiteral("started_at")},
    {JobTableModel::Finished, QStringLiteral("finished_at")}, {JobTableModel::Error, QStringLiteral("status")},
    {JobTableModel::Worker, QStringLiteral("worker")},
};
} // namespace

JobTableModel::JobTableModel(JobQueue &queue, QObject *parent) : QAbstractTableModel(parent), m_queue(queue)
{
    m_filter.parentId = 0;
    m_filter.limit = kPageSize;
    m_total = m_queue.store().listing().count(m_filter);
    m_rows = initialRows();
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &JobTableModel::flushChanges);
    connect(&m_queue, &JobQueue::jobAdded, this, &JobTableModel::handleJobAdded);
    connect(&m_queue, &JobQueue::jobChanged, this, &JobTableModel::handleJobChanged);
    connect(&m_queue, &JobQueue::jobProgress, this, &JobTableModel::handleJobProgress);
    connect(&m_queue, &JobQueue::jobRemoved, this, &JobTableModel::handleJobRemoved);
    // Back on a shared queue after a lost connection: every row may have changed.
    connect(&m_queue, &JobQueue::resynced, this, [this] {
        invalidate();
        m_layoutDirty = true;
        flushChanges();
    });
    connect(&m_indexWatcher, &QFutureWatcher<QList<qint64>>::finished, this, &JobTableModel::handleIndexLoaded);
}

void JobTableModel::startIndexLoad()
{
    // Reading a million ids takes a few hundred milliseconds: do it on a pool thread with a
    // connection of its own, and page with OFFSET meanwhile.
    m_indexReady = false;
    m_index.clear();
    m_indexRequested = true;
    const int generation = ++m_indexGeneration;
    const QString path = m_queue.store().path();
    const JobFilter filter = m_filter;
    m_indexWatcher.setFuture(QtConcurrent::run([path, filter, generation]() -> QList<qint64> {
        Store reader(path);
        if (!reader.open())
            return {};
        QList<qint64> ids = reader.listing().ids(filter);
        ids.prepend(generation); // tags the result with the request it answers
        return ids;
    }));
}

void JobTableModel::handleIndexLoaded()
{
    QList<qint64> ids = m_indexWatcher.result();
    if (ids.isEmpty() || ids.takeFirst() != m_indexGeneration)
        return; // an answer to an older filter
    if (ids.size() != m_total) {
        m_layoutDirty = true; // the table moved on while the ids loaded
        scheduleFlush();
        return;
    }
    m_index = std::move(ids);
    m_indexReady = true;
}

void JobTableModel::invalidate()
{
    m_pages.clear();
    m_pageOrder.clear();
    // The row index is built only once someone reads deep into the table (see loadPage).
    m_indexReady = false;
    m_indexRequested = false;
    m_index.clear();
    ++m_indexGeneration;
}

int JobTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int JobTableModel::initialRows() const
{
    return static_cast<int>(qMin<qint64>(m_total, kFetchStep));
}

bool JobTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_rows < m_total;
}

void JobTableModel::fetchMore(const QModelIndex &parent)
{
    // The view asks as the user scrolls near the end: rows arrive a step at a time, so a million
    // jobs never cost a million header sections or a million-row layout. The rows are inserted
    // from the event loop, not inside the caller, which may be in the middle of handling a reset.
    if (!canFetchMore(parent) || m_fetchQueued)
        return;
    m_fetchQueued = true;
    QMetaObject::invokeMethod(this, &JobTableModel::appendFetchedRows, Qt::QueuedConnection);
}

void JobTableModel::appendFetchedRows()
{
    m_fetchQueued = false;
    if (!canFetchMore({}))
        return;
    const int more = static_cast<int>(qMin<qint64>(m_total - m_rows, kFetchStep));
    beginInsertRows({}, m_rows, m_rows + more - 1);
    m_rows += more;
    endInsertRows();
}

int JobTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void JobTableModel::loadPage(int page) const
{
    if (page >= kIndexAfterPage && !m_indexRequested) {
        m_indexRequested = true;
        const_cast<JobTableModel *>(this)->startIndexLoad();
    }
    QList<Job> rows;
    if (m_indexReady) {
        rows = m_queue.store().listing().jobsInOrder(m_index.mid(page * kPageSize, kPageSize));
    } else {
        JobFilter f = m_filter;
        f.offset = page * kPageSize;
        f.limit = kPageSize;
        rows = m_queue.store().listing().page(f);
    }
    for (const Job &job : rows) {
        if (JobTypes::listsVideos(job.type))
            m_summaries.insert(job.id, m_queue.store().jobs().childSummary(job.id));
    }
    m_pages.insert(page, rows);
    m_pageOrder.append(page);
    while (m_pageOrder.size() > kMaxPages)
        m_pages.remove(m_pageOrder.takeFirst());
}

const QList<Job> *JobTableModel::pageFor(int row) const
{
    if (row < 0 || row >= m_rows)
        return nullptr;
    const int page = row / kPageSize;
    if (!m_pages.contains(page))
        loadPage(page);
    else if (m_pageOrder.constLast() != page) {
        m_pageOrder.removeOne(page);
        m_pageOrder.append(page);
    }
    return &m_pages[page];
}

std::optional<Job> JobTableModel::jobAt(int row) const
{
    const QList<Job> *page = pageFor(row);
    const int offset = row % kPageSize;
    if (!page || offset >= page->size())
        return std::nullopt;
    return page->at(offset);
}

int JobTableModel::cachedRowOf(qint64 id) const
{
    for (auto it = m_pages.cbegin(); it != m_pages.cend(); ++it) {
        for (int i = 0; i < it->size(); ++i) {
            if (it->at(i).id == id)
                return it.key() * kPageSize + i;
        }
    }
    return -1;
}

QString JobTableModel::statusText(JobStatus status)
{
    switch (status) {
    case JobStatus::Pending: return tr("Pending");
    case JobStatus::Running: return tr("Running");
    case JobStatus::Retrying: return tr("Retrying");
    case JobStatus::Paused: return tr("Paused");
    case JobStatus::Completed: return tr("Completed");
    case JobStatus::Dead: return tr("Failed");
    case JobStatus::Cancelled: return tr("Cancelled");
    }
    return QString();
}

QString JobTableModel::typeText(const QString &type)
{
    if (type == JobTypes::ChannelDownload)
        return tr("Channel");
    if (type == JobTypes::PlaylistDownload)
        return tr("Playlist");
    if (type == JobTypes::VideoDownload)
        return tr("Video");
    if (type == JobTypes::MetadataExtraction)
        return tr("Metadata");
    if (type == JobTypes::Cleanup)
        return tr("Cleanup");
    return type;
}

std::optional<ChildSummary> JobTableModel::videosOf(qint64 id) const
{
    const auto it = m_summaries.constFind(id);
    return it == m_summaries.cend() ? std::nullopt : std::optional<ChildSummary>(*it);
}

JobStatus JobTableModel::shownStatus(const Job &job) const
{
    const std::optional<ChildSummary> videos = job.status == JobStatus::Completed ? videosOf(job.id) : std::nullopt;
    if (!videos)
        return job.status;
    if (videos->active > 0)
        return JobStatus::Running;
    if (videos->waiting() > 0)
        return JobStatus::Pending;
    if (videos->paused > 0)
        return JobStatus::Paused;
    return job.status;
}

QString JobTableModel::errorText(const Job &job) const
{
    if (!job.errorMessage.isEmpty())
        return job.errorMessage;
    const std::optional<ChildSummary> videos = videosOf(job.id);
    return videos && videos->failed > 0 ? tr("%n video(s) failed or cancelled", nullptr, videos->failed) : QString();
}

QString JobTableModel::errorClassText(const QString &errorClass)
{
    static const QHash<QString, const char *> kTexts{
        {QStringLiteral("rate_limited"), QT_TR_NOOP("Rate limited")},
        {QStringLiteral("bot_check"), QT_TR_NOOP("Bot check")},
        {QStringLiteral("disk_full"), QT_TR_NOOP("Disk full")},
        {QStringLiteral("not_found"), QT_TR_NOOP("Not found")},
        {QStringLiteral("unsupported"), QT_TR_NOOP("Unsupported URL")},
        {QStringLiteral("unavailable"), QT_TR_NOOP("Unavailable")},
        {QStringLiteral("auth_required"), QT_TR_NOOP("Sign-in required")},
        {QStringLiteral("forbidden"), QT_TR_NOOP("Forbidden")},
        {QStringLiteral("server_error"), QT_TR_NOOP("Server error")},
        {QStringLiteral("timeout"), QT_TR_NOOP("Timed out")},
        {QStringLiteral("network"), QT_TR_NOOP("Network error")},
        {QStringLiteral("cancelled"), QT_TR_NOOP("Cancelled")},
        {QStringLiteral("stalled"), QT_TR_NOOP("Stalled")},
        {QStringLiteral("lease_expired"), QT_TR_NOOP("Worker lost")},
        {QStringLiteral("crashed"), QT_TR_NOOP("Interrupted")},
        {QStringLiteral("missing_tool"), QT_TR_NOOP("Tool missing")},
        {QStringLiteral("invalid_option"), QT_TR_NOOP("Invalid option")},
        {QStringLiteral("invalid_path"), QT_TR_NOOP("Invalid path")},
        {QStringLiteral("io_error"), QT_TR_NOOP("File error")},
        {QStringLiteral("exception"), QT_TR_NOOP("Internal error")},
        {QStringLiteral("internal"), QT_TR_NOOP("Internal error")},
        {QStringLiteral("unknown"), QT_TR_NOOP("Unknown error")},
    };
    const char *text = kTexts.value(errorClass);
    return text ? tr(text) : errorClass;
}

QVariant JobTableModel::display(const Job &job, int column) const
{
    switch (column) {
    case Title: return job.displayName();
    case Type: return typeText(job.type);
    case Status: return statusText(shownStatus(job));
    case Progress: return job.progress.percent >= 0 ? QVariant(job.progress.percent) : QVariant();
    case Priority: return job.priority;
    case Attempts: return job.maxAttempts > 0 ? QStringLiteral("%1 / %2").arg(job.attempts).arg(job.maxAttempts) : QString();
    case Created: return formatTime(job.createdAt);
    case Started: return formatTime(job.startedAt);
    case Finished: return formatTime(job.finishedAt);
    case Error: return errorText(job);
    case Worker: return job.worker;
    default: return {};
    }
}

QVariant JobTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto job = jobAt(index.row());
    if (!job)
        return {};
    switch (role) {
    case Qt::DisplayRole: return display(*job, index.column());
    case Qt::ToolTipRole:
        return index.column() == Error ? PlainText::toolTip(errorText(*job))
                                       : (index.column() == Title ? QVariant(PlainText::toolTip(job->url)) : QVariant());
    case JobIdRole: return job->id;
    case JobRole: return QVariant::fromValue(*job);
    case ProgressRole: return QVariant::fromValue(job->progress);
    case StatusRole: return static_cast<int>(job->status);
    case Qt::DecorationRole: return index.column() == Status ? QVariant(StatusIcons::icon(shownStatus(*job))) : QVariant();
    case Qt::ForegroundRole:
        if (index.column() == Status)
            return StatusIcons::color(shownStatus(*job));
        return index.column() == Error && (job->status == JobStatus::Dead || job->errorMessage.isEmpty())
                   ? QVariant(StatusIcons::color(JobStatus::Dead)) : QVariant();
    case ChildSummaryRole: {
        const std::optional<ChildSummary> videos = videosOf(job->id);
        return videos ? QVariant::fromValue(QPoint(videos->completed, videos->total)) : QVariant();
    }
    case Qt::TextAlignmentRole:
        return index.column() == Priority ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    default: return {};
    }
}

QVariant JobTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Title: return tr("Title");
    case Type: return tr("Type");
    case Status: return tr("Status");
    case Progress: return tr("Progress");
    case Priority: return tr("Priority");
    case Attempts: return tr("Attempts");
    case Created: return tr("Added");
    case Started: return tr("Started");
    case Finished: return tr("Finished");
    case Error: return tr("Last error");
    case Worker: return tr("Worker");
    default: return {};
    }
}

void JobTableModel::sort(int column, Qt::SortOrder order)
{
    const QString key = kSortKeys.value(column, QStringLiteral("id"));
    if (key == m_filter.sort && m_filter.descending == (order == Qt::DescendingOrder))
        return;
    m_filter.sort = key;
    m_filter.descending = order == Qt::DescendingOrder;
    refreshLayout();
}

void JobTableModel::setFilter(const QList<JobStatus> &statuses, const QStringList &types, const QString &text,
                              bool topLevelOnly)
{
    beginResetModel(); // a new filter is a new table; single changes never reset
    m_filter.statuses = statuses;
    m_filter.types = types;
    m_filter.text = text.trimmed();
    m_filter.parentId = topLevelOnly ? std::optional<qint64>(0) : std::nullopt;
    invalidate();
    m_summaries.clear();
    m_pendingChanges.clear();
    m_pendingProgress.clear();
    m_layoutDirty = false;
    resolveSearch();
    m_total = m_queue.store().listing().count(m_filter);
    m_rows = initialRows();
    endResetModel();
}

void JobTableModel::resolveSearch()
{
    // The text is searched once here, not again for the count and for every page.
    const bool capped =
        !m_queue.store().listing().resolveText(m_filter, m_searchCap, JobListing::TextOverflow::KeepFirst);
    if (capped != m_searchCapped) {
        m_searchCapped = capped;
        Q_EMIT searchCappedChanged(capped);
    }
}

void JobTableModel::setParentFilter(qint64 parentId)
{
    beginResetModel();
    m_filter = JobFilter{};
    m_filter.parentId = parentId;
    m_filter.limit = kPageSize;
    invalidate();
    m_summaries.clear();
    m_total = m_queue.store().listing().count(m_filter);
    m_rows = initialRows();
    endResetModel();
}

void JobTableModel::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void JobTableModel::handleJobAdded(const Job &job)
{
    if (job.parentId > 0)
        m_parentsToRefresh.insert(job.parentId);
    m_layoutDirty = true; // the count changes; where the row lands depends on filter and sort
    scheduleFlush();
}

void JobTableModel::handleJobChanged(const Job &job)
{
    m_pendingChanges.insert(job.id, job);
    if (job.parentId > 0)
        m_parentsToRefresh.insert(job.parentId);
    scheduleFlush();
}

void JobTableModel::handleJobProgress(qint64 id, const JobProgress &progress)
{
    m_pendingProgress.insert(id, progress);
    scheduleFlush();
}

void JobTableModel::handleJobRemoved(qint64 id)
{
    Q_UNUSED(id);
    m_layoutDirty = true;
    scheduleFlush();
}

bool JobTableModel::changeMayMoveRows(const Job &before, const Job &after) const
{
    const QString &sort = m_filter.sort;
    if (before.status != after.status && (!m_filter.statuses.isEmpty() || sort == QLatin1String("status")))
        return true;
    if (before.priority != after.priority && sort == QLatin1String("priority"))
        return true;
    if (before.title != after.title && (sort == QLatin1String("title") || !m_filter.text.isEmpty()))
        return true;
    if (before.attempts != after.attempts && sort == QLatin1String("attempts"))
        return true;
    // Times and progress move with every state change.
    static const QStringList volatileKeys{QStringLiteral("started_at"), QStringLiteral("finished_at"),
                                          QStringLiteral("progress"), QStringLiteral("updated_at")};
    return volatileKeys.contains(sort) && before.status != after.status;
}

void JobTableModel::flushChanges()
{
    QList<int> changedRows;
    for (auto it = m_pages.begin(); it != m_pages.end(); ++it) {
        for (int i = 0; i < it->size(); ++i) {
            Job &cached = (*it)[i];
            bool touched = false;
            if (auto c = m_pendingChanges.constFind(cached.id); c != m_pendingChanges.cend()) {
                m_layoutDirty = m_layoutDirty || changeMayMoveRows(cached, *c);
                cached = *c;
                touched = true;
            }
            if (auto p = m_pendingProgress.constFind(cached.id); p != m_pendingProgress.cend()) {
                cached.progress = *p;
                touched = true;
            }
            if (m_parentsToRefresh.contains(cached.id)) {
                m_summaries.insert(cached.id, m_queue.store().jobs().childSummary(cached.id));
                touched = true;
            }
            if (touched)
                changedRows << it.key() * kPageSize + i;
        }
    }
    const bool statusFiltered = !m_filter.statuses.isEmpty();
    for (const Job &job : std::as_const(m_pendingChanges)) {
        // A job outside the cache may have moved into (or out of) the filtered set.
        if (statusFiltered && cachedRowOf(job.id) < 0)
            m_layoutDirty = true;
    }
    m_pendingChanges.clear();
    m_pendingProgress.clear();
    m_parentsToRefresh.clear();
    for (int row : std::as_const(changedRows))
        Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
    if (m_layoutDirty)
        refreshLayout();
}

void JobTableModel::refreshLayout()
{
    m_layoutDirty = false;
    // First the number of rows settles (rows come or go at the end), then the contents move.
    const bool allShown = m_rows >= m_total;
    resolveSearch(); // titles and jobs may have changed since the last search
    const qint64 total = m_queue.store().listing().count(m_filter);
    // New rows show at once when the whole table was shown; otherwise they wait for fetchMore.
    // The total changes together with the rows, so observers never see more to fetch mid-insert.
    const int newRows = static_cast<int>(allShown ? total : qMin<qint64>(total, m_rows));
    if (newRows > m_rows) {
        beginInsertRows({}, m_rows, newRows - 1);
        m_rows = newRows;
        m_total = total;
        endInsertRows();
    } else if (newRows < m_rows) {
        beginRemoveRows({}, newRows, m_rows - 1);
        m_rows = newRows; // the cache still shows the old rows until the layout change below
        m_total = total;
        endRemoveRows();
    }
    m_total = total;
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    // Persistent indexes (selection, current row) follow their job where it is still in view.
    const QModelIndexList persistent = persistentIndexList();
    QList<qint64> ids;
    for (const QModelIndex &idx : persistent)
        ids << idx.data(JobIdRole).toLongLong();
    invalidate();
    QModelIndexList to;
    for (int i = 0; i < persistent.size(); ++i) {
        const int oldRow = persistent[i].row();
        int row = -1;
        if (oldRow < m_rows) {
            jobAt(oldRow); // loads the page around the old row, where the job most likely still is
            row = cachedRowOf(ids[i]);
        }
        to << (row >= 0 ? index(row, persistent[i].column()) : QModelIndex());
    }
    changePersistentIndexList(persistent, to);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}
