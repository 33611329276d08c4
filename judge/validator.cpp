#include "judge/validator.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <stdexcept>

#include "judge/error.hpp"
#include "judge/judge.hpp"
#include "judge/languages.hpp"
#include "judge/submission.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

constexpr std::size_t kMaxMessage = 1024;

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

const std::vector<std::string> kEnv = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};

}  // namespace

namespace {

// A program directory with `build` and/or `run` scripts (the package
// format's escape hatch): `sh build` compiles in the sandbox like a
// compiler; `run` (a built binary or a shell script) is the program.
std::optional<Language> scripts_language(const fs::path& dir) {
  if (!fs::is_directory(dir)) return std::nullopt;
  bool build = fs::is_regular_file(dir / "build"), run = fs::is_regular_file(dir / "run");
  if (!build && !run) return std::nullopt;
  Language lang;
  lang.id = build ? "package-build-script" : "package-run-script";
  lang.name = "the package's build/run scripts";
  if (build) lang.compile = {"/bin/sh", "build"};
  lang.run = {"/bin/sh", "-c",
              "if [ -x ./run ]; then exec ./run \"$@\"; else exec /bin/sh ./run \"$@\"; fi", "run"};
  return lang;
}

}  // namespace

CompileResult compile_package_program(const fs::path& path, Workspace& ws,
                                      const fs::path& cache_dir, const std::string& name) {
  LanguageTable languages = LanguageTable::load_default();
  std::optional<Language> scripts = scripts_language(path);
  Submission source;
  try {
    if (scripts) {
      source.path = path;
      source.language = &*scripts;
      for (const auto& e : fs::directory_iterator(path))
        if (e.is_regular_file()) source.sources.push_back(e.path());
      std::sort(source.sources.begin(), source.sources.end());
    } else {
      source = load_submission(path, "", languages);
      require_toolchain(source);
    }
  } catch (const ConfigError& e) {
    throw std::runtime_error(e.file() + ": " + e.what());
  }
  CompileResult r = Compiler(cache_dir).compile(source, ws, name);
  if (r.status != CompileResult::Status::Ok) {
    std::string why = path.string() + " does not compile: " + r.reason;
    if (!r.diagnostics.empty()) why += "\n" + r.diagnostics;
    throw std::runtime_error(why);
  }
  return r;
}

fs::path ValidatorRunner::prepare_box(const TestCase& test) {
  fs::path box = ws_.make_box("check", id_);
  Workspace::place_readonly(test.input, box / "input");
  Workspace::place_readonly(test.answer, box / "answer");
  ws_.make_subdir(box, "feedback", id_);
  return box;
}

sandbox::Spec package_program_spec(const Problem& p, const CompileResult& program,
                                   const fs::path& box, const RunIdentity& id) {
  sandbox::Spec spec;
  spec.argv = program.run_argv;
  spec.files_dir = program.program_dir;
  spec.env = kEnv;
  spec.workdir = box;
  spec.stdout_to = sandbox::Output::capture(kMaxMessage);
  spec.stderr_to = sandbox::Output::capture(4 << 10);
  spec.limits.cpu_seconds = p.validation_seconds;
  spec.limits.memory_bytes = p.validation_memory_bytes;
  spec.limits.output_bytes = 8 << 20;
  spec.limits.file_bytes = 64 << 20;
  spec.limits.processes = 64;
  spec.limits.open_files = 64;
  spec.uid = id.uid;
  spec.gid = id.gid;
  return spec;
}

sandbox::Spec ValidatorRunner::base_spec(const fs::path& box, std::vector<std::string> args) {
  sandbox::Spec spec = package_program_spec(problem_, program_, box, id_);
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.share_workdir = true;  // the feedback files are what we are after
  return spec;
}

