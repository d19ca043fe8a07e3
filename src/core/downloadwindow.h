#pragma once

#include <QString>
#include <QTime>

#include <optional>

// A daily time window (local time) outside which downloads wait. "22:00-06:00" crosses midnight.
class DownloadWindow final
{
public:
    // Empty text: always open. Returns nullopt for text that is not "HH:MM-HH:MM".
    static std::optional<DownloadWindow> parse(const QString &text);

    bool isAlwaysOpen() const { return !m_start.isValid(); }
    // 0 when `nowMs` is inside the window, else the next time (ms since epoch) it opens.
    qint64 opensAt(qint64 nowMs) const;
    QString toString() const;

private:
    QTime m_start;
    QTime m_end;
};
