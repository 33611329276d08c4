// pipejudge sandbox: run one command with limits and pipes, report what happened.
//
// The sandbox knows nothing of problems or verdicts: it reports facts (exit
// code, signal, CPU/wall time, peak memory, output bytes, which limit was hit)
// in the vocabulary of isolate's meta file where it fits.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace pj::sandbox {

// Every limit is a named option; 0 means "no limit" unless said otherwise.
struct Limits {
  double cpu_seconds = 1.0;  // user+sys of every process of the run
  // How far past cpu_seconds the run may go before the watchdog kills it. A
  // run that ends by itself within the grace is still over its limit
  // (LimitHit::Cpu) but not killed for it, so its CPU time says by how much.
  double cpu_grace_seconds = 0;
  double wall_seconds = 0;  // 0: derived, 2 * cpu_seconds but at least cpu_seconds + 1
  std::uint64_t memory_bytes = 256ull << 20;  // peak resident memory
  std::uint64_t stack_bytes = 0;              // 0: same as memory_bytes (unlimited if that is 0)
  int processes = 64;  // processes + threads; enforced with a run `uid` or a user namespace
  std::uint64_t output_bytes = 64ull << 20;  // stdout + stderr together
  std::uint64_t file_bytes = 0;              // largest file it may write; 0: output_bytes
  std::uint64_t box_bytes = 64ull << 20;     // isolated: size of the tmpfs /box and /tmp each
  int open_files = 64;

  double effective_wall_seconds() const {
    if (wall_seconds > 0 || cpu_seconds <= 0) return wall_seconds;
    return cpu_seconds < 1 ? cpu_seconds + 1 : 2 * cpu_seconds;
  }
};

// Where the program's stdin comes from.
struct Input {
  enum class Kind { Null, File, Data };
  Kind kind = Kind::Null;
  std::string value;  // a path for File, the bytes for Data

  static Input null() { return {}; }
  static Input file(std::string path) { return {Kind::File, std::move(path)}; }
  static Input data(std::string bytes) { return {Kind::Data, std::move(bytes)}; }
};

// Where one of the program's output streams goes. Captured bytes beyond
// `keep_bytes` are counted (against the output limit) but not kept.
struct Output {
  enum class Kind { Discard, File, Capture };
  Kind kind = Kind::Capture;
  std::string path;  // for File: created (mode 0600) or written over and cut to what the run wrote
  std::uint64_t keep_bytes = 64 << 10;  // for Capture

  static Output discard() { return {Kind::Discard, {}, 0}; }
  static Output file(std::string p) { return {Kind::File, std::move(p), 0}; }
  static Output capture(std::uint64_t keep = 64 << 10) { return {Kind::Capture, {}, keep}; }
};

struct Spec {
  std::vector<std::string> argv;  // argv[0] is resolved through PATH of `env` if it has no '/'
  std::vector<std::string> env;   // the whole environment (HOME defaults to the work directory)
  // The program's working directory. Isolated runs work in /box: a fresh
  // tmpfs, or this host directory itself when `share_workdir` (compilers,
  // whose output the caller needs). Plain runs work in this directory.
  std::string workdir = ".";
  bool share_workdir = false;
  // A host directory whose entries appear read-only in the working directory
  // (bind mounts when isolated; hard links or copies otherwise). Empty: none.
  std::string files_dir;
  // Host paths shown read-only in an isolated run's root beside the default
  // ones (default_readonly_paths()); ignored by plain runs, which see the
  // host. A slot's root is built once: runs with other paths get their own.
  std::vector<std::string> readonly_paths;
  Input stdin_from;
  Output stdout_to = Output::capture();
  Output stderr_to = Output::capture();
  // The program's stderr goes where its stdout goes: one stream, in the
  // order written (stderr_to is then unused; not with a connected peer).
  bool stderr_to_stdout = false;
  Limits limits;
  // Whether the program may exec other programs (compilers and shells must;
  // a judged solution never needs to). The command itself is always exec'd.
  bool allow_exec = true;
  // Run as this uid/gid (needs root). Unset: keep the caller's identity.
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  // Confine every process and thread of the run to this CPU: the slot's
  // cpuset cgroup where there is one, and sched_setaffinity always (the
  // program may not change its affinity: seccomp refuses it). -1: the CPUs
  // the judge itself may use.
  int cpu = -1;
};

struct CgroupInfo {
  std::string version = "none";  // "v1", "v2" or "none"
  bool memory = false, pids = false, cpu = false;
  bool cpuset = false;  // runs are confined to their CPU by the cgroup too
  std::string reason;   // why not (or what is missing)
};

enum class LimitHit { None, Cpu, Wall, Memory, Output, Processes };
const char* limit_name(LimitHit l);  // "", "cpu", "wall", "memory", "output", "processes"

