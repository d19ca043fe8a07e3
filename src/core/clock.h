#pragma once

#include <QDateTime>
#include <QObject>

#include <atomic>

// Source of "now" for the queue: the system clock in production, a manual one in tests, so that
// backoff, leases and scheduling can be tested without sleeping.
class Clock : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Clock)
public:
    using QObject::QObject;
    ~Clock() override = default;

    // Milliseconds since the Unix epoch, UTC.
    virtual qint64 nowMs() const = 0;
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
    using Clock::Clock;
    qint64 nowMs() const override;
};

// A clock that moves only when told to; for tests.
class ManualClock final : public Clock
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ManualClock)
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000, QObject *parent = nullptr);
    qint64 nowMs() const override;
    void advance(qint64 ms);
    void set(qint64 ms);

private:
    std::atomic<qint64> m_now;
};
