#include "judge/worker.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "judge/child.hpp"
#include "judge/durable.hpp"
#include "judge/error.hpp"
#include "judge/mq.hpp"
#include "judge/problem.hpp"
#include "judge/store.hpp"
#include "judge/submission.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

// Events of one submission that have been reported so far, by seq.
std::vector<json> reported_events(const EventSender& sender, const std::string& id) {
  std::vector<json> found;
  // Outbox first, then the database: a file leaves the outbox only after its
  // event is committed, so this order misses nothing.
  const Outbox& outbox = sender.outbox();
  for (const auto& name : outbox.list_for(id)) {
    try {
      auto data = read_owned_file(outbox.path(name), geteuid(), kMaxEventBytes);
      ParsedEvent p = data ? parse_event(*data, geteuid()) : ParsedEvent{};
      if (p.event) found.push_back(std::move(p.event->body));
    } catch (const std::exception&) {
      // the collector will reject it too
    }
  }
  const Instance& inst = sender.instance();
  std::error_code ec;
  if (fs::exists(inst.db_path, ec)) {
    ResultStore store = ResultStore::open_reader(inst.db_path);
    for (auto& row : store.events(id)) found.push_back(std::move(row.body));
  }
  std::sort(found.begin(), found.end(), [](const json& a, const json& b) {
    return a.value("seq", std::int64_t{0}) < b.value("seq", std::int64_t{0});
  });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const json& a, const json& b) {
                            return a.value("seq", std::int64_t{0}) ==
                                   b.value("seq", std::int64_t{0});
                          }),
              found.end());
  return found;
}

// Judges the job in a child process; empty if it finished, else what went wrong.
std::string judge_in_child(const Job& job, const Instance& inst, const WorkerOptions& options) {
  try {
    ChildProcess child = ChildProcess::spawn_self(judging_child_args(job, inst, options),
                                                  ChildProcess::Stdout::Null);
    child.wait();
    return child.succeeded() ? std::string() : "worker " + child.describe_exit();
  } catch (const std::exception& e) {
    return std::string("cannot start a worker process: ") + e.what();
  }
}

}  // namespace

std::string Job::to_message() const {
  json j = {{"v", kEventVersion},
            {"id", id},
            {"problem", problem_dir},
            {"file", file},
            {"lang", language},
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
  job.all = j["all"].get<bool>();
  return job;
}

void run_job(const Job& job, const Instance& inst, const WorkerOptions& options) {
  EventSender sender(inst);
  SubmissionEvents events(sender, job.id, 1);
  events.emit(EventType::Compiling, json::object());
  SubmissionReport report;
  try {
    LanguageTable languages = LanguageTable::load_default();
    Problem problem = load_problem(job.problem_dir);
    Submission submission = load_submission(job.file, job.language, languages);
    JudgeOptions judge;
    judge.run_all = job.all;
    judge.slot = options.slot;
    judge.cache_dir = options.cache_dir;
    EventReporter reporter(events);
    report = judge_submission(problem, submission, judge, &reporter);
  } catch (const ConfigError& e) {
    // Checked when it was submitted; changed since. Not the submission's fault.
    report.verdict = Verdict::IE;
    report.reason = e.file() + ": " + e.what();
  }
  events.emit(EventType::Final, final_fields(report));
}

std::vector<std::string> judging_child_args(const Job& job, const Instance& inst,
                                            const WorkerOptions& options) {
  std::vector<std::string> args = {"worker",
                                   "--run-job",
                                   job.to_message(),
                                   "--instance",
                                   inst.name,
                                   "--state-dir",
                                   inst.state_dir.string(),
                                   "--db",
                                   inst.db_path.string(),
                                   "--queue",
                                   inst.queue,
                                   "--slot",
                                   std::to_string(options.slot)};
  if (!inst.sync) args.push_back("--no-sync");
  if (!options.cache_dir.empty()) {
    args.push_back("--cache-dir");
    args.push_back(options.cache_dir);
  }
  return args;
}

void report_worker_crash(EventSender& sender, const std::string& id, const std::string& why) {
  std::vector<json> known = reported_events(sender, id);
  SubmissionReport r;
  std::int64_t last_seq = -1;
  BlobLookup no_text = [](const std::string&) { return std::string(); };
  for (const auto& e : known) {
    if (e.value("type", "") == event_type_name(EventType::Final)) return;  // it made it out
    last_seq = std::max<std::int64_t>(last_seq, e.value("seq", std::int64_t{0}));
    if (e.value("type", "") != event_type_name(EventType::Compiled)) apply_event(r, e, no_text);
  }
  for (const auto& t : r.tests) {
    r.time = std::max(r.time, t.time);
    r.memory = std::max(r.memory, t.memory);
  }
  r.verdict = Verdict::IE;
  r.reason = why;
  SubmissionEvents events(sender, id, last_seq + 1);
  events.emit(EventType::Final, final_fields(r));
}

void run_worker(const Instance& inst, const WorkerOptions& options, const std::atomic<bool>& stop,
                const std::function<void(const std::string&)>& log) {
  make_state_dirs(inst);
  MessageQueue jobs = MessageQueue::open_or_create(inst.jobs_queue());
  EventSender sender(inst);
  std::size_t done = 0;
  while (!stop && (options.max_jobs == 0 || done < options.max_jobs)) {
    auto received = jobs.receive(0.25);
    if (received.status != MessageQueue::Status::Ok) continue;
    std::string error;
    auto job = Job::parse(received.data, geteuid(), error);
    if (!job) {
      log("rejected a job from " + inst.jobs_queue() + ": " + error);
      continue;
    }
    std::string why = judge_in_child(*job, inst, options);
    if (!why.empty()) {
      log("submission " + job->id + ": " + why);
      report_worker_crash(sender, job->id, why);
    }
    ++done;
  }
}

}  // namespace pj::judge
