// The submission queue on Redis Streams (redis_transport.hpp names the keys).
// A job is an entry {job, attempts, failures} of its priority's stream; a
// worker takes it with XREADGROUP (the consumer group's pending entry is its
// lease, renewed by a heartbeat thread with XCLAIM ... JUSTID), and
// acknowledges it (XACK, XDEL) once its final verdict is recorded. The job
// of a worker that renewed nothing for longer than the lease (dead, or cut
// off) is claimed by another (XAUTOCLAIM); its attempt is the attempts
// before this entry plus the entry's delivery count. After a broker outage
// no worker claims anything for a lease: the living renew theirs first.
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "judge/engine/error.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/packages.hpp"
#include "judge/pipeline/redis_transport.hpp"
#include "judge/report/events.hpp"

using nlohmann::json;

namespace pj::judge {
namespace {

constexpr Priority kTakingOrder[] = {Priority::Live, Priority::Rejudge, Priority::Batch};
constexpr double kDoorbellSeconds = 0.5;  // a ring can be taken by another: look again
constexpr double kForgetLostSeconds = 300;

// Adds a job entry, indexes it, rings. KEYS: stream, index, doorbell.
// ARGV: job, attempts, failures, id. Returns the entry id.
const char* kPutScript = R"(
local eid = redis.call('XADD', KEYS[1], '*', 'job', ARGV[1], 'attempts', ARGV[2], 'failures', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[4], KEYS[1] .. ' ' .. eid)
redis.call('LPUSH', KEYS[3], '1')
redis.call('LTRIM', KEYS[3], 0, 99)
return eid)";

// put, then the old entry leaves. KEYS: stream, index, doorbell, old
// stream, judging. ARGV: as put, then the old entry id.
const char* kRequeueScript = R"(
local eid = redis.call('XADD', KEYS[1], '*', 'job', ARGV[1], 'attempts', ARGV[2], 'failures', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[4], KEYS[1] .. ' ' .. eid)
redis.call('LPUSH', KEYS[3], '1')
redis.call('LTRIM', KEYS[3], 0, 99)
redis.call('XACK', KEYS[4], 'workers', ARGV[5])
redis.call('XDEL', KEYS[4], ARGV[5])
redis.call('HDEL', KEYS[5], ARGV[4])
return eid)";

// KEYS: index, cancel. ARGV: id. {0}: not queued; {1, fields}: it was
// queued and is taken off; {2}: a worker has it, asked to stop.
const char* kCancelScript = R"(
local at = redis.call('HGET', KEYS[1], ARGV[1])
if not at then return {0} end
local sp = string.find(at, ' ', 1, true)
local key, eid = string.sub(at, 1, sp - 1), string.sub(at, sp + 1)
if #redis.call('XPENDING', key, 'workers', eid, eid, 1) > 0 then
  redis.call('SADD', KEYS[2], ARGV[1])
  return {2}
end
local e = redis.call('XRANGE', key, eid, eid)
redis.call('HDEL', KEYS[1], ARGV[1])
if #e == 0 then return {0} end
redis.call('XDEL', key, eid)
return {1, e[1][2]}
)";

struct Entry {
  std::string stream, eid;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string field(const std::string& name) const {
    for (const auto& [k, v] : fields)
      if (k == name) return v;
    return {};
  }
};

std::vector<Entry> entries_of(const std::string& stream, const RedisReply& list) {
  std::vector<Entry> out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (list[i].nil()) continue;  // deleted meanwhile
    out.push_back({stream, list[i][0].str(), list[i][1].pairs()});
  }
  return out;
}

// The job an entry holds, with its attempts so far and failures; nullopt
// (and why) if it is not one.
std::optional<Job> job_of(const Entry& e, std::string& why) {
  auto job = Job::parse(e.field("job"), geteuid(), why);
  if (!job) return std::nullopt;
  json failures = json::parse(e.field("failures"), nullptr, false);
  const std::string attempts = e.field("attempts");
  if (!failures.is_array() || attempts.empty() ||
      attempts.find_first_not_of("0123456789") != std::string::npos || attempts.size() > 6) {
    why = "bad attempts or failures";
    return std::nullopt;
  }
  job->attempt = std::stoi(attempts);
  for (const auto& f : failures)
    if (f.is_string()) job->failures.push_back(f.get<std::string>());
  return job;
}

