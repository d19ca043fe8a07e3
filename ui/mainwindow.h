#pragma once

#include <QMainWindow>

class SpoolCore;
class QLabel;

// The main window. For now: a summary of the queue; the job table comes with the desktop UI.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(SpoolCore &core, QWidget *parent = nullptr);

private:
    void refreshSummary();

    SpoolCore &m_core;
    QLabel *m_summary;
};
