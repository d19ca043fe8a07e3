#include "hostpausebar.h"

#include "plaintext.h"
#include "queue/jobqueue.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QVBoxLayout>

namespace {
constexpr qint64 kMaxTimerMs = 60'000; // also picks up pauses set by other hosts of a shared queue
}

HostPauseBar::HostPauseBar(JobQueue &queue, QWidget *parent) : QWidget(parent), m_queue(queue)
{
    setObjectName(QStringLiteral("hostPauses"));
    setAttribute(Qt::WA_StyledBackground);
    setStyleSheet(QStringLiteral("#hostPauses { background: palette(alternate-base); border: 1px solid #d08a2c; border-radius: 4px; }"));
    m_rows = new QVBoxLayout(this);
    m_rows->setContentsMargins(6, 2, 6, 2);
    m_rows->setSpacing(2);
    m_endTimer.setSingleShot(true);
    connect(&m_endTimer, &QTimer::timeout, this, &HostPauseBar::refresh);
    connect(&m_queue, &JobQueue::hostCooledDown, this, &HostPauseBar::refresh);
    connect(&m_queue, &JobQueue::hostCooldownsChanged, this, &HostPauseBar::refresh);
    refresh();
}

QString HostPauseBar::kindText(const QString &kind)
{
    if (kind == QLatin1String("rate_limited"))
        return tr("rate limited");
    if (kind == QLatin1String("bot_check"))
        return tr("asked to prove it is not a bot");
    return kind.isEmpty() ? tr("refused") : kind;
}

QString HostPauseBar::describe(const HostCooldown &pause, qint64 nowMs)
{
    const QDateTime until = QDateTime::fromMSecsSinceEpoch(pause.untilMs).toLocalTime();
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs).toLocalTime();
    const QLocale locale;
    const QString when = until.date() == now.date() ? locale.toString(until.time(), QLocale::ShortFormat)
                                                    : locale.toString(until, QLocale::ShortFormat);
    QString text = tr("%1 paused until %2 — %3").arg(pause.host, when, kindText(pause.kind));
    if (pause.strikes > 1)
        text += QLatin1Char(' ') + tr("(pause %1 in a row)").arg(pause.strikes);
    return text;
}

void HostPauseBar::refresh()
{
    while (QLayoutItem *item = m_rows->takeAt(0)) {
        if (QWidget *row = item->widget()) {
            row->hide();
            row->deleteLater(); // may hold the button whose click got here
        }
        delete item;
    }
    m_lines.clear();
    const qint64 now = m_queue.now();
    const QList<HostCooldown> pauses = m_queue.hostCooldowns();
    for (const HostCooldown &pause : pauses) {
        auto *row = new QWidget(this);
        auto *layout = new QHBoxLayout(row);
        layout->setContentsMargins(0, 0, 0, 0);
        auto *text = new QLabel(describe(pause, now), row);
        text->setTextFormat(Qt::PlainText); // the host and the reason come from strangers
        text->setToolTip(PlainText::toolTip(pause.reason));
        auto *resume = new QPushButton(tr("Resume now"), row);
        resume->setObjectName(QStringLiteral("resume:") + pause.host);
        resume->setToolTip(tr("Let %1 start downloads again now; if it refuses again, the next pause is longer.").arg(pause.host));
        const QString host = pause.host;
        connect(resume, &QPushButton::clicked, this, [this, host] {
            if (auto resumed = m_queue.resumeHost(host); !resumed)
                Q_EMIT resumeRefused(resumed.error().message);
            refresh();
        });
        layout->addWidget(text, 1);
        layout->addWidget(resume);
        m_rows->addWidget(row);
        m_lines << text->text();
    }
    setVisible(!pauses.isEmpty());
    qint64 wake = kMaxTimerMs;
    if (!pauses.isEmpty())
        wake = qBound<qint64>(0, pauses.first().untilMs - now + 50, kMaxTimerMs);
    m_endTimer.start(static_cast<int>(wake));
}
