// Starting a run: a small "keeper" process owns the run and the program.
//
// The keeper is pid 1 of a fresh pid namespace when we may create one (root),
// so that every process the program starts dies with the keeper; otherwise it
// is a child subreaper that hunts down the run's orphans. It vforks and execs
// the program, waits for it, records its status and rusage in a shared page,
// kills and reaps whatever is left, and exits. The parent watches the keeper
// through a pidfd and never signals a single program pid.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "sandbox/fd.hpp"
#include "sandbox/rlimits.hpp"

namespace pj::sandbox {

// Written by the keeper, read by the parent after the keeper has exited.
struct KeeperReport {
  int started = 0;        // the program was exec'd
  int setup_errno = 0;    // why it was not
  int setup_step = 0;     // which step failed (see launch.cpp)
  int wait_status = 0;    // of the program
  rusage usage{};         // program + everything the keeper reaped
  long long wall_ns = 0;  // from vfork to the program's exit
  int finished = 0;       // the keeper got to the end
};

// Everything the children need, prepared in the parent: the children only
// read it, never allocate.
struct LaunchPlan {
  std::string path;  // resolved executable
  std::vector<std::string> argv_storage, env_storage;
  std::vector<char*> argv, envp;
  std::string workdir;
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  RlimitPlan rlimits;
  bool set_ids = false;
  uid_t uid = 0;
  gid_t gid = 0;
  bool pid_namespace = false;
};

// A started run. Destroying it kills and reaps the keeper (and so the run).
class Keeper {
 public:
  Keeper() = default;
  Keeper(Keeper&&) noexcept;
  Keeper& operator=(Keeper&&) = delete;
  ~Keeper();

  // Starts the keeper; throws std::system_error if it cannot.
  static Keeper start(const LaunchPlan& plan);

  int pidfd() const { return pidfd_.get(); }
  // Asks the keeper to kill the whole run now (idempotent).
  void kill_run();
  // Kills the keeper itself: the last resort if it does not respond.
  void kill_hard();
  // Host pid of the program, or -1 if not yet known.
  pid_t program_pid();
  // Waits for the keeper; returns its report and the keeper's own rusage.
  const KeeperReport& wait();

 private:
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  KeeperReport* report_ = nullptr;  // shared mapping
  pid_t program_pid_ = -1;
  bool reaped_ = false;
};

// Whether runs get their own pid namespace (decided once per process).
bool pid_namespaces_available();

}  // namespace pj::sandbox
