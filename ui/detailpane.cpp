#include "detailpane.h"

#include "jobtablemodel.h"
#include "progressdelegate.h"
#include "queue/jobqueue.h"
#include "queue/jobtypes.h"
#include "statusicons.h"

#include <QDateTime>
#include <QDesktopServices>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QStackedLayout>
#include <QTableView>
#include <QUrl>
#include <QVBoxLayout>

namespace {
QString when(qint64 ms)
{
    return ms > 0 ? QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(), QLocale::LongFormat) : QStringLiteral("—");
}

QString json(const QJsonObject &object)
{
    return object.isEmpty() ? QString() : QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)).trimmed();
}
} // namespace

DetailPane::DetailPane(JobQueue &queue, QWidget *parent)
    : QWidget(parent), m_queue(queue), m_formHost(new QWidget(this)), m_form(new QFormLayout(m_formHost)), m_options(new QPlainTextEdit(this)),
      m_result(new QPlainTextEdit(this)), m_openFile(new QPushButton(tr("Open file"), this)),
      m_openFolder(new QPushButton(tr("Open folder"), this)), m_childrenModel(new JobTableModel(queue, this)),
      m_children(new QTableView(this)), m_childrenLabel(new QLabel(this))
{
    const QList<std::pair<QString, QString>> fields{
        {QStringLiteral("title"), tr("Title")},       {QStringLiteral("url"), tr("URL")},
        {QStringLiteral("type"), tr("Type")},         {QStringLiteral("status"), tr("Status")},
        {QStringLiteral("priority"), tr("Priority")}, {QStringLiteral("attempts"), tr("Attempts")},
        {QStringLiteral("created"), tr("Added")},     {QStringLiteral("started"), tr("Started")},
        {QStringLiteral("finished"), tr("Finished")}, {QStringLiteral("next"), tr("Next attempt")},
        {QStringLiteral("error"), tr("Error")},       {QStringLiteral("uploader"), tr("Uploader")},
        {QStringLiteral("duration"), tr("Duration")}, {QStringLiteral("file"), tr("File")},
    };
    for (const auto &[key, label] : fields)
        addField(key, label);
    for (QPlainTextEdit *edit : {m_options, m_result}) {
        edit->setReadOnly(true);
        edit->setMaximumHeight(90);
    }
    m_form->addRow(tr("Options"), m_options);
    m_form->addRow(tr("Result"), m_result);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_openFile);
    buttons->addWidget(m_openFolder);
    buttons->addStretch();
    m_form->addRow(QString(), buttons);
    connect(m_openFile, &QPushButton::clicked, this, [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(resultFile())); });
    connect(m_openFolder, &QPushButton::clicked, this,
            [this] { QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(resultFile()).path())); });

    m_children->setModel(m_childrenModel);
    m_children->setItemDelegateForColumn(JobTableModel::Progress, new ProgressDelegate(m_children));
    m_children->verticalHeader()->hide();
    m_children->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_children->horizontalHeader()->setSectionResizeMode(JobTableModel::Title, QHeaderView::Stretch);
    m_children->horizontalHeader()->resizeSection(JobTableModel::Progress, 200);
    m_children->setWordWrap(false);
    m_children->verticalHeader()->setDefaultSectionSize(m_children->fontMetrics().height() + 10);
    for (int c : {JobTableModel::Type, JobTableModel::Created, JobTableModel::Started, JobTableModel::Finished,
                  JobTableModel::Priority})
        m_children->hideColumn(c);
    connect(m_children, &QTableView::doubleClicked, this,
            [this](const QModelIndex &i) { Q_EMIT childActivated(i.data(JobTableModel::JobIdRole).toLongLong()); });

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_formHost);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto *content = new QWidget(this);
    auto *layout = new QHBoxLayout(content);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll, 1);
    m_childrenBox = new QWidget(this);
    auto *childBox = new QVBoxLayout(m_childrenBox);
    childBox->setContentsMargins(0, 0, 0, 0);
    m_childrenLabel->setWordWrap(true);
    m_childrenLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    childBox->addWidget(m_childrenLabel);
    childBox->addWidget(m_children, 1);
    layout->addWidget(m_childrenBox, 1);
    auto *hint = new QLabel(tr("Select a job to see its details, its videos and its log."), this);
    hint->setObjectName(QStringLiteral("detailHint"));
    hint->setAlignment(Qt::AlignCenter);
    hint->setEnabled(false); // drawn in the muted text colour
    m_pages = new QStackedLayout(this);
    m_pages->addWidget(hint);
    m_pages->addWidget(content);
    m_childrenDelay.setSingleShot(true);
    m_childrenDelay.setInterval(250);
    connect(&m_childrenDelay, &QTimer::timeout, this, &DetailPane::renderChildren);
    connect(&m_queue, &JobQueue::jobChanged, this, &DetailPane::handleJobChanged);
    connect(&m_queue, &JobQueue::jobAdded, this, &DetailPane::handleJobAdded);
    showJob(0);
}

