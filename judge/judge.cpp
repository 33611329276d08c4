#include "judge/judge.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "judge/compile.hpp"
#include "judge/error.hpp"
#include "judge/events.hpp"
#include "judge/scoring.hpp"
#include "judge/validator.hpp"
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

sandbox::Limits test_limits(const Problem& p, const Language& lang, double time_limit) {
  sandbox::Limits l;
  l.cpu_seconds = time_limit * lang.time_factor;
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

// The run's facts, before anyone judges the answer.
TestReport facts(const TestCase& test, const sandbox::Result& res) {
  TestReport t;
  t.name = test.name;
  t.time = res.cpu_seconds;
  t.wall_time = res.wall_seconds;
  t.memory = res.memory_bytes;
  if (res.exit_code >= 0) t.exit_code = res.exit_code;
  if (res.signal) t.signal = sandbox::signal_name(res.signal);
  return t;
}

// What the run itself says against the program, if anything: a limit, a
// forbidden syscall, a signal, a nonzero exit. A run that could not start is
// the judge's fault (IE). False: it ran and exited 0.
bool run_failed(const sandbox::Result& res, const sandbox::Limits& lim, TestReport& t) {
  auto fail = [&t](Verdict v, std::string message) {
    t.verdict = v;
    t.message = std::move(message);
    return true;
  };
  if (!res.error.empty()) return fail(Verdict::IE, res.error);
  switch (res.limit) {
    case sandbox::LimitHit::Cpu:
      return fail(Verdict::TLE, "CPU time over " + seconds_text(lim.cpu_seconds));
    case sandbox::LimitHit::Wall:
      return fail(Verdict::TLE, "wall time over " + seconds_text(lim.effective_wall_seconds()) +
                                    " (sleeping or blocked)");
    case sandbox::LimitHit::Memory:
      return fail(Verdict::MLE,
                  "peak memory over " + std::to_string(lim.memory_bytes >> 20) + " MiB");
    case sandbox::LimitHit::Output:
      return fail(Verdict::OLE, "output over " + std::to_string(lim.output_bytes) + " bytes");
    case sandbox::LimitHit::Processes:
      return fail(Verdict::RE, "too many processes or threads");
    case sandbox::LimitHit::None:
      break;
  }
  if (!res.forbidden_syscall.empty())
    return fail(Verdict::RE, "forbidden syscall " + res.forbidden_syscall);
  if (res.signal) return fail(Verdict::RE, "killed by " + t.signal);
  if (res.exit_code != 0) return fail(Verdict::RE, "exit code " + std::to_string(res.exit_code));
  return false;
}

void take_validator_verdict(const ValidatorVerdict& v, TestReport& t) {
  t.verdict = v.verdict;
  t.message = v.message;
  t.team_message = v.team_message;
  t.score = v.score;
}

class TestRunner {
 public:
  TestRunner(const Problem& p, const Language& lang, Workspace& ws, const CompileResult& prog,
             std::optional<ValidatorRunner> validator, double time_limit)
      : problem_(p),
        ws_(ws),
        program_(prog),
        validator_(std::move(validator)),
        limits_(test_limits(p, lang, time_limit)) {}

  TestReport run(const TestCase& test) {
    try {
      return problem_.interactive ? run_interactive(test) : run_batch(test);
    } catch (const std::exception& e) {
      TestReport t;
      t.name = test.name;
      t.verdict = Verdict::IE;
      t.message = e.what();
      return t;
    }
  }

 private:
  sandbox::Spec submission_spec(const fs::path& box) const {
    sandbox::Spec spec;
    spec.files_dir = program_.program_dir;
    spec.allow_exec = false;  // a solution has no business starting other programs
    spec.argv = expand_memory_limit(program_.run_argv, limits_.memory_bytes);
    spec.env = {kPath, "LANG=C.UTF-8"};
    spec.workdir = box;
    spec.stderr_to = sandbox::Output::capture(4 << 10);
    spec.limits = limits_;
    spec.uid = ws_.identity().uid;
    spec.gid = ws_.identity().gid;
    return spec;
  }

  TestReport run_batch(const TestCase& test) {
    fs::path output = ws_.private_dir() / "output";
    fs::path box = ws_.make_box("run");
    sandbox::Spec spec = submission_spec(box);
    spec.stdin_from = sandbox::Input::file(test.input);
    spec.stdout_to = sandbox::Output::file(output);
    sandbox::Result res = sandbox::run(spec);
    ws_.remove_box(box);
    TestReport t = facts(test, res);
    if (run_failed(res, limits_, t)) return t;
    if (validator_) {
      take_validator_verdict(validator_->check(test, output), t);
      return t;
    }
    try {
      CheckResult c = default_check(test.answer.string(), output.string(), test.checker_flags);
      t.verdict = c.accepted ? Verdict::AC : Verdict::WA;
      t.message = c.message;
    } catch (const std::exception& e) {
      t.verdict = Verdict::IE;
      t.message = std::string("checker failed: ") + e.what();
    }
    return t;
  }

  // The precedence rule of interactive tests (README): a failing validator
  // is IE; a validator that rejected before the submission ended decides
  // (WA); then what the submission's run says (TLE, MLE, RE); then the
  // validator's verdict.
  TestReport run_interactive(const TestCase& test) {
    fs::path box = ws_.make_box("run");
    sandbox::Spec spec = submission_spec(box);
    sandbox::Spec interactor = validator_->interactor_spec(test, limits_.effective_wall_seconds());
    // A validator that rejected has decided (rule 2): the submission is
    // stopped rather than left to run into its limits.
    sandbox::ConnectedResult res = sandbox::run_connected(
        spec, interactor, [this](const sandbox::Result& b) { return validator_->rejected(b); });
    ws_.remove_box(box);
    ValidatorVerdict v = validator_->interactor_verdict(res.b);
    TestReport t = facts(test, res.a);
    if (v.kind == ValidatorVerdict::Kind::Error) {
      take_validator_verdict(v, t);
      return t;
    }
    if (v.kind == ValidatorVerdict::Kind::Reject && res.b_ended_first) {
      take_validator_verdict(v, t);
      return t;
    }
    if (run_failed(res.a, limits_, t)) return t;
    take_validator_verdict(v, t);
    return t;
  }

  const Problem& problem_;
  Workspace& ws_;
  const CompileResult& program_;
  std::optional<ValidatorRunner> validator_;
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

  // The package's validator: compiled once per package and version (cached);
  // if it cannot be used, that is the judge's problem, never the submission's.
  CompileResult validator_program;
  std::optional<ValidatorRunner> validator;
  if (problem.validator) {
    try {
      validator_program =
          compile_package_program(problem.validator->path, *ws, options.cache_dir, "validator");
      validator.emplace(problem, *ws, validator_program, RunIdentity::for_validator(options.slot));
    } catch (const std::exception& e) {
      r.verdict = Verdict::IE;
      r.reason = std::string("cannot use the output validator: ") + e.what();
      return r;
    }
  }

  TestRunner runner(problem, lang, *ws, compiled, std::move(validator),
                    options.time_limit.value_or(problem.time_limit));
  GroupTracker groups(problem);
  std::vector<const TestReport*> by_test(problem.tests.size(), nullptr);
  std::vector<std::size_t> index_of;
  r.verdict = Verdict::AC;
  for (std::size_t i = 0; i < problem.tests.size(); ++i) {
    if (!options.run_all && !groups.should_run(i)) continue;
    TestReport t = runner.run(problem.tests[i]);
    r.time = std::max(r.time, t.time);
    r.memory = std::max(r.memory, t.memory);
    r.tests.push_back(t);
    index_of.push_back(i);
    if (observer) observer->on_test(r.tests.back(), i, problem.tests.size());
    if (t.verdict != Verdict::AC) {
      groups.record_failure(i);
      if (r.verdict == Verdict::AC) {
        r.verdict = t.verdict;
        r.reason = first_failure_reason(t);
      }
    }
  }
  for (std::size_t k = 0; k < r.tests.size(); ++k) by_test[index_of[k]] = &r.tests[k];
  ScoreSheet sheet = score_groups(problem, by_test);
  r.groups = std::move(sheet.groups);
  r.score = sheet.score;
  r.max_score = sheet.max_score;
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
                     {"message", t.message},
                     {"score", t.score ? json(*t.score) : json(nullptr)},
                     {"team_message", t.team_message}});
  }
  auto number = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
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
            {"score", number(r.score)},
            {"max_score", number(r.max_score)},
            {"groups", groups_json(r.groups)},
            {"tests", tests}};
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace pj::judge
