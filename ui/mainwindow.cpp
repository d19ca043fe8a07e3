#include "mainwindow.h"

#include "core/spoolcore.h"
#include "queue/jobqueue.h"

#include <QLabel>
#include <QStatusBar>
#include <QTimer>

MainWindow::MainWindow(SpoolCore &core, QWidget *parent) : QMainWindow(parent), m_core(core), m_summary(new QLabel(this))
{
    setWindowTitle(tr("Spool"));
    m_summary->setAlignment(Qt::AlignCenter);
    setCentralWidget(m_summary);
    resize(900, 560);
    auto *refresh = new QTimer(this);
    refresh->setSingleShot(true);
    refresh->setInterval(200);
    connect(refresh, &QTimer::timeout, this, &MainWindow::refreshSummary);
    auto later = [refresh] { refresh->start(); };
    connect(&m_core.queue(), &JobQueue::jobAdded, this, later);
    connect(&m_core.queue(), &JobQueue::jobChanged, this, later);
    connect(&m_core.queue(), &JobQueue::jobRemoved, this, later);
    refreshSummary();
}

void MainWindow::refreshSummary()
{
    const auto counts = m_core.queue().countByStatus();
    qint64 total = 0;
    for (qint64 n : counts)
        total += n;
    m_summary->setText(tr("%n job(s) in the queue", nullptr, static_cast<int>(total)));
    statusBar()->showMessage(tr("Running: %1  Pending: %2  Dead: %3")
                                 .arg(counts.value(QStringLiteral("running")))
                                 .arg(counts.value(QStringLiteral("pending")))
                                 .arg(counts.value(QStringLiteral("dead"))));
}
