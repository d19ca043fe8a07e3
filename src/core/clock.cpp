#include "core/clock.h"

SystemClock::SystemClock(QObject *parent) : Clock(parent)
{
    m_monotonic.start(); // CLOCK_MONOTONIC: stops while the machine sleeps, ignores clock steps
}

qint64 SystemClock::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

qint64 SystemClock::monotonicMs() const
{
    return m_monotonic.elapsed();
}

ManualClock::ManualClock(qint64 startMs, QObject *parent) : Clock(parent), m_now(startMs) {}

qint64 ManualClock::nowMs() const
{
    return m_now.load();
}

qint64 ManualClock::monotonicMs() const
{
    return m_monotonic.load();
}

void ManualClock::advance(qint64 ms)
{
    m_now += ms;
    m_monotonic += ms;
    Q_EMIT jumped();
}

void ManualClock::set(qint64 ms)
{
    m_monotonic += qMax<qint64>(0, ms - m_now.exchange(ms));
    Q_EMIT jumped();
}

void ManualClock::jumpWall(qint64 ms)
{
    m_now += ms;
    Q_EMIT jumped();
}
