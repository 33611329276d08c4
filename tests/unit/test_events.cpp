// Verdict events: what a message must be to be stored, and that a report
// survives the trip through events unchanged.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "judge/pipeline/job.hpp"
#include "judge/pipeline/outbox.hpp"
#include "judge/report/events.hpp"

using nlohmann::json;
using namespace pj::judge;
using Catch::Matchers::Contains;

namespace {

const std::int64_t kUid = static_cast<std::int64_t>(geteuid());

json envelope(const char* type, std::int64_t seq = 0) {
  return {{"v", 1},    {"type", type}, {"id", "abc123"}, {"seq", seq}, {"ts", 1700000000.5},
          {"pid", 42}, {"uid", kUid}};
}

json with(json base, const json& fields) {
  base.update(fields);
  return base;
}

std::string rejection(const json& j) {
  return parse_event(j.dump(), kUid).error;
}

SubmissionReport sample_report() {
  SubmissionReport r;
  r.problem = "aplusb";
  r.problem_name = "A plus B";
  r.submission = "sol.cpp";
  r.language = "cpp";
  r.language_name = "C++";
  r.compile = {true, false, 0.75, "warning: unused variable\n", ""};
  r.tests_total = 3;
  TestReport a;
  a.name = "sample/1";
  a.verdict = Verdict::AC;
  a.time = 0.0123456789;
  a.wall_time = 0.02;
  a.memory = 1234567;
  a.exit_code = 0;
  TestReport b = a;
  b.name = "secret/2";
  b.verdict = Verdict::RE;
  b.exit_code.reset();
  b.signal = "SIGSEGV";
  b.message = std::string(1000, 'm');
  r.tests = {a, b};
  r.verdict = Verdict::RE;
  r.reason = "RE on test secret/2: killed by SIGSEGV";
  r.time = 0.0123456789;
  r.memory = 1234567;
  return r;
}

}  // namespace

TEST_CASE("valid events of every type parse", "[events]") {
  std::vector<json> good = {
      with(envelope("queued"),
           encode_queued({"aplusb", "A plus B", "/p", "sol.c", "c", "C", 8, false, {}})),
      envelope("compiling", 1),
      with(envelope("compiled", 2), encode_compile({true, true, 0.0, "", ""})),
      with(envelope("test", 3), encode_test_event(sample_report().tests[0], 0)),
      with(envelope("final", 4), encode_final(final_facts(sample_report()))),
  };
  for (const auto& j : good) {
    ParsedEvent p = parse_event(j.dump(), kUid);
    INFO(j.dump() << " -> " << p.error);
    REQUIRE(p.event);
    CHECK(p.event->id == "abc123");
    CHECK(p.event->pid == 42);
  }
}

TEST_CASE("malformed messages are rejected with the reason", "[events]") {
  CHECK_THAT(parse_event("{not json", kUid).error, Contains("not valid JSON"));
  CHECK_THAT(parse_event("[1,2]", kUid).error, Contains("not a JSON object"));
  CHECK_THAT(rejection(envelope("exploded")), Contains("unknown event type 'exploded'"));
  CHECK_THAT(rejection(with(envelope("compiling"), {{"v", 2}})), Contains("version"));
  CHECK_THAT(rejection(with(envelope("compiling"), {{"id", "../../etc"}})),
             Contains("bad submission id"));
  CHECK_THAT(rejection(with(envelope("compiling"), {{"seq", -1}})), Contains("seq"));
  CHECK_THAT(rejection(with(envelope("compiling"), {{"uid", kUid + 1}})),
             Contains("unexpected sender"));
  json test = with(envelope("test"), encode_test_event(sample_report().tests[0], 0));
  test.erase("verdict");
  CHECK_THAT(rejection(test), Contains("missing field 'verdict'"));
  test["verdict"] = "MAYBE";
  CHECK_THAT(rejection(test), Contains("field 'verdict'"));
  json big = with(envelope("compiling"), {{"padding", std::string(kMaxEventBytes, 'x')}});
  CHECK_THAT(rejection(big), Contains("too large"));
  json bad_ref = with(envelope("compiled"), encode_compile({false, false, 0, "", "x"}));
  bad_ref["output"] = {{"blob", "../../../etc/passwd"}, {"size", 1}};
  CHECK_THAT(rejection(bad_ref), Contains("field 'output'"));
}

