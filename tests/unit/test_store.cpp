// The results database: idempotent, order-independent storing; clear
// errors for a database that cannot be opened or written.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>

#include "judge/engine/sha256.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/store.hpp"
#include "mq_test_support.hpp"

using nlohmann::json;
using namespace pj::judge;
using Catch::Matchers::Contains;
using pj::judge::testing::TestInstance;

namespace {

StoredEvent make_event(const std::string& id, std::int64_t seq, const char* type, json fields,
                       double ts = 1700000000.0) {
  json j = {{"v", 1},
            {"type", type},
            {"id", id},
            {"seq", seq},
            {"ts", ts},
            {"pid", 1},
            {"uid", static_cast<std::int64_t>(geteuid())}};
  j.update(fields);
  ParsedEvent p = parse_event(j.dump(), geteuid());
  if (!p.event) throw std::runtime_error("bad test event: " + p.error);
  return {*p.event, {}, j.dump()};
}

TestReport make_test(const std::string& name, Verdict v) {
  TestReport t;
  t.name = name;
  t.verdict = v;
  t.time = 0.01;
  t.memory = 1 << 20;
  t.exit_code = 0;
  return t;
}

// A whole submission: queued, compiling, compiled, two tests, final.
std::vector<StoredEvent> submission_events(const std::string& id) {
  SubmissionReport r;
  r.tests = {make_test("sample/1", Verdict::AC), make_test("secret/1", Verdict::WA)};
  r.tests_total = 2;
  r.verdict = Verdict::WA;
  r.reason = "WA on test secret/1";
  r.compile.ok = true;
  return {make_event(id, 0, "queued",
                     encode_queued({"aplusb", "A plus B", "/p", "sol.c", "c", "C", 2, true, {}})),
          make_event(id, 1, "compiling", json::object()),
          make_event(id, 2, "compiled", encode_compile(r.compile)),
          make_event(id, 3, "test", encode_test_event(r.tests[0], 0)),
          make_event(id, 4, "test", encode_test_event(r.tests[1], 1)),
          make_event(id, 5, "final", encode_final(final_facts(r)))};
}

std::int64_t count(const std::filesystem::path& db, const std::string& table) {
  Database d(db, SQLITE_OPEN_READONLY);
  Statement s = d.prepare(("SELECT count(*) FROM " + table).c_str());
  s.step();
  return s.int64(0);
}

}  // namespace

TEST_CASE("a redelivered event changes nothing", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  auto events = submission_events("s1");
  CHECK(store.ingest(events) == 6);
  CHECK(store.ingest(events) == 0);
  CHECK(store.ingest({events[4], events[5], events[0]}) == 0);
  CHECK(count(t.inst.db_path, "events") == 6);
  CHECK(count(t.inst.db_path, "tests") == 2);
  CHECK(count(t.inst.db_path, "submissions") == 1);
  auto d = store.find("s1");
  REQUIRE(d);
  CHECK(d->row.verdict == "WA");
  CHECK(d->row.status == "done");
  CHECK(d->row.tests_passed == 1);
  CHECK(d->report.tests.size() == 2);
}

TEST_CASE("events stored in any order give the same submission", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  auto events = submission_events("s2");
  std::reverse(events.begin(), events.end());
  for (const auto& e : events) store.ingest({e});
  auto d = store.find("s2");
  REQUIRE(d);
  CHECK(d->row.problem == "aplusb");
  CHECK(d->row.verdict == "WA");
  CHECK(d->row.status == "done");
  CHECK(d->report.compile.ok == true);
  REQUIRE(d->report.tests.size() == 2);
  CHECK(d->report.tests[0].name == "sample/1");
  CHECK(d->report.tests[1].verdict == Verdict::WA);
  auto rows = store.events("s2");
  REQUIRE(rows.size() == 6);
  for (std::size_t i = 0; i < rows.size(); ++i) CHECK(rows[i].seq == static_cast<std::int64_t>(i));
}

