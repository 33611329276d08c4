#include "judge/server/core.hpp"

#include <chrono>
#include <thread>

#include "judge/engine/error.hpp"
#include "judge/pipeline/enqueue.hpp"
#include "judge/report/events.hpp"
#include "judge/server/common.hpp"
#include "judge/server/judge0.hpp"
#include "judge/server/webhook.hpp"

namespace fs = std::filesystem;

namespace pj::judge {

ServeCore::ServeCore(const Instance& inst, const ServeOptions& options,
                     const std::atomic<bool>& stop, const Log& log)
    : inst_(inst),
      options_(options),
      stop_(stop),
      log_(log),
      languages_(LanguageTable::load_default()),
      transport_(open_transport(inst)),
      queue_(transport_->job_queue()),
      health_queue_(transport_->job_queue()),
      sources_(fs::absolute(inst.state_dir / "serve" / "sources")),
      packages_(fs::absolute(inst.state_dir / "serve" / "judge0-packages")),
      webhooks_((fs::create_directories(inst.state_dir / "serve"),
                 inst.state_dir / "serve" / "webhooks.db")) {
  for (const auto& [id, lang] : languages_.all())
    if (!missing_toolchain(lang)) installed_.insert(id);
  if (!options.problems_dir.empty()) load_problems(options.problems_dir);
  fs::create_directories(sources_);
  fs::create_directories(packages_);
}

void ServeCore::load_problems(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw ConfigError(dir.string(), "is not a directory");
  for (const auto& e : fs::directory_iterator(dir)) {
    if (!e.is_directory() || !fs::exists(e.path() / "problem.yaml")) continue;
    try {
      Problem p = load_problem(e.path());
      std::string id = p.short_name;
      problems_.emplace(id, LoadedProblem{std::move(p), LanguageTable::load_default(id)});
    } catch (const ConfigError& err) {
      log_("problem " + e.path().filename().string() + " left out: " + err.file() + ": " +
           err.what());
    }
  }
  log_(std::to_string(problems_.size()) + " problems from " + dir.string());
}

fs::path ServeCore::write_source(const std::string& file_name, const std::string& source) {
  fs::path dir = sources_ / new_submission_id();
  fs::create_directories(dir);
  fs::path file = dir / file_name;
  write_new_file(file, source);
  return file;
}

fs::path ServeCore::write_sources(const std::vector<std::pair<std::string, std::string>>& files) {
  fs::path dir = sources_ / new_submission_id();
  fs::create_directories(dir);
  for (const auto& [name, content] : files) write_new_file(dir / name, content);
  return dir;
}

std::optional<std::string> ServeCore::enqueue(const Problem& p, const Submission& s, bool all,
                                              const std::string& client, Refusal& refusal,
                                              const RunOptions& run) {
  std::optional<std::string> id;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (queue_->facts().queued.size() >= options_.max_queued) {
      refusal = {503, "queue is full"};
      return std::nullopt;
    }
    std::size_t limit = options_.max_queued_per_client;
    if (limit > 0 && waiting_judged_out(client) >= limit) {
      refusal = {429, "too many submissions of this client wait for their verdict (at most " +
                          std::to_string(limit) + ")"};
      return std::nullopt;
    }
    id = enqueue_submission(*transport_, p, s, all, Priority::Live, stop_, run);
    if (id && limit > 0) waiting_[client].push_back(*id);
  }
  if (!id) {
    refusal = {503, "the server is shutting down"};
    return std::nullopt;
  }
  // Until the collector has stored its queued event, a GET would not find it.
  auto start = std::chrono::steady_clock::now();
  while (!stop_ && seconds_since(start) < kStoredWait && !find(*id))
    std::this_thread::sleep_for(kPoll);
  return id;
}

std::size_t ServeCore::waiting_judged_out(const std::string& client) {
  auto it = waiting_.find(client);
  if (it == waiting_.end()) return 0;
  if (auto store = ResultStore::try_open_reader(inst_.db_path)) {
    std::erase_if(it->second, [&](const std::string& id) {
      auto d = store->find(id);
      return d && d->report.verdict;
    });
  }
  std::size_t n = it->second.size();
  if (n == 0) waiting_.erase(it);
  return n;
}

std::optional<SubmissionDetail> ServeCore::find(const std::string& id) const {
  if (!valid_submission_id(id)) return std::nullopt;
  auto store = ResultStore::try_open_reader(inst_.db_path);
  if (!store) return std::nullopt;
  return store->find(id);
}

std::optional<SubmissionDetail> ServeCore::wait_final(const std::string& id) const {
  auto start = std::chrono::steady_clock::now();
  for (;;) {
    auto d = find(id);
    if ((d && d->report.verdict) || stop_ || seconds_since(start) >= options_.max_wait_seconds)
      return d;
    std::this_thread::sleep_for(kPoll);
  }
}

std::string ServeCore::callback_refusal() const {
  if (!options_.webhooks.secret.empty()) return "";
  return "needs a webhook secret on this server (serve --webhook-secret): callbacks are signed";
}

void ServeCore::add_webhook(const std::string& id, const std::string& url,
                            const std::string& method, const std::string& kind) {
  Webhook w;
  w.id = id;
  w.url = url;
  w.method = method;
  w.kind = kind;
  w.base64 = kind == "judge0";
  w.created_at = unix_now();
  webhooks_.add(w);
}

QueueFacts ServeCore::queue_facts() {
  std::lock_guard<std::mutex> lock(health_mutex_);
  return health_queue_->facts();
}

}  // namespace pj::judge
