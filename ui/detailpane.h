#pragma once

#include "queue/job.h"

#include <QTimer>
#include <QWidget>

class JobQueue;
class JobTableModel;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QStackedLayout;
class QTableView;

// Everything about the selected job: its fields, options, error, result, children, and buttons
// to open the downloaded file and its folder.
class DetailPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailPane)
public:
    DetailPane(JobQueue &queue, QWidget *parent = nullptr);

    void showJob(qint64 id);
    qint64 jobId() const { return m_job.id; }
    QString fieldText(const QString &field) const;
    JobTableModel *childrenModel() const { return m_childrenModel; }
    QString childrenSummary() const;
    bool showsPlaceholder() const;

Q_SIGNALS:
    void childActivated(qint64 id);

private:
    void render();
    void handleJobChanged(const Job &job);
    void handleJobAdded(const Job &job);
    void renderChildren();
    QLabel *addField(const QString &key, const QString &label);
    QString resultFile() const;

    JobQueue &m_queue;
    Job m_job;
    QWidget *m_formHost; // created first: the form's labels need their parent from the start
    QFormLayout *m_form;
    QHash<QString, QLabel *> m_fields;
    QPlainTextEdit *m_options;
    QPlainTextEdit *m_result;
    QPushButton *m_openFile;
    QPushButton *m_openFolder;
    JobTableModel *m_childrenModel;
    QTableView *m_children;
    QLabel *m_childrenLabel;
    QWidget *m_childrenBox = nullptr;
    QStackedLayout *m_pages = nullptr; // a hint while nothing is selected, the fields otherwise
    QTimer m_childrenDelay;            // children change in bursts: one summary per burst
};
