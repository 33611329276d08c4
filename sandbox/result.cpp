#include <signal.h>
#include <string.h>

#include <nlohmann/json.hpp>

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
    default:
      return "setup";
  }
}

}  // namespace pj::sandbox::protocol
