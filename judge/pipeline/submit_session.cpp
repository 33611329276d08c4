#include "judge/pipeline/submit_session.hpp"

#include <linux/magic.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <vector>

#include "judge/engine/error.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/enqueue.hpp"
#include "judge/pipeline/follower.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/pipeline/store_watch.hpp"
#include "judge/pipeline/worker.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

// The follower wakes when the collector stores an event or a process it
// depends on ends (StoreWatch); this is only how long it sleeps at most
// (a shared collector's absence, an event that will never come).
constexpr auto kWakeAtLeastEvery = std::chrono::milliseconds(100);
constexpr int kMaxCollectorStarts = 3;
// How long a shared collector may be gone before submit gives up waiting.
constexpr double kSharedCollectorGrace = 10.0;

// A private instance lives as long as the command, and each of its events is
// a file made and removed in the outbox: on a disk file system that is a new
// inode each time (ext4 looks past recently freed ones: hundreds of
// microseconds per event). So /dev/shm when it is a tmpfs we may write and
// TMPDIR names no other place; else the temporary directory.
fs::path make_temp_state_dir() {
  std::vector<fs::path> places;
  struct statfs shm {};
  if (!std::getenv("TMPDIR") && statfs("/dev/shm", &shm) == 0 && shm.f_type == TMPFS_MAGIC &&
      access("/dev/shm", W_OK) == 0)
    places.push_back("/dev/shm");
  places.push_back(fs::temp_directory_path());
  std::string tmpl;
  for (const auto& place : places) {
    tmpl = (place / "pipejudge-submit-XXXXXX").string();
    if (mkdtemp(tmpl.data())) return tmpl;
  }
  throw ConfigError(tmpl, "cannot create a temporary directory");
}

}  // namespace

SubmitSession::SubmitSession(bool shared, const InstanceOptions& options) : shared_(shared) {
  if (shared_) {
    inst_ = resolve_instance(options);
    check_broker(inst_);
    transport_ = open_transport(inst_);
    if (!collector_running(inst_))
      throw ConfigError(inst_.state_dir.string(),
                        "no collector is running for instance " + inst_.name +
                            " (start one with: pipejudge collector --instance " + inst_.name + ")");
    return;
  }
  InstanceOptions mine;
  mine.name = "submit-" + std::to_string(getpid());
  mine.state_dir = make_temp_state_dir().string();
  mine.no_sync = true;              // the directory goes when we do: no crash could matter to it
  mine.broker_from_config = false;  // judged here, by a collector of its own
  try {
    inst_ = resolve_instance(mine);
    transport_ = open_transport(inst_);
    start_private_collector();
  } catch (...) {
    std::error_code ec;
    fs::remove_all(mine.state_dir, ec);
    throw;
  }
}

SubmitSession::~SubmitSession() {
  if (shared_) return;
  // Its database is about to be deleted: nothing to shut down cleanly for.
  if (collector_) collector_->stop(SIGKILL, 0);
  remove_private_state();
}

void SubmitSession::remove_private_state() {
  transport_->remove();
  std::error_code ec;
  fs::remove_all(inst_.state_dir, ec);
}

std::filesystem::path SubmitSession::store_notices_fifo() const {
  return inst_.state_dir / "stored.fifo";
}

// Starts it without waiting: events sent before its queue exists wait in
// the outbox, which it drains once the queue is open.
void SubmitSession::start_private_collector() {
  ++collector_starts_;
  collector_ready_ = false;
  collector_ = ChildProcess::spawn_self(
      {"collector", "--instance", inst_.name, "--state-dir", inst_.state_dir.string(), "--no-sync",
       "--quiet", "--store-notices", store_notices_fifo().string()},
      ChildProcess::Stdout::Pipe);
}

// It prints "ready ..." once its queue and database are open.
void SubmitSession::wait_until_collector_ready() {
  if (shared_ || collector_ready_) return;
  auto line = collector_->read_line();
  if (!line || line->rfind("ready", 0) != 0) {
    collector_->wait();
    throw ConfigError(
        inst_.state_dir.string(),
        "the results collector for this run did not start (" + collector_->describe_exit() + ")");
  }
  collector_ready_ = true;
}

