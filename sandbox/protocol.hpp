// The messages between the judge and a slot's keeper process, over a
// SOCK_SEQPACKET socket. Fixed layouts: the keeper's hot path never parses.
#pragma once

#include <sys/resource.h>

#include <cstdint>

#include "sandbox/rlimits.hpp"

namespace pj::sandbox::protocol {

inline constexpr std::uint32_t kRunMagic = 0x706a7275;  // "pjru"
inline constexpr char kKill = 'K';                      // one-byte message: kill the run now
inline constexpr std::size_t kMaxStrings = 60 << 10;

// Descriptors sent with a RunRequest, in this order.
enum FdIndex { kFdStdin, kFdStdout, kFdStderr, kFdWorkdir, kFdFiles, kFdCount };

struct RunRequest {
  std::uint32_t magic = kRunMagic;
  std::uint32_t argc = 0, envc = 0;
  std::uint32_t strings_size = 0;  // path, argv..., env..., each NUL-terminated
  RlimitPlan rlimits;
  std::uint32_t uid = 0, gid = 0;
  std::uint8_t set_ids = 0;
  std::uint8_t share_workdir = 0;  // isolated: bind the workdir at /box (else a fresh tmpfs)
  std::uint8_t has_files = 0;      // kFdFiles holds a directory to show read-only in /box
  std::uint8_t allow_exec = 1;     // the program may exec other programs
  std::uint64_t box_bytes = 0;     // tmpfs size of /box and /tmp
  // User namespace: share_workdir names the directory by its path (the last
  // string), which the keeper clones from its view of the host.
  std::uint8_t box_by_path = 0;
  // Without a memory cgroup: the keeper samples the run's resident memory
  // and kills it over this many bytes (0: no sampling).
  std::uint64_t sample_memory_bytes = 0;
  std::int32_t cpu = -1;  // the program's affinity: this CPU only (-1: the keeper's)
  char strings[kMaxStrings];

  std::size_t wire_size() const { return offsetof(RunRequest, strings) + strings_size; }
};

enum SetupStep : std::int32_t {
  kStepNone = 0,
  kStepBox,
  kStepFiles,
  kStepFds,
  kStepChdir,
  kStepCgroup,
  kStepRlimits,
  kStepIds,
  kStepSeccomp,
  kStepExec,
  kStepClone,
  kStepAffinity,
};

struct RunReply {
  std::int32_t started = 0;  // the program was exec'd
  std::int32_t setup_errno = 0;
  std::int32_t setup_step = kStepNone;
  std::int32_t wait_status = 0;
  rusage usage{};  // the program and everything else the keeper reaped
  std::int64_t wall_ns = 0;
  std::int64_t end_ns = 0;         // CLOCK_MONOTONIC when the program itself was reaped
  std::int32_t violation_nr = -1;  // forbidden syscall number, or -1
  std::uint32_t violation_arch = 0;
  std::int32_t memory_limit_hit = 0;      // the keeper's sampling killed the run
  std::uint64_t sampled_memory_peak = 0;  // the largest sample, bytes
};

const char* setup_step_name(std::int32_t step);

}  // namespace pj::sandbox::protocol