long pid_of(const std::string& worker) {
  auto colon = worker.rfind(':');
  return colon == std::string::npos ? 0 : std::atol(worker.c_str() + colon + 1);
}

class RedisJobQueue : public JobQueue {
 public:
  explicit RedisJobQueue(const Instance& inst)
      : inst_(inst),
        keys_(inst),
        lease_(inst.broker->lease_seconds),
        me_(consumer_name()),
        broker_(*inst.broker, [](const std::string& m) { log(m); }) {
    for (Priority p : kTakingOrder) ensure_group(broker_, keys_.jobs(p), kWorkersGroup);
  }

  ~RedisJobQueue() override {
    if (!heartbeat_.joinable()) return;
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    wake_.notify_all();
    heartbeat_.join();
    try {  // gone, not lost
      broker_.try_call({"HDEL", keys_.workers(), me_});
      broker_.try_call({"DEL", keys_.alive(me_)});
    } catch (const std::exception&) {
    }
  }

  RedisJobQueue(const RedisJobQueue&) = delete;
  RedisJobQueue& operator=(const RedisJobQueue&) = delete;

  bool put(const Job& job, const std::atomic<bool>&) override {
    std::string message = job.to_message();
    if (message.size() > kMaxJobBytes)
      throw ConfigError(job.file, "path too long for the submission queue");
    // The package and the submission travel with it, as they are now.
    Job sent = job;
    if (sent.problem_hash.empty()) sent.problem_hash = upload(job.problem_dir);
    if (sent.source_hash.empty()) sent.source_hash = upload(job.file);
    add(sent, 0, "[]", nullptr);
    return true;
  }

  std::optional<Job> take(double timeout, const Log& log) override {
    double deadline = monotonic_seconds() + timeout;
    for (;;) {
      for (Priority p : kTakingOrder) {
        RedisReply r = group_call({"XREADGROUP", "GROUP", kWorkersGroup, me_, "COUNT", "1",
                                   "STREAMS", keys_.jobs(p), ">"});
        if (r.nil() || r.size() == 0) continue;
        for (const Entry& e : entries_of(keys_.jobs(p), r[0][1])) {
          std::string why;
          auto job = job_of(e, why);
          if (!job) {
            set_aside(e, why, log);
            continue;
          }
          job->attempt += 1;  // this entry's first delivery
          hold(*job, e);
          return job;
        }
      }
      double left = deadline - monotonic_seconds();
      if (left <= 0) return std::nullopt;
      try {
        char wait[32];
        std::snprintf(wait, sizeof wait, "%.3f", std::min(left, kDoorbellSeconds));
        broker_.try_call({"BLPOP", keys_.doorbell(), wait}, std::min(left, kDoorbellSeconds) + 5);
      } catch (const RedisError&) {
        std::this_thread::sleep_for(std::chrono::duration<double>(std::min(left, 0.2)));
      }
    }
  }

  void judging(const Job& job) override { broker_.call({"HSET", keys_.judging(), job.id, me_}); }

  void acknowledge(const Job& job) override {
    Held h = end_lease(job);
    std::vector<Argv> commands = {{"HDEL", keys_.index(), job.id},
                                  {"HDEL", keys_.judging(), job.id},
                                  {"SREM", keys_.cancel(), job.id}};
    if (!h.stream.empty()) {  // (a job cancelled while queued has left its stream)
      commands.push_back({"XACK", h.stream, kWorkersGroup, h.eid});
      commands.push_back({"XDEL", h.stream, h.eid});
    }
    broker_.transaction(commands);
  }

  void release(const Job& job) override {
    Held h = end_lease(job);
    add(job, std::max(0, job.attempt - 1), json(job.failures).dump(), &h);
  }

