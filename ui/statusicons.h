#pragma once

#include "queue/jobstatus.h"

#include <QColor>
#include <QIcon>

// The colour and icon of each job status, shared by the table, the detail pane and the tray.
namespace StatusIcons {
QColor color(JobStatus status);
QIcon icon(JobStatus status);
} // namespace StatusIcons
