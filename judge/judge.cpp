#include "judge/judge.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "judge/compile.hpp"
#include "judge/error.hpp"
#include "sandbox/sandbox.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

const char* kPath = "PATH=/usr/local/bin:/usr/bin:/bin";

bool command_exists(const std::string& cmd) {
  if (cmd.find('/') != std::string::npos)
    return cmd.rfind("./", 0) == 0 || access(cmd.c_str(), X_OK) == 0;
  for (const char* dir : {"/usr/local/bin/", "/usr/bin/", "/bin/"})
    if (access((std::string(dir) + cmd).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace

void require_toolchain(const Submission& s) {
  const Language& lang = *s.language;
  for (const auto* cmd : {&lang.compile, &lang.run}) {
    if (!cmd->empty() && !command_exists(cmd->front()))
      throw ConfigError(s.path.string(), lang.name + " needs '" + cmd->front() +
                                             "', which is not installed (run scripts/setup.sh)");
  }
}

namespace {

sandbox::Limits test_limits(const Problem& p, const Language& lang) {
  sandbox::Limits l;
  l.cpu_seconds = p.time_limit * lang.time_factor;
  l.memory_bytes = static_cast<std::uint64_t>(std::llround(p.memory_bytes * lang.memory_factor));
  l.output_bytes = p.output_bytes;
  l.processes = 64;
  l.open_files = 64;
  return l;
}

std::string seconds_text(double s) {
  char buf[32];
  snprintf(buf, sizeof buf, "%.3g s", s);
  return buf;
}

// What the run's facts mean for the submission. Only what the program did
// counts against it; a run that could not start is the judge's fault.
TestReport classify(const TestCase& test, const sandbox::Result& res, const Problem& p,
                    const sandbox::Limits& lim, const fs::path& output) {
  TestReport t;
  t.name = test.name;
  t.time = res.cpu_seconds;
  t.wall_time = res.wall_seconds;
  t.memory = res.memory_bytes;
  if (res.exit_code >= 0) t.exit_code = res.exit_code;
  if (res.signal) t.signal = sandbox::signal_name(res.signal);
  if (!res.error.empty()) {
    t.verdict = Verdict::IE;
    t.message = res.error;
    return t;
  }
  switch (res.limit) {
    case sandbox::LimitHit::Cpu:
      t.verdict = Verdict::TLE;
      t.message = "CPU time over " + seconds_text(lim.cpu_seconds);
      return t;
    case sandbox::LimitHit::Wall:
      t.verdict = Verdict::TLE;
      t.message =
          "wall time over " + seconds_text(lim.effective_wall_seconds()) + " (sleeping or blocked)";
      return t;
    case sandbox::LimitHit::Memory:
      t.verdict = Verdict::MLE;
      t.message = "peak memory over " + std::to_string(lim.memory_bytes >> 20) + " MiB";
      return t;
    case sandbox::LimitHit::Output:
      t.verdict = Verdict::OLE;
      t.message = "output over " + std::to_string(lim.output_bytes) + " bytes";
      return t;
    case sandbox::LimitHit::Processes:
      t.verdict = Verdict::RE;
      t.message = "too many processes or threads";
      return t;
    case sandbox::LimitHit::None:
      break;
  }
  if (!res.forbidden_syscall.empty()) {
    t.verdict = Verdict::RE;
    t.message = "forbidden syscall " + res.forbidden_syscall;
    return t;
  }
  if (res.signal) {
    t.verdict = Verdict::RE;
    t.message = "killed by " + t.signal;
    return t;
  }
  if (res.exit_code != 0) {
    t.verdict = Verdict::RE;
    t.message = "exit code " + std::to_string(res.exit_code);
    return t;
  }
  try {
    CheckResult c = default_check(test.answer.string(), output.string(), p.checker_flags);
    t.verdict = c.accepted ? Verdict::AC : Verdict::WA;
    t.message = c.message;
  } catch (const std::exception& e) {
    t.verdict = Verdict::IE;
    t.message = std::string("checker failed: ") + e.what();
  }
  return t;
}

// Runtimes that manage their own heap (the JVM) are told the limit through
// `{memory_mb}` in the language's run command.
std::vector<std::string> with_memory_limit(std::vector<std::string> argv, std::uint64_t bytes) {
  const std::string key = "{memory_mb}", value = std::to_string(bytes >> 20);
  for (auto& w : argv)
    for (auto pos = w.find(key); pos != std::string::npos; pos = w.find(key, pos + value.size()))
      w.replace(pos, key.size(), value);
  return argv;
}

class TestRunner {
 public:
  TestRunner(const Problem& p, const Language& lang, Workspace& ws, const CompileResult& prog)
      : problem_(p), ws_(ws), program_(prog), limits_(test_limits(p, lang)) {}

  TestReport run(const TestCase& test) {
    fs::path output = ws_.private_dir() / "output";
    try {
      fs::path box = ws_.make_box("run");
      sandbox::Spec spec;
      spec.files_dir = program_.program_dir;
      spec.allow_exec = false;  // a solution has no business starting other programs
      spec.argv = with_memory_limit(program_.run_argv, limits_.memory_bytes);
      spec.env = {kPath, "LANG=C.UTF-8"};
      spec.workdir = box;
      spec.stdin_from = sandbox::Input::file(test.input);
      spec.stdout_to = sandbox::Output::file(output);
      spec.stderr_to = sandbox::Output::capture(4 << 10);
      spec.limits = limits_;
      spec.uid = ws_.identity().uid;
      spec.gid = ws_.identity().gid;
      sandbox::Result res = sandbox::run(spec);
      ws_.remove_box(box);
      return classify(test, res, problem_, limits_, output);
    } catch (const std::exception& e) {
      TestReport t;
      t.name = test.name;
      t.verdict = Verdict::IE;
      t.message = e.what();
      return t;
    }
  }

 private:
  const Problem& problem_;
  Workspace& ws_;
  const CompileResult& program_;
  sandbox::Limits limits_;
};

std::string first_failure_reason(const TestReport& t) {
  std::string r = std::string(verdict_code(t.verdict)) + " on test " + t.name;
  if (!t.message.empty()) r += ": " + t.message;
  return r;
}

}  // namespace

SubmissionReport judge_submission(const Problem& problem, const Submission& submission,
                                  const JudgeOptions& options, JudgeObserver* observer) {
  const Language& lang = *submission.language;
  require_toolchain(submission);
  SubmissionReport r;
  r.problem = problem.short_name;
  r.problem_name = problem.name;
  r.submission = submission.path.string();
  r.language = lang.id;
  r.language_name = lang.name;
  r.tests_total = problem.tests.size();

  std::optional<Workspace> ws;
  CompileResult compiled;
  try {
    ws.emplace(RunIdentity::for_slot(options.slot));
    compiled = Compiler(options.cache_dir).compile(submission, *ws);
  } catch (const std::exception& e) {
    compiled.status = CompileResult::Status::JudgeError;
    compiled.reason = std::string("cannot compile: ") + e.what();
  }
  r.compile = {compiled.status == CompileResult::Status::Ok, compiled.cached, compiled.seconds,
               compiled.diagnostics, compiled.reason};
  if (observer) observer->on_compiled(r.compile);
  if (compiled.status != CompileResult::Status::Ok) {
    r.verdict = compiled.status == CompileResult::Status::CompileError ? Verdict::CE : Verdict::IE;
    r.reason = compiled.reason;
    return r;
  }

  TestRunner runner(problem, lang, *ws, compiled);
  r.verdict = Verdict::AC;
  for (std::size_t i = 0; i < problem.tests.size(); ++i) {
    TestReport t = runner.run(problem.tests[i]);
    r.time = std::max(r.time, t.time);
    r.memory = std::max(r.memory, t.memory);
    r.tests.push_back(t);
    if (observer) observer->on_test(r.tests.back(), i, problem.tests.size());
    if (t.verdict != Verdict::AC && r.verdict == Verdict::AC) {
      r.verdict = t.verdict;
      r.reason = first_failure_reason(t);
      if (!options.run_all) break;
    }
  }
  return r;
}

std::string report_json(const SubmissionReport& r, int indent) {
  using nlohmann::json;
  json tests = json::array();
  for (const auto& t : r.tests) {
    tests.push_back({{"name", t.name},
                     {"verdict", verdict_code(t.verdict)},
                     {"time", t.time},
                     {"wall_time", t.wall_time},
                     {"memory", t.memory},
                     {"exit_code", t.exit_code ? json(*t.exit_code) : json(nullptr)},
                     {"signal", t.signal.empty() ? json(nullptr) : json(t.signal)},
                     {"message", t.message}});
  }
  json j = {{"problem", r.problem},
            {"problem_name", r.problem_name},
            {"submission", r.submission},
            {"language", r.language},
            {"verdict", verdict_code(r.verdict)},
            {"reason", r.reason},
            {"time", r.time},
            {"memory", r.memory},
            {"compile",
             {{"ok", r.compile.ok},
              {"cached", r.compile.cached},
              {"time", r.compile.seconds},
              {"output", r.compile.output},
              {"reason", r.compile.reason}}},
            {"tests_total", r.tests_total},
            {"tests", tests}};
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace pj::judge
