#pragma once

class WorkerRegistry;

// Registers the worker of every job type Spool ships.
void registerBuiltinWorkers(WorkerRegistry &registry);
