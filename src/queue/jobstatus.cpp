#include "queue/jobstatus.h"

#include <QCoreApplication>

#include <array>
#include <utility>

namespace {
constexpr std::array kNames{
    std::pair{JobStatus::Pending, "pending"},     std::pair{JobStatus::Running, "running"},
    std::pair{JobStatus::Retrying, "retrying"},   std::pair{JobStatus::Paused, "paused"},
    std::pair{JobStatus::Completed, "completed"}, std::pair{JobStatus::Dead, "dead"},
    std::pair{JobStatus::Cancelled, "cancelled"},
};

using S = JobStatus;
// from -> to. Running -> Pending is a graceful shutdown or a pause-free hand-back; Running ->
// Retrying is a transient failure, a watchdog kill or crash recovery.
constexpr std::array kTransitions{
    std::pair{S::Pending, S::Running},    std::pair{S::Pending, S::Paused},
    std::pair{S::Pending, S::Cancelled},  std::pair{S::Pending, S::Dead},
    std::pair{S::Running, S::Completed},  std::pair{S::Running, S::Retrying},
    std::pair{S::Running, S::Dead},       std::pair{S::Running, S::Cancelled},
    std::pair{S::Running, S::Paused},     std::pair{S::Running, S::Pending},
    std::pair{S::Retrying, S::Running},   std::pair{S::Retrying, S::Pending},
    std::pair{S::Retrying, S::Paused},    std::pair{S::Retrying, S::Cancelled},
    std::pair{S::Paused, S::Pending},     std::pair{S::Paused, S::Cancelled},
    std::pair{S::Dead, S::Pending},       std::pair{S::Cancelled, S::Pending},
};
} // namespace

QString statusName(JobStatus status)
{
    for (const auto &[s, name] : kNames) {
        if (s == status)
            return QString::fromLatin1(name);
    }
    Q_UNREACHABLE();
    return {};
}

QString statusWord(JobStatus status)
{
    switch (status) {
    case JobStatus::Pending: return QCoreApplication::translate("JobStatus", "pending");
    case JobStatus::Running: return QCoreApplication::translate("JobStatus", "running");
    case JobStatus::Retrying: return QCoreApplication::translate("JobStatus", "retrying");
    case JobStatus::Paused: return QCoreApplication::translate("JobStatus", "paused");
    case JobStatus::Completed: return QCoreApplication::translate("JobStatus", "completed");
    case JobStatus::Dead: return QCoreApplication::translate("JobStatus", "failed"); // as the window calls it
    case JobStatus::Cancelled: return QCoreApplication::translate("JobStatus", "cancelled");
    }
    Q_UNREACHABLE();
    return {};
}

std::optional<JobStatus> statusFromName(QStringView name)
{
    for (const auto &[s, n] : kNames) {
        if (name == QLatin1String(n))
            return s;
    }
    return std::nullopt;
}

const QList<JobStatus> &allStatuses()
{
    static const QList<JobStatus> all = [] {
        QList<JobStatus> list;
        for (const auto &entry : kNames)
            list.append(entry.first);
        return list;
    }();
    return all;
}

bool isFinal(JobStatus status)
{
    return status == S::Completed || status == S::Dead || status == S::Cancelled;
}

bool isTransitionAllowed(JobStatus from, JobStatus to)
{
    for (const auto &[f, t] : kTransitions) {
        if (f == from && t == to)
            return true;
    }
    return false;
}

QList<JobStatus> allowedSources(JobStatus to)
{
    QList<JobStatus> sources;
    for (const auto &[f, t] : kTransitions) {
        if (t == to)
            sources.append(f);
    }
    return sources;
}
