// The local submission queue: a directory of job files in the instance's
// state directory, each leased by an flock that its taker holds for as long
// as it lives, so the job of a worker that dies (SIGKILL, OOM, a crash of
// the machine) is seen at once and taken over. A POSIX message queue only
// wakes idle takers.
//   jobs/queued/<9 - priority><enqueued, ns>-<id>.job   names sort in taking order
//   jobs/leased/<id>.job     held by its taker's flock
//   jobs/dead/<id>.job       dead letters, with what became of each attempt
//   jobs/rejected/<name>     files that were not jobs, and <name>.why
//   jobs/cancel/<id>         a leased job's worker is asked to stop it
//   jobs/workers/<pid>.json  a running worker's state, locked while it lives
#pragma once

#include <memory>

#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/transport.hpp"

namespace pj::judge {

std::unique_ptr<JobQueue> make_leased_job_queue(const Instance& inst);

}  // namespace pj::judge
