#include "adddialog.h"

#include "jobtablemodel.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "urlinput.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QShortcut>
#include <QSpinBox>
#include <QVBoxLayout>

AddDialog::AddDialog(JobQueue &queue, QWidget *parent)
    : QDialog(parent), m_queue(queue), m_urls(new QPlainTextEdit(this)), m_type(new QComboBox(this)),
      m_quality(new QComboBox(this)), m_priority(new QSpinBox(this)), m_subscribe(new QSpinBox(this)),
      m_later(new QCheckBox(tr("Start at"), this)), m_start(new QDateTimeEdit(QDateTime::currentDateTime().addSecs(3600), this)),
      m_detected(new QLabel(this)), m_error(new QLabel(this))
{
    setWindowTitle(tr("Add downloads"));
    // Both show what was pasted (a stranger's link, its server's answer): text, never markup.
    m_detected->setTextFormat(Qt::PlainText);
    m_error->setTextFormat(Qt::PlainText);
    m_urls->setPlaceholderText(tr("One URL per line: channels, playlists or videos"));
    m_type->addItem(tr("Detect from the URL"), QString());
    for (const QString &type : {JobTypes::ChannelDownload, JobTypes::PlaylistDownload, JobTypes::VideoDownload,
                                JobTypes::MetadataExtraction})
        m_type->addItem(JobTableModel::typeText(type), type);
    m_quality->addItem(tr("Best available"), QStringLiteral("best"));
    for (const QString &q : {QStringLiteral("2160p"), QStringLiteral("1080p"), QStringLiteral("720p"),
                             QStringLiteral("480p"), QStringLiteral("360p")})
        m_quality->addItem(q, q);
    m_quality->addItem(tr("Audio only"), QStringLiteral("audio"));
    m_priority->setRange(-100, 100);
    m_subscribe->setRange(0, 24 * 30);
    m_subscribe->setSpecialValueText(tr("Off"));
    m_subscribe->setSuffix(tr(" h"));
    m_start->setEnabled(false);
    m_start->setCalendarPopup(true);
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #dc2626"));
    auto *form = new QFormLayout;
    form->addRow(tr("URLs"), m_urls);
    form->addRow(QString(), m_detected);
    form->addRow(tr("Type"), m_type);
    form->addRow(tr("Quality"), m_quality);
    form->addRow(tr("Priority"), m_priority);
    form->addRow(m_later, m_start);
    form->addRow(tr("Re-sync every"), m_subscribe);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Add"));
    buttons->button(QDialogButtonBox::Ok)->setToolTip(tr("Add the downloads (Ctrl+Enter)"));
    // Enter makes a new line in the URL list; Ctrl+Enter adds, as in other multi-line dialogs.
    for (const QKeySequence &keys : {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)}) {
        auto *shortcut = new QShortcut(keys, this);
        connect(shortcut, &QShortcut::activated, buttons->button(QDialogButtonBox::Ok), &QPushButton::click);
    }
    m_urls->setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 60); // a whole channel URL fits
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(m_later, &QCheckBox::toggled, m_start, &QWidget::setEnabled);
    connect(m_urls, &QPlainTextEdit::textChanged, this, &AddDialog::updateDetected);
    connect(m_type, &QComboBox::currentIndexChanged, this, &AddDialog::updateDetected);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (submit())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateDetected();
}

void AddDialog::setText(const QString &urls)
{
    m_urls->setPlainText(urls);
}

NewJob AddDialog::base() const
{
    NewJob job;
    job.priority = m_priority->value();
    if (m_later->isChecked())
        job.runAt = m_start->dateTime().toMSecsSinceEpoch();
    const QString type = m_type->currentData().toString();
    if (type != JobTypes::MetadataExtraction) {
        if (const QString q = m_quality->currentData().toString(); q != QLatin1String("best"))
            job.options.insert(QStringLiteral("quality"), q);
    }
    return job;
}

QString AddDialog::detectedSummary() const
{
    return m_detected->text();
}

void AddDialog::updateDetected()
{
    const QStringList entries = UrlInput::entriesFromText(m_urls->toPlainText());
    QHash<QString, int> perType;
    int invalid = 0;
    for (const QString &entry : entries) {
        if (JobTypes::urlProblem(entry)) {
            ++invalid; // said before Add is pressed, not only after
            continue;
        }
        ++perType[m_type->currentData().toString().isEmpty() ? JobTypes::detectType(entry) : m_type->currentData().toString()];
    }
    QStringList parts;
    for (auto it = perType.cbegin(); it != perType.cend(); ++it)
        parts << QStringLiteral("%1 × %2").arg(it.value()).arg(JobTableModel::typeText(it.key()));
    parts.sort();
    if (invalid > 0)
        parts << QStringLiteral("<span style=\"color:#dc2626\">%1</span>")
                     .arg(tr("%n line(s) not a URL", nullptr, invalid).toHtmlEscaped());
    m_detected->setText(entries.isEmpty() ? QString() : parts.join(QStringLiteral(", ")));
    m_subscribe->setEnabled(perType.contains(JobTypes::ChannelDownload) || perType.contains(JobTypes::PlaylistDownload));
}

bool AddDialog::submit()
{
    NewJob common = base();
    UrlInput::Batch batch = UrlInput::prepare(UrlInput::entriesFromText(m_urls->toPlainText()), m_queue,
                                              m_type->currentData().toString(), common);
    if (batch.jobs.isEmpty() && batch.invalid.isEmpty()) {
        m_error->setText(tr("Enter at least one URL."));
        return false;
    }
    if (!batch.invalid.isEmpty()) {
        m_error->setText(tr("Nothing was added. Fix these entries:\n%1").arg(batch.invalid.join(QLatin1Char('\n'))));
        return false;
    }
    for (NewJob &job : batch.jobs) {
        const bool source = JobTypes::listsVideos(job.type);
        if (source && m_subscribe->value() > 0)
            job.options.insert(QStringLiteral("subscribe_hours"), m_subscribe->value());
    }
    auto added = m_queue.addJobs(batch.jobs);
    if (!added) {
        m_error->setText(tr("Nothing was added: %1").arg(added.error().message));
        return false;
    }
    m_error->clear();
    Q_EMIT jobsAdded(static_cast<int>(added.value().size()));
    return true;
}
