#include "judge/batch/grade_state.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "judge/pipeline/durable.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

constexpr const char* kSnapshot = "grade-state.json";
constexpr const char* kLog = "grade-state.log";

[[noreturn]] void fail(const fs::path& path, const std::string& what) {
  throw std::system_error(errno, std::system_category(), what + " " + path.string());
}

void read_ids(const json& j, std::map<std::string, std::string>& into) {
  if (!j.is_object()) return;
  for (auto& [key, id] : j.items())
    if (id.is_string()) into[key] = id.get<std::string>();
}

std::optional<std::string> find(const std::map<std::string, std::string>& ids,
                                const std::string& key) {
  auto it = ids.find(key);
  return it == ids.end() ? std::nullopt : std::optional(it->second);
}

}  // namespace

GradeState::GradeState(fs::path out) : out_(std::move(out)) {
  std::ifstream in(out_ / kSnapshot);
  if (in) {
    json j = json::parse(in, nullptr, false);
    if (j.is_object()) {
      read_ids(j.value("results", json::object()), results_);
      read_ids(j.value("latest", json::object()), latest_);
    }
  }
  apply_log();
  if (logged_) compact();
}

void GradeState::apply_log() {
  std::ifstream in(out_ / kLog);
  for (std::string line; std::getline(in, line);) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object() || !j.contains("key") || !j.contains("entry") || !j.contains("id") ||
        !j["key"].is_string() || !j["entry"].is_string() || !j["id"].is_string())
      continue;  // half written when its run was killed: that result was never enqueued
    results_[j["key"].get<std::string>()] = j["id"].get<std::string>();
    latest_[j["entry"].get<std::string>()] = j["id"].get<std::string>();
    logged_ = true;
  }
}

std::optional<std::string> GradeState::result(const std::string& key) const {
  return find(results_, key);
}

std::optional<std::string> GradeState::latest(const std::string& entry) const {
  return find(latest_, entry);
}

void GradeState::remember(const std::string& key, const std::string& entry, const std::string& id) {
  fs::path path = out_ / kLog;
  if (!log_) {
    log_.reset(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!log_) fail(path, "cannot open");
    fsync_directory(out_);  // its name, once
  }
  // A line a killed run left without its newline must not swallow this one.
  std::string line = "\n" + json{{"key", key}, {"entry", entry}, {"id", id}}.dump() + "\n";
  append_durably(log_.get(), line, path);
  results_[key] = id;
  latest_[entry] = id;
  logged_ = true;
}

void GradeState::compact() {
  if (!logged_) return;
  json j = {{"results", results_}, {"latest", latest_}};
  write_file_atomically(out_, kSnapshot, j.dump(1), true);
  log_.reset();
  if (::unlink((out_ / kLog).c_str()) != 0 && errno != ENOENT) fail(out_ / kLog, "cannot remove");
  logged_ = false;
}

}  // namespace pj::judge