TEST_CASE("blob references are recognised and collected", "[events]") {
  std::string hash(64, 'a');
  json j = with(envelope("compiled"), encode_compile({false, false, 0, "", "CE"}));
  j["output"] = blob_ref(hash, 12);
  ParsedEvent p = parse_event(j.dump(), kUid);
  REQUIRE(p.event);
  CHECK(p.event->blobs == std::vector<std::string>{hash});
  TextLookup lookup = [](const std::string&) { return std::string("bytes"); };
  CHECK(Fields(j, lookup).text("output") == "bytes");
}

TEST_CASE("submission ids are unique and safe as file names", "[events]") {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(new_submission_id());
  CHECK(ids.size() == 1000);
  for (const auto& id : ids) CHECK(valid_submission_id(id));
  CHECK_FALSE(valid_submission_id(""));
  CHECK_FALSE(valid_submission_id("a/b"));
  CHECK_FALSE(valid_submission_id(".."));
  CHECK_FALSE(valid_submission_id(std::string(65, 'a')));
}

TEST_CASE("outbox file names encode id and seq", "[events]") {
  CHECK(Outbox::file_name("abc", 7) == "abc.0000000007.json");
  CHECK(Outbox::file_name("abc", 7, 7) == "abc.0000000007.json");
  auto parsed = Outbox::parse_name("abc.0000000007.json");
  REQUIRE(parsed);
  CHECK(parsed->id == "abc");
  CHECK(parsed->first == 7);
  CHECK(parsed->last == 7);
  CHECK_FALSE(Outbox::parse_name("abc.json"));
  CHECK_FALSE(Outbox::parse_name("a/b.0000000001.json"));
  CHECK_FALSE(Outbox::parse_name("abc.12x.json"));
}

TEST_CASE("a group's outbox file name encodes id and its first and last seq", "[events]") {
  CHECK(Outbox::file_name("abc", 3, 11) == "abc.0000000003-0000000011.json");
  auto parsed = Outbox::parse_name("abc.0000000003-0000000011.json");
  REQUIRE(parsed);
  CHECK(parsed->id == "abc");
  CHECK(parsed->first == 3);
  CHECK(parsed->last == 11);
  CHECK(parsed->count() == 9);
  CHECK_FALSE(Outbox::parse_name("abc.0000000011-0000000003.json"));  // backwards
  CHECK_FALSE(Outbox::parse_name("abc.0000000003-0000000003.json"));  // one event: no range
  CHECK_FALSE(Outbox::parse_name("abc.0000000003-.json"));
  CHECK_FALSE(Outbox::parse_name("abc.-0000000003.json"));
  CHECK_FALSE(Outbox::parse_name("../x.0000000001-0000000002.json"));
  CHECK(Outbox::split_lines("a\nbc\n") == std::vector<std::string_view>{"a", "bc", ""});
  CHECK(Outbox::split_lines("a") == std::vector<std::string_view>{"a"});
}

TEST_CASE("a report rebuilt from its events is the same report", "[events]") {
  SubmissionReport original = sample_report();
  std::vector<json> events = {
      with(envelope("compiled", 2), encode_compile(original.compile)),
      with(envelope("test", 3), encode_test_event(original.tests[0], 0)),
      with(envelope("test", 4), encode_test_event(original.tests[1], 1)),
      with(envelope("final", 5), encode_final(final_facts(original))),
  };
  SubmissionReport rebuilt;
  rebuilt.problem = original.problem;
  rebuilt.problem_name = original.problem_name;
  rebuilt.submission = original.submission;
  rebuilt.language = original.language;
  rebuilt.language_name = original.language_name;
  auto no_blobs = [](const std::string&) { return std::string(); };
  for (const auto& e : events) apply_event(rebuilt, json::parse(e.dump()), no_blobs);
  CHECK(report_json(rebuilt) == report_json(original));

  json final_event = encode_final(final_facts(original));
  CHECK(final_event["tests_run"] == 2);
  CHECK(final_event["tests_passed"] == 1);
  CHECK(final_event["score"].get<double>() == Approx(100.0 / 3));
}

