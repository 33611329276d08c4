// Per-test overhead of pipejudge against a bare spawn loop, in one run.
//
//   bench_overhead [N [ROUNDS]]   (default 200 tests per round, 3 rounds)
//   PIPEJUDGE=path       the CLI row runs that pipejudge (default: the one beside)
//   PIPEJUDGE_INSECURE=1 where namespaces cannot be made, measure plain runs
//                        (the last resort, as `--insecure` allows them)
//
// bare:     posix_spawn the compiled aplusb C solution with stdin/stdout
//           pipes, write the input, read the output, waitpid. No sandbox.
// sandbox:  sandbox::run of the same binary with the judge's limits, input
//           from the test file, output to a file.
// judge:    judge_submission on a problem of N copies of the test (cached
//           compile, fresh box per test, checker): the whole per-test path.
// pair:     an interactive test's shape: run_connected of the solution and
//           a shell that writes the input and waits for the answer, against
//           the same two programs as two sandbox::run calls one after the other.
// CLI:      `pipejudge submit --all` of the same problem: a worker process
//           judges, every event goes through the queue to a collector that
//           stores it, and the live table is read back from the database.
//           Per test: (time of N tests - time of 1 test) / (N - 1), so the
//           command's start (processes, database, compile cache look-up),
//           printed apart, is not spread over the tests.
// Figures are ms per test (median of the rounds) and the ratio to bare.
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "judge/engine/judge_submission.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "sandbox/sandbox.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

extern char** environ;

namespace {

const char* kInput = "1 2\n";

double since_ms(Clock::time_point t) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

void bare_once(const std::string& binary) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) std::exit(1);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  char* argv[] = {const_cast<char*>(binary.c_str()), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, binary.c_str(), &fa, nullptr, argv, environ) != 0) std::exit(1);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (write(in[1], kInput, 4) != 4) std::exit(1);
  close(in[1]);
  char buf[256];
  while (read(out[0], buf, sizeof buf) > 0) {
  }
  close(out[0]);
  waitpid(pid, nullptr, 0);
}

// Wall time of `pipejudge submit --all` on `problem`, in ms; exits on failure.
double time_submit(const std::string& pipejudge, const fs::path& problem, const fs::path& source,
                   const fs::path& cache) {
  std::string p = problem.string(), src = source.string(), c = cache.string();
  char* argv[] = {const_cast<char*>(pipejudge.c_str()),
                  const_cast<char*>("submit"),
                  const_cast<char*>("--all"),
                  const_cast<char*>("--cache-dir"),
                  c.data(),
                  const_cast<char*>("--problem"),
                  p.data(),
                  src.data(),
                  nullptr};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  auto t = Clock::now();
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &fa, nullptr, argv, environ) != 0) std::exit(1);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  waitpid(pid, &status, 0);
  double ms = since_ms(t);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "pipejudge submit failed (status %d)\n", status);
    std::exit(1);
  }
  return ms;
}