  std::vector<Job> expired(const Log& log) override {
    std::vector<Job> found;
    // After a broker outage, every worker gets a lease's time to say it lives.
    if (monotonic_seconds() - broker_.connected_at() < lease_) return found;
    std::string idle = std::to_string(static_cast<long long>(lease_ * 1000));
    for (Priority p : kTakingOrder) {
      const std::string stream = keys_.jobs(p);
      RedisReply claimed =
          group_call({"XAUTOCLAIM", stream, kWorkersGroup, me_, idle, "0-0", "COUNT", "20"});
      for (const Entry& e : entries_of(stream, claimed[1])) {
        std::string why;
        auto job = job_of(e, why);
        if (!job) {
          set_aside(e, why, log);
          continue;
        }
        // Its deliveries, this claim included.
        RedisReply pel = group_call({"XPENDING", stream, kWorkersGroup, e.eid, e.eid, "1"});
        job->attempt += std::max(1, static_cast<int>(pel[0][3].integer()) - 1);
        hold(*job, e);
        std::string judged_by = broker_.call({"HGET", keys_.judging(), job->id}).str();
        if (judged_by.empty()) {  // its worker died before judging it: no attempt spent
          Held h = end_lease(*job);
          add(*job, job->attempt - 1, json(job->failures).dump(), &h);
          log("submission " + job->id + ": its worker died before judging it; back in the queue");
          continue;
        }
        job->failures.push_back("attempt " + std::to_string(job->attempt) + ": its worker (" +
                                judged_by + ") died while judging it");
        found.push_back(std::move(*job));
      }
    }
    forget_lost_workers();
    return found;
  }

  void requeue(const Job& job) override {
    Held h = end_lease(job);
    add(job, job.attempt, json(job.failures).dump(), &h);
  }

  void bury(const Job& job) override {
    Held h = end_lease(job);
    broker_.transaction({{"XADD", keys_.dead_jobs(), "*", "id", job.id, "job", job.to_message(),
                          "attempts", std::to_string(job.attempt), "failures",
                          json(job.failures).dump(), "buried_at", std::to_string(unix_seconds())},
                         {"XACK", h.stream, kWorkersGroup, h.eid},
                         {"XDEL", h.stream, h.eid},
                         {"HDEL", keys_.index(), job.id},
                         {"HDEL", keys_.judging(), job.id}});
  }

  Cancel cancel(const std::string& id, std::optional<Job>& removed) override {
    RedisReply r = broker_.eval(kCancelScript, {keys_.index(), keys_.cancel()}, {id});
    long long outcome = r[0].integer();
    if (outcome == 2) return Cancel::Stopping;
    if (outcome != 1) return Cancel::NotQueued;
    Entry e{"", "", r[1].pairs()};
    std::string why;
    auto job = job_of(e, why);
    if (!job) return Cancel::NotQueued;
    job->attempt += 1;
    hold(*job, e);  // nothing left to acknowledge in the stream: the entry is gone
    removed = std::move(job);
    return Cancel::Removed;
  }

  bool cancelled(const Job& job) override {
    return broker_.call({"SISMEMBER", keys_.cancel(), job.id}).integer() > 0;
  }

  void worker_state(const std::string& state) override {
    {
      std::lock_guard lock(mutex_);
      state_ = state;
      since_ = unix_seconds();
    }
    if (!heartbeat_.joinable()) {
      beat(broker_);
      heartbeat_ = std::thread([this] { heartbeat_loop(); });
    } else {
      wake_.notify_all();  // shows at once
    }
  }

  QueueFacts facts() override;

 private:
  struct Held {
    std::string stream, eid;
  };

  static void log(const std::string& m) {
    std::fprintf(stderr, "pipejudge[%d]: %s\n", static_cast<int>(getpid()), m.c_str());
  }

