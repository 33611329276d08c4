#include "judge/engine/test_runner.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>

#include "judge/engine/default_validator.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

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

// What a run that did not exit 0 within its limits earns. A run that could
// not start is the judge's fault (IE), never the submission's.
Verdict verdict_of(sandbox::Ending ending) {
  switch (ending) {
    case sandbox::Ending::Exited:
      return Verdict::AC;
    case sandbox::Ending::SetupFailed:
      return Verdict::IE;
    case sandbox::Ending::CpuLimit:
    case sandbox::Ending::WallLimit:
      return Verdict::TLE;
    case sandbox::Ending::MemoryLimit:
      return Verdict::MLE;
    case sandbox::Ending::OutputLimit:
      return Verdict::OLE;
    case sandbox::Ending::ProcessLimit:
    case sandbox::Ending::ForbiddenSyscall:
    case sandbox::Ending::Signalled:
    case sandbox::Ending::NonzeroExit:
      break;
  }
  return Verdict::RE;
}

// The line of a program's stderr that says what went wrong: the first one,
// but the last of a Python traceback (the exception comes at its end).
std::string telling_line(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (line.find_first_not_of(" \t\r") != std::string::npos) lines.push_back(line);
    start = end + 1;
  }
  if (lines.empty()) return {};
  std::string line = lines.front().rfind("Traceback", 0) == 0 ? lines.back() : lines.front();
  constexpr std::size_t kMaxLine = 200;
  if (line.size() > kMaxLine) line = line.substr(0, kMaxLine) + " ...";
  return line;
}

// Whether the run itself says something against the program (then `t` has
// the verdict and why); false: it ran and exited 0. A program that crashed
// or exited nonzero is told why in its own words, when it wrote any.
bool run_failed(const sandbox::Result& res, const sandbox::Limits& limits, TestReport& t) {
  if (res.ok()) return false;
  t.verdict = verdict_of(res.ending());
  t.message = sandbox::describe_ending(res, limits);
  t.error_output = res.stderr_data;
  std::string said = telling_line(res.stderr_data);
  bool crashed =
      res.ending() == sandbox::Ending::NonzeroExit || res.ending() == sandbox::Ending::Signalled;
  if (crashed && !said.empty()) t.message += ": " + said;
  return true;
}

TestRunner::Pass validator_decides(const ValidatorVerdict& v, TestReport t) {
  t.verdict = v.verdict;
  t.message = v.message;
  t.team_message = v.team_message;
  t.score = v.score;
  return {std::move(t), v.next_pass};
}

// The first `limit` bytes of `file` ("" if it cannot be read: a run that
// never started wrote nothing).
std::string read_start(const fs::path& file, std::uint64_t limit) {
  std::ifstream in(file, std::ios::binary);
  std::string data(static_cast<std::size_t>(limit), '\0');
  in.read(data.data(), static_cast<std::streamsize>(limit));
  data.resize(static_cast<std::size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return data;
}

}  // namespace

sandbox::Limits submission_limits(const Problem& p, const Language& lang, double time_limit) {
  sandbox::Limits l;
  l.cpu_seconds = time_limit * lang.time_factor;
  l.cpu_grace_seconds = kNearLimit * l.cpu_seconds;
  l.memory_bytes = static_cast<std::uint64_t>(std::llround(p.memory_bytes * lang.memory_factor));
  l.output_bytes = p.output_bytes;
  l.processes = 64;
  l.open_files = lang.open_files;
  return l;
}

TestRunner::TestRunner(const Problem& p, const Language& lang, Workspace& ws,
                       const CompileResult& program, std::optional<ValidatorRunner> validator,
                       double time_limit, const RunOptions& run)
    : problem_(p),
      ws_(ws),
      program_(program),
      validator_(std::move(validator)),
      limits_(submission_limits(p, lang, time_limit)),
      run_(run) {
  if (run.wall_seconds) limits_.wall_seconds = *run.wall_seconds;
  if (run.stack_bytes) limits_.stack_bytes = *run.stack_bytes;
  if (run.output_bytes) limits_.output_bytes = *run.output_bytes;
  if (run.processes) limits_.processes = *run.processes;
}

bool near_limit_tle(const TestReport& t, const sandbox::Limits& limits) {
  // Killed (at the wall limit, say), its CPU time says nothing of how much
  // it needed: only a run that ended by itself is near.
  return t.verdict == Verdict::TLE && t.signal != "SIGKILL" && limits.cpu_seconds > 0 &&
         t.time > limits.cpu_seconds && t.time < limits.cpu_seconds + limits.cpu_grace_seconds;
}

bool wall_limit_tle(const TestReport& t, const sandbox::Limits& limits) {
  const double wall = limits.effective_wall_seconds();
  return t.verdict == Verdict::TLE && wall > 0 && t.wall_time >= wall &&
         (limits.cpu_seconds <= 0 || t.time < limits.cpu_seconds);
}