// A private collector that died is started again (it drains the outbox, so
// nothing it had not stored is lost); a shared one is waited for a while.
void SubmitSession::watch_collector(bool worker_done) {
  if (!shared_) {
    if (collector_->running()) return;
    if (collector_starts_ >= kMaxCollectorStarts)
      throw ConfigError(
          inst_.state_dir.string(),
          "the results collector for this run keeps dying (" + collector_->describe_exit() + ")");
    start_private_collector();
    wait_until_collector_ready();
    return;
  }
  if (collector_running(inst_)) {
    collector_missing_since_ = 0;
    return;
  }
  if (collector_missing_since_ == 0) collector_missing_since_ = monotonic_seconds();
  if (worker_done && monotonic_seconds() - collector_missing_since_ > kSharedCollectorGrace)
    throw ConfigError(inst_.state_dir.string(), "the collector of instance " + inst_.name +
                                                    " stopped; submission " + id_ + " waits in " +
                                                    inst_.outbox_dir().string() +
                                                    " and is stored when a collector runs again");
}

SubmissionReport SubmitSession::judge(const Problem& problem, const Submission& submission,
                                      const std::string& file_as_given, bool run_all,
                                      const std::string& cache_dir, JudgeObserver* observer) {
  const std::atomic<bool>& stop = stop_on_signals();
  std::unique_ptr<EventSink> sink = transport_->event_sink();
  Job job = accept_submission(*sink, problem, submission, file_as_given, run_all);
  id_ = job.id;
  WorkerOptions wopt;
  wopt.cache_dir = cache_dir;
  std::optional<RunSlot> slot = RunSlot::take(max_run_slots(), stop, [](const std::string& m) {
    std::fprintf(stderr, "pipejudge submit: %s\n", m.c_str());
  });
  if (!slot) throw Stopped{};
  wopt.slot = slot->number();
  // The worker is the critical path (the collector has been starting
  // meanwhile). Forked, not started anew: it has this process's problem and
  // languages at hand. The sink's writer, idle once `queued` is out, is the
  // only other thread.
  sink->flush();
  ChildProcess worker = ChildProcess::fork_call(
      [&] {
        run_job(job, inst_, wopt);
        return 0;
      },
      ChildProcess::Stdout::Null);
  wait_until_collector_ready();
  SubmissionReport base = report_header(problem, submission);
  base.submission = file_as_given;
  EventFollower follower(base, observer);
  std::optional<ResultStore> reader;
  TextLookup lookup = [&](const std::string& hash) { return reader->blob(hash).value_or(""); };
  auto nothing_pending = [&] { return sink->unstored(id_).empty(); };
  // Made before the first read: no store is missed. A collector of our own
  // tells us of its stores itself (an inotify watch costs ~10 ms to close).
  StoreWatch stored = shared_ ? StoreWatch(inst_.outbox_dir())
                              : StoreWatch(StoreWatch::Notices{store_notices_fifo()});
  bool worker_done = false;
  for (;;) {
    if (stop) throw Stopped{};
    if (!reader)
      if (auto opened = ResultStore::try_open_reader(inst_.db_path))
        reader.emplace(std::move(*opened));
    if (reader) {
      follower.add(reader->events(id_, follower.applied()));
      if (follower.advance(lookup, nothing_pending)) break;
    }
    if (!worker_done && !worker.running()) {
      worker_done = true;
      if (!worker.succeeded())
        report_worker_crash(*sink, inst_, id_, "worker " + worker.describe_exit());
    }
    watch_collector(worker_done);
    pid_t collector = !shared_ && collector_ ? collector_->pid() : -1;
    stored.wait({worker_done ? -1 : worker.pid(), collector}, stop, kWakeAtLeastEvery);
  }
  worker.wait();  // it exits right after sending its final
  return follower.report();
}

}  // namespace pj::judge
