#include "judge/pipeline/job.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "judge/report/events.hpp"

using nlohmann::json;

namespace pj::judge {

std::string Job::to_message() const {
  json j = {{"v", kEventVersion},
            {"id", id},
            {"problem", problem_dir},
            {"file", file},
            {"lang", language},
            {"entry", entry},
            {"all", all},
            {"pid", static_cast<std::int64_t>(getpid())},
            {"uid", static_cast<std::int64_t>(geteuid())}};
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
  return job;
}

}  // namespace pj::judge
