#include "subscriptionsdialog.h"

#include "plaintext.h"

#include "jobtablemodel.h"

#include "queue/jobqueue.h"
#include "queue/subscriptions.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QStackedWidget>
#include <QTableWidget>
#include <QVBoxLayout>

SubscriptionsDialog::SubscriptionsDialog(Subscriptions &subscriptions, JobQueue &queue, QWidget *parent)
    : QDialog(parent), m_subscriptions(subscriptions), m_queue(queue), m_pages(new QStackedWidget(this)),
      m_table(new QTableWidget(0, ColumnCount, this)), m_sync(new QPushButton(tr("Sync &now"), this)),
      m_remove(new QPushButton(tr("&Unsubscribe"), this)), m_interval(new QSpinBox(this)),
      m_apply(new QPushButton(tr("&Set"), this)), m_message(new QLabel(this))
{
    setWindowTitle(tr("Subscriptions"));
    m_message->setTextFormat(Qt::PlainText);
    m_table->setHorizontalHeaderLabels({tr("Channel or playlist"), tr("Type"), tr("Every"), tr("Next check"), tr("Last check")});
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    for (int column = Type; column < ColumnCount; ++column)
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    auto *hint = new QLabel(tr("Nothing is kept in sync yet. Add a channel or playlist with \"Re-sync every\" "
                               "set, and Spool checks it for new videos at that interval."), this);
    hint->setWordWrap(true);
    hint->setAlignment(Qt::AlignCenter);
    hint->setEnabled(false); // the muted text colour
    m_pages->addWidget(hint);
    m_pages->addWidget(m_table);
    m_interval->setRange(1, 24 * 365);
    m_interval->setSuffix(tr(" h"));
    m_message->setWordWrap(true);
    auto *row = new QHBoxLayout;
    row->addWidget(m_sync);
    row->addWidget(m_remove);
    row->addStretch(1);
    row->addWidget(new QLabel(tr("Check every"), this));
    row->addWidget(m_interval);
    row->addWidget(m_apply);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_pages, 1);
    layout->addLayout(row);
    layout->addWidget(m_message);
    layout->addWidget(close);
    resize(760, 360);

    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_table, &QTableWidget::itemSelectionChanged, this, &SubscriptionsDialog::updateButtons);
    connect(m_sync, &QPushButton::clicked, this, [this] {
        const auto synced = m_subscriptions.syncNow(selectedId());
        say(synced ? tr("A sync was added to the queue.") : synced.error().message, !synced);
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const auto removed = m_subscriptions.unsubscribe(selectedId());
        say(removed ? tr("Unsubscribed. Its jobs and downloaded videos stay.") : removed.error().message, !removed);
    });
    connect(m_apply, &QPushButton::clicked, this, [this] {
        const auto changed = m_subscriptions.setInterval(selectedId(), m_interval->value());
        say(changed ? tr("Checked every %n hour(s) from now on.", nullptr, m_interval->value()) : changed.error().message, !changed);
    });
    connect(&m_subscriptions, &Subscriptions::changed, this, &SubscriptionsDialog::reload);
    // The last check's outcome follows its job.
    connect(&m_queue, &JobQueue::jobChanged, this, [this](const Job &job) {
        for (int row = 0; row < m_table->rowCount(); ++row) {
            const QTableWidgetItem *last = m_table->item(row, Last);
            if (last && last->data(Qt::UserRole).toLongLong() == job.id) {
                reload();
                return;
            }
        }
    });
    reload();
}

void SubscriptionsDialog::reload()
{
    const qint64 selected = selectedId();
    const QList<Subscription> list = m_subscriptions.list();
    const QLocale locale;
    int selectRow = list.isEmpty() ? -1 : 0;
    // Filled whole before anything reacts to the selection: a half-filled table has empty cells.
    const QSignalBlocker quiet(m_table);
    m_table->clearSelection();
    m_table->setRowCount(0);
    m_table->setRowCount(static_cast<int>(list.size()));
    for (int row = 0; row < list.size(); ++row) {
        const Subscription &s = list[row];
        const std::optional<Job> last = s.lastJobId > 0 ? m_queue.job(s.lastJobId) : std::nullopt;
        auto *name = new QTableWidgetItem(last && !last->title.isEmpty() ? last->title : s.url);
        name->setToolTip(PlainText::toolTip(s.url));
        name->setData(Qt::UserRole, s.id);
        m_table->setItem(row, Name, name);
        m_table->setItem(row, Type, new QTableWidgetItem(JobTableModel::typeText(s.type)));
        const int hours = static_cast<int>(qMax<qint64>(1, (s.intervalS + 1800) / 3600));
        auto *every = new QTableWidgetItem(s.intervalS < 3600 ? tr("%n minute(s)", nullptr, static_cast<int>(qMax<qint64>(1, s.intervalS / 60)))
                                                              : tr("%n hour(s)", nullptr, hours));
        every->setData(Qt::UserRole, hours);
        m_table->setItem(row, Every, every);
        m_table->setItem(row, Next, new QTableWidgetItem(locale.toString(QDateTime::fromMSecsSinceEpoch(s.nextRunAt), QLocale::ShortFormat)));
        QString outcome = tr("—");
        if (last) {
            outcome = JobTableModel::statusText(last->status);
            if (last->status == JobStatus::Completed)
                outcome += QStringLiteral(" · ") + tr("%n new video(s)", nullptr, last->result.value(QStringLiteral("children_added")).toInt());
        }
        auto *lastItem = new QTableWidgetItem(outcome);
        lastItem->setData(Qt::UserRole, s.lastJobId);
        lastItem->setToolTip(last ? tr("Job %1").arg(s.lastJobId) : QString());
        m_table->setItem(row, Last, lastItem);
        if (s.id == selected)
            selectRow = row;
    }
    if (selectRow >= 0)
        m_table->selectRow(selectRow);
    m_pages->setCurrentIndex(list.isEmpty() ? 0 : 1);
    updateButtons();
}

qint64 SubscriptionsDialog::selectedId() const
{
    const QList<QTableWidgetItem *> selected = m_table->selectedItems();
    for (QTableWidgetItem *item : selected) {
        if (item->column() == Name)
            return item->data(Qt::UserRole).toLongLong();
    }
    return 0;
}

void SubscriptionsDialog::selectRow(int row)
{
    m_table->selectRow(row);
}

QString SubscriptionsDialog::message() const
{
    return m_message->text();
}

bool SubscriptionsDialog::showsEmptyHint() const
{
    return m_pages->currentIndex() == 0;
}

void SubscriptionsDialog::updateButtons()
{
    const qint64 id = selectedId();
    const bool any = id > 0;
    m_sync->setEnabled(any);
    m_remove->setEnabled(any);
    m_interval->setEnabled(any);
    m_apply->setEnabled(any);
    if (id == m_intervalOf)
        return; // a value being typed is not reset by a refresh
    m_intervalOf = id;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const QTableWidgetItem *name = m_table->item(row, Name);
        const QTableWidgetItem *every = m_table->item(row, Every);
        if (name && every && name->data(Qt::UserRole).toLongLong() == id)
            m_interval->setValue(every->data(Qt::UserRole).toInt());
    }
}

void SubscriptionsDialog::say(const QString &text, bool problem)
{
    m_message->setStyleSheet(problem ? QStringLiteral("color: #dc2626") : QString());
    m_message->setText(text);
}
