#include "logview.h"

#include "logging/logtail.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QVBoxLayout>

namespace {
constexpr int kMaxLines = 50'000;
constexpr qint64 kInitialTailBytes = 4 * 1024 * 1024; // about 40,000 lines: the rest stays on disk
constexpr qint64 kReadChunk = 1024 * 1024;
constexpr int kPollMs = 250;

int levelRank(const QByteArray &line)
{
    // job.log lines are "<timestamp> <LEVEL>   <message>".
    const QByteArray level = line.mid(25, 7).trimmed();
    if (level == "ERROR")
        return 3;
    if (level == "WARNING")
        return 2;
    if (level == "INFO")
        return 1;
    return 0;
}
} // namespace

LogView::LogView(QWidget *parent)
    : QWidget(parent), m_text(new QPlainTextEdit(this)), m_level(new QComboBox(this)), m_search(new QLineEdit(this)),
      m_note(new QLabel(this))
{
    m_text->setReadOnly(true);
    m_text->setMaximumBlockCount(kMaxLines);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_level->addItem(tr("All levels"), QString());
    m_level->addItem(tr("Info and above"), QStringLiteral("info"));
    m_level->addItem(tr("Warnings and errors"), QStringLiteral("warning"));
    m_level->addItem(tr("Errors only"), QStringLiteral("error"));
    m_search->setPlaceholderText(tr("Find in log (Enter for next)"));
    m_search->setClearButtonEnabled(true);
    auto *bar = new QHBoxLayout;
    bar->addWidget(m_level);
    bar->addWidget(m_search, 1);
    bar->addWidget(m_note);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(bar);
    layout->addWidget(m_text, 1);
    connect(m_level, &QComboBox::currentIndexChanged, this, [this] { setLevelFilter(m_level->currentData().toString()); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { findNext(m_search->text()); });
    m_timer.setInterval(kPollMs);
    connect(&m_timer, &QTimer::timeout, this, &LogView::poll);
}

int LogView::maximumLines() const
{
    return m_text->maximumBlockCount();
}

bool LogView::isFollowing() const
{
    const QScrollBar *bar = m_text->verticalScrollBar();
    return bar->value() >= bar->maximum() - 2;
}

void LogView::setLogFile(const QString &path)
{
    if (path.isEmpty()) {
        setSource({});
        return;
    }
    setSource({path, [path](qint64 offset, qint64 maxBytes) { return LogTail::read(path, offset, maxBytes); },
               [path] { return QFileInfo(path).size(); }});
}

void LogView::setSource(Source source)
{
    if (source.name == m_source.name)
        return;
    m_source = std::move(source);
    reload();
    if (m_source.name.isEmpty())
        m_timer.stop();
    else
        m_timer.start();
}

void LogView::setLevelFilter(const QString &level)
{
    m_minimumLevel = level;
    const int index = m_level->findData(level);
    if (index >= 0 && index != m_level->currentIndex())
        m_level->setCurrentIndex(index);
    reload();
}

void LogView::reload()
{
    m_text->clear();
    m_note->clear();
    m_offset = 0;
    if (m_source.name.isEmpty())
        return;
    const qint64 size = m_source.size();
    if (size > kInitialTailBytes) {
        // Start near the end, after the first line break there.
        const qint64 from = size - kInitialTailBytes;
        const QByteArray head = m_source.read(from, 64 * 1024).data;
        const qsizetype nl = head.indexOf('\n');
        m_offset = from + (nl >= 0 ? nl + 1 : 0);
        m_note->setText(tr("Showing the end of a %1 MB log").arg(size / (1024 * 1024)));
    }
    poll();
    m_text->verticalScrollBar()->setValue(m_text->verticalScrollBar()->maximum());
}

void LogView::poll()
{
    if (m_source.name.isEmpty())
        return;
    for (int round = 0; round < 8; ++round) { // bounded work per tick keeps the UI responsive
        const LogTail::Chunk chunk = m_source.read(m_offset, kReadChunk);
        if (chunk.restarted)
            m_text->clear();
        m_offset = chunk.nextOffset;
        if (chunk.data.isEmpty())
            break;
        append(chunk.data);
    }
}

bool LogView::passes(const QByteArray &line) const
{
    if (m_minimumLevel.isEmpty())
        return true;
    const int wanted = m_minimumLevel == QLatin1String("error") ? 3 : m_minimumLevel == QLatin1String("warning") ? 2 : 1;
    return levelRank(line) >= wanted;
}

void LogView::append(const QByteArray &data)
{
    const bool follow = isFollowing();
    const int keep = m_text->verticalScrollBar()->value();
    QString batch;
    batch.reserve(data.size());
    for (const QByteArray &line : data.split('\n')) {
        if (!line.isEmpty() && passes(line))
            batch += QString::fromUtf8(line) + QLatin1Char('\n');
    }
    if (batch.isEmpty())
        return;
    batch.chop(1);
    m_text->appendPlainText(batch); // one block edit for the whole batch
    QScrollBar *bar = m_text->verticalScrollBar();
    if (follow && !m_text->textCursor().hasSelection()) {
        // The cursor sits at the start of the last line, not its end: whenever the view makes the
        // cursor visible (on show, on resize), a long last line (a command line) would otherwise
        // drag it sideways and leave every shorter line out of sight.
        QTextCursor cursor = m_text->textCursor();
        cursor.movePosition(QTextCursor::End);
        cursor.movePosition(QTextCursor::StartOfBlock);
        m_text->setTextCursor(cursor);
        m_text->horizontalScrollBar()->setValue(0);
    }
    bar->setValue(follow ? bar->maximum() : keep);
}

bool LogView::findNext(const QString &needle)
{
    if (needle.isEmpty())
        return false;
    if (m_text->find(needle))
        return true;
    QTextCursor start = m_text->textCursor();
    start.movePosition(QTextCursor::Start);
    m_text->setTextCursor(start);
    return m_text->find(needle); // wrap around once
}
