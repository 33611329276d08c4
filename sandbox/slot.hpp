// A run slot: one keeper process (keeper.hpp) and its cgroup, set up once and
// reused for every run, so that the per-test path is one request, one
// clone/exec and one reply.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "sandbox/cgroup.hpp"
#include "sandbox/fd.hpp"
#include "sandbox/protocol.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::sandbox {

struct SlotConfig {
  int index = 0;
  bool isolate = true;  // namespaces and a private root
  // Isolated without root: the namespaces belong to a user namespace of the
  // slot's own (userns.hpp), which maps the caller's uid and gid to themselves.
  bool user_namespace = false;
  bool use_cgroups = true;                  // when the machine offers them
  std::vector<std::string> readonly_paths;  // empty: default_readonly_paths()
};

// Pipe ends that replace a run's stdin/stdout pipes (one program of a
// connected pair). Closed once the keeper has them, so that the peer sees EOF
// as soon as this program is gone.
struct SlotLink {
  UniqueFd in, out;
  int stop_fd = -1;  // readable: stop the run (not owned)
};

class Slot {
 public:
  // Starts the keeper. Throws std::runtime_error saying what failed.
  static std::unique_ptr<Slot> start(const SlotConfig& config, const CgroupSupport& cgroups);
  ~Slot();
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

  // One run; not thread-safe (one run at a time per slot).
  Result run(const Spec& spec, SlotLink link = {});

  bool alive() const { return alive_; }
  bool isolated() const { return isolated_; }
  bool in_user_namespace() const { return user_namespace_; }
  bool has_cgroup() const { return cgroup_ != nullptr; }
  bool has_cpuset() const { return cgroup_ != nullptr && cgroup_->has_cpuset(); }
  CgroupVersion cgroup_version() const { return cgroup_version_; }

 private:
  Slot() = default;
  class Control;
  void send_request(const Spec& spec, const std::string& path, int in, int out, int err,
                    int workdir, int files, const std::string& box_path);
  bool receive_reply(protocol::RunReply& reply);
  void fill_result(const Spec& spec, const protocol::RunReply& reply, const std::string& path,
                   Result& r);

  pid_t pid_ = -1;
  UniqueFd pidfd_, socket_;
  std::unique_ptr<SlotCgroup> cgroup_;
  CgroupVersion cgroup_version_ = CgroupVersion::None;
  std::uint64_t cg_memory_ = ~0ull;
  int cg_pids_ = -1;
  int cg_cpu_ = -1;             // the slot cpuset's CPU (-1: all of the judge's, as created)
  bool cgroup_memory_ = false;  // the slot's cgroup limits memory
  bool isolated_ = false;
  bool user_namespace_ = false;
  bool alive_ = false;
  std::unique_ptr<protocol::RunRequest> request_;
};

// The keeper executable: $PIPEJUDGE_KEEPER, else pipejudge-keeper next to
// the running executable, else the one in the build tree.
std::string keeper_path();

}  // namespace pj::sandbox
