// What the routes of `serve` share: the instance, the options, the
// languages installed here, the problems of --problems, and the way into
// the pipeline (the job queue in, the results database out). Nothing here
// judges: a submission is written under the state directory and queued.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "judge/engine/languages.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/run_options.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/instance.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/server/server.hpp"
#include "judge/server/webhook_outbox.hpp"

namespace pj::judge {

// Why a submission was not queued: the status (503: the queue is full or
// the server stops; 429: the client has too many waiting) and the error.
struct Refusal {
  int status = 503;
  std::string error;
};

class ServeCore {
 public:
  struct LoadedProblem {
    Problem problem;
    LanguageTable languages;  // with the site's choices for this problem
  };

  // Loads the languages and the problems; makes the state directories.
  // Throws ConfigError if the problems directory is not one.
  ServeCore(const Instance& inst, const ServeOptions& options, const std::atomic<bool>& stop,
            const Log& log);

  const Instance& instance() const { return inst_; }
  const ServeOptions& options() const { return options_; }
  bool stopping() const { return stop_; }
  const Log& log() const { return log_; }
  const LanguageTable& languages() const { return languages_; }
  bool installed(const std::string& language) const { return installed_.count(language) > 0; }
  const std::map<std::string, LoadedProblem>& problems() const { return problems_; }
  // Where sources and Judge0's one-test packages are written.
  const std::filesystem::path& sources() const { return sources_; }
  const std::filesystem::path& packages() const { return packages_; }

  // Writes the source into a directory of its own under the state
  // directory, under a name the server picks (or one checked by
  // safe_file_name): nothing a client sends names a path.
  std::filesystem::path write_source(const std::string& file_name, const std::string& source);
  // A submission of several files (name, content; names checked by
  // safe_file_name), in a directory of its own: the directory.
  std::filesystem::path write_sources(
      const std::vector<std::pair<std::string, std::string>>& files);

  // Hands the submission of `client` (client_key) to the workers and
  // waits (a little) until its queued event is stored; nullopt with
  // `refusal` set if the queue or the client's limit refuses it.
  // `run`: what the request sets for its runs (JudgeOptions::run).
  std::optional<std::string> enqueue(const Problem& p, const Submission& s, bool all,
                                     const std::string& client, Refusal& refusal,
                                     const RunOptions& run = {});

  // The stored submission, if there is one of this id.
  std::optional<SubmissionDetail> find(const std::string& id) const;
  // Waits for the final verdict (at most max_wait_seconds, or until we stop).
  std::optional<SubmissionDetail> wait_final(const std::string& id) const;

  // The webhooks' durable outbox (serve/webhooks.db in the state directory).
  WebhookOutbox& webhooks() { return webhooks_; }
  // Why a callback_url cannot be taken here (no webhook secret is set);
  // empty if it can.
  std::string callback_refusal() const;
  // Records the callback of a submission just queued: `method` "PUT" with
  // Judge0's body (`kind` "judge0") or "POST" with the report ("problem").
  void add_webhook(const std::string& id, const std::string& url, const std::string& method,
                   const std::string& kind);

  // The job queue's facts, from a queue of its own: an answer never waits
  // behind a submission being accepted (which may wait for room in the
  // event queue).
  QueueFacts queue_facts();

 private:
  void load_problems(const std::filesystem::path& dir);
  // How many of the client's submissions still wait for their verdict
  // (those judged are forgotten). Under queue_mutex_.
  std::size_t waiting_judged_out(const std::string& client);

  const Instance& inst_;
  const ServeOptions& options_;
  const std::atomic<bool>& stop_;
  Log log_;
  LanguageTable languages_;
  std::set<std::string> installed_;  // languages whose toolchain is here
  std::map<std::string, LoadedProblem> problems_;
  std::mutex queue_mutex_;
  std::unique_ptr<Transport> transport_;  // both used under queue_mutex_
  std::unique_ptr<JobQueue> queue_;
  // Each client's submissions not known to be judged (under queue_mutex_),
  // for max_queued_per_client.
  std::map<std::string, std::vector<std::string>> waiting_;
  std::mutex health_mutex_;
  std::unique_ptr<JobQueue> health_queue_;  // used under health_mutex_
  std::filesystem::path sources_, packages_;
  WebhookOutbox webhooks_;
};

}  // namespace pj::judge
