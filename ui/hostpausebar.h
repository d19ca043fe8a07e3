#pragma once

#include "store/cooldownstore.h"

#include <QTimer>
#include <QWidget>

class JobQueue;
class QVBoxLayout;

// The sites that refused us and are paused, one line each with "Resume now": shown above the
// queue while any host pauses, gone when the last pause ends. Jobs of a paused host wait uncharged.
class HostPauseBar final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HostPauseBar)
public:
    explicit HostPauseBar(JobQueue &queue, QWidget *parent = nullptr);

    // "youtube.com paused until 15:40 — rate limited", in the user's local time.
    static QString describe(const HostCooldown &pause, qint64 nowMs);
    static QString kindText(const QString &kind);

    // The lines as shown (for tests and the status bar).
    QStringList lines() const { return m_lines; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    // "Resume now" was refused (the pause had ended, or the database said no).
    void resumeRefused(const QString &why);

private:
    JobQueue &m_queue;
    QVBoxLayout *m_rows = nullptr;
    QStringList m_lines;
    QTimer m_endTimer; // hides a line when its pause ends
};
