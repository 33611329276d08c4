// The Judge0-compatible API's model: status ids from verdicts, base64, the
// checking of a request, the one-test package, the captured output.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "judge/engine/problem.hpp"
#include "judge/server/judge0.hpp"

using nlohmann::json;
using namespace pj::judge;
namespace fs = std::filesystem;

namespace {

SubmissionReport judged(Verdict v, TestReport failing = {}) {
  SubmissionReport r;
  r.verdict = v;
  r.language = "c";
  TestReport ok;
  ok.name = "secret/1";
  ok.verdict = Verdict::AC;
  ok.exit_code = 0;
  r.tests.push_back(ok);
  if (v != Verdict::AC && v != Verdict::CE) {
    failing.name = "secret/2";
    failing.verdict = v;
    r.tests.push_back(failing);
  }
  return r;
}

TestReport crashed(const char* signal, std::optional<int> exit_code = std::nullopt) {
  TestReport t;
  t.signal = signal;
  t.exit_code = exit_code;
  t.message = "the program crashed";
  return t;
}

}  // namespace

TEST_CASE("judge0: status ids follow the verdict and how the program ended") {
  SubmissionReport queued;
  CHECK(judge0_outcome(queued, false).status.id == 1);
  CHECK(judge0_outcome(queued, true).status.id == 2);
  CHECK(judge0_outcome(judged(Verdict::AC), true).status.id == 3);
  CHECK(judge0_outcome(judged(Verdict::AC), true).message.empty());
  CHECK(judge0_outcome(judged(Verdict::WA), true).status.id == 4);
  CHECK(judge0_outcome(judged(Verdict::PE), true).status.id == 4);
  CHECK(judge0_outcome(judged(Verdict::TLE), true).status.id == 5);
  CHECK(judge0_outcome(judged(Verdict::CE), true).status.id == 6);
  CHECK(judge0_outcome(judged(Verdict::RE, crashed("SIGSEGV")), true).status.id == 7);
  CHECK(judge0_outcome(judged(Verdict::RE, crashed("SIGXFSZ")), true).status.id == 8);
  CHECK(judge0_outcome(judged(Verdict::RE, crashed("SIGFPE")), true).status.id == 9);
  CHECK(judge0_outcome(judged(Verdict::RE, crashed("SIGABRT")), true).status.id == 10);
  CHECK(judge0_outcome(judged(Verdict::RE, crashed("", 3)), true).status.id == 11);
  CHECK(judge0_outcome(judged(Verdict::RE, crashed("SIGBUS")), true).status.id == 12);
  auto re = judge0_outcome(judged(Verdict::RE, crashed("SIGSEGV")), true);
  CHECK(re.status.description == "Runtime Error (SIGSEGV)");
  CHECK(re.message == "the program crashed");
  auto mle = judge0_outcome(judged(Verdict::MLE), true);
  CHECK(mle.status.id == 12);
  CHECK(mle.message == "memory limit exceeded");
  auto ole = judge0_outcome(judged(Verdict::OLE), true);
  CHECK(ole.status.id == 8);
  CHECK(ole.message == "output limit exceeded");
  SubmissionReport ie = judged(Verdict::IE);
  ie.reason = "worker killed by SIGKILL";
  CHECK(judge0_outcome(ie, true).status.id == 13);
  CHECK(judge0_outcome(ie, true).message == "worker killed by SIGKILL");
  CHECK(judge0_outcome(judged(Verdict::Cancelled), true).status.id == 13);
}

TEST_CASE("judge0: the statuses are Judge0's 1 to 14, in order") {
  const auto& s = judge0_statuses();
  REQUIRE(s.size() == 14);
  for (std::size_t i = 0; i < s.size(); ++i) CHECK(s[i].id == static_cast<int>(i + 1));
  CHECK(s[4].description == "Time Limit Exceeded");
  CHECK(s[10].description == "Runtime Error (NZEC)");
}

TEST_CASE("judge0: language ids are Judge0's own") {
  CHECK(std::string(judge0_language(50)->language) == "c");
  CHECK(std::string(judge0_language(54)->language) == "cpp");
  CHECK(std::string(judge0_language(62)->source_file) == "Main.java");
  CHECK(std::string(judge0_language(71)->language) == "cpython");
  CHECK(judge0_language(999) == nullptr);
  CHECK(judge0_language_id("rust") == 73);
  CHECK(!judge0_language_id("pypy"));
}

