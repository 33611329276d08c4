// Run slots. A process holds one while it runs submissions: an exclusive
// flock on the slot's lock file, which the kernel drops when the process
// dies. Concurrent runs so get distinct run identities (RunIdentity::for_slot:
// uids, and so RLIMIT_NPROC budgets) with no configuration, and at most
// `max` slots are held on the machine at once: the next run waits rather
// than oversubscribe the CPUs that time limits are measured on.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

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

// The machine-wide maximum: the site configuration's run_slots, else the
// number of cores.
int max_run_slots();

// Where the lock files are: /run/pipejudge/slots for root (one machine-wide
// set), else a directory of the user's.
std::filesystem::path run_slot_dir();

}  // namespace pj::judge
