// `pipejudge worker --jobs N`: N judging workers, each a `pipejudge worker`
// process of its own, under one supervisor that starts again any that dies
// (its job goes back to the queue through its lease) and, on SIGTERM or
// SIGINT, stops them all: each finishes the job it is judging, or hands it
// back, then exits.
#pragma once

#include <atomic>

#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/pipeline/worker.hpp"

namespace pj::judge {

void run_worker_pool(const Instance& inst, const WorkerOptions& options, int workers,
                     const std::atomic<bool>& stop, const Log& log);

}  // namespace pj::judge
