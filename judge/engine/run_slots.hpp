// Run slots. A process holds one while it runs submissions: an exclusive
// flock on the slot's lock file, which the kernel drops when the process
// dies. Concurrent runs so get distinct run identities (RunIdentity::for_slot:
// uids, and so RLIMIT_NPROC budgets) with no configuration, and at most
// `max` slots are held on the machine at once: the next run waits rather
// than oversubscribe the CPUs that time limits are measured on. Each slot
// has a core of its own (slot_cpu()): every program of the slot runs there
// and nowhere else, so runs do not migrate and two slots never share a core.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/fd.hpp"

namespace pj::judge {

class RunSlot {
 public:
  using Notice = std::function<void(const std::string&)>;

  // The lowest free slot of 0..max-1, waiting while every one is held
  // (`waiting` is told once, if it must wait). nullopt if `stop` is set first.
  static std::optional<RunSlot> take(int max, const std::atomic<bool>& stop, const Notice& waiting);
  // Exactly slot `n` (pinned by --slot), waiting while another process holds it.
  static std::optional<RunSlot> pin(int n, const std::atomic<bool>& stop, const Notice& waiting);

  int number() const { return n_; }

  // For a one-shot command: the next free slot, waiting as long as it takes
  // (Ctrl-C ends the command), saying so on stderr if it must wait.
  static RunSlot take_for_command(const std::string& command);

 private:
  RunSlot(sandbox::UniqueFd lock, int n) : lock_(std::move(lock)), n_(n) {}
  sandbox::UniqueFd lock_;
  int n_;
};

// The cores runs are judged on: those this process may run on
// (sched_getaffinity: a judge started under `taskset -c 2-7`, or in a cpuset,
// judges on those), in ascending order. Never empty.
const std::vector<int>& judging_cpus();

// The core of run slot `slot`: the slot-th of judging_cpus(); -1 (not pinned)
// for a slot beyond them, which max_run_slots() and --slot never give.
int slot_cpu(int slot);

// Keeps the calling thread on slot `slot`'s core: the judge's own work for
// the slot (starting its programs, checking their output, sending events)
// then runs on the core its program leaves idle between runs, and never on
// another slot's core, where it would delay that slot's program. Nothing
// for a slot without a core.
void keep_thread_on_slot_core(int slot);

// The machine-wide maximum: the site configuration's run_slots, else the
// number of cores; never more than the cores (judging_cpus()), so that
// every slot has a core of its own.
int max_run_slots();

// Where the lock files are: /run/pipejudge/slots for root (one machine-wide
// set), else a directory of the user's.
std::filesystem::path run_slot_dir();

}  // namespace pj::judge
