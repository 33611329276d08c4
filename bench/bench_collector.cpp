// How many verdict events one collector stores per second: the database
// alone, the outbox drain, and the whole path (outbox + queue + collector)
// with 1, 2 and 4 senders, with and without fsync; and what `submit`'s worker and collector
// processes add to one submission. Prints figures; not a test.
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "judge/engine/judge_submission.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/collector.hpp"
#include "judge/pipeline/emitter.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/report/events.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace pj::judge;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A throwaway instance under `base` (on the same disk as /tmp by default).
Instance make_instance(const fs::path& base, const std::string& tag, bool sync) {
  InstanceOptions o;
  o.name = "bench-" + std::to_string(getpid()) + "-" + tag;
  o.state_dir = (base / o.name).string();
  o.no_sync = !sync;
  Instance inst = resolve_instance(o);
  open_transport(inst)->remove();
  return inst;
}

void remove_instance(const Instance& inst) {
  open_transport(inst)->remove();
  std::error_code ec;
  fs::remove_all(inst.state_dir, ec);
}

TestReport sample_test(std::size_t i) {
  TestReport t;
  t.name = "secret/" + std::to_string(i);
  t.verdict = Verdict::AC;
  t.time = 0.004;
  t.wall_time = 0.006;
  t.memory = 1900544;
  t.exit_code = 0;
  return t;
}

std::vector<StoredEvent> store_batch(std::size_t first, std::size_t n) {
  std::vector<StoredEvent> out;
  for (std::size_t i = first; i < first + n; ++i) {
    json j = encode_test_event(sample_test(i), i % 8);
    j.update({{"v", 1},
              {"type", "test"},
              {"id", "s" + std::to_string(i / 8)},
              {"seq", i % 8 + 3},
              {"ts", 1.0},
              {"pid", 1},
              {"uid", static_cast<std::int64_t>(geteuid())}});
    out.push_back({*parse_event(j.dump(), geteuid()).event, {}, {}});
  }
  return out;
}

void bench_store(const fs::path& base, bool sync, std::size_t total) {
  Instance inst = make_instance(base, sync ? "store-sync" : "store", sync);
  make_state_dirs(inst);
  ResultStore store = ResultStore::open_writer(inst.db_path, sync);
  auto start = Clock::now();
  for (std::size_t i = 0; i < total; i += 256) store.ingest(store_batch(i, 256));
  double s = seconds_since(start);
  std::printf("database only, %-22s %6zu events in %6.2f s = %8.0f events/s\n",
              sync ? "synchronous=FULL:" : "synchronous=OFF:", total, s, total / s);
  remove_instance(inst);
}

// `senders` threads, each a judge sending whole submissions of 8 tests.
void send_all(const Instance& inst, int senders, std::size_t submissions_each) {
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t)
    threads.emplace_back([&inst, t, submissions_each] {
      std::unique_ptr<EventSink> sink = open_transport(inst)->event_sink();
      for (std::size_t s = 0; s < submissions_each; ++s) {
        std::string id = "t" + std::to_string(t) + "s" + std::to_string(s);
        SubmissionEmitter::for_new(*sink, id).queued(
            {"aplusb", "A plus B", "/p", "sol.c", "c", "C", 8, false, {}});
        SubmissionEmitter ev = SubmissionEmitter::for_judge(*sink, id);
        ev.compiling(1);
        CompileReport c;
        c.ok = true;
        c.cached = true;
        ev.on_compiled(c);
        SubmissionReport r;
        r.tests_total = 8;
        for (std::size_t i = 0; i < 8; ++i) {
          r.tests.push_back(sample_test(i));
          ev.on_test(r.tests.back(), i, 8);
        }
        ev.final(r);
      }
    });
  for (auto& t : threads) t.join();
}

// Events per second through outbox, queue and collector; `before` is the
// figure of the collector of one event per message (README, Figures), 0
// where it was not measured.
void bench_pipeline(const fs::path& base, bool sync, int senders, std::size_t submissions_each,
                    double before) {
  Instance inst = make_instance(base, sync ? "pipe-sync" : "pipe", sync);
  std::size_t total = senders * submissions_each * 12;
  {
    Collector collector(inst, {},
                        [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); });
    std::atomic<bool> stop{false};
    std::thread loop([&] { collector.run(stop); });
    auto start = Clock::now();
    send_all(inst, senders, submissions_each);
    double sent = seconds_since(start);
    while (collector.stats().stored < total)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    double s = seconds_since(start);
    stop = true;
    loop.join();
    char was[32] = "not measured";
    if (before > 0) std::snprintf(was, sizeof was, "%.0f/s", before);
    std::printf(
        "outbox+queue+collector, %-9s %d sender%s: %6zu events in %6.2f s = %8.0f events/s "
        "(senders done after %.2f s; before %s, goal %d/s)\n",
        sync ? "fsync," : "no fsync,", senders, senders == 1 ? " " : "s", total, s, total / s, sent,
        was, sync ? 5000 : 20000);
  }
  remove_instance(inst);
}

