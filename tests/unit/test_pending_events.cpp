// How long a sink holds events for company: a live submission's steps
// kEventLinger, a batch's steps kBatchEventLinger, a verdict not at all.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "judge/pipeline/emitter.hpp"
#include "judge/pipeline/outbox.hpp"
#include "judge/pipeline/pending_events.hpp"
#include "judge/pipeline/transport.hpp"
#include "mq_test_support.hpp"

using namespace pj::judge;
using pj::judge::testing::TestInstance;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

OutgoingEvent event(std::int64_t seq, bool may_wait) {
  return {"s", seq, "{}", may_wait};
}

// How long the writer's wait for company lasts with these events pending.
Clock::duration lingering(PendingEvents& pending) {
  std::mutex mutex;
  std::condition_variable wake;
  std::unique_lock lock(mutex);
  auto start = Clock::now();
  pending.linger(lock, wake, [] { return false; });
  return Clock::now() - start;
}

// A judged submission of `tests` tests, `gap` apart; the number of outbox
// files its events were written as (no collector runs to take them).
std::size_t outbox_files_for(bool batch, int tests, Clock::duration gap) {
  TestInstance t;
  auto sink = open_transport(t.inst)->event_sink();
  SubmissionEmitter ev = SubmissionEmitter::for_judge(*sink, "sub");
  if (batch) ev.let_steps_wait();
  ev.compiling(1);
  SubmissionReport r;
  for (int i = 0; i < tests; ++i) {
    std::this_thread::sleep_for(gap);
    TestReport test;
    test.name = std::to_string(i);
    test.verdict = Verdict::AC;
    r.tests.push_back(test);
    ev.on_test(test, static_cast<std::size_t>(i), static_cast<std::size_t>(tests));
  }
  r.verdict = Verdict::AC;
  ev.final(r);
  return Outbox(t.inst.outbox_dir(), false).list().size();
}

}  // namespace

TEST_CASE("the writer is woken by the first event, and by the first that may not wait",
          "[events]") {
  PendingEvents pending;
  CHECK(pending.add(event(1, true)));
  CHECK_FALSE(pending.add(event(2, true)));
  CHECK(pending.add(event(3, false)));
  CHECK_FALSE(pending.add(event(4, false)));
  auto taken = pending.take();
  REQUIRE(taken.size() == 4);
  CHECK(taken[2].seq == 3);
  CHECK(pending.empty());
  CHECK(pending.add(event(5, false)));  // taken: a fresh start
}

TEST_CASE("events that may wait are held kBatchEventLinger; others kEventLinger", "[events]") {
  PendingEvents batch;
  batch.add(event(1, true));
  batch.add(event(2, true));
  CHECK(lingering(batch) >= kBatchEventLinger);

  PendingEvents live;
  live.add(event(1, true));
  live.add(event(2, false));
  auto held = lingering(live);
  CHECK(held >= kEventLinger);
  CHECK(held < kBatchEventLinger);

  PendingEvents none;
  CHECK(lingering(none) < kEventLinger);
}

TEST_CASE("the writer stops waiting as soon as it has enough", "[events]") {
  PendingEvents pending;
  pending.add(event(1, true));
  std::mutex mutex;
  std::condition_variable wake;
  std::unique_lock lock(mutex);
  auto start = Clock::now();
  pending.linger(lock, wake, [] { return true; });
  CHECK(Clock::now() - start < kEventLinger);
}

TEST_CASE("a batch's steps share few outbox files; a live one's are written as they come",
          "[events]") {
  // Tests 40 ms apart: more than a live step waits, far less than a batch's.
  std::size_t batch = outbox_files_for(true, 4, 40ms);
  std::size_t live = outbox_files_for(false, 4, 40ms);
  CHECK(batch <= 2);
  CHECK(live >= 4);
}

TEST_CASE("flush_through returns once the events before its mark are durable", "[events]") {
  TestInstance t;
  auto sink = open_transport(t.inst)->event_sink();
  sink->publish("a", 1, "{}", true);
  sink->publish("a", 2, "{}", true);
  std::uint64_t mark = sink->published();
  CHECK(mark == 2);
  auto start = Clock::now();
  sink->flush_through(mark);
  CHECK(Clock::now() - start < kBatchEventLinger);  // not held for company
  CHECK(Outbox(t.inst.outbox_dir(), false).list() ==
        std::vector<std::string>{Outbox::file_name("a", 1, 2)});
  sink->flush_through(1);  // already durable: at once
}

TEST_CASE("looking for a submission's unstored events waits only for this sink's own of it",
          "[events]") {
  TestInstance t;
  auto sink = open_transport(t.inst)->event_sink();
  sink->publish("x", 1, "{\"x\":1}", true);  // waits for company
  auto start = Clock::now();
  CHECK(sink->unstored("y").empty());
  CHECK(Clock::now() - start < kBatchEventLinger);  // x's event not forced out for y
  CHECK(Outbox(t.inst.outbox_dir(), false).list().empty());
  CHECK(sink->unstored("x") == std::vector<std::string>{"{\"x\":1}"});
}
