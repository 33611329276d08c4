// A TLE the machine may have caused (near the CPU limit, or at the wall limit
// with little CPU time) is judged again once, and the second result stands;
// run slots each get a core of their own.
#include <catch2/catch.hpp>
#include <set>

#include "judge/engine/run_slots.hpp"
#include "judge/engine/test_runner.hpp"
#include "judge/engine/workspace.hpp"
#include "judge/report/report_json.hpp"

using namespace pj::judge;
namespace sandbox = pj::sandbox;

namespace {

sandbox::Limits one_second() {
  sandbox::Limits l;
  l.cpu_seconds = 1;
  l.cpu_grace_seconds = kNearLimit;
  return l;
}

TestReport report(Verdict v, double time) {
  TestReport t;
  t.name = "secret/1";
  t.verdict = v;
  t.time = time;
  return t;
}

// Judges "again" by handing out `second`, counting how often it was asked.
struct Again {
  TestReport second;
  int calls = 0;
  std::function<TestReport()> fn() {
    return [this] {
      ++calls;
      return second;
    };
  }
};

}  // namespace

TEST_CASE("a TLE near the limit is judged again once; the second result stands", "[rerun]") {
  Again again{report(Verdict::AC, 0.97)};
  TestReport t = rerun_if_doubtful(report(Verdict::TLE, 1.03), one_second(), again.fn());
  CHECK(again.calls == 1);
  CHECK(t.verdict == Verdict::AC);
  CHECK(t.time == 0.97);
  REQUIRE(t.rerun_first_time);
  CHECK(*t.rerun_first_time == 1.03);

  SECTION("a second TLE stands too, and there is no third run") {
    Again twice{report(Verdict::TLE, 1.04)};
    TestReport u = rerun_if_doubtful(report(Verdict::TLE, 1.01), one_second(), twice.fn());
    CHECK(twice.calls == 1);
    CHECK(u.verdict == Verdict::TLE);
    CHECK(u.time == 1.04);
    CHECK(u.rerun_first_time == 1.01);
  }
}

TEST_CASE("no re-run: far over the limit, under it, or not a TLE", "[rerun]") {
  const sandbox::Limits limits = one_second();
  // Killed at the limit plus its grace (1.05 s): far over, whatever it needed.
  for (const TestReport& first :
       {report(Verdict::TLE, 1.05), report(Verdict::TLE, 1.2), report(Verdict::TLE, 0.2),
        report(Verdict::AC, 0.99), report(Verdict::WA, 1.02), report(Verdict::RE, 1.02)}) {
    Again again{report(Verdict::AC, 0.5)};
    TestReport t = rerun_if_doubtful(first, limits, again.fn());
    INFO(verdict_code(first.verdict) << " at " << first.time);
    CHECK(again.calls == 0);
    CHECK(t.verdict == first.verdict);
    CHECK_FALSE(t.rerun_first_time);
  }
  // A TLE by wall time (a sleeping program) has used little CPU: not near.
  CHECK_FALSE(near_limit_tle(report(Verdict::TLE, 0.01), limits));
  CHECK(near_limit_tle(report(Verdict::TLE, 1.0001), limits));
  // Killed at the wall limit with its CPU time by chance in the window: not near.
  TestReport killed = report(Verdict::TLE, 1.02);
  killed.signal = "SIGKILL";
  CHECK_FALSE(near_limit_tle(killed, limits));
}

TEST_CASE("a TLE at the wall limit with little CPU time is judged again once", "[rerun]") {
  const sandbox::Limits limits = one_second();  // wall limit: 2 s
  TestReport held = report(Verdict::TLE, 0.03);
  held.wall_time = 2.001;
  held.signal = "SIGKILL";
  CHECK(wall_limit_tle(held, limits));
  Again again{report(Verdict::AC, 0.03)};
  TestReport t = rerun_if_doubtful(held, limits, again.fn());
  CHECK(again.calls == 1);
  CHECK(t.verdict == Verdict::AC);
  CHECK(t.rerun_first_time == 0.03);

  // A CPU-bound program killed at the wall limit used its CPU time: not held off.
  TestReport busy = report(Verdict::TLE, 1.04);
  busy.wall_time = 2.0;
  busy.signal = "SIGKILL";
  CHECK_FALSE(wall_limit_tle(busy, limits));
  // Under the wall limit: the CPU limit ended it.
  TestReport cpu = report(Verdict::TLE, 0.5);
  cpu.wall_time = 1.9;
  CHECK_FALSE(wall_limit_tle(cpu, limits));
  TestReport sleeper_ok = report(Verdict::WA, 0.01);
  sleeper_ok.wall_time = 2.5;
  CHECK_FALSE(wall_limit_tle(sleeper_ok, limits));
}

TEST_CASE("a submission's limits carry the grace of kNearLimit", "[rerun]") {
  Problem p;
  p.memory_bytes = 256ull << 20;
  p.output_bytes = 8ull << 20;
  Language lang;
  lang.time_factor = 2;
  sandbox::Limits l = submission_limits(p, lang, 1.5);
  CHECK(l.cpu_seconds == 3);
  CHECK(l.cpu_grace_seconds == Approx(0.15));
}

TEST_CASE("the re-run is in the test's record, and survives a round trip", "[rerun]") {
  TestReport t = report(Verdict::TLE, 1.02);
  t.rerun_first_time = 1.03;
  auto j = encode_test(t);
  CHECK(j["rerun_first_time"] == 1.03);
  TestReport back = decode_test(j, {});
  CHECK(back.rerun_first_time == 1.03);
  CHECK(encode_test(report(Verdict::AC, 0.1))["rerun_first_time"].is_null());
  CHECK_FALSE(decode_test(encode_test(report(Verdict::AC, 0.1)), {}).rerun_first_time);
}

TEST_CASE("run slots: each its own core, never more slots than cores", "[rerun][pinning]") {
  const std::vector<int>& cpus = judging_cpus();
  REQUIRE_FALSE(cpus.empty());
  CHECK(max_run_slots() <= static_cast<int>(cpus.size()));
  std::set<int> seen;
  for (int slot = 0; slot < max_run_slots(); ++slot) {
    int cpu = slot_cpu(slot);
    CHECK(cpu >= 0);
    CHECK(seen.insert(cpu).second);  // no two slots share a core
    CHECK(RunIdentity::for_slot(slot).cpu == cpu);
    CHECK(RunIdentity::for_validator(slot).cpu == cpu);  // the slot's validators too
  }
  CHECK(slot_cpu(static_cast<int>(cpus.size())) == -1);
  CHECK(slot_cpu(-1) == -1);
}
