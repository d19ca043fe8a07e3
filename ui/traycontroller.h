#pragma once

#include "queue/job.h"

#include <QHash>
#include <QObject>
#include <QTimer>

class Dispatcher;
class JobQueue;
class QMenu;
class QSystemTrayIcon;
class QWidget;

// The system tray: aggregate progress in the tooltip, a menu (show/hide, pause/resume all, quit)
// and notifications that batch what finished, so 200 videos make one message, not 200. Without a
// system tray it does nothing and the app works fully.
class TrayController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TrayController)
public:
    TrayController(JobQueue &queue, Dispatcher &dispatcher, QWidget *window, QObject *parent = nullptr);
    ~TrayController() override;

    bool isAvailable() const { return m_icon != nullptr; }
    QString tooltip() const { return m_tooltip; }
    QString lastNotification() const { return m_lastNotification; }
    int notificationsShown() const { return m_notifications; }
    // Normally on timers; public for tests.
    void refreshTooltip();
    void flushNotifications();
    // A one-off message from the tray (counted with the notifications).
    void notify(const QString &text);
    // How long finished jobs are gathered into one notification (3 s by default).
    void setNotificationBatchMs(int ms) { m_notifyTimer.setInterval(ms); }

Q_SIGNALS:
    void quitRequested();

private:
    void handleJobChanged(const Job &job);
    void handleProgress(qint64 id, const JobProgress &progress);
    void buildMenu();
    void show(const QString &text, bool warning);

    JobQueue &m_queue;
    Dispatcher &m_dispatcher;
    QWidget *m_window;
    QSystemTrayIcon *m_icon = nullptr;
    QMenu *m_menu = nullptr;
    QHash<qint64, double> m_running;
    int m_completed = 0;
    int m_failed = 0;
    QString m_tooltip;
    QString m_lastNotification;
    int m_notifications = 0;
    QTimer m_tooltipTimer;
    QTimer m_notifyTimer;
};
