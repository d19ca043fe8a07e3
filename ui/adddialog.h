#pragma once

#include "queue/job.h"

#include <QDialog>

class JobQueue;
class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QPlainTextEdit;
class QSpinBox;

// Add one or many URLs: type detected per URL (with an override), priority, a start time,
// quality, and a subscription interval for channels and playlists.
class AddDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddDialog)
public:
    explicit AddDialog(JobQueue &queue, QWidget *parent = nullptr);

    void setText(const QString &urls);
    // Validates and adds; on any invalid entry adds nothing and shows why. True when added.
    bool submit();
    QString detectedSummary() const;

    QPlainTextEdit *urlEdit() const { return m_urls; }
    QComboBox *typeBox() const { return m_type; }
    QComboBox *qualityBox() const { return m_quality; }
    QSpinBox *prioritySpin() const { return m_priority; }
    QSpinBox *subscribeSpin() const { return m_subscribe; }
    QCheckBox *laterBox() const { return m_later; }
    QDateTimeEdit *startEdit() const { return m_start; }

Q_SIGNALS:
    void jobsAdded(int count);

private:
    NewJob base() const;
    void updateDetected();

    JobQueue &m_queue;
    QPlainTextEdit *m_urls;
    QComboBox *m_type;
    QComboBox *m_quality;
    QSpinBox *m_priority;
    QSpinBox *m_subscribe;
    QCheckBox *m_later;
    QDateTimeEdit *m_start;
    QLabel *m_detected;
    QLabel *m_error;
};