QLabel *DetailPane::addField(const QString &key, const QString &label)
{
    auto *value = new QLabel(this);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::LinksAccessibleByMouse);
    value->setWordWrap(true);
    value->setOpenExternalLinks(true);
    m_form->addRow(label, value);
    m_fields.insert(key, value);
    return value;
}

QString DetailPane::fieldText(const QString &field) const
{
    const QLabel *label = m_fields.value(field);
    return label ? label->text() : QString();
}

QString DetailPane::resultFile() const
{
    return m_job.result.value(QStringLiteral("file")).toString();
}

void DetailPane::showJob(qint64 id)
{
    const auto job = id > 0 ? m_queue.job(id) : std::nullopt;
    m_job = job.value_or(Job{});
    m_childrenModel->setParentFilter(m_job.isValid() ? m_job.id : -1);
    m_pages->setCurrentIndex(m_job.isValid() ? 1 : 0);
    render();
    renderChildren();
}

bool DetailPane::showsPlaceholder() const
{
    return m_pages->currentIndex() == 0;
}

QString DetailPane::childrenSummary() const
{
    return m_childrenBox->isVisibleTo(this) ? m_childrenLabel->text() : QString();
}

void DetailPane::handleJobChanged(const Job &job)
{
    if (job.id == m_job.id) {
        m_job = job;
        render();
    } else if (m_job.isValid() && job.parentId == m_job.id && !m_childrenDelay.isActive()) {
        m_childrenDelay.start(); // one of its videos moved on: the counts above the list follow
    }
}

void DetailPane::handleJobAdded(const Job &job)
{
    if (m_job.isValid() && job.parentId == m_job.id && !m_childrenDelay.isActive())
        m_childrenDelay.start(); // a channel being listed: its videos appear as they are found
}

void DetailPane::renderChildren()
{
    const bool lists = JobTypes::listsVideos(m_job.type);
    const ChildSummary s = lists ? m_queue.childSummary(m_job.id) : ChildSummary{};
    // Videos this listing found that were downloaded or queued before (by another sync, a playlist
    // or on their own) are not added again; the count says where they went.
    const int known = m_job.result.value(QStringLiteral("children_existing")).toInt();
    const bool listed = lists && m_job.status == JobStatus::Completed;
    QString text;
    if (s.total > 0) {
        text = tr("Videos: %1 done, %2 failed, %3 in all").arg(s.completed).arg(s.failed).arg(s.total);
        if (known > 0)
            text += QStringLiteral(" · ") + tr("%n more already downloaded or queued", nullptr, known);
    } else if (listed) {
        text = known > 0 ? tr("No new videos: the %n found were already downloaded or queued.", nullptr, known)
                         : tr("No videos found.");
    }
    m_childrenLabel->setText(text);
    m_children->setVisible(s.total > 0);
    m_childrenBox->setVisible(s.total > 0 || listed);
}

void DetailPane::render()
{
    const Job &j = m_job;
    const bool valid = j.isValid();
    auto set = [this](const QString &key, const QString &text) { m_fields.value(key)->setText(text); };
    set(QStringLiteral("title"), j.displayName().toHtmlEscaped());
    set(QStringLiteral("url"), j.url.isEmpty() ? QString() : QStringLiteral("<a href=\"%1\">%1</a>").arg(j.url.toHtmlEscaped()));
    set(QStringLiteral("type"), valid ? JobTableModel::typeText(j.type) : QString());
    set(QStringLiteral("status"), valid ? QStringLiteral("<span style=\"color:%1\">●</span> %2")
                                              .arg(StatusIcons::color(j.status).name(), JobTableModel::statusText(j.status))
                                        : QString());
    set(QStringLiteral("priority"), valid ? QString::number(j.priority) : QString());
    set(QStringLiteral("attempts"), valid ? tr("%1 of %2").arg(j.attempts).arg(j.maxAttempts) : QString());
    set(QStringLiteral("created"), valid ? when(j.createdAt) : QString());
    set(QStringLiteral("started"), valid ? when(j.startedAt) : QString());
    set(QStringLiteral("finished"), valid ? when(j.finishedAt) : QString());
    const bool waiting = j.status == JobStatus::Retrying || (j.status == JobStatus::Pending && j.runAt > QDateTime::currentMSecsSinceEpoch());
    set(QStringLiteral("next"), waiting ? when(j.runAt) : QString());
    set(QStringLiteral("error"), j.errorMessage.isEmpty() ? QString()
                                                          : QStringLiteral("<b>%1</b>: %2").arg(JobTableModel::errorClassText(j.errorClass).toHtmlEscaped(),
                                                                                            j.errorMessage.toHtmlEscaped()));
    set(QStringLiteral("uploader"), j.uploader.toHtmlEscaped());
    set(QStringLiteral("duration"), j.durationS >= 0 ? ProgressDelegate::formatDuration(static_cast<qint64>(j.durationS)) : QString());
    set(QStringLiteral("file"), resultFile().toHtmlEscaped());
    m_options->setPlainText(json(j.options));
    m_result->setPlainText(json(j.result));
    const bool hasFile = !resultFile().isEmpty() && QFileInfo::exists(resultFile());
    m_openFile->setEnabled(hasFile);
    m_openFolder->setEnabled(hasFile);
}
