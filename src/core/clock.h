#pragma once

#include <QDateTime>
#include <QElapsedTimer>
#include <QObject>

#include <atomic>

// Source of "now" for the queue: the system clock in production, a manual one in tests, so that
// backoff, leases and scheduling can be tested without sleeping. Two kinds of time: the wall clock
// (stored timestamps, schedules) and a monotonic clock (how long something has been going on:
// leases, stalls, run time), which a suspend or an NTP step does not move.
class Clock : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Clock)
public:
    using QObject::QObject;
    ~Clock() override = default;

    // Milliseconds since the Unix epoch, UTC.
    virtual qint64 nowMs() const = 0;
    // Milliseconds on a clock that only moves forward with elapsed time (its origin is arbitrary).
    virtual qint64 monotonicMs() const = 0;
    QDateTime now() const { return QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC); }

Q_SIGNALS:
    // Time moved by other means than its own flow (a manual clock advanced): timers must re-arm.
    void jumped();
};

// The wall clock.
class SystemClock final : public Clock
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SystemClock)
public:
    explicit SystemClock(QObject *parent = nullptr);
    qint64 nowMs() const override;
    qint64 monotonicMs() const override;

private:
    QElapsedTimer m_monotonic;
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ManualClock)
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000, QObject *parent = nullptr);
    qint64 nowMs() const override;
    qint64 monotonicMs() const override;
    // Time passes: both clocks move.
    void advance(qint64 ms);
    // The wall clock is set (both clocks move by the difference, like time passing).
    void set(qint64 ms);
    // The wall clock alone jumps, as after an NTP step or a suspend and resume.
    void jumpWall(qint64 ms);

private:
    std::atomic<qint64> m_now;
    std::atomic<qint64> m_monotonic{0};
};
