#include "queue/retrypolicy.h"

#include <algorithm>
#include <cmath>

qint64 Backoff::baseDelayMs(const RetryPolicy &policy, int attempts)
{
    const int exponent = std::clamp(attempts - 1, 0, 40);
    const double raw = static_cast<double>(policy.baseDelayMs) * std::pow(2.0, exponent);
    return static_cast<qint64>(std::min(raw, static_cast<double>(policy.maxDelayMs)));
}

qint64 Backoff::delayMs(const RetryPolicy &policy, int attempts)
{
    const qint64 base = baseDelayMs(policy, attempts);
    const double spread = std::clamp(policy.jitter, 0.0, 1.0) * static_cast<double>(base);
    const double offset = (m_random.generateDouble() * 2.0 - 1.0) * spread;
    // Jitter spreads a burst of failures apart; the cap still holds afterwards.
    return std::clamp<qint64>(base + static_cast<qint64>(offset), 0, policy.maxDelayMs);
}
