// The time watchdog and pipe pump of a running program: one ppoll loop that
// feeds stdin, drains stdout/stderr, and kills the whole run on a limit.
#pragma once

#include "sandbox/pipes.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::sandbox {

// What the watchdog needs from a started run.
class RunControl {
 public:
  virtual ~RunControl() = default;
  virtual int done_fd() const = 0;       // readable once the run has ended
  virtual void request_kill() = 0;       // kill every process of the run
  virtual void force_kill() = 0;         // last resort, if the run does not end after request_kill
  virtual double cpu_seconds_now() = 0;  // CPU time of the run so far; < 0 if unknown
};

// Pumps the pipes until done_fd() is readable, enforcing the CPU, wall and
// output limits (sets result.limit / killed_by_sandbox / output_bytes), then
// reads what is left in the output pipes. Once `stop_fd` (if >= 0) is
// readable the run is killed and result.stopped set.
void watch_run(const Limits& limits, RunControl& run, InputPump& in, OutputPump& out,
               OutputPump& err, Result& result, int stop_fd = -1);

}  // namespace pj::sandbox