TEST_CASE("a submission's time is its earliest event's, and a test says it is judged", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  // A test event (sent last) arrives first, then the queued one, then compiling.
  StoredEvent test = make_event(
      "s4", 3, "test", encode_test_event(make_test("sample/1", Verdict::AC), 0), 1700000050.0);
  store.ingest({test});
  CHECK(store.find("s4")->row.submitted_at == 1700000050.0);
  CHECK(store.find("s4")->row.status == "judging");
  store.ingest({make_event(
      "s4", 0, "queued",
      encode_queued({"aplusb", "A plus B", "/p", "sol.c", "c", "C", 2, true, {}}), 1700000010.0)});
  CHECK(store.find("s4")->row.submitted_at == 1700000010.0);
  store.ingest({make_event("s4", 1, "compiling", json::object(), 1700000020.0)});
  auto d = store.find("s4");
  CHECK(d->row.submitted_at == 1700000010.0);  // a later event does not move it
  CHECK(d->row.status == "judging");           // nor does compiling undo judging
  CHECK(d->row.problem == "aplusb");
}

TEST_CASE("the earliest final verdict wins whatever the arrival order", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  SubmissionReport ac;
  ac.verdict = Verdict::AC;
  SubmissionReport ie;
  ie.verdict = Verdict::IE;
  store.ingest({make_event("s3", 9, "final", encode_final(final_facts(ie)))});
  store.ingest({make_event("s3", 4, "final", encode_final(final_facts(ac)))});
  CHECK(store.find("s3")->row.verdict == "AC");
  store.ingest({make_event("s3", 7, "final", encode_final(final_facts(ie)))});
  CHECK(store.find("s3")->row.verdict == "AC");
}

TEST_CASE("compiler output is stored as a blob and read back whole", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  std::string output(300000, 'e');
  output[1234] = '\0';  // bytes, not text
  std::string hash = sha256_hex(output);
  StoredEvent e = make_event("s4", 2, "compiled",
                             {{"ok", false},
                              {"cached", false},
                              {"time", 0.5},
                              {"output", blob_ref(hash, output.size())},
                              {"reason", "exit 1"}});
  e.blobs[hash] = output;
  store.ingest({e});
  CHECK(store.find("s4")->report.compile.output == output);
  CHECK(store.blob(hash) == output);
}

TEST_CASE("a test's kept output is stored as a blob and read back byte for byte", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  std::string output = "3\n\xff\xfe not UTF-8\0 and a NUL";
  output.push_back('\0');
  std::string hash = sha256_hex(output);
  TestReport test = make_test("sample/1", Verdict::RE);
  json fields = encode_test_event(test, 0);
  fields["output"] = blob_ref(hash, output.size());
  StoredEvent e = make_event("s5", 3, "test", fields);
  e.blobs[hash] = output;
  store.ingest({e});
  std::vector<TestReport> tests = store.find("s5")->report.tests;
  REQUIRE(tests.size() == 1);
  CHECK(tests[0].output == output);
  CHECK(tests[0].verdict == Verdict::RE);
  // Without output (every test but an API's): nothing kept, nothing read.
  store.ingest(
      {make_event("s6", 3, "test", encode_test_event(make_test("sample/1", Verdict::AC), 0))});
  CHECK(store.find("s6")->report.tests.at(0).output.empty());
}

TEST_CASE("recent lists newest first and filters by problem", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  for (int i = 0; i < 5; ++i)
    store.ingest(
        {make_event("r" + std::to_string(i), 0, "queued",
                    encode_queued({i % 2 ? "odd" : "even", "", "/p", "f", "c", "C", 1, false, {}}),
                    1700000000.0 + i)});
  auto rows = store.recent(3);
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].id == "r4");
  CHECK(rows[2].id == "r2");
  CHECK(store.recent(10, "odd").size() == 2);
  CHECK(rows[0].status == "queued");
  CHECK_FALSE(rows[0].verdict);
}

TEST_CASE("a database that cannot be opened is a clear error at start", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  CHECK_THROWS_WITH(ResultStore::open_writer(t.inst.state_dir / "no" / "such" / "r.db", false),
                    Contains("no directory"));
  std::filesystem::path garbage = t.inst.state_dir / "garbage.db";
  std::ofstream(garbage) << std::string(8192, 'x');
  CHECK_THROWS_WITH(ResultStore::open_writer(garbage, false), Contains("not a database"));
  CHECK_THROWS_WITH(ResultStore::open_writer(t.inst.state_dir, false), Contains("cannot open"));
  CHECK_THROWS_WITH(ResultStore::open_reader(t.inst.state_dir / "missing.db"),
                    Contains("no results database"));
  CHECK_THROWS_WITH(ResultStore::open_reader(garbage), Contains("not a database"));
}