TestReport rerun_if_doubtful(TestReport first, const sandbox::Limits& limits,
                             const std::function<TestReport()>& again) {
  if (!near_limit_tle(first, limits) && !wall_limit_tle(first, limits)) return first;
  TestReport second = again();
  second.rerun_first_time = first.time;
  return second;
}

TestReport TestRunner::run(const TestCase& test) {
  return rerun_if_doubtful(judge_once(test), limits_, [&] { return judge_once(test); });
}

TestReport TestRunner::judge_once(const TestCase& test) {
  TestReport t;
  try {
    t = problem_.multi_pass ? run_passes(test) : run_pass(test, test.input).report;
  } catch (const std::exception& e) {
    t = TestReport{};
    t.name = test.name;
    t.verdict = Verdict::IE;
    t.message = e.what();
  }
  if (validator_) validator_->end_test();
  return t;
}

TestRunner::Pass TestRunner::run_pass(const TestCase& test, const fs::path& input) {
  return problem_.interactive ? run_interactive(test, input) : run_batch(test, input);
}

// Multi-pass: while the validator accepts a pass and asks for another, the
// submission runs again on the input it wrote. The limits hold per pass;
// the test's time and memory are those of its costliest pass.
TestReport TestRunner::run_passes(const TestCase& test) {
  fs::path input = test.input;
  double time = 0, wall_time = 0;
  std::uint64_t memory = 0;
  for (int pass = 1;; ++pass) {
    Pass p = run_pass(test, input);
    TestReport& t = p.report;
    t.time = time = std::max(time, t.time);
    t.wall_time = wall_time = std::max(wall_time, t.wall_time);
    t.memory = memory = std::max(memory, t.memory);
    t.passes = pass;
    if (!p.another) {
      if (t.verdict != Verdict::AC) t.message = "pass " + std::to_string(pass) + ": " + t.message;
      return t;
    }
    input = validator_->next_pass_input();
  }
}

sandbox::Spec TestRunner::submission_spec(const fs::path& box) const {
  sandbox::Spec spec;
  set_program(spec, program_, limits_.memory_bytes);
  spec.argv.insert(spec.argv.end(), run_.arguments.begin(), run_.arguments.end());
  spec.stderr_to_stdout = run_.stderr_to_stdout;
  // A solution has no business starting other programs (a shell script's
  // language says otherwise).
  spec.allow_exec = program_.allow_exec;
  spec.workdir = box;
  spec.stderr_to = sandbox::Output::capture(4 << 10);
  spec.limits = limits_;
  spec.uid = ws_.identity().uid;
  spec.cpu = ws_.identity().cpu;
  spec.gid = ws_.identity().gid;
  return spec;
}

TestRunner::Pass TestRunner::run_batch(const TestCase& test, const fs::path& input) {
  fs::path output = ws_.private_dir() / "output";
  fs::path box = ws_.make_box("run");
  sandbox::Spec spec = submission_spec(box);
  spec.stdin_from = sandbox::Input::file(input);
  spec.stdout_to = sandbox::Output::file(output);
  sandbox::Result res = sandbox::run(spec);
  ws_.remove_box(box);
  TestReport t = facts(test, res);
  if (run_.keep_output > 0) t.output = read_start(output, run_.keep_output);
  if (run_failed(res, limits_, t)) return {t};
  if (validator_) return validator_decides(validator_->check(test, input, output), t);
  try {
    DefaultValidatorResult c =
        run_default_validator(test.answer.string(), output.string(), test.default_validator_flags);
    t.verdict = c.accepted ? Verdict::AC : Verdict::WA;
    t.message = c.message;
  } catch (const std::exception& e) {
    t.verdict = Verdict::IE;
    t.message = std::string("default output validator failed: ") + e.what();
  }
  return {t};
}

// The precedence rule of interactive tests (README): a failing validator
// is IE; a validator that rejected before the submission ended decides
// (WA); then what the submission's run says (TLE, MLE, RE); then the
// validator's verdict.
TestRunner::Pass TestRunner::run_interactive(const TestCase& test, const fs::path& input) {
  fs::path box = ws_.make_box("run");
  sandbox::Spec spec = submission_spec(box);
  sandbox::Spec interactor =
      validator_->interactor_spec(test, input, limits_.effective_wall_seconds());
  // A validator that rejected has decided (rule 2): the submission is
  // stopped rather than left to run into its limits.
  sandbox::ConnectedResult res = sandbox::run_connected(
      spec, interactor, [this](const sandbox::Result& b) { return validator_->rejected(b); });
  ws_.remove_box(box);
  ValidatorVerdict v = validator_->interactor_verdict(res.b);
  TestReport t = facts(test, res.a);
  bool validator_rules = v.kind == ValidatorVerdict::Kind::Error ||
                         (v.kind == ValidatorVerdict::Kind::Reject && res.b_ended_first);
  if (!validator_rules && run_failed(res.a, limits_, t)) return {t};
  return validator_decides(v, t);
}

}  // namespace pj::judge
