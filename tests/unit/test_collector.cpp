// The collector with a real POSIX queue and outbox: nothing lost, malformed
// input logged and skipped, back-pressure on a full queue.
#include <mqueue.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "judge/engine/error.hpp"
#include "judge/pipeline/collector.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/emitter.hpp"
#include "judge/pipeline/follower.hpp"
#include "judge/pipeline/mq.hpp"
#include "judge/pipeline/outbox.hpp"
#include "judge/pipeline/submit_session.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/pipeline/worker.hpp"
#include "mq_test_support.hpp"
#include "scratch_dir.hpp"

using nlohmann::json;
using namespace pj::judge;
using Catch::Matchers::Contains;
using pj::judge::testing::TestInstance;
using namespace std::chrono_literals;

namespace {

// Collects the collector's warnings (it may log from its own thread).
class Warnings {
 public:
  Log log() {
    return [this](const std::string& m) {
      std::lock_guard lock(mutex_);
      lines_.push_back(m);
    };
  }
  std::string all() {
    std::lock_guard lock(mutex_);
    std::string s;
    for (const auto& l : lines_) s += l + "\n";
    return s;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

// A collector running on its own thread until destroyed.
class RunningCollector {
 public:
  RunningCollector(const Instance& inst, Warnings& w, CollectorOptions o = fast_options())
      : collector_(inst, o, w.log()) {
    collector_.recover();
    thread_ = std::thread([this] { collector_.run(stop_); });
  }
  ~RunningCollector() {
    stop_ = true;
    thread_.join();
  }
  static CollectorOptions fast_options() {
    CollectorOptions o;
    o.idle_rescan_seconds = 0.05;
    o.retry_seconds = 0.05;
    return o;
  }
  const Collector& collector() const { return collector_; }

 private:
  Collector collector_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void send_raw(const std::string& queue, const std::string& message) {
  mqd_t q = mq_open(queue.c_str(), O_WRONLY);
  REQUIRE(q != static_cast<mqd_t>(-1));
  REQUIRE(mq_send(q, message.data(), message.size(), 0) == 0);
  mq_close(q);
}

std::string event_message(const std::string& id, std::int64_t seq, const char* type, json fields,
                          std::int64_t uid = geteuid()) {
  json j = {{"v", 1},    {"type", type},    {"id", id},  {"seq", seq},
            {"ts", 1.0}, {"pid", getpid()}, {"uid", uid}};
  j.update(fields);
  return j.dump();
}

// Waits until `pred` holds (up to 10 s).
template <typename Pred>
bool eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

std::size_t stored_events(const Instance& inst, const std::string& id) {
  return ResultStore::open_reader(inst.db_path).events(id).size();
}

std::size_t outbox_files(const Instance& inst) {
  return Outbox(inst.outbox_dir(), false).list().size();
}

// Events waiting in the outbox (a file may hold a group of them).
std::size_t outbox_events(const Instance& inst) {
  std::size_t n = 0;
  for (const auto& name : Outbox(inst.outbox_dir(), false).list())
    if (auto parsed = Outbox::parse_name(name)) n += parsed->count();
  return n;
}

// Sends a whole small submission: queued, compiling, compiled, tests, final.
void send_submission(EventSink& sink, const std::string& id, std::size_t tests) {
  SubmissionEmitter::for_new(sink, id).queued({"p", "P", "/p", "f.c", "c", "C", tests, true, {}});
  SubmissionEmitter ev = SubmissionEmitter::for_judge(sink, id);
  ev.compiling(1);
  CompileReport c;
  c.ok = true;
  ev.on_compiled(c);
  SubmissionReport r;
  r.tests_total = tests;
  for (std::size_t i = 0; i < tests; ++i) {
    TestReport t;
    t.name = "t" + std::to_string(i);
    t.verdict = Verdict::AC;
    r.tests.push_back(t);
    ev.on_test(t, i, tests);
  }
  r.verdict = Verdict::AC;
  ev.final(r);
}

}  // namespace

TEST_CASE("events sent with no collector wait in the outbox and are stored at its start",
          "[collector]") {
  TestInstance t;
  auto sink = open_transport(t.inst)->event_sink();
  send_submission(*sink, "late1", 3);
  CHECK(outbox_events(t.inst) == 7);
  Warnings w;
  Collector c(t.inst, RunningCollector::fast_options(), w.log());
  CHECK(c.recover() == 7);
  CHECK(outbox_files(t.inst) == 0);
  CHECK(stored_events(t.inst, "late1") == 7);
  CHECK(w.all().empty());
}

TEST_CASE("events sent to a running collector are stored and leave the outbox", "[collector]") {
  TestInstance t;
  Warnings w;
  RunningCollector rc(t.inst, w);
  auto sink = open_transport(t.inst)->event_sink();
  for (int i = 0; i < 20; ++i) send_submission(*sink, "live" + std::to_string(i), 4);
  REQUIRE(eventually([&] { return rc.collector().stats().stored == 20 * 8; }));
  CHECK(eventually([&] { return outbox_files(t.inst) == 0; }));
  CHECK(rc.collector().stats().rejected == 0);
  auto d = ResultStore::open_reader(t.inst.db_path).find("live7");
  REQUIRE(d);
  CHECK(d->row.verdict == "AC");
  CHECK(d->report.tests.size() == 4);
}

TEST_CASE("malformed queue messages are logged with the reason and skipped", "[collector]") {
  TestInstance t;
  Warnings w;
  RunningCollector rc(t.inst, w);
  send_raw(t.inst.queue, "{this is not json");
  send_raw(t.inst.queue, event_message("m1", 0, "teleported", json::object()));
  send_raw(t.inst.queue,
           std::string(6000, ' ') + event_message("m1", 1, "compiling", json::object()));
  send_raw(t.inst.queue, event_message("m1", 2, "compiling", json::object(), geteuid() + 1000));
  send_raw(t.inst.queue, event_message("m1", 3, "test", {{"name", "x"}}));
  // Still running: a good event after the bad ones is stored.
  send_raw(t.inst.queue, event_message("m1", 4, "compiling", json::object()));
  REQUIRE(eventually([&] { return rc.collector().stats().stored == 1; }));
  CHECK(rc.collector().stats().rejected == 5);
  std::string log = w.all();
  CHECK_THAT(log, Contains("not valid JSON"));
  CHECK_THAT(log, Contains("unknown event type 'teleported'"));
  CHECK_THAT(log, Contains("too large"));
  CHECK_THAT(log, Contains("unexpected sender"));
  CHECK_THAT(log, Contains("missing field"));
  CHECK(stored_events(t.inst, "m1") == 1);
}

TEST_CASE("malformed outbox files are moved aside with the reason logged", "[collector]") {
  TestInstance t;
  make_state_dirs(t.inst);
  auto put = [&](const std::string& name, const std::string& content) {
    std::ofstream(t.inst.outbox_dir() / name) << content;
  };
  put("bad1.0000000000.json", "garbage");
  put("bad2.0000000000.json", event_message("other", 0, "compiling", json::object()));
  put("notes.txt", "hello");
  put("bad3.0000000000.json", std::string(kMaxEventBytes + 1, ' '));
  put("good.0000000001.json", event_message("good", 1, "compiling", json::object()));
  bool as_root = geteuid() == 0;
  if (as_root) {
    put("foreign.0000000000.json", event_message("foreign", 0, "compiling", json::object()));
    REQUIRE(chown((t.inst.outbox_dir() / "foreign.0000000000.json").c_str(), 4242, 4242) == 0);
  }
  Warnings w;
  Collector c(t.inst, RunningCollector::fast_options(), w.log());
  CHECK(c.recover() == 1);
  std::string log = w.all();
  CHECK_THAT(log, Contains("not valid JSON"));
  CHECK_THAT(log, Contains("does not match"));
  CHECK_THAT(log, Contains("not an event file name"));
  CHECK_THAT(log, Contains("too large"));
  if (as_root) CHECK_THAT(log, Contains("unexpected sender: owned by uid 4242"));
  CHECK(outbox_files(t.inst) == 0);
  auto rejected = Outbox(t.inst.outbox_dir() / "rejected", false).list();
  CHECK(rejected.size() == (as_root ? 5u : 4u));
  CHECK(c.recover() == 0);  // not retried, not logged again
  CHECK(w.all() == log);
}

TEST_CASE("a stale queue is reused and its unread events stored", "[collector]") {
  TestInstance t;
  {
    // A collector that died: its queue stays, holding messages nobody read
    // (and, here, no outbox copy at all).
    auto q = MessageQueue::open_or_create(t.inst.queue);
    q.send(event_message("stale", 0, "compiling", json::object()), 0);
    q.send(event_message("stale", 1, "compiling", json::object()), 0);
  }
  Warnings w;
  RunningCollector rc(t.inst, w);
  REQUIRE(eventually([&] { return rc.collector().stats().stored == 2; }));
  CHECK(stored_events(t.inst, "stale") == 2);
}

TEST_CASE("the jobs queue only rings: its messages are small, and so is its memory charge",
          "[collector]") {
  TestInstance t;
  std::unique_ptr<JobQueue> jobs = open_transport(t.inst)->job_queue();
  mqd_t q = mq_open(t.inst.jobs_queue().c_str(), O_RDONLY);
  REQUIRE(q != static_cast<mqd_t>(-1));
  mq_attr attr{};
  REQUIRE(mq_getattr(q, &attr) == 0);
  mq_close(q);
  CHECK(attr.mq_msgsize == 64);
  // An events queue must hold a group of events: a small one is refused.
  MessageQueue::unlink(t.inst.queue);
  MessageQueue::open_or_create(t.inst.queue, 64);
  CHECK_THROWS_WITH(MessageQueue::open_or_create(t.inst.queue), Catch::Contains("too small"));
}

TEST_CASE("a second collector for the same instance is refused", "[collector]") {
  TestInstance t;
  Warnings w;
  Collector first(t.inst, {}, w.log());
  CHECK(collector_running(t.inst));
  CHECK_THROWS_AS(Collector(t.inst, {}, w.log()), ConfigError);
}

TEST_CASE("a collector whose database cannot be opened fails at start", "[collector]") {
  TestInstance t;
  Instance bad = t.inst;
  bad.db_path = t.inst.state_dir / "missing-dir" / "results.db";
  Warnings w;
  CHECK_THROWS_AS(Collector(bad, {}, w.log()), StoreError);
  CHECK_FALSE(collector_running(bad));  // and it let go of the instance
}

TEST_CASE("a full queue makes the sender wait while a collector runs, never drop", "[collector]") {
  TestInstance t;
  make_state_dirs(t.inst);
  // Play the collector: hold its lock and its queue, read nothing yet.
  auto lock = CollectorLock::try_acquire(t.inst);
  REQUIRE(lock);
  auto q = MessageQueue::open_or_create(t.inst.queue);
  auto sink = open_transport(t.inst)->event_sink();
  auto ev = SubmissionEmitter::for_new(*sink, "bp");
  for (long i = 0; i < MessageQueue::kMaxMessages; ++i) {
    ev.compiling(1);
    sink->flush();  // one message each
  }
  ev.compiling(1);  // handed over: written, then its sending waits
  auto blocked = std::async(std::launch::async, [&] { sink->flush(); });
  CHECK(blocked.wait_for(500ms) == std::future_status::timeout);   // waiting, not dropped
  CHECK(outbox_events(t.inst) == MessageQueue::kMaxMessages + 1);  // and durable meanwhile
  CHECK(q.receive(0).status == MessageQueue::Status::Ok);          // make room
  CHECK(blocked.wait_for(5s) == std::future_status::ready);
  CHECK(q.pending() == MessageQueue::kMaxMessages);
}

TEST_CASE("events handed over together are written as groups, and stored whole", "[collector]") {
  TestInstance t;
  auto sink = open_transport(t.inst)->event_sink();  // no collector yet: all wait in the outbox
  std::size_t events = 0;
  for (int s = 0; s < 3; ++s) {
    auto ev = SubmissionEmitter::for_judge(*sink, "g" + std::to_string(s));
    for (int i = 0; i < 40; ++i, ++events) ev.compiling(1);
  }
  sink->flush();
  std::size_t files = outbox_files(t.inst);
  CHECK(outbox_events(t.inst) == events);
  CHECK(files < events);  // one fsync covered many of them
  CHECK(files >= 3);      // at least one per submission
  for (const auto& name : Outbox(t.inst.outbox_dir(), false).list())
    CHECK(std::filesystem::file_size(t.inst.outbox_dir() / name) < MessageQueue::kMessageSize);
  Warnings w;
  Collector c(t.inst, RunningCollector::fast_options(), w.log());
  CHECK(c.recover() == events);
  CHECK(outbox_files(t.inst) == 0);
  for (int s = 0; s < 3; ++s) CHECK(stored_events(t.inst, "g" + std::to_string(s)) == 40);
  CHECK(w.all().empty());
}

TEST_CASE("a group with a malformed event is stored but for it, and its file set aside",
          "[collector]") {
  TestInstance t;
  make_state_dirs(t.inst);
  std::string lines = event_message("mixed", 1, "compiling", json::object()) + "\n" +
                      event_message("mixed", 2, "teleported", json::object()) + "\n" +
                      event_message("mixed", 3, "compiling", json::object());
  std::ofstream(t.inst.outbox_dir() / Outbox::file_name("mixed", 1, 3)) << lines;
  // A group whose name promises more events than it holds.
  std::ofstream(t.inst.outbox_dir() / Outbox::file_name("short", 1, 3))
      << event_message("short", 1, "compiling", json::object());
  // A message naming a group of events that are not the ones it holds.
  auto q = MessageQueue::open_or_create(t.inst.queue);
  q.send(Outbox::file_name("live", 1, 2) + "\n" +
             event_message("live", 1, "compiling", json::object()) + "\n" +
             event_message("live", 5, "compiling", json::object()),
         0);
  Warnings w;
  RunningCollector rc(t.inst, w);
  REQUIRE(eventually([&] { return rc.collector().stats().stored == 3; }));
  CHECK(eventually([&] { return rc.collector().stats().rejected == 3; }));
  CHECK(stored_events(t.inst, "mixed") == 2);
  CHECK(stored_events(t.inst, "live") == 1);
  std::string log = w.all();
  CHECK_THAT(log, Contains("unknown event type 'teleported'"));
  CHECK_THAT(log, Contains("holds 1 events, its name says 3"));
  CHECK_THAT(log, Contains("does not match"));
  CHECK(outbox_files(t.inst) == 0);
  auto rejected = Outbox(t.inst.outbox_dir() / "rejected", false).list();
  CHECK(rejected.size() == 2);
}

TEST_CASE("a full queue with no collector leaves the event in the outbox", "[collector]") {
  TestInstance t;
  make_state_dirs(t.inst);
  auto q = MessageQueue::open_or_create(t.inst.queue);  // stale: nobody reads it
  auto sink = open_transport(t.inst)->event_sink();
  auto ev = SubmissionEmitter::for_new(*sink, "nc");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 30; ++i) ev.compiling(1);
  sink->flush();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(outbox_events(t.inst) == 30);
  Warnings w;
  Collector c(t.inst, {}, w.log());
  CHECK(c.recover() == 30);
}

TEST_CASE("1 MiB of compiler output travels by reference and is stored whole", "[collector]") {
  TestInstance t;
  Warnings w;
  RunningCollector rc(t.inst, w);
  std::string diagnostics;
  for (int i = 0; diagnostics.size() < (1u << 20); ++i)
    diagnostics += "sol.cpp:" + std::to_string(i) + ":5: error: expected ';' before '}' token\n";
  diagnostics.resize(1u << 20);
  CompileReport c;
  c.ok = false;
  c.output = diagnostics;
  c.reason = "the compiler exited with status 1";
  auto sink = open_transport(t.inst)->event_sink();
  SubmissionEmitter::after(*sink, "ce1", 1).on_compiled(c);
  REQUIRE(eventually([&] { return rc.collector().stats().stored == 1; }));
  ResultStore reader = ResultStore::open_reader(t.inst.db_path);
  auto d = reader.find("ce1");
  REQUIRE(d);
  CHECK(d->report.compile.ok == false);
  CHECK(d->report.compile.output.size() == diagnostics.size());
  CHECK(d->report.compile.output == diagnostics);
  auto rows = reader.events("ce1");
  REQUIRE(rows.size() == 1);
  CHECK(blob_ref_hash(rows[0].body["output"]));  // the event itself holds only the reference
  CHECK(rows[0].body.dump().size() < 1024);
  CHECK(eventually([&] { return std::filesystem::is_empty(t.inst.blobs_dir()); }));
}

TEST_CASE("a database that refuses writes loses nothing: events wait in the outbox",
          "[collector]") {
  TestInstance t;
  Warnings w;
  std::string big(400000, 'd');
  {
    CollectorOptions small = RunningCollector::fast_options();
    small.max_db_bytes = 128 << 10;
    RunningCollector rc(t.inst, w, small);
    auto sink = open_transport(t.inst)->event_sink();
    send_submission(*sink, "ok1", 2);
    REQUIRE(eventually([&] { return rc.collector().stats().stored == 6; }));
    CompileReport c;
    c.output = big;  // too big for the capped database
    SubmissionEmitter::after(*sink, "full1", 1).on_compiled(c);
    sink->flush();
    REQUIRE(eventually([&] { return rc.collector().stats().store_failures >= 2; }));
    CHECK(outbox_events(t.inst) == 1);
  }
  CHECK_THAT(w.all(), Contains("cannot store"));
  Collector uncapped(t.inst, {}, w.log());
  CHECK(uncapped.recover() == 1);
  CHECK(ResultStore::open_reader(t.inst.db_path).find("full1")->report.compile.output == big);
}

TEST_CASE("a worker that died before its final verdict gets IE with the reason", "[collector]") {
  TestInstance t;
  auto sink = open_transport(t.inst)->event_sink();
  SubmissionEmitter::for_new(*sink, "crash1").queued({"p", "P", "/p", "f", "c", "C", 5, false, {}});
  SubmissionEmitter ev = SubmissionEmitter::for_judge(*sink, "crash1");
  ev.compiling(1);
  CompileReport c;
  c.ok = true;
  ev.on_compiled(c);
  TestReport slow;
  slow.name = "t0";
  slow.verdict = Verdict::AC;
  slow.time = 0.5;
  slow.memory = 1000;
  ev.on_test(slow, 0, 5);
  {
    // Some of it already stored, some still in the outbox.
    Warnings w;
    Collector collector(t.inst, {}, w.log());
    collector.recover();
  }
  ev.on_test(slow, 1, 5);
  report_worker_crash(*sink, t.inst, "crash1", "worker killed by SIGSEGV");
  report_worker_crash(*sink, t.inst, "crash1", "worker killed by SIGSEGV");  // once is enough
  Warnings w;
  Collector collector(t.inst, {}, w.log());
  collector.recover();
  ResultStore reader = ResultStore::open_reader(t.inst.db_path);
  auto d = reader.find("crash1");
  REQUIRE(d);
  CHECK(d->row.verdict == "IE");
  CHECK(d->row.reason == "worker killed by SIGSEGV");
  CHECK(d->row.tests_run == 2);
  CHECK(d->row.tests_total == 5);
  CHECK(d->row.time == Approx(0.5));
  auto rows = reader.events("crash1");
  REQUIRE(rows.size() == 6);
  CHECK(rows.back().seq == 5);
  CHECK(rows.back().type == "final");
}

TEST_CASE("the event follower applies events in order and skips only dead gaps", "[collector]") {
  struct Seen : JudgeObserver {
    std::vector<std::string> names;
    void on_test(const TestReport& t, std::size_t, std::size_t) override {
      names.push_back(t.name);
    }
  } seen;
  auto row = [](std::int64_t seq, const char* type, json fields) {
    json j = {{"type", type}, {"seq", seq}};
    j.update(fields);
    return EventRow{seq, type, j};
  };
  TestReport a;
  a.name = "a";
  TestReport b;
  b.name = "b";
  SubmissionReport fin;
  fin.verdict = Verdict::WA;
  EventFollower f(SubmissionReport{}, &seen);
  auto lookup = [](const std::string&) { return std::string(); };
  bool pending = true;
  auto nothing_pending = [&] { return !pending; };
  f.add({row(0, "queued", json::object()), row(3, "test", encode_test_event(b, 1)),
         row(5, "final", encode_final(final_facts(fin)))});
  CHECK_FALSE(f.advance(lookup, nothing_pending));
  CHECK(f.applied() == 0);
  f.add({row(1, "compiling", json::object()), row(2, "test", encode_test_event(a, 0))});
  CHECK_FALSE(f.advance(lookup, nothing_pending));  // seq 4 may still come
  CHECK(seen.names == std::vector<std::string>{"a", "b"});
  pending = false;  // it will not: go on without it
  CHECK(f.advance(lookup, nothing_pending));
  CHECK(f.report().verdict == Verdict::WA);
}

TEST_CASE("an outbox reuses the files of stored events instead of making new ones", "[collector]") {
  pj::test::ScratchDir dir("pj-outbox");
  Outbox outbox(dir.path, false);
  const std::string id = "0123456789abcdef";
  auto inode = [&](const std::string& name) {
    struct stat st {};
    REQUIRE(::stat((dir.path / name).c_str(), &st) == 0);
    return st.st_ino;
  };
  std::string first = outbox.write(id, 1, 3, std::string(3000, 'x'));
  auto used = inode(first);
  outbox.remove(first);  // stored: kept aside, not listed, not removed
  CHECK(outbox.list().empty());
  std::string second = outbox.write(id, 4, 4, "{\"short\":1}");
  CHECK(inode(second) == used);
  std::ifstream in(dir.path / second);
  CHECK(std::string(std::istreambuf_iterator<char>(in), {}) == "{\"short\":1}");  // no old bytes
  CHECK(outbox.list() == std::vector<std::string>{second});
  // No spare left: a new file, and the spares never grow past a bound.
  std::string third = outbox.write(id, 5, 5, "{}");
  CHECK(inode(third) != used);
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i) names.push_back(outbox.write(id, 10 + i, 10 + i, "{}"));
  for (const auto& name : names) outbox.remove(name);
  CHECK(outbox.list() == std::vector<std::string>{second, third});
  std::size_t spares = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path))
    spares += is_spare_name(e.path().filename().string());
  CHECK(spares == kSpareSlots);
}