TEST_CASE("a full database refuses the whole batch and keeps nothing half-stored", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false, 64 << 10);
  std::string big(200000, 'x');
  std::string hash = sha256_hex(big);
  StoredEvent e = make_event("s5", 9, "compiled",
                             {{"ok", false},
                              {"cached", false},
                              {"time", 0.5},
                              {"output", blob_ref(hash, big.size())},
                              {"reason", "exit 1"}});
  e.blobs[hash] = big;
  auto events = submission_events("s5");
  events.push_back(e);
  try {
    store.ingest(events);
    FAIL("ingest into a full database did not throw");
  } catch (const StoreError& err) {
    CHECK(err.code() == SQLITE_FULL);
  }
  CHECK(count(t.inst.db_path, "events") == 0);
  CHECK(store.ingest(submission_events("s5")) == 6);  // small enough: stored
}

TEST_CASE("a version 1 database is upgraded by its writer, and what it held stays", "[store]") {
  TestInstance t;
  make_state_dirs(t.inst);
  {
    // The schema of version 1, with one stored test row.
    Database old(t.inst.db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    old.exec(R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
CREATE TABLE events(submission_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL,
  body TEXT NOT NULL, sender_pid INTEGER, received_at REAL NOT NULL,
  PRIMARY KEY (submission_id, seq)) WITHOUT ROWID;
CREATE TABLE submissions(id TEXT PRIMARY KEY, problem TEXT, problem_name TEXT,
  problem_dir TEXT, file TEXT, language TEXT, language_name TEXT, run_all INTEGER,
  stage INTEGER NOT NULL DEFAULT 0, submitted_at REAL NOT NULL, finished_at REAL,
  compile_ok INTEGER, compile_cached INTEGER, compile_time REAL, compile_reason TEXT,
  compile_output TEXT, verdict TEXT, reason TEXT, score REAL, time REAL, memory INTEGER,
  tests_total INTEGER, tests_run INTEGER, tests_passed INTEGER, final_seq INTEGER);
CREATE TABLE tests(submission_id TEXT NOT NULL, idx INTEGER NOT NULL, seq INTEGER NOT NULL,
  name TEXT NOT NULL, verdict TEXT NOT NULL, time REAL, wall_time REAL, memory INTEGER,
  exit_code INTEGER, signal TEXT, message TEXT, PRIMARY KEY (submission_id, idx)) WITHOUT ROWID;
CREATE TABLE blobs(hash TEXT PRIMARY KEY, size INTEGER NOT NULL, data BLOB NOT NULL);
INSERT INTO submissions(id, problem, submitted_at, stage, verdict) VALUES ('old', 'p', 1, 3, 'AC');
INSERT INTO tests VALUES ('old', 0, 3, 'sample/1', 'AC', 0.5, 0.6, 1024, 0, NULL, '');
)sql");
  }
  CHECK_THROWS_WITH(ResultStore::open_reader(t.inst.db_path), Contains("another schema version"));
  ResultStore store = ResultStore::open_writer(t.inst.db_path, false);
  auto old = store.find("old");
  REQUIRE(old);
  REQUIRE(old->report.tests.size() == 1);
  CHECK(old->report.tests[0].time == 0.5);
  CHECK(old->report.tests[0].error_output.empty());

  TestReport crash = make_test("secret/1", Verdict::RE);
  crash.error_output = "Traceback (most recent call last):\nRecursionError: too deep\n";
  crash.team_message = "see the log";
  crash.score = 0;
  store.ingest({make_event("new", 3, "test", encode_test_event(crash, 0))});
  auto fresh = store.find("new");
  REQUIRE(fresh);
  REQUIRE(fresh->report.tests.size() == 1);
  CHECK(fresh->report.tests[0].error_output == crash.error_output);
  CHECK(fresh->report.tests[0].team_message == "see the log");
  CHECK(ResultStore::open_reader(t.inst.db_path).find("new"));
}