TEST_CASE("judge0: base64 both ways, any bytes") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  for (std::size_t n : {0, 1, 2, 3, 4, 5, 255, 256}) {
    std::string part = bytes.substr(0, n);
    CHECK(base64_decode(base64_encode(part)) == part);
  }
  CHECK(base64_encode("hi\n") == "aGkK");
  CHECK(base64_encode("a") == "YQ==");
  CHECK(base64_decode("aGVs\nbG8=\n") == "hello");
  CHECK(!base64_decode("YQ="));
  CHECK(!base64_decode("Y@=="));
  CHECK(!base64_decode("YQ==YQ=="));
}

TEST_CASE("judge0: a request is checked field by field") {
  Judge0Limits limits;
  FieldErrors errors;
  auto ok = parse_judge0_request(
      {{"source_code", "int main(){}"}, {"language_id", 50}, {"stdin", "1 2\n"}}, false, limits,
      errors);
  REQUIRE(ok);
  CHECK(errors.empty());
  CHECK(ok->cpu_time_limit == limits.cpu_time_default);
  CHECK(ok->memory_limit_kb == limits.memory_default_kb);
  CHECK(!ok->expected_output);

  errors.clear();
  CHECK(!parse_judge0_request({{"language_id", "50"},
                               {"cpu_time_limit", 100},
                               {"memory_limit", 1},
                               {"stdin", 5},
                               {"callback_url", "https://x"},
                               {"compiler_options", ""},
                               {"redirect_stderr_to_stdout", "yes"}},
                              false, limits, errors));
  CHECK(errors.count("source_code"));
  CHECK(errors.at("language_id").front() == "must be an integer");
  CHECK(errors.count("cpu_time_limit"));
  CHECK(errors.count("memory_limit"));
  CHECK(errors.at("stdin").front() == "must be a string");
  CHECK(errors.count("callback_url"));
  CHECK(!errors.count("compiler_options"));  // "": no options
  CHECK(errors.count("redirect_stderr_to_stdout"));

  errors.clear();
  CHECK(
      !parse_judge0_request({{"source_code", "x"}, {"language_id", 4242}}, false, limits, errors));
  CHECK(errors.at("language_id").front() == "language with id 4242 doesn't exist");

  errors.clear();
  auto b64 = parse_judge0_request(
      {{"source_code", base64_encode("print(1)")}, {"language_id", 71}, {"expected_output", ""}},
      true, limits, errors);
  REQUIRE(b64);
  CHECK(b64->source_code == "print(1)");
  REQUIRE(b64->expected_output);
  CHECK(b64->expected_output->empty());
  errors.clear();
  CHECK(!parse_judge0_request({{"source_code", "not base64!"}, {"language_id", 71}}, true, limits,
                              errors));
  CHECK(errors.at("source_code").front() == "is not valid base64");
}

TEST_CASE("judge0: the run's own limits and arguments travel with the job") {
  Judge0Limits limits;
  FieldErrors errors;
  auto ok = parse_judge0_request({{"source_code", "x"},
                                  {"language_id", 50},
                                  {"wall_time_limit", 2.5},
                                  {"stack_limit", 64000},
                                  {"max_processes_and_or_threads", 30},
                                  {"max_file_size", 2048},
                                  {"command_line_arguments", "  -n 3\tfast "},
                                  {"redirect_stderr_to_stdout", true}},
                                 false, limits, errors);
  REQUIRE(ok);
  CHECK(errors.empty());
  CHECK(ok->run.wall_seconds == 2.5);
  CHECK(ok->run.stack_bytes == 64000ull * 1024);
  CHECK(ok->run.processes == 30);
  CHECK(ok->run.output_bytes == 2048ull * 1024);
  CHECK(ok->run.arguments == std::vector<std::string>{"-n", "3", "fast"});
  CHECK(ok->run.stderr_to_stdout);
  // Unset: the problem's.
  auto plain =
      parse_judge0_request({{"source_code", "x"}, {"language_id", 50}}, false, limits, errors);
  REQUIRE(plain);
  CHECK(plain->run == RunOptions{});

  CHECK(!parse_judge0_request({{"source_code", "x"},
                               {"language_id", 50},
                               {"wall_time_limit", 0},
                               {"stack_limit", 1e9},
                               {"max_processes_and_or_threads", "many"},
                               {"max_file_size", 5000},
                               {"command_line_arguments", 7}},
                              false, limits, errors));
  CHECK(errors.at("wall_time_limit").front() == "must be greater than or equal to 0.001");
  CHECK(errors.at("stack_limit").front() == "must be less than or equal to 128000");
  CHECK(errors.at("max_processes_and_or_threads").front() == "must be a number");
  CHECK(errors.count("max_file_size"));
  CHECK(errors.count("command_line_arguments"));
}

