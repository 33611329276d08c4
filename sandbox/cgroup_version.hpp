// What differs between cgroup v1 (cgroup_v1.cpp) and v2 (cgroup_v2.cpp): how
// each is detected, and how a slot's cgroup is created, limited, measured and
// killed at once. The version is chosen once, at detection; SlotCgroup
// (cgroup.cpp) then holds that version's CgroupSlotOps and does the rest the
// same way on both (moving pids in, killing by signals, removal).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sandbox/cgroup.hpp"
#include "sandbox/cgroup_files.hpp"

namespace pj::sandbox {

// One version's operations on one slot's cgroup.
class CgroupSlotOps {
 public:
  virtual ~CgroupSlotOps() = default;

  // Creates (or adopts) <root>/pipejudge/<name> in every hierarchy `s` offers
  // and prepares it. Throws std::system_error; dirs() then lists what exists.
  virtual void create(const CgroupSupport& s, const std::string& name) = 0;
  // 0 means no limit. Throws std::system_error.
  virtual void set_limits(std::uint64_t memory_bytes, int max_pids) = 0;
  // Restarts the memory peak from the current usage. Throws std::system_error.
  virtual void reset_memory_peak() = 0;
  // Cumulative counters; those the kernel lacks read as 0. Throws std::system_error.
  virtual CgroupCounters read_counters() const = 0;
  // The peak since reset_memory_peak(); 0 when unknown. Throws std::system_error.
  virtual std::uint64_t read_memory_peak() const = 0;
  // One CPU (>= 0) or all of the judge's (-1); only when has_cpuset(). Throws.
  virtual void set_cpu(int /*cpu*/) {}
  bool has_cpuset() const { return !cpuset_dir_.empty(); }
  // Kills everything inside at once where the version can (errors ignored);
  // the caller then signals whatever is left.
  virtual void kill_at_once() {}
  // O_PATH fd of the slot's directory for clone3(CLONE_INTO_CGROUP); -1 if none.
  virtual int dir_fd() const { return -1; }
  // The file in each of dirs() that a process writes "0" to, to move itself in.
  virtual const char* self_join_file() const = 0;
  // Closes the fds it holds on the slot (before the slot is removed).
  virtual void close_fds() {}

  // Every directory created or adopted, in order.
  const std::vector<std::string>& dirs() const { return dirs_; }

 protected:
  // Creates `dir` (an existing one is adopted) and lists it in dirs(). Throws.
  void add_dir(const std::string& dir);

  std::vector<std::string> dirs_;
  std::string memory_dir_, pids_dir_, cpu_dir_;  // empty: controller not available
  std::string cpuset_dir_;                       // empty: no cpuset for this slot
};

std::unique_ptr<CgroupSlotOps> make_v1_slot_ops();
std::unique_ptr<CgroupSlotOps> make_v2_slot_ops();

// What one version offers this process (see detect_cgroups()); None with the
// reason when it offers too little.
CgroupSupport detect_v1(const std::vector<cgroupfs::Mount>& mounts,
                        const std::vector<cgroupfs::Membership>& groups);
CgroupSupport detect_v2(const std::vector<cgroupfs::Mount>& mounts,
                        const std::vector<cgroupfs::Membership>& groups);

// A delegated v2 cgroup that holds the judge itself (a systemd user scope:
// `systemd-run --user --scope -p Delegate=yes pipejudge ...`) cannot enable
// controllers for slots beside it ("no internal processes"). When this
// process is alone in `dir`, it moves into dir/pipejudge-judge (where the
// judge's own children are born too) and enables `controllers` for dir's
// children. Returns 0, or an errno (EBUSY: other processes are there).
inline constexpr const char* kJudgeLeaf = "pipejudge-judge";
int move_into_judge_leaf(const std::string& dir, const std::vector<std::string>& controllers);

// "<kind>-<our pid>-<n>[-ns<pid namespace inode>]", for "slot" and "probe"
// cgroups: names cleanup_stale_cgroups() can trace to their owner.
std::string owned_name(const std::string& kind, long n);

}  // namespace pj::sandbox
