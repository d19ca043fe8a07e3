#pragma once

#include <QDialog>

class JobQueue;
class QLabel;
class QPushButton;
class QSpinBox;
class QStackedWidget;
class QTableWidget;
class Subscriptions;

// Channels and playlists kept in sync (added with "Re-sync every N h"): what they are, how often
// they are checked, when next and how the last check went. Sync one now, change its interval or
// unsubscribe. Follows changes live; never blocks (opened with open()), so tests drive it directly.
class SubscriptionsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriptionsDialog)
public:
    SubscriptionsDialog(Subscriptions &subscriptions, JobQueue &queue, QWidget *parent = nullptr);

    enum Column { Name, Type, Every, Next, Last, ColumnCount };

    void reload();
    qint64 selectedId() const;
    void selectRow(int row);
    QString message() const;

    QTableWidget *table() const { return m_table; }
    QPushButton *syncButton() const { return m_sync; }
    QPushButton *removeButton() const { return m_remove; }
    QSpinBox *intervalBox() const { return m_interval; }
    QPushButton *applyButton() const { return m_apply; }
    bool showsEmptyHint() const;

private:
    void updateButtons();
    void say(const QString &text, bool problem);

    Subscriptions &m_subscriptions;
    JobQueue &m_queue;
    QStackedWidget *m_pages;
    QTableWidget *m_table;
    QPushButton *m_sync;
    QPushButton *m_remove;
    QSpinBox *m_interval;
    QPushButton *m_apply;
    QLabel *m_message;
    qint64 m_intervalOf = -1; // the subscription whose interval the spin box shows
};