  // A command on a consumer group, which a broker that lost its data (no
  // persistence) may lack: made again.
  RedisReply group_call(const Argv& argv) {
    try {
      return broker_.call(argv);
    } catch (const RedisReplyError& e) {
      if (std::string(e.what()).find("NOGROUP") == std::string::npos) throw;
      for (Priority p : kTakingOrder) ensure_group(broker_, keys_.jobs(p), kWorkersGroup);
      return broker_.call(argv);
    }
  }

  std::string upload(const std::string& path) {
    PackedTree tree = pack_tree(path);
    upload_tree(broker_, inst_, tree);
    return tree.hash;
  }

  // Puts the job (back) in its priority's stream; `old`: the entry it leaves.
  void add(const Job& job, int attempts, const std::string& failures, const Held* old) {
    Job plain = job;
    plain.attempt = 0;
    plain.failures.clear();
    Argv keys = {keys_.jobs(job.priority), keys_.index(), keys_.doorbell()};
    Argv args = {plain.to_message(), std::to_string(attempts), failures, job.id};
    if (old && !old->stream.empty()) {
      keys.push_back(old->stream);
      keys.push_back(keys_.judging());
      args.push_back(old->eid);
      broker_.eval(kRequeueScript, keys, args);
    } else {
      broker_.eval(kPutScript, keys, args);
    }
  }

  // Not a job: to the dead letters with the reason, never retried.
  void set_aside(const Entry& e, const std::string& why, const Log& log) {
    broker_.transaction(
        {{"XADD", keys_.dead_jobs(), "*", "reason", why, "stream", e.stream, "entry", e.eid,
          "fields", fields_json(e.fields), "buried_at", std::to_string(unix_seconds())},
         {"XACK", e.stream, kWorkersGroup, e.eid},
         {"XDEL", e.stream, e.eid}});
    log("set aside entry " + e.eid + " of " + e.stream + " in " + keys_.dead_jobs() + ": " + why);
  }

  void hold(const Job& job, const Entry& e) {
    std::lock_guard lock(mutex_);
    held_[job.id] = Held{e.stream, e.eid};
  }

  Held end_lease(const Job& job) {
    std::lock_guard lock(mutex_);
    auto it = held_.find(job.id);
    if (it == held_.end()) throw std::logic_error("no lease on the job of " + job.id);
    Held h = it->second;
    held_.erase(it);
    return h;
  }

  // The heartbeat: alive for a lease, its state, and its leases renewed.
  void beat(Broker& broker) {
    std::unique_lock lock(mutex_);
    json w = {{"pid", static_cast<long>(getpid())},
              {"state", state_},
              {"since", since_},
              {"beat", unix_seconds()}};
    std::vector<Held> held;
    for (const auto& [id, h] : held_) held.push_back(h);
    lock.unlock();
    std::vector<Argv> commands = {
        {"SET", keys_.alive(me_), "1", "PX", std::to_string(static_cast<long long>(lease_ * 1000))},
        {"HSET", keys_.workers(), me_, w.dump()}};
    for (const auto& h : held)
      if (!h.stream.empty())
        commands.push_back({"XCLAIM", h.stream, kWorkersGroup, me_, "0", h.eid, "JUSTID"});
    for (const auto& argv : commands) broker.try_call(argv);
  }

  void heartbeat_loop() {
    Broker broker(broker_.url(), nullptr, false);
    std::unique_lock lock(mutex_);
    while (!closing_) {
      wake_.wait_for(lock, std::chrono::duration<double>(lease_ / 4));
      if (closing_) break;
      lock.unlock();
      try {
        beat(broker);
      } catch (const std::exception&) {
        // the broker is away: the next beat tries again
      }
      lock.lock();
    }
  }

  // Workers lost long ago, holding nothing, leave the list.
  void forget_lost_workers() {
    if (monotonic_seconds() - last_forget_ < lease_) return;
    last_forget_ = monotonic_seconds();
    for (const auto& [worker, state] : broker_.call({"HGETALL", keys_.workers()}).pairs()) {
      json w = json::parse(state, nullptr, false);
      double beat = w.is_object() ? w.value("beat", 0.0) : 0.0;
      if (unix_seconds() - beat < kForgetLostSeconds) continue;
      if (broker_.call({"EXISTS", keys_.alive(worker)}).integer() > 0) continue;
      bool holds = false;
      for (Priority p : kTakingOrder)
        holds =
            holds ||
            group_call({"XPENDING", keys_.jobs(p), kWorkersGroup, "-", "+", "1", worker}).size() >
                0;
      if (!holds) broker_.call({"HDEL", keys_.workers(), worker});
    }
  }

