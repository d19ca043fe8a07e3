#include "traycontroller.h"

#include "hostpausebar.h"
#include "queue/dispatcher.h"
#include "queue/jobqueue.h"

#include <QApplication>
#include <QMenu>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QWidget>

namespace {
constexpr int kTooltipMs = 1000;
constexpr int kNotifyBatchMs = 3000;
} // namespace

TrayController::TrayController(JobQueue &queue, Dispatcher &dispatcher, QWidget *window, QObject *parent)
    : QObject(parent), m_queue(queue), m_dispatcher(dispatcher), m_window(window)
{
    m_tooltipTimer.setInterval(kTooltipMs);
    connect(&m_tooltipTimer, &QTimer::timeout, this, &TrayController::refreshTooltip);
    m_notifyTimer.setSingleShot(true);
    m_notifyTimer.setInterval(kNotifyBatchMs);
    connect(&m_notifyTimer, &QTimer::timeout, this, &TrayController::flushNotifications);
    connect(&m_queue, &JobQueue::jobChanged, this, &TrayController::handleJobChanged);
    connect(&m_queue, &JobQueue::jobProgress, this, &TrayController::handleProgress);
    connect(&m_queue, &JobQueue::hostCooledDown, this,
            [this](const HostCooldown &pause) { show(HostPauseBar::describe(pause, m_queue.now()), true); });
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_icon = new QSystemTrayIcon(window ? window->windowIcon() : QIcon(), this);
        if (m_icon->icon().isNull())
            m_icon->setIcon(QApplication::style()->standardIcon(QStyle::SP_ArrowDown));
        buildMenu();
        connect(m_icon, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
            if (reason == QSystemTrayIcon::Trigger && m_window)
                m_window->setVisible(!m_window->isVisible());
        });
        m_icon->show();
    }
    m_tooltipTimer.start();
    refreshTooltip();
}

TrayController::~TrayController() = default;

void TrayController::buildMenu()
{
    m_menu = new QMenu(m_window);
    m_menu->addAction(tr("Show or hide Spool"), this, [this] {
        if (m_window)
            m_window->setVisible(!m_window->isVisible());
    });
    auto hold = [this](bool held) {
        if (!m_dispatcher.setHeld(held))
            notify(tr("Done for now, but the database refused to keep it for the next start."));
    };
    m_menu->addAction(tr("Pause all"), this, [hold] { hold(true); });
    m_menu->addAction(tr("Resume all"), this, [hold] { hold(false); });
    m_menu->addSeparator();
    m_menu->addAction(tr("Quit"), this, &TrayController::quitRequested);
    m_icon->setContextMenu(m_menu);
}

void TrayController::handleJobChanged(const Job &job)
{
    if (job.status == JobStatus::Running) {
        m_running.insert(job.id, qMax(0.0, job.progress.percent));
        return;
    }
    m_running.remove(job.id);
    if (job.status == JobStatus::Completed)
        ++m_completed;
    else if (job.status == JobStatus::Dead)
        ++m_failed;
    else
        return;
    if (!m_notifyTimer.isActive())
        m_notifyTimer.start();
}

void TrayController::handleProgress(qint64 id, const JobProgress &progress)
{
    if (m_running.contains(id))
        m_running.insert(id, qMax(0.0, progress.percent));
}

void TrayController::refreshTooltip()
{
    const auto counts = m_queue.countByStatus();
    double sum = 0;
    for (double p : std::as_const(m_running))
        sum += p;
    const qint64 running = counts.value(QStringLiteral("running"));
    const qint64 waiting = counts.value(QStringLiteral("pending")) + counts.value(QStringLiteral("retrying"));
    QString text = tr("Spool: %1 running, %2 waiting").arg(running).arg(waiting);
    if (!m_running.isEmpty())
        text += tr(" — %1% overall").arg(qRound(sum / m_running.size()));
    if (m_dispatcher.isHeld())
        text += tr(" (paused)");
    m_tooltip = text;
    if (m_icon)
        m_icon->setToolTip(text);
}

void TrayController::flushNotifications()
{
    if (m_completed == 0 && m_failed == 0)
        return;
    QStringList parts;
    if (m_completed > 0)
        parts << tr("%n job(s) completed", nullptr, m_completed);
    if (m_failed > 0)
        parts << tr("%n job(s) failed", nullptr, m_failed);
    const bool failed = m_failed > 0;
    m_completed = m_failed = 0;
    show(parts.join(QStringLiteral(", ")), failed);
}

void TrayController::notify(const QString &text)
{
    show(text, false);
}

void TrayController::show(const QString &text, bool warning)
{
    m_lastNotification = text;
    ++m_notifications;
    if (m_icon && QSystemTrayIcon::supportsMessages())
        m_icon->showMessage(tr("Spool"), text, warning ? QSystemTrayIcon::Warning : QSystemTrayIcon::Information);
}
