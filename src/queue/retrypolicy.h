#pragma once

#include "core/settings.h"

#include <QRandomGenerator>

// Computes the wait before the next attempt of a transiently failed job.
class Backoff final
{
public:
    explicit Backoff(quint32 seed = QRandomGenerator::global()->generate()) : m_random(seed) {}

    // Delay before attempt `attempts + 1`, given `attempts` made so far (>= 1).
    qint64 delayMs(const RetryPolicy &policy, int attempts);
    // The exponential part alone, without jitter: the centre of the jitter band.
    static qint64 baseDelayMs(const RetryPolicy &policy, int attempts);

private:
    QRandomGenerator m_random;
};
