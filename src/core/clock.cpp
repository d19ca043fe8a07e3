#include "core/clock.h"

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

ManualClock::ManualClock(qint64 startMs, QObject *parent) : Clock(parent), m_now(startMs) {}

qint64 ManualClock::nowMs() const
{
    return m_now.load();
}

void ManualClock::advance(qint64 ms)
{
    m_now += ms;
    Q_EMIT jumped();
}

void ManualClock::set(qint64 ms)
{
    m_now = ms;
    Q_EMIT jumped();
}