void make_problem(const fs::path& dir, int tests) {
  fs::create_directories(dir / "data" / "secret");
  std::ofstream(dir / "problem.yaml") << "name: bench\nlimits:\n  time_limit: 1\n";
  for (int i = 0; i < tests; ++i) {
    char name[32];
    snprintf(name, sizeof name, "%05d", i);
    std::ofstream(dir / "data" / "secret" / (std::string(name) + ".in")) << kInput;
    std::ofstream(dir / "data" / "secret" / (std::string(name) + ".ans")) << "3\n";
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int n = std::max(2, argc > 1 ? std::atoi(argv[1]) : 200);
  const int rounds = std::max(1, argc > 2 ? std::atoi(argv[2]) : 3);
  if (const char* insecure = std::getenv("PIPEJUDGE_INSECURE");
      insecure && std::string(insecure) == "1") {
    pj::sandbox::SandboxSettings settings = pj::sandbox::settings();
    settings.allow_plain = true;
    pj::sandbox::configure(settings);
  }
  fs::path tmp = fs::temp_directory_path() / ("pj-bench-" + std::to_string(getpid()));
  fs::create_directories(tmp);
  fs::permissions(tmp, fs::perms::all);
  fs::create_directories(tmp / "box");
  fs::permissions(tmp / "box", fs::perms::all);
  make_problem(tmp / "problem", n);
  make_problem(tmp / "problem1", 1);
  // The pipejudge beside this program, or $PIPEJUDGE (another build, to compare).
  char self[PATH_MAX] = {};
  if (readlink("/proc/self/exe", self, sizeof self - 1) < 0) return 1;
  std::string pipejudge = std::getenv("PIPEJUDGE")
                              ? std::getenv("PIPEJUDGE")
                              : (fs::path(self).parent_path() / "pipejudge").string();
  fs::path source = fs::path(PIPEJUDGE_SOURCE_DIR) / "problems/aplusb/submissions/accepted/sol.c";
  fs::create_directories(tmp / "prog");
  fs::path binary = tmp / "prog" / "sol";
  if (std::system(("gcc -O2 -o " + binary.string() + " " + source.string()).c_str()) != 0) return 1;
  fs::permissions(binary, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec |
                              fs::perms::group_read | fs::perms::others_read);

  auto languages = pj::judge::LanguageTable::load_default();
  auto problem = pj::judge::load_problem(tmp / "problem");
  auto submission = pj::judge::load_submission(source, "", languages);
  pj::judge::JudgeOptions opts;
  opts.run_all = true;
  opts.cache_dir = tmp / "cache";
  pj::judge::judge_submission(problem, submission, opts);  // warm the compile cache

  // The same shape as a judged test: the program's files shown in a fresh
  // work directory, input from the test file, output to a file.
  pj::sandbox::Spec spec;
  spec.argv = {"./sol"};
  spec.files_dir = (tmp / "prog").string();
  spec.env = {"PATH=/usr/bin:/bin"};
  spec.workdir = (tmp / "box").string();
  spec.stdin_from = pj::sandbox::Input::file(tmp / "problem/data/secret/00000.in");
  spec.stdout_to = pj::sandbox::Output::file(tmp / "out");
  spec.stderr_to = pj::sandbox::Output::capture(4096);
  if (geteuid() == 0) {
    spec.uid = 60000;
    spec.gid = 60000;
  }

  // The judge's half of an interactive test, as its own uid.
  pj::sandbox::Spec asker = spec;
  asker.argv = {"/bin/sh", "-c", "echo 1 2; read answer; test \"$answer\" = 3"};
  asker.files_dir.clear();
  asker.stdin_from = pj::sandbox::Input::data("3\n");
  asker.stdout_to = pj::sandbox::Output::discard();
  if (geteuid() == 0) {
    asker.uid = 61000;
    asker.gid = 61000;
  }

  std::vector<double> bare, sandbox, judge, pair, two_runs, cli, cli_start;
  for (int r = 0; r < rounds; ++r) {
    auto t = Clock::now();
    for (int i = 0; i < n; ++i) bare_once(binary);
    bare.push_back(since_ms(t) / n);
    t = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto res = pj::sandbox::run(spec);
      if (!res.ok()) {
        std::fprintf(stderr, "sandbox run failed: %s\n", pj::sandbox::to_json(res).c_str());
        return 1;
      }
    }
    sandbox.push_back(since_ms(t) / n);
    t = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto res = pj::sandbox::run_connected(spec, asker);
      if (!res.a.ok() || !res.b.ok()) {
        std::fprintf(stderr, "connected run failed: %s %s\n", pj::sandbox::to_json(res.a).c_str(),
                     pj::sandbox::to_json(res.b).c_str());
        return 1;
      }
    }
    pair.push_back(since_ms(t) / n);
    t = Clock::now();
    for (int i = 0; i < n; ++i) {
      pj::sandbox::run(asker);
      pj::sandbox::run(spec);
    }
    two_runs.push_back(since_ms(t) / n);
    t = Clock::now();
    auto report = pj::judge::judge_submission(problem, submission, opts);
    judge.push_back(since_ms(t) / n);
    if (report.verdict != pj::judge::Verdict::AC) {
      std::fprintf(stderr, "judge: %s\n", report.reason.c_str());
      return 1;
    }
    double all = time_submit(pipejudge, tmp / "problem", source, tmp / "cache");
    double one = time_submit(pipejudge, tmp / "problem1", source, tmp / "cache");
    cli.push_back((all - one) / (n - 1));
    cli_start.push_back(one - cli.back());
  }
  double b = median(bare), s = median(sandbox), j = median(judge);
  std::printf("pipejudge per-test overhead, %d tests x %d rounds (median), aplusb C solution\n", n,
              rounds);
  std::printf("  bare spawn+pipes loop   %7.3f ms/test\n", b);
  std::printf("  sandbox::run            %7.3f ms/test  ratio %.2f  (+%.3f ms)\n", s, s / b, s - b);
  std::printf("  judge (run + check)     %7.3f ms/test  ratio %.2f  (+%.3f ms)\n", j, j / b, j - b);
  double c = median(cli);
  std::printf(
      "  CLI submit --all        %7.3f ms/test  ratio %.2f  (+%.3f ms; start-up %.1f ms per "
      "submit)\n",
      c, c / b, c - b, median(cli_start));
  double pr = median(pair), two = median(two_runs);
  std::printf(
      "  interactive pair        %7.3f ms/test  ratio %.2f to two runs in a row (%.3f ms)\n", pr,
      pr / two, two);
  fs::remove_all(tmp);
  return 0;
}
