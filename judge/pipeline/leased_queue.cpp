#include "judge/pipeline/leased_queue.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <system_error>

#include "judge/engine/error.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/mq.hpp"
#include "judge/report/events.hpp"
#include "sandbox/fd.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

constexpr std::size_t kMaxRecordBytes = 64 << 10;
// The jobs are files; the queue only rings ("job"). Small messages keep its
// charge to the owner's queue memory (RLIMIT_MSGQUEUE) at about 1 KiB.
constexpr long kDoorbellBytes = 64;
constexpr double kRescanSeconds = 0.1;  // a ring can be lost or taken by another

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// The record of a job file:
// {"job": <Job::to_message()>, "queued_as", "enqueued_at", "attempts",
//  "failures": [...], "leased_by", "leased_at", "buried_at"}.
struct Record {
  json data;
  Job job;
};

std::optional<Record> parse_record(const std::string& text, std::string& why) {
  Record r;
  r.data = json::parse(text, nullptr, false);
  if (r.data.is_discarded() || !r.data.is_object() || !r.data.contains("job") ||
      !r.data["job"].is_object() || !r.data.value("queued_as", json()).is_string() ||
      !r.data.value("attempts", json()).is_number_integer() ||
      !r.data.value("failures", json()).is_array()) {
    why = "not a job record";
    return std::nullopt;
  }
  auto job = Job::parse(r.data["job"].dump(), geteuid(), why);
  if (!job) return std::nullopt;
  r.job = std::move(*job);
  r.job.attempt = r.data["attempts"].get<int>();
  for (const auto& f : r.data["failures"])
    if (f.is_string()) r.job.failures.push_back(f.get<std::string>());
  return r;
}

std::string read_fd(int fd) {
  std::string text(kMaxRecordBytes + 1, '\0');
  ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  if (n < 0) fail("cannot read a job file");
  text.resize(static_cast<std::size_t>(n));
  return text;
}

void write_fd(int fd, const json& data, bool sync) {
  std::string text = data.dump();
  if (::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size()) ||
      ::ftruncate(fd, static_cast<off_t>(text.size())) != 0 || (sync && ::fsync(fd) != 0))
    fail("cannot write a job file");
}

// The id in a queued file's name, "<digits>-<id>.job".
std::string id_of(const std::string& name) {
  std::string stem = name.substr(0, name.size() - 4);
  return stem.substr(stem.find('-') + 1);
}

