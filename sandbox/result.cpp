#include <signal.h>
#include <string.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "sandbox/protocol.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::sandbox {

const char* limit_name(LimitHit l) {
  switch (l) {
    case LimitHit::None:
      return "";
    case LimitHit::Cpu:
      return "cpu";
    case LimitHit::Wall:
      return "wall";
    case LimitHit::Memory:
      return "memory";
    case LimitHit::Output:
      return "output";
    case LimitHit::Processes:
      return "processes";
  }
  return "";
}

const char* ending_name(Ending e) {
  switch (e) {
    case Ending::Exited:
      return "exited";
    case Ending::SetupFailed:
      return "setup-failed";
    case Ending::CpuLimit:
      return "cpu-limit";
    case Ending::WallLimit:
      return "wall-limit";
    case Ending::MemoryLimit:
      return "memory-limit";
    case Ending::OutputLimit:
      return "output-limit";
    case Ending::ProcessLimit:
      return "process-limit";
    case Ending::ForbiddenSyscall:
      return "forbidden-syscall";
    case Ending::Signalled:
      return "signalled";
    case Ending::NonzeroExit:
      return "nonzero-exit";
  }
  return "";
}

namespace {

std::optional<Ending> limit_ending(LimitHit l) {
  switch (l) {
    case LimitHit::Cpu:
      return Ending::CpuLimit;
    case LimitHit::Wall:
      return Ending::WallLimit;
    case LimitHit::Memory:
      return Ending::MemoryLimit;
    case LimitHit::Output:
      return Ending::OutputLimit;
    case LimitHit::Processes:
      return Ending::ProcessLimit;
    case LimitHit::None:
      break;
  }
  return std::nullopt;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

}  // namespace

Ending Result::ending() const {
  if (!error.empty()) return Ending::SetupFailed;
  if (std::optional<Ending> l = limit_ending(limit)) return *l;
  if (!forbidden_syscall.empty()) return Ending::ForbiddenSyscall;
  if (signal != 0) return Ending::Signalled;
  if (exit_code != 0) return Ending::NonzeroExit;
  return Ending::Exited;
}

std::string describe_ending(const Result& r, const Limits& limits) {
  switch (r.ending()) {
    case Ending::Exited:
      return "";
    case Ending::SetupFailed:
      return r.error;
    case Ending::CpuLimit:
      return "CPU time over " + seconds_text(limits.cpu_seconds);
    case Ending::WallLimit:
      return "wall time over " + seconds_text(limits.effective_wall_seconds()) +
             " (sleeping or blocked)";
    case Ending::MemoryLimit:
      return "peak memory over " + std::to_string(limits.memory_bytes >> 20) + " MiB";
    case Ending::OutputLimit:
      return "output over " + std::to_string(limits.output_bytes) + " bytes";
    case Ending::ProcessLimit:
      return "too many processes or threads";
    case Ending::ForbiddenSyscall:
      return "forbidden syscall " + r.forbidden_syscall;
    case Ending::Signalled:
      return "killed by " + signal_name(r.signal);
    case Ending::NonzeroExit:
      return "exit code " + std::to_string(r.exit_code);
  }
  return "";
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string to_json(const Result& r) {
  nlohmann::json j;
  j["exit_code"] = r.exit_code >= 0 ? nlohmann::json(r.exit_code) : nlohmann::json(nullptr);
  j["signal"] = r.signal ? nlohmann::json(signal_name(r.signal)) : nlohmann::json(nullptr);
  j["cpu_time"] = r.cpu_seconds;
  j["wall_time"] = r.wall_seconds;
  j["memory"] = r.memory_bytes;
  j["output_bytes"] = r.output_bytes;
  j["limit"] =
      r.limit == LimitHit::None ? nlohmann::json(nullptr) : nlohmann::json(limit_name(r.limit));
  j["killed"] = r.killed_by_sandbox;
  j["forbidden_syscall"] =
      r.forbidden_syscall.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.forbidden_syscall);
  j["error"] = r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error);
  j["ending"] = ending_name(r.ending());
  j["isolated"] = r.isolated;
  j["stdout"] = r.stdout_data;
  j["stderr"] = r.stderr_data;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pj::sandbox

namespace pj::sandbox::protocol {

const char* setup_step_name(std::int32_t step) {
  switch (step) {
    case kStepBox:
      return "preparing the work directory";
    case kStepFiles:
      return "linking the program's files";
    case kStepFds:
      return "redirecting stdio";
    case kStepChdir:
      return "chdir";
    case kStepCgroup:
      return "joining the cgroup";
    case kStepRlimits:
      return "setrlimit";
    case kStepIds:
      return "changing uid";
    case kStepSeccomp:
      return "installing the seccomp filter";
    case kStepExec:
      return "exec";
    case kStepClone:
      return "clone";
    case kStepAffinity:
      return "pinning to its CPU";
    default:
      return "setup";
  }
}

}  // namespace pj::sandbox::protocol