TEST_CASE("every report shape decodes to what was encoded", "[events]") {
  SubmissionReport original = sample_report();
  original.tests[0].score = 12.5;
  original.tests[0].team_message = "close";
  original.score = 12.5;
  original.max_score = 100;
  original.groups = {{"sample", Verdict::AC, std::nullopt, std::nullopt, 1, 1},
                     {"secret/group1", Verdict::RE, 12.5, 100.0, 1, 4}};
  json encoded = encode_submission(original);
  SubmissionReport decoded = decode_submission(json::parse(encoded.dump()));
  CHECK(encode_submission(decoded) == encoded);
  CHECK(decoded.tests[0].team_message == "close");
  CHECK(decoded.groups[1].score == 12.5);
  CHECK(decode_test(encode_test(original.tests[1]), no_text).signal == "SIGSEGV");
  TestReport with_output = original.tests[1];
  with_output.output = "printed before it crashed\n";
  CHECK(decode_test(encode_test(with_output), no_text).output == with_output.output);
  CHECK(decode_compile(encode_compile(original.compile), no_text).output ==
        original.compile.output);
}

TEST_CASE("a malformed shape names its first bad field", "[events]") {
  json t = encode_test(sample_report().tests[0]);
  t.erase("name");
  CHECK_THROWS_WITH(decode_test(t, no_text), Contains("missing field 'name'"));
  t = encode_test(sample_report().tests[0]);
  t["memory"] = -1;
  CHECK_THROWS_WITH(decode_test(t, no_text), Contains("field 'memory' must be"));
  json c = encode_compile(sample_report().compile);
  c["ok"] = "yes";
  CHECK_THROWS_WITH(decode_compile(c, no_text), Contains("field 'ok' must be true or false"));
}

TEST_CASE("a job travels whole, its run options too", "[events]") {
  Job job;
  job.id = "abc123";
  job.problem_dir = "/p/aplusb";
  job.file = "/s/sol.c";
  job.language = "c";
  job.run.keep_output = 1 << 20;
  job.run.wall_seconds = 2.5;
  job.run.stack_bytes = 64ull << 20;
  job.run.output_bytes = 4 << 20;
  job.run.processes = 12;
  job.run.arguments = {"--fast", "x y"};
  job.run.stderr_to_stdout = true;
  job.run.compiler_options = {"-O3", "-DLOCAL"};
  std::string error;
  auto back = Job::parse(job.to_message(), geteuid(), error);
  REQUIRE(back);
  CHECK(back->run == job.run);
  CHECK(back->file == job.file);

  // A job of an earlier version has no run options: the problem's limits.
  nlohmann::json old = nlohmann::json::parse(job.to_message());
  old.erase("run");
  back = Job::parse(old.dump(), geteuid(), error);
  REQUIRE(back);
  CHECK(back->run == RunOptions{});

  for (nlohmann::json bad :
       {nlohmann::json{{"keep_output", -1}}, nlohmann::json{{"wall", 0}},
        nlohmann::json{{"processes", 100000}}, nlohmann::json{{"args", {1, 2}}},
        nlohmann::json{{"compiler_options", "-O3"}}, nlohmann::json{{"nonsense", 1}},
        nlohmann::json("wall")}) {
    old["run"] = bad;
    INFO(bad.dump());
    CHECK_FALSE(Job::parse(old.dump(), geteuid(), error));
    CHECK(error == "bad run options");
  }
}
