// A pipejudge instance: the names and places one collector and its judges
// share (event queue, submission queue, state directory, results database).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "judge/pipeline/broker_url.hpp"
#include "sandbox/fd.hpp"

namespace pj::judge {

struct Instance {
  std::string name;                 // "default"
  std::filesystem::path state_dir;  // outbox/, blobs/, collector.lock, results.db
  std::filesystem::path db_path;    // state_dir/results.db unless --db
  std::string queue;                // event queue, "/pipejudge-<name>" unless --queue
  // fsync outbox and blob files, SQLite synchronous=FULL. Off only for
  // throwaway state (submit's private instance), which no machine crash
  // could matter to.
  bool sync = true;
  // The broker of a deployment on many machines (--broker): jobs and
  // events travel through Redis Streams. None: the local transport.
  std::optional<BrokerUrl> broker;

  std::filesystem::path outbox_dir() const { return state_dir / "outbox"; }
  std::filesystem::path blobs_dir() const { return state_dir / "blobs"; }
  std::filesystem::path lock_path() const { return state_dir / "collector.lock"; }
  std::string jobs_queue() const { return queue + "-submissions"; }
};

// What the command line (and environment) say about the instance.
struct InstanceOptions {
  std::string name;       // --instance, else $PIPEJUDGE_INSTANCE, else "default"
  std::string state_dir;  // --state-dir, else $PIPEJUDGE_STATE_DIR, else default_state_dir()
  std::string db;         // --db
  std::string queue;      // --queue
  bool no_sync = false;   // --no-sync
  std::string broker;     // --broker, else $PIPEJUDGE_BROKER (by the command line), else
                          // the site configuration's `broker` (site_config.hpp); "": none
  bool broker_from_config = true;  // false: a private instance, never on a broker
};

// Throws ConfigError for a bad instance or queue name, or a bad broker URL.
Instance resolve_instance(const InstanceOptions& o);

// /var/lib/pipejudge/<instance> for root, else $XDG_STATE_HOME/pipejudge/<instance>
// or ~/.local/state/pipejudge/<instance>.
std::filesystem::path default_state_dir(const std::string& instance);

// The command-line options that put a pipejudge child process on `inst`
// (--instance, --state-dir, --db, --queue, --broker if any, and --no-sync
// if it is off).
std::vector<std::string> instance_args(const Instance& inst);

// Creates the state directory, outbox/ and blobs/ (mode 0700) if missing.
// Throws ConfigError naming the directory that cannot be made.
void make_state_dirs(const Instance& inst);

bool valid_instance_name(const std::string& name);

// The collector's claim on its instance: an open-file-description write
// lock on collector.lock, held while it runs and dropped by the kernel when
// it dies, however it dies. Its pid is written in the file for messages.
class CollectorLock {
 public:
  // nullopt if another collector holds it; throws ConfigError if the file
  // cannot be opened.
  static std::optional<CollectorLock> try_acquire(const Instance& inst);
  // The pid written by the holder, or 0.
  static long holder_pid(const Instance& inst);

 private:
  explicit CollectorLock(sandbox::UniqueFd fd) : fd_(std::move(fd)) {}
  sandbox::UniqueFd fd_;
};

// Whether a collector holds the instance's lock. Only looks (F_OFD_GETLK):
// a sender asking never gets in a starting collector's way. With a broker:
// whether a collector of the deployment, on any machine, is alive.
bool collector_running(const Instance& inst);

}  // namespace pj::judge