  Instance inst_;
  RedisKeys keys_;
  double lease_;
  std::string me_;
  Broker broker_;  // the main thread's
  double last_forget_ = 0;
  // Shared with the heartbeat thread, under mutex_.
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Held> held_;
  std::string state_;
  double since_ = 0;
  bool closing_ = false;
  std::thread heartbeat_;
};

QueueFacts RedisJobQueue::facts() {
  QueueFacts f;
  for (const auto& [worker, state] : broker_.call({"HGETALL", keys_.workers()}).pairs()) {
    json w = json::parse(state, nullptr, false);
    if (!w.is_object()) continue;
    WorkerFacts wf{w.value("pid", 0L),
                   w.value("state", std::string()),
                   w.value("since", 0.0),
                   worker,
                   broker_.call({"EXISTS", keys_.alive(worker)}).integer() == 0,
                   w.value("beat", 0.0)};
    f.workers.push_back(std::move(wf));
  }
  std::sort(f.workers.begin(), f.workers.end(),
            [](const WorkerFacts& a, const WorkerFacts& b) { return a.name < b.name; });
  double now = unix_seconds();
  for (Priority p : kTakingOrder) {
    const std::string stream = keys_.jobs(p);
    std::map<std::string, std::pair<std::string, long long>> pending;  // eid -> worker, deliveries
    RedisReply pel = group_call({"XPENDING", stream, kWorkersGroup, "-", "+", "100000"});
    std::map<std::string, double> idle;
    for (std::size_t i = 0; i < pel.size(); ++i) {
      pending[pel[i][0].str()] = {pel[i][1].str(), pel[i][3].integer()};
      idle[pel[i][0].str()] = static_cast<double>(pel[i][2].integer()) / 1000;
    }
    for (const Entry& e : entries_of(stream, broker_.call({"XRANGE", stream, "-", "+"}))) {
      std::string why;
      auto job = job_of(e, why);
      JobFacts j;
      j.id = job ? job->id : "(entry " + e.eid + ")";
      j.priority = p;
      j.attempts = job ? job->attempt : 0;
      j.since = std::atof(e.eid.c_str()) / 1000;  // the entry id's milliseconds
      if (job) j.failures = job->failures;
      auto it = pending.find(e.eid);
      if (it == pending.end()) {
        f.queued.push_back(std::move(j));
        continue;
      }
      j.attempts += static_cast<int>(it->second.second);
      j.holder_pid = pid_of(it->second.first);
      j.since = now - idle[e.eid];
      f.leased.push_back(std::move(j));
    }
  }
  for (const Entry& e :
       entries_of(keys_.dead_jobs(), broker_.call({"XRANGE", keys_.dead_jobs(), "-", "+"}))) {
    JobFacts j;
    j.since = std::atof(e.field("buried_at").c_str());
    std::string reason = e.field("reason");
    if (!reason.empty()) {  // not a job at all
      j.id = "(entry " + e.field("entry") + " of " + e.field("stream") + ")";
      j.failures.push_back("malformed: " + reason + ": " + e.field("fields"));
    } else {
      std::string why;
      Entry held{"", "", e.fields};
      auto job = job_of(held, why);
      j.id = e.field("id");
      if (job) {
        j.priority = job->priority;
        j.attempts = job->attempt;
        j.failures = job->failures;
      }
    }
    f.dead.push_back(std::move(j));
  }
  return f;
}

}  // namespace

std::unique_ptr<JobQueue> make_redis_job_queue(const Instance& inst) {
  return std::make_unique<RedisJobQueue>(inst);
}

}  // namespace pj::judge