// How a run ended: one classification, the first of these that holds.
enum class Ending {
  Exited,       // exit code 0 within every limit
  SetupFailed,  // the command could not start (`error` says why)
  CpuLimit,     // the sandbox killed it at a limit (these five)
  WallLimit,
  MemoryLimit,
  OutputLimit,
  ProcessLimit,
  ForbiddenSyscall,  // killed for a syscall the policy denies (`forbidden_syscall`)
  Signalled,         // killed by a signal the sandbox did not send for a limit
  NonzeroExit,       // exited with a code other than 0
};
// "exited", "setup-failed", "cpu-limit", "wall-limit", "memory-limit", "output-limit",
// "process-limit", "forbidden-syscall", "signalled", "nonzero-exit"
const char* ending_name(Ending e);

struct Result {
  // Exactly one of: exited (exit_code >= 0), killed by `signal`, or a setup
  // failure (`error` non-empty: the command could not be started at all).
  int exit_code = -1;
  int signal = 0;
  double cpu_seconds = 0;
  double wall_seconds = 0;
  std::uint64_t memory_bytes = 0;  // peak resident set
  std::uint64_t output_bytes = 0;  // stdout + stderr bytes the program wrote
  LimitHit limit = LimitHit::None;
  bool killed_by_sandbox = false;  // the sandbox sent the kill (a limit was hit)
  std::string stdout_data;         // Capture only, up to keep_bytes
  std::string stderr_data;
  std::string forbidden_syscall;  // the run was killed for calling it (seccomp)
  std::string error;              // why the command could not run (exec failed, bad spec, ...)
  std::int64_t end_ns = 0;        // CLOCK_MONOTONIC when the program ended (0: unknown)
  bool stopped = false;           // killed at the caller's request (run_connected's stop_a)
  bool isolated = false;          // ran in a slot's namespaces and private root (not plain)

  // The ladder: error -> limit -> forbidden syscall -> signal -> exit code.
  Ending ending() const;
  bool ok() const { return ending() == Ending::Exited; }
};

// The ending in words, naming the limit crossed (from `limits`): "" for Exited,
// the setup error itself, "CPU time over 1 s", "wall time over 2 s (sleeping or
// blocked)", "peak memory over 256 MiB", "output over 8388608 bytes", "too many
// processes or threads", "forbidden syscall ptrace", "killed by SIGSEGV", "exit code 3".
std::string describe_ending(const Result& r, const Limits& limits);

// Name of a signal, e.g. "SIGSEGV" (or "signal 42").
std::string signal_name(int sig);

// Runs the command to completion. Everything it started is dead and reaped
// before this returns. Runs with the same `uid` share a slot and take turns;
// runs with different uids proceed in parallel. Sets SIGPIPE to ignored in
// the calling process (the judge must see EPIPE, not die of it).
Result run(const Spec& spec);

// Two programs at once, joined by two pipes: a's stdout feeds b's stdin and
// b's stdout feeds a's stdin (their stdin_from/stdout_to are not used). Each
// has its own slot, limits and result; each sees EOF once the other is gone
// (its pipe writes then fail with EPIPE, or kill it if it keeps SIGPIPE).
// Both are dead and reaped before this returns.
struct ConnectedResult {
  Result a, b;
  bool b_ended_first = false;  // b's program ended before a's (by end_ns)
};
// `stop_a`, if given, is asked about b's result as soon as b has ended: true
// kills a at once (its result says `stopped`), e.g. when b has decided.
ConnectedResult run_connected(const Spec& a, const Spec& b,
                              std::function<bool(const Result& b)> stop_a = nullptr);

// How runs are isolated; set before the first run (later calls affect new slots).
struct SandboxSettings {
  enum class Mode { Auto, Isolated, Plain };
  // Auto: isolated when the kernel allows it (as root, or in a user
  // namespace of the slot's own when not). When it does not, plain only if
  // `allow_plain`; otherwise runs fail to start, saying why: a plain run
  // sees every file the caller can read and the network.
  Mode mode = Mode::Auto;
  bool allow_plain = false;
  bool cgroups = true;  // use cgroups when the machine offers them
};
void configure(const SandboxSettings& settings);
SandboxSettings settings();

// Whether a run of this process has run plain (without namespaces).
bool ran_plain();

// What this process's runs get: which protections are on, and why others are
// off. Starts a slot if none has run yet.
struct Protections {
  bool namespaces = false;      // pid, mount, net, ipc, uts + private root
  bool user_namespace = false;  // ... inside a user namespace (not root)
  // How a run's memory is bounded: "cgroup", or "sampled" (the keeper sums
  // the resident memory of the run's processes and kills it at the limit).
  std::string memory = "sampled";
  CgroupInfo cgroups;
  bool seccomp = false;
  bool uid_switch = false;  // root: runs as their own uid
  std::string warnings;     // one line per protection that is off, with the reason
};
Protections protections();

// Flat JSON record of a result (keys as in README: exit_code, signal, ...).
std::string to_json(const Result& r);

}  // namespace pj::sandbox
