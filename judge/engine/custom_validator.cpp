#include "judge/engine/custom_validator.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "judge/engine/package_program.hpp"
#include "judge/engine/program_failure.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

constexpr std::size_t kMaxMessage = kMaxProgramMessage;

// A file the validator wrote, cut to a size fit for a report line.
std::string read_message(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  std::string text(kMaxMessage + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  bool cut = text.size() > kMaxMessage;
  if (cut) text.resize(kMaxMessage);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::replace(text.begin(), text.end(), '\n', ' ');
  if (cut) text += " ...";
  return text;
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (line.size() > kMaxMessage) line.resize(kMaxMessage);
  return line;
}

std::optional<double> parse_number(const std::string& text) {
  try {
    std::size_t used = 0;
    double v = std::stod(text, &used);
    if (text.find_first_not_of(" \t\r\n", used) != std::string::npos || !std::isfinite(v))
      return std::nullopt;
    return v;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

ValidatorVerdict error(std::string why) {
  ValidatorVerdict v;
  v.message = std::move(why);
  return v;
}

ValidatorVerdict accept(std::string message) {
  return {ValidatorVerdict::Kind::Accept, Verdict::AC, std::move(message), {}, {}};
}

ValidatorVerdict reject(Verdict verdict, std::string message) {
  return {ValidatorVerdict::Kind::Reject, verdict, std::move(message), {}, {}};
}

// Kattis protocol arguments: input, answer, feedback directory, then the
// validator arguments in force for the test.
std::vector<std::string> kattis_args(const TestCase& test) {
  std::vector<std::string> args = {"input", "answer", "feedback/"};
  args.insert(args.end(), test.validator_args.begin(), test.validator_args.end());
  return args;
}

}  // namespace

// Every pass gets a fresh box (the validator's own files are placed in it
// anew); a later pass's inherits the feedback directory of the one before.
fs::path ValidatorRunner::open_box(const TestCase& test, const fs::path& input) {
  fs::path kept = ws_.root() / "feedback-kept";
  if (!box_.empty()) {
    fs::rename(box_ / "feedback", kept);
    ws_.remove_box(box_);
  } else {
    pass_ = 0;
  }
  box_ = ws_.make_box("check", id_);
  Workspace::place_readonly(test.answer, box_ / "answer");
  Workspace::place_readonly(input, box_ / "input");
  if (pass_ == 0) {
    ws_.make_subdir(box_, "feedback", id_);
  } else {
    fs::rename(kept, box_ / "feedback");
  }
  ++pass_;
  return box_;
}

void ValidatorRunner::close_box_unless_passing(const ValidatorVerdict& v) {
  if (!v.next_pass) end_test();
}

void ValidatorRunner::end_test() {
  if (box_.empty()) return;
  ws_.remove_box(box_);
  box_.clear();
}

// The validator asks for another pass by accepting with a nextpass.in in
// its feedback directory; the file is taken out, so that the next pass's
// validator can ask again. Another pass past validation_passes is its error.
ValidatorVerdict ValidatorRunner::take_next_pass(ValidatorVerdict v, const fs::path& feedback,
                                                 const std::string& who) {
  fs::path asked = feedback / "nextpass.in";
  std::error_code ec;
  auto status = fs::symlink_status(asked, ec);
  if (!fs::exists(status)) return v;
  if (!problem_.multi_pass)
    return error(who + " wrote nextpass.in, but the problem is not multi-pass");
  if (v.kind != ValidatorVerdict::Kind::Accept) {  // a rejection ends the test
    fs::remove(asked, ec);
    return v;
  }
  if (!fs::is_regular_file(status))
    return error(who + " wrote a nextpass.in that is not a regular file");
  if (pass_ >= problem_.validation_passes)
    return error(who + " asked for pass " + std::to_string(pass_ + 1) +
                 ", past the problem's validation_passes (" +
                 std::to_string(problem_.validation_passes) + ")");
  next_input_ = ws_.private_dir() / ("pass" + std::to_string(pass_ + 1) + ".in");
  fs::copy_file(asked, next_input_, fs::copy_options::overwrite_existing);
  chmod(next_input_.c_str(), 0644);  // its directory keeps it private; a link does not
  fs::remove(asked);
  v.next_pass = true;
  return v;
}

sandbox::Spec ValidatorRunner::base_spec(const fs::path& box, std::vector<std::string> args) {
  sandbox::Spec spec = package_program_spec(problem_, program_, box, id_);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.share_workdir = true;  // the feedback files are what we are after
  return spec;
}

bool ValidatorRunner::kattis() const {
  return problem_.validator->protocol == ValidatorProtocol::Kattis;
}

std::string ValidatorRunner::who(const char* role) const {
  return std::string(kattis() ? "the " : "the testlib ") + role;
}

ValidatorVerdict ValidatorRunner::check(const TestCase& test, const fs::path& input,
                                        const fs::path& output) {
  fs::path box = open_box(test, input);
  if (!kattis()) {
    chmod(output.c_str(), 0644);  // its directory keeps it private; the link does not
    Workspace::place_readonly(output, box / "output");
  }
  sandbox::Spec spec = base_spec(
      box, kattis() ? kattis_args(test) : std::vector<std::string>{"input", "output", "answer"});
  if (kattis()) spec.stdin_from = sandbox::Input::file(output);
  sandbox::Result res = sandbox::run(spec);
  ValidatorVerdict v = interpret(res, spec.limits, box, who("output validator"));
  close_box_unless_passing(v);
  return v;
}

sandbox::Spec ValidatorRunner::interactor_spec(const TestCase& test, const fs::path& input,
                                               double submission_wall) {
  open_box(test, input);
  sandbox::Spec spec = base_spec(
      box_, kattis() ? kattis_args(test) : std::vector<std::string>{"input", "feedback/tout"});
  // The interactor waits on the submission: it may sleep as long as the
  // submission may, and then needs its own time to decide.
  spec.limits.wall_seconds = submission_wall + 2 * problem_.validation_seconds;
  interactor_limits_ = spec.limits;
  return spec;
}

bool ValidatorRunner::rejected(const sandbox::Result& res) const {
  sandbox::Ending e = res.ending();
  if (e != sandbox::Ending::Exited && e != sandbox::Ending::NonzeroExit) return false;
  if (kattis()) return res.exit_code == 43;
  return res.exit_code == 1 || res.exit_code == 2;
}

ValidatorVerdict ValidatorRunner::interactor_verdict(const sandbox::Result& res) {
  ValidatorVerdict v = interpret(res, interactor_limits_, box_, who("interactor"));
  close_box_unless_passing(v);
  return v;
}

// Only an exit code speaks the protocol: anything else the validator went
// through (could not start, a limit, a signal) is the judge's error.
ValidatorVerdict ValidatorRunner::interpret(const sandbox::Result& res,
                                            const sandbox::Limits& limits, const fs::path& box,
                                            const std::string& who) {
  switch (res.ending()) {
    case sandbox::Ending::Exited:
    case sandbox::Ending::NonzeroExit:
      return kattis() ? interpret_kattis(res.exit_code, box / "feedback", who)
                      : interpret_testlib(res.exit_code, first_line(res.stderr_data), who);
    default:
      return error(program_failure(who, res, limits));
  }
}

ValidatorVerdict ValidatorRunner::interpret_testlib(int exit_code, const std::string& words,
                                                    const std::string& who) const {
  switch (exit_code) {
    case 0:
      return accept(words);
    case 1:
      return reject(Verdict::WA, words);
    case 2:
      return reject(Verdict::PE, words);
    case 3:
      return error(who + " failed: " + words);
    case 7: {
      // `points X [message]` on stderr.
      std::string rest = words.rfind("points ", 0) == 0 ? words.substr(7) : words;
      auto score = parse_number(rest.substr(0, rest.find(' ')));
      if (!score) return error(who + " gave points without a number: " + words);
      if (!problem_.scoring) return error(who + " gave points in a pass-fail problem");
      ValidatorVerdict v = accept(words);
      v.score = score;
      return v;
    }
    default:
      return error(who + " exited with " + std::to_string(exit_code) +
                   " (0 ok, 1 wrong answer, 2 presentation error, 3 fail, 7 points): " + words);
  }
}

ValidatorVerdict ValidatorRunner::interpret_kattis(int exit_code, const fs::path& feedback,
                                                   const std::string& who) {
  std::string judge_message = read_message(feedback / "judgemessage.txt");
  std::string team_message = read_message(feedback / "teammessage.txt");
  if (exit_code != 42 && exit_code != 43) {
    std::string why =
        who + " exited with " + std::to_string(exit_code) + " (42 accepts, 43 rejects)";
    if (!judge_message.empty()) why += ": " + judge_message;
    return error(why);
  }
  if (fs::exists(feedback / "score_multiplier.txt"))
    return error(who + " wrote score_multiplier.txt, which pipejudge does not support yet");
  ValidatorVerdict v = exit_code == 42 ? accept(judge_message) : reject(Verdict::WA, judge_message);
  v.team_message = team_message;
  v = take_next_pass(std::move(v), feedback, who);
  // A pass that asks for another is not the last: its score.txt is not the test's.
  if (v.kind == ValidatorVerdict::Kind::Accept && !v.next_pass &&
      fs::exists(feedback / "score.txt")) {
    v.score = parse_number(read_message(feedback / "score.txt"));
    if (!v.score) return error(who + " wrote a score.txt that is not a number");
  }
  return v;
}

}  // namespace pj::judge