std::vector<std::string> job_files(const fs::path& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string name = e.path().filename().string();
    if (name.size() > 4 && name.ends_with(".job") && !is_temporary_name(name))
      names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

class LeasedJobQueue : public JobQueue {
 public:
  explicit LeasedJobQueue(const Instance& inst)
      : inst_(inst),
        root_(inst.state_dir / "jobs"),
        doorbell_(MessageQueue::open_or_create(inst.jobs_queue(), kDoorbellBytes)) {
    make_state_dirs(inst_);
    for (const char* d : {"", "queued", "leased", "dead", "rejected", "cancel", "workers"}) {
      std::error_code ec;
      fs::create_directory(root_ / d, ec);
      fs::permissions(root_ / d, fs::perms::owner_all, ec);
    }
  }

  bool put(const Job& job, const std::atomic<bool>&) override {
    std::string message = job.to_message();
    if (message.size() > kMaxJobBytes)
      throw ConfigError(job.file, "path too long for the submission queue");
    char prefix[40];
    std::snprintf(prefix, sizeof prefix, "%d%020lld-", 9 - static_cast<int>(job.priority),
                  static_cast<long long>(unix_seconds() * 1e9));
    std::string name = prefix + job.id + ".job";
    json record = {{"job", json::parse(message)},
                   {"queued_as", name},
                   {"enqueued_at", unix_seconds()},
                   {"attempts", 0},
                   {"failures", json::array()}};
    write_file_atomically(dir("queued"), name, record.dump(), inst_.sync);
    ring();
    return true;
  }

  std::optional<Job> take(double timeout, const Log& log) override {
    double deadline = monotonic_seconds() + timeout;
    for (;;) {
      if (auto job = claim_next(log)) return job;
      double left = deadline - monotonic_seconds();
      if (left <= 0) return std::nullopt;
      // A signal ends the wait: the caller may have been told to stop.
      if (doorbell_.receive(std::min(left, kRescanSeconds)).status ==
          MessageQueue::Status::Interrupted)
        return claim_next(log);
    }
  }

  void judging(const Job& job) override {
    Lease& lease = leases_.at(job.id);
    lease.data["judging"] = true;
    lease.data["attempts"] = job.attempt;  // this one counts from here on
    write_fd(lease.fd.get(), lease.data, inst_.sync);
  }

  void acknowledge(const Job& job) override {
    Lease lease = end_lease(job);
    if (::unlink(leased_path(job.id).c_str()) != 0 && errno != ENOENT)
      fail("cannot remove " + leased_path(job.id).string());
    std::error_code ec;
    fs::remove(dir("cancel") / job.id, ec);
  }

  Cancel cancel(const std::string& id, std::optional<Job>& removed) override {
    // Queued: taken off as a worker would take it. A worker may be taking
    // it at this very moment: then it is leased, and its worker is asked.
    for (int tries = 0; tries < 50; ++tries) {
      bool queued = false;
      for (const auto& name : job_files(dir("queued"))) {
        if (id_of(name) != id) continue;
        queued = true;
        if (auto job = claim(name, [](const std::string&) {})) {
          removed = std::move(job);
          return Cancel::Removed;
        }
      }
      std::error_code ec;
      if (fs::exists(leased_path(id), ec)) {
        write_file_atomically(dir("cancel"), id, "cancel\n", inst_.sync);
        return Cancel::Stopping;
      }
      if (!queued) return Cancel::NotQueued;
      ::usleep(10000);
    }
    return Cancel::NotQueued;
  }

  bool cancelled(const Job& job) override {
    std::error_code ec;
    return fs::exists(dir("cancel") / job.id, ec);
  }

  void release(const Job& job) override {
    Lease lease = end_lease(job);
    lease.data["attempts"] = std::max(0, job.attempt - 1);  // this one does not count
    lease.data.erase("leased_by");
    lease.data.erase("judging");
    write_fd(lease.fd.get(), lease.data, inst_.sync);
    move_back(job.id, lease.data);
  }

  std::vector<Job> expired(const Log& log) override {
    std::vector<Job> found;
    for (const auto& name : job_files(dir("leased"))) {
      std::string id = name.substr(0, name.size() - 4);
      if (leases_.count(id)) continue;
      sandbox::UniqueFd fd(::open((dir("leased") / name).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
      if (!fd || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) continue;  // gone, or its taker lives
      struct stat st {};
      if (::fstat(fd.get(), &st) != 0 || st.st_nlink == 0) continue;  // acknowledged meanwhile
      std::string why;
      auto record = parse_record(read_fd(fd.get()), why);
      if (!record || record->job.id != id) {
        reject("leased", name, record ? "its name does not match its job" : why, log);
        continue;
      }
      Job job = record->job;
      if (!record->data.value("judging", false)) {  // died before judging it: no attempt spent
        write_fd(fd.get(), record->data, inst_.sync);
        move_back(id, record->data);
        log("submission " + id + ": its worker died before judging it; back in the queue");
        continue;
      }
      job.failures.push_back("attempt " + std::to_string(job.attempt) + ": its worker (pid " +
                             std::to_string(record->data.value("leased_by", 0L)) +
                             ") died while judging it");
      leases_.emplace(id, Lease{std::move(fd), std::move(record->data)});
      found.push_back(std::move(job));
    }
    return found;
  }

  void requeue(const Job& job) override {
    Lease lease = end_lease(job);
    lease.data["failures"] = job.failures;
    lease.data.erase("leased_by");
    lease.data.erase("judging");
    write_fd(lease.fd.get(), lease.data, inst_.sync);
    move_back(job.id, lease.data);
  }

  void bury(const Job& job) override {
    Lease lease = end_lease(job);
    lease.data["failures"] = job.failures;
    lease.data["buried_at"] = unix_seconds();
    write_fd(lease.fd.get(), lease.data, inst_.sync);
    if (::rename(leased_path(job.id).c_str(), (dir("dead") / (job.id + ".job")).c_str()) != 0)
      fail("cannot move the job of " + job.id + " to the dead letters");
  }

  void worker_state(const std::string& state) override {
    if (!me_) {
      fs::path file = dir("workers") / (std::to_string(::getpid()) + ".json");
      me_ = sandbox::UniqueFd(
          ::open(file.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
      if (!me_ || ::flock(me_.get(), LOCK_EX) != 0) fail("cannot open " + file.string());
    }
    write_fd(me_.get(), {{"pid", ::getpid()}, {"state", state}, {"since", unix_seconds()}}, false);
  }

  QueueFacts facts() override {
    QueueFacts f;
    for (const auto& e : fs::directory_iterator(dir("workers"))) {
      sandbox::UniqueFd fd(::open(e.path().c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
      if (!fd) continue;
      if (::flock(fd.get(), LOCK_SH | LOCK_NB) == 0) {  // its worker is gone
        std::error_code ec;
        fs::remove(e.path(), ec);
        continue;
      }
      json w = json::parse(read_fd(fd.get()), nullptr, false);
      if (!w.is_object()) continue;
      f.workers.push_back({w.value("pid", 0L),
                           w.value("state", std::string()),
                           w.value("since", 0.0),
                           {},
                           false,
                           0});
    }
    std::sort(f.workers.begin(), f.workers.end(),
              [](const WorkerFacts& a, const WorkerFacts& b) { return a.pid < b.pid; });
    auto read = [&](const char* where, std::vector<JobFacts>& into) {
      for (const auto& name : job_files(dir(where))) {
        std::optional<std::string> text;
        try {
          text = read_owned_file(dir(where) / name, geteuid(), kMaxRecordBytes);
        } catch (const std::exception&) {
        }
        std::string why;
        auto r = text ? parse_record(*text, why) : std::nullopt;
        if (!r) continue;
        JobFacts j{r->job.id, r->job.priority, r->job.attempt, r->data.value("enqueued_at", 0.0),
                   0,         r->job.failures};
        if (std::string(where) == "leased") {
          j.since = r->data.value("leased_at", 0.0);
          j.holder_pid = r->data.value("leased_by", 0L);
        } else if (std::string(where) == "dead") {
          j.since = r->data.value("buried_at", 0.0);
        }
        into.push_back(std::move(j));
      }
    };
    read("queued", f.queued);
    read("leased", f.leased);
    read("dead", f.dead);
    return f;
  }

 private:
  struct Lease {
    sandbox::UniqueFd fd;  // holds the flock
    json data;
  };

  fs::path dir(const char* name) const { return root_ / name; }
  fs::path leased_path(const std::string& id) const { return dir("leased") / (id + ".job"); }

  void ring() {
    try {
      doorbell_.send("job", 0);
    } catch (const std::exception&) {
      // a full doorbell wakes takers all the same; they rescan anyway
    }
  }

  // The first queued job whose file this process locks and moves to leased/.
  std::optional<Job> claim_next(const Log& log) {
    for (const auto& name : job_files(dir("queued")))
      if (auto job = claim(name, log)) return job;
    return std::nullopt;
  }

  // The queued job file `name`, if this process locks it and moves it to leased/.
  std::optional<Job> claim(const std::string& name, const Log& log) {
    sandbox::UniqueFd fd(::open((dir("queued") / name).c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW));
    if (!fd || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return std::nullopt;  // another's
    std::string id = id_of(name);
    if (!valid_submission_id(id)) {
      reject("queued", name, "not a job file name", log);
      return std::nullopt;
    }
    if (::rename((dir("queued") / name).c_str(), leased_path(id).c_str()) != 0) return std::nullopt;
    std::string why;
    auto record = parse_record(read_fd(fd.get()), why);
    if (!record || record->job.id != id) {
      reject("leased", id + ".job", record ? "its name does not match its job" : why, log);
      return std::nullopt;
    }
    record->data["leased_by"] = static_cast<long>(::getpid());
    record->data["leased_at"] = unix_seconds();
    // Not fsynced: who leased it is for people and is known from the lock;
    // the attempt is counted by judging(), durably, when the judging starts.
    write_fd(fd.get(), record->data, false);
    Job job = std::move(record->job);
    job.attempt += 1;
    leases_.emplace(job.id, Lease{std::move(fd), std::move(record->data)});
    return job;
  }

  Lease end_lease(const Job& job) {
    auto it = leases_.find(job.id);
    if (it == leases_.end()) throw std::logic_error("no lease on the job of " + job.id);
    Lease lease = std::move(it->second);
    leases_.erase(it);
    return lease;
  }

  void move_back(const std::string& id, const json& data) {
    fs::path to = dir("queued") / data["queued_as"].get<std::string>();
    if (::rename(leased_path(id).c_str(), to.c_str()) != 0)
      fail("cannot put the job of " + id + " back in the queue");
    ring();
  }

  // A file that is not a job: set aside with the reason, never retried.
  void reject(const char* where, const std::string& name, const std::string& why, const Log& log) {
    std::error_code ec;
    fs::rename(dir(where) / name, dir("rejected") / name, ec);
    try {
      write_file_atomically(dir("rejected"), name + ".why", why + "\n", inst_.sync);
    } catch (const std::exception&) {
    }
    log("set aside " + (dir(where) / name).string() + " in " + dir("rejected").string() + ": " +
        why);
  }

  Instance inst_;
  fs::path root_;
  MessageQueue doorbell_;
  std::map<std::string, Lease> leases_;
  sandbox::UniqueFd me_;  // this worker's state file, locked while it lives
};

}  // namespace

std::unique_ptr<JobQueue> make_leased_job_queue(const Instance& inst) {
  return std::make_unique<LeasedJobQueue>(inst);
}

}  // namespace pj::judge
