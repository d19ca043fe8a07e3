#pragma once

#include "store/store.h"

#include <QAbstractTableModel>
#include <QFutureWatcher>
#include <QHash>
#include <QSet>
#include <QTimer>

class JobQueue;

// The job table: a flat model over the queue that never holds the whole queue. Rows are read from
// the store a page at a time (filter and sort are indexed SQL), the few pages in view are cached,
// and live changes are batched on a timer: cached rows update in place, and only a change that can
// move rows (a new job, a status change under a status filter) refreshes the layout.
class JobTableModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JobTableModel)
public:
    enum Column { Title, Type, Status, Progress, Priority, Attempts, Created, Started, Finished, Error, Worker, ColumnCount };
    enum Role { JobIdRole = Qt::UserRole + 1, JobRole, ProgressRole, ChildSummaryRole, StatusRole };

    explicit JobTableModel(JobQueue &queue, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    void sort(int column, Qt::SortOrder order) override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    // Every row the filter matches, shown or not yet fetched.
    qint64 totalRows() const { return m_total; }

    // Filter by status, type and text; topLevelOnly hides children (they show under their parent).
    void setFilter(const QList<JobStatus> &statuses, const QStringList &types, const QString &text,
                   bool topLevelOnly);
    // Only the children of one job (the detail pane's list).
    void setParentFilter(qint64 parentId);
    const JobFilter &filter() const { return m_filter; }
    std::optional<Job> jobAt(int row) const;
    // The row of a job among the cached pages, or -1.
    int cachedRowOf(qint64 id) const;
    // Applies pending live changes now (normally on the batch timer).
    void flushChanges();
    int pageSize() const { return kPageSize; }
    // True once the ordered ids of the whole filtered table are known (loaded off the UI thread);
    // from then on any row is one indexed lookup away.
    bool hasRowIndex() const { return m_indexReady; }
    // A search found in more jobs than the cap shows the first `cap` of them (by id) instead of
    // searching the whole queue again for every page; searchCapped() tells the user so.
    void setSearchCap(int cap) { m_searchCap = cap; }
    int searchCap() const { return m_searchCap; }
    bool searchCapped() const { return m_searchCapped; }
    // The counts of a channel's or playlist's videos, for a row the model has loaded.
    std::optional<ChildSummary> videosOf(qint64 id) const;
    // What the Status column shows: a channel or playlist that has listed its videos is
    // "completed" itself, but shows as running (or waiting, or paused) while its videos are.
    JobStatus shownStatus(const Job &job) const;
    static QString statusText(JobStatus status);
    static QString typeText(const QString &type);
    // The error classes workers and the dispatcher record ("not_found", "rate_limited", …), for people.
    static QString errorClassText(const QString &errorClass);

Q_SIGNALS:
    void searchCappedChanged(bool capped);

private:
    static constexpr int kPageSize = 200;
    static constexpr int kMaxPages = 40;
    static constexpr int kFetchStep = 2000;
    static constexpr int kIndexAfterPage = 10; // below this, OFFSET paging is as cheap as the index

    const QList<Job> *pageFor(int row) const;
    void loadPage(int page) const;
    QVariant display(const Job &job, int column) const;
    QString errorText(const Job &job) const;
    void handleJobAdded(const Job &job);
    void handleJobChanged(const Job &job);
    void handleJobProgress(qint64 id, const JobProgress &progress);
    void handleJobRemoved(qint64 id);
    void scheduleFlush();
    void refreshLayout();
    void resolveSearch();
    int initialRows() const;
    void appendFetchedRows();
    void invalidate();
    void startIndexLoad();
    void handleIndexLoaded();
    bool changeMayMoveRows(const Job &before, const Job &after) const;

    JobQueue &m_queue;
    JobFilter m_filter;
    int m_searchCap = 50000; // more rows than anyone scrolls through; bounded time for any term
    bool m_searchCapped = false;
    int m_rows = 0;      // rows the view has (fetched)
    qint64 m_total = 0;  // rows the filter matches
    bool m_fetchQueued = false;
    mutable QHash<int, QList<Job>> m_pages;
    mutable QList<int> m_pageOrder; // least recently used first
    mutable QHash<qint64, ChildSummary> m_summaries;
    QHash<qint64, Job> m_pendingChanges;
    QHash<qint64, JobProgress> m_pendingProgress;
    QSet<qint64> m_parentsToRefresh;
    bool m_layoutDirty = false;
    QTimer m_flushTimer;
    QList<qint64> m_index;     // ids of every row, in order, once loaded
    bool m_indexReady = false;
    mutable bool m_indexRequested = false;
    int m_indexGeneration = 0;
    QFutureWatcher<QList<qint64>> m_indexWatcher;
};
