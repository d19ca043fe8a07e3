#pragma once

#include "logview.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class AddDialog;
class DetailPane;
class HostPauseBar;
class JobTableModel;
class LogView;
class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;
class QSplitter;
class QTableView;
class SpoolCore;
class SubscriptionsDialog;
class TrayController;

// The main window: the job table with filters and search, the detail pane and the live log of the
// selected job, actions on every selected job, drag and drop, paste, clipboard offers, the tray.
// It observes the queue and acts through JobQueue; it holds no state of its own about jobs.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    // A banner over the table, until closed or replaced (for what the user must know at start).
    void showWarning(const QString &text) { showBanner(text); }
    explicit MainWindow(SpoolCore &core, const QString &settingsFile = QString(), QWidget *parent = nullptr);
    ~MainWindow() override;

    // Adds the URLs in `text` (or a drop); any invalid entry means nothing is added and a banner says why.
    bool addFromText(const QString &text);
    SubscriptionsDialog *subscriptionsDialog() const;
    QList<qint64> selectedIds() const;
    // The folder the job's download went to; empty while there is none.
    QString downloadFolderOf(qint64 id) const;
    void selectJob(qint64 id);
    void setClipboardMonitoring(bool on);
    // What the banner shows (drop errors, clipboard offers); empty when hidden.
    QString bannerText() const;
    void acceptOffer();

    JobTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    DetailPane *detail() const { return m_detail; }
    LogView *logView() const { return m_log; }
    TrayController *tray() const { return m_tray; }
    HostPauseBar *hostPauses() const { return m_hostPauses; }
    QComboBox *statusFilter() const { return m_statusFilter; }
    QComboBox *typeFilter() const { return m_typeFilter; }
    QLineEdit *searchBox() const { return m_search; }
    QCheckBox *childrenBox() const { return m_children; }
    // Help ▸ About: version, what Spool is, where it keeps its data.
    QString aboutText() const;
    QString statusSummary() const;
    QAction *action(const QString &name) const;
    // The graceful quit: stops the queue, hands back running jobs, then closes.
    void quit();
    // The first-run welcome again (Help > Welcome).
    void openWelcome();

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildActions();
    void buildMenus();
    QWidget *buildFilterBar();
    void buildBanner();
    void applyFilter();
    void refreshStatusBar();
    void updateActions();
    void handleCurrentChanged();
    void handleClipboard();
    LogView::Source logSource(qint64 id);
    void showBanner(const QString &text, const QString &offerUrl = QString());
    enum class Reach { Selected, Videos }; // Videos: a channel's or playlist's videos too
    void restoreLayout(QSettings &settings);
    void saveLayout();
    void forEachSelected(const std::function<std::optional<QString>(qint64)> &act, Reach reach = Reach::Selected);
    void forEachJob(const QList<qint64> &ids, const std::function<std::optional<QString>(qint64)> &act, Reach reach);
    void removeSelected();
    void removeJobs(const QList<qint64> &ids);
    void showContextMenu(const QPoint &pos);
    void openAddDialog(const QString &text = QString());
    void openSettings();
    QAction *makeAction(const QString &name, const QString &text, const QKeySequence &shortcut,
                        const std::function<void()> &slot);

    SpoolCore &m_core;
    QString m_settingsFile;
    JobTableModel *m_model;
    QTableView *m_table;
    DetailPane *m_detail;
    LogView *m_log;
    TrayController *m_tray = nullptr;
    QPointer<SubscriptionsDialog> m_subscriptionsDialog;
    QComboBox *m_statusFilter = nullptr;
    QComboBox *m_typeFilter = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_searchNote = nullptr;
    QCheckBox *m_children = nullptr;
    QWidget *m_banner = nullptr;
    HostPauseBar *m_hostPauses = nullptr;
    QLabel *m_bannerText = nullptr;
    QPushButton *m_bannerAdd = nullptr;
    QString m_offerUrl;
    QString m_lastClipboard;
    bool m_monitorClipboard = false;
    bool m_quitting = false;
    QLabel *m_counts = nullptr;
    QSplitter *m_split = nullptr;
    QHash<QString, QAction *> m_actions;
    QTimer m_searchDelay;
    QTimer m_statusDelay;
};
