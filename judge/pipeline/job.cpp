#include "judge/pipeline/job.hpp"

#include <unistd.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "judge/report/events.hpp"

using nlohmann::json;

namespace pj::judge {
namespace {

json encode_run(const RunOptions& r) {
  json j = json::object();
  if (r.keep_output) j["keep_output"] = r.keep_output;
  if (r.wall_seconds) j["wall"] = *r.wall_seconds;
  if (r.stack_bytes) j["stack"] = *r.stack_bytes;
  if (r.output_bytes) j["output"] = *r.output_bytes;
  if (r.processes) j["processes"] = *r.processes;
  if (!r.arguments.empty()) j["args"] = r.arguments;
  if (r.stderr_to_stdout) j["stderr_to_stdout"] = true;
  if (!r.compiler_options.empty()) j["compiler_options"] = r.compiler_options;
  return j;
}

bool decode_run(const json& j, RunOptions& r) {
  if (!j.is_object()) return false;
  for (const auto& [key, v] : j.items()) {
    if (key == "keep_output" && v.is_number_unsigned()) {
      r.keep_output = v.get<std::uint64_t>();
    } else if (key == "wall" && v.is_number() && v.get<double>() > 0) {
      r.wall_seconds = v.get<double>();
    } else if (key == "stack" && v.is_number_unsigned()) {
      r.stack_bytes = v.get<std::uint64_t>();
    } else if (key == "output" && v.is_number_unsigned()) {
      r.output_bytes = v.get<std::uint64_t>();
    } else if (key == "processes" && v.is_number_integer() && v.get<long long>() > 0 &&
               v.get<long long>() <= 4096) {
      r.processes = v.get<int>();
    } else if (key == "stderr_to_stdout" && v.is_boolean()) {
      r.stderr_to_stdout = v.get<bool>();
    } else if ((key == "args" || key == "compiler_options") && v.is_array() &&
               std::all_of(v.begin(), v.end(), [](const json& a) { return a.is_string(); })) {
      (key == "args" ? r.arguments : r.compiler_options) = v.get<std::vector<std::string>>();
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string Job::to_message() const {
  json j = {{"v", kEventVersion},
            {"id", id},
            {"problem", problem_dir},
            {"file", file},
            {"lang", language},
            {"entry", entry},
            {"all", all},
            {"run", encode_run(run)},
            {"priority", priority_name(priority)},
            {"attempt", attempt},
            {"pid", static_cast<std::int64_t>(getpid())},
            {"uid", static_cast<std::int64_t>(geteuid())}};
  if (!problem_hash.empty()) j["problem_hash"] = problem_hash;
  if (!source_hash.empty()) j["source_hash"] = source_hash;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<Job> Job::parse(std::string_view raw, std::int64_t expected_uid, std::string& error) {
  json j = json::parse(raw, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? std::optional(it->get<std::string>()) : std::nullopt;
  };
  if (j.value("v", 0) != kEventVersion) {
    error = "unsupported version";
    return std::nullopt;
  }
  if (!j.contains("uid") || !j["uid"].is_number_integer() ||
      j["uid"].get<std::int64_t>() != expected_uid) {
    error = "unexpected sender (uid " + (j.contains("uid") ? j["uid"].dump() : "missing") + ")";
    return std::nullopt;
  }
  Job job;
  auto id = str("id"), problem = str("problem"), file = str("file"), lang = str("lang");
  if (!id || !valid_submission_id(*id) || !problem || !file || !lang || !j.contains("all") ||
      !j["all"].is_boolean()) {
    error = "missing or bad fields (id, problem, file, lang, all)";
    return std::nullopt;
  }
  job.id = *id;
  job.problem_dir = *problem;
  job.file = *file;
  job.language = *lang;
  job.entry = str("entry").value_or("");
  job.all = j["all"].get<bool>();
  if (auto run = j.find("run"); run != j.end()) {  // absent in the jobs of earlier versions
    if (!decode_run(*run, job.run)) {
      error = "bad run options";
      return std::nullopt;
    }
  }
  auto priority = parse_priority(str("priority").value_or("live"));
  auto it = j.find("attempt");
  int attempt = it == j.end() ? 0 : it->is_number_integer() ? it->get<int>() : -1;
  if (!priority || attempt < 0) {
    error = "bad priority or attempt";
    return std::nullopt;
  }
  job.priority = *priority;
  job.attempt = attempt;
  for (auto [key, into] :
       {std::pair("problem_hash", &job.problem_hash), std::pair("source_hash", &job.source_hash)}) {
    std::string hash = str(key).value_or("");
    if (!hash.empty() &&
        (hash.size() != 64 || hash.find_first_not_of("0123456789abcdef") != std::string::npos)) {
      error = std::string("bad ") + key;
      return std::nullopt;
    }
    *into = hash;
  }
  return job;
}

const char* priority_name(Priority p) {
  switch (p) {
    case Priority::Batch:
      return "batch";
    case Priority::Rejudge:
      return "rejudge";
    case Priority::Live:
      return "live";
  }
  return "live";
}

std::optional<Priority> parse_priority(std::string_view name) {
  for (Priority p : {Priority::Batch, Priority::Rejudge, Priority::Live})
    if (name == priority_name(p)) return p;
  return std::nullopt;
}

}  // namespace pj::judge