TEST_CASE("judge0: compiler options are words for the compile command", "[judge0]") {
  Judge0Limits limits;
  FieldErrors errors;
  auto ok = parse_judge0_request({{"source_code", base64_encode("x")},
                                  {"language_id", 50},
                                  {"compiler_options", " -O3  -DLOCAL"}},
                                 true, limits, errors);  // never base64, as in Judge0
  REQUIRE(ok);
  CHECK(ok->run.compiler_options == std::vector<std::string>{"-O3", "-DLOCAL"});
  auto none = parse_judge0_request(
      {{"source_code", "x"}, {"language_id", 50}, {"compiler_options", ""}}, false, limits, errors);
  REQUIRE(none);
  CHECK(none->run == RunOptions{});

  for (json bad : {json(3), json("-DX=\"a b\""), json("-O2\n-DX"), json(std::string(513, 'O'))}) {
    INFO(bad.dump());
    errors.clear();
    CHECK(!parse_judge0_request(
        {{"source_code", "x"}, {"language_id", 50}, {"compiler_options", bad}}, false, limits,
        errors));
    REQUIRE(errors.count("compiler_options"));
    CHECK(errors.size() == 1);
  }
  CHECK(errors.at("compiler_options").front() == "must be at most 512 bytes");
}

TEST_CASE("judge0: a request becomes a one-test package, shared by identical ones") {
  fs::path dir = fs::temp_directory_path() / ("pj-judge0-" + std::to_string(getpid()));
  fs::remove_all(dir);
  Judge0Request r;
  r.stdin_data = "1 2\n";
  r.expected_output = "3\n";
  r.cpu_time_limit = 1.5;
  r.memory_limit_kb = 65536;
  fs::path a = judge0_package(dir, r);
  CHECK(judge0_package(dir, r) == a);
  CHECK(is_judge0_package_name(a.filename().string()));
  Problem p = load_problem(a);
  CHECK(p.time_limit == 1.5);
  CHECK(p.memory_bytes == 64ull << 20);
  REQUIRE(p.tests.size() == 1);
  REQUIRE(p.validator);
  CHECK(p.tests[0].validator_args == std::vector<std::string>{"compare"});
  r.expected_output.reset();
  fs::path b = judge0_package(dir, r);
  CHECK(b != a);
  CHECK(load_problem(b).tests[0].validator_args == std::vector<std::string>{"accept"});
  fs::remove_all(dir);
}

TEST_CASE("judge0: a response in Judge0's shape; text that is not UTF-8 needs base64") {
  Judge0Submission s;
  s.token = "abc";
  s.started = true;
  s.report = judged(Verdict::AC);
  s.report.tests[0].output = "\xff\n";  // the test's kept output
  s.report.time = 0.0123;
  s.report.memory = 2048 * 1024;
  s.created_at = 0.5;
  CHECK(!judge0_json(s, false));
  auto j = judge0_json(s, true);
  REQUIRE(j);
  CHECK((*j)["stdout"] == base64_encode("\xff\n"));
  CHECK((*j)["status"]["id"] == 3);
  CHECK((*j)["time"] == "0.012");
  CHECK((*j)["memory"] == 2048);
  CHECK((*j)["language_id"] == 50);
  CHECK((*j)["created_at"] == "1970-01-01T00:00:00.500Z");
  FieldErrors errors;
  json some = judge0_select(*j, "status,token", errors);
  CHECK(some.size() == 2);
  CHECK(errors.empty());
  CHECK(judge0_select(*j, "", errors).contains("compile_output"));
  CHECK(judge0_select(*j, "*", errors).contains("exit_code"));
  judge0_select(*j, "status,nonsense", errors);
  CHECK(errors.count("fields"));

  // Whatever the verdict: what a crashed run printed is its stdout too.
  TestReport crashed;
  crashed.signal = "SIGSEGV";
  crashed.output = "before\n";
  s.report = judged(Verdict::RE, crashed);
  j = judge0_json(s, false);
  REQUIRE(j);
  CHECK((*j)["stdout"] == "before\n");
  s.report.tests.back().output.clear();  // it printed nothing: null, as Judge0 says
  CHECK((*judge0_json(s, false))["stdout"].is_null());
}
