#include <signal.h>
#include <string.h>

#include <nlohmann/json.hpp>

#include "sandbox/sandbox.hpp"

namespace pj::sandbox {

const char* limit_name(LimitHit l) {
  switch (l) {
    case LimitHit::None: return "";
    case LimitHit::Cpu: return "cpu";
    case LimitHit::Wall: return "wall";
    case LimitHit::Memory: return "memory";
    case LimitHit::Output: return "output";
    case LimitHit::Processes: return "processes";
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
  j["limit"] = r.limit == LimitHit::None ? nlohmann::json(nullptr) : nlohmann::json(limit_name(r.limit));
  j["killed"] = r.killed_by_sandbox;
  j["error"] = r.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.error);
  j["stdout"] = r.stdout_data;
  j["stderr"] = r.stderr_data;
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pj::sandbox