ValidatorVerdict ValidatorRunner::check(const TestCase& test, const fs::path& output) {
  fs::path box = prepare_box(test);
  std::vector<std::string> args;
  if (problem_.validator->protocol == ValidatorProtocol::Kattis) {
    args = {"input", "answer", "feedback/"};
    args.insert(args.end(), test.checker_args.begin(), test.checker_args.end());
  } else {
    chmod(output.c_str(), 0644);  // its directory keeps it private; the link does not
    Workspace::place_readonly(output, box / "output");
    args = {"input", "output", "answer"};
  }
  sandbox::Spec spec = base_spec(box, args);
  if (problem_.validator->protocol == ValidatorProtocol::Kattis)
    spec.stdin_from = sandbox::Input::file(output);
  sandbox::Result res = sandbox::run(spec);
  ValidatorVerdict v = interpret(res, box, "output validator");
  ws_.remove_box(box);
  return v;
}

sandbox::Spec ValidatorRunner::interactor_spec(const TestCase& test, double submission_wall) {
  box_ = prepare_box(test);
  std::vector<std::string> args;
  if (problem_.validator->protocol == ValidatorProtocol::Kattis) {
    args = {"input", "answer", "feedback/"};
    args.insert(args.end(), test.checker_args.begin(), test.checker_args.end());
  } else {
    args = {"input", "feedback/tout"};
  }
  sandbox::Spec spec = base_spec(box_, args);
  // The interactor waits on the submission: it may sleep as long as the
  // submission may, and then needs its own time to decide.
  spec.limits.wall_seconds = submission_wall + 2 * problem_.validation_seconds;
  return spec;
}

bool ValidatorRunner::rejected(const sandbox::Result& res) const {
  if (!res.error.empty() || res.limit != sandbox::LimitHit::None || res.signal) return false;
  if (problem_.validator->protocol == ValidatorProtocol::Kattis) return res.exit_code == 43;
  return res.exit_code == 1 || res.exit_code == 2;
}

ValidatorVerdict ValidatorRunner::interactor_verdict(const sandbox::Result& res) {
  ValidatorVerdict v = interpret(res, box_, "interactor");
  ws_.remove_box(box_);
  return v;
}

ValidatorVerdict ValidatorRunner::interpret(const sandbox::Result& res, const fs::path& box,
                                            const char* role) {
  std::string who =
      std::string(problem_.validator->protocol == ValidatorProtocol::Kattis ? "the "
                                                                            : "the testlib ") +
      role;
  if (!res.error.empty()) return error("cannot run " + who + ": " + res.error);
  if (res.limit != sandbox::LimitHit::None)
    return error(who + " exceeded its " + sandbox::limit_name(res.limit) + " limit");
  if (!res.forbidden_syscall.empty())
    return error(who + " made a forbidden syscall: " + res.forbidden_syscall);
  if (res.signal) return error(who + " was killed by " + sandbox::signal_name(res.signal));

  if (problem_.validator->protocol == ValidatorProtocol::Testlib) {
    std::string words = first_line(res.stderr_data);
    switch (res.exit_code) {
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
        return error(who + " exited with " + std::to_string(res.exit_code) +
                     " (0 ok, 1 wrong answer, 2 presentation error, 3 fail, 7 points): " + words);
    }
  }

  fs::path feedback = box / "feedback";
  std::string judge_message = read_message(feedback / "judgemessage.txt");
  std::string team_message = read_message(feedback / "teammessage.txt");
  if (res.exit_code != 42 && res.exit_code != 43) {
    std::string why =
        who + " exited with " + std::to_string(res.exit_code) + " (42 accepts, 43 rejects)";
    if (!judge_message.empty()) why += ": " + judge_message;
    return error(why);
  }
  for (const char* unsupported : {"score_multiplier.txt", "nextpass.in"})
    if (fs::exists(feedback / unsupported))
      return error(who + " wrote " + unsupported + ", which pipejudge does not support yet");
  ValidatorVerdict v =
      res.exit_code == 42 ? accept(judge_message) : reject(Verdict::WA, judge_message);
  v.team_message = team_message;
  if (v.kind == ValidatorVerdict::Kind::Accept && fs::exists(feedback / "score.txt")) {
    v.score = parse_number(read_message(feedback / "score.txt"));
    if (!v.score) return error(who + " wrote a score.txt that is not a number");
  }
  return v;
}

}  // namespace pj::judge