void bench_drain(const fs::path& base, bool sync, std::size_t submissions) {
  Instance inst = make_instance(base, sync ? "drain-sync" : "drain", sync);
  send_all(inst, 1, submissions);  // no collector yet: everything waits in the outbox
  Collector collector(inst, {},
                      [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); });
  auto start = Clock::now();
  std::size_t n = collector.recover();
  double s = seconds_since(start);
  std::printf("outbox drain at start, %-11s %6zu events in %6.2f s = %8.0f events/s\n",
              sync ? "fsync:" : "no fsync:", n, s, n / s);
  remove_instance(inst);
}

double run_seconds(const std::vector<std::string>& argv) {
  std::fflush(stdout);
  auto start = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return seconds_since(start);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// `submit` (worker child + private collector) against judging in-process.
void bench_submit_overhead(const fs::path& pipejudge) {
  if (!fs::exists(pipejudge)) return;
  fs::path root = PIPEJUDGE_SOURCE_DIR;
  fs::path problem_dir = root / "problems" / "aplusb";
  fs::path file = problem_dir / "submissions" / "accepted" / "sol.c";
  LanguageTable languages = LanguageTable::load_default();
  Problem problem = load_problem(problem_dir);
  Submission submission = load_submission(file, "", languages);
  SubmissionReport warm = judge_submission(problem, submission, {});  // fills the compile cache
  if (warm.verdict != Verdict::AC) {
    std::printf("submit overhead: not measured, in-process judging says %s: %s\n",
                verdict_code(warm.verdict), warm.reason.c_str());
    return;
  }
  std::vector<double> in_process, via_submit;
  for (int i = 0; i < 7; ++i) {
    auto start = Clock::now();
    judge_submission(problem, submission, {});
    in_process.push_back(seconds_since(start));
    via_submit.push_back(run_seconds(
        {pipejudge.string(), "submit", "--problem", problem_dir.string(), file.string()}));
  }
  double a = median(in_process), b = median(via_submit);
  std::printf(
      "submit aplusb/sol.c (8 tests), median of 7: judged in-process %.3f s, "
      "pipejudge submit %.3f s: %+.0f ms for processes, queue, outbox, database "
      "(%.1fx, goal 1.25x)\n",
      a, b, (b - a) * 1000, b / a);
}

}  // namespace

// `bench_collector pipeline`: the outbox+queue+collector lines only.
int main(int argc, char** argv) {
  fs::path base = fs::temp_directory_path();
  bool pipeline_only = argc > 1 && std::string(argv[1]) == "pipeline";
  std::printf("pipejudge collector throughput (state in %s)\n", base.c_str());
  if (!pipeline_only) {
    bench_store(base, false, 20000);
    bench_store(base, true, 20000);
    bench_drain(base, false, 500);
    bench_drain(base, true, 100);
  }
  // Before: README's figures for the collector of one event per message and
  // transaction of whatever the 10-message queue held.
  bench_pipeline(base, false, 1, 500, 7680);
  bench_pipeline(base, false, 2, 500, 4892);
  bench_pipeline(base, false, 4, 500, 0);
  bench_pipeline(base, true, 1, 100, 0);
  bench_pipeline(base, true, 2, 100, 1187);
  bench_pipeline(base, true, 4, 100, 0);
  // An outbox file is made and removed per group of events. On ext4
  // without a journal a new inode skips every one freed in the last 5-35 s,
  // so there these lines fall with the events before them, whatever the
  // senders; the same lines on a tmpfs show the pipeline itself.
  struct statfs shm {};
  if (base != "/dev/shm" && statfs("/dev/shm", &shm) == 0 && shm.f_type == TMPFS_MAGIC) {
    std::printf("the same, state in /dev/shm (tmpfs):\n");
    for (int senders : {1, 2, 4}) bench_pipeline("/dev/shm", false, senders, 500, 0);
  }
  if (!pipeline_only) bench_submit_overhead(fs::path(argv[0]).parent_path() / "pipejudge");
  return 0;
}
