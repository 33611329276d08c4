// How much a fixed program's CPU time varies from run to run: under
// pipejudge (a run slot's sandbox, pinned to the slot's core, as a judged
// test runs) and bare (posix_spawn and wait4, wherever the scheduler puts
// it), interleaved in one run so that both see the same machine. The
// program does a fixed amount of work (a loop of N multiply-adds, N
// calibrated once to about 0.3 s), so the spread is the machine's noise.
// Prints mean, standard deviation and coefficient of variation (CV) of the
// CPU time of each; the third row is the same sandbox not pinned.
//
//   build/bench_timing [RUNS]   (default 20)
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "bench/temp_dir.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace fs = std::filesystem;

extern char** environ;

namespace {

const char* kSpin = R"(#include <stdlib.h>
int main(int argc, char** argv) {
  unsigned long long n = strtoull(argv[1], 0, 10);
  volatile unsigned long long x = 1;
  for (unsigned long long i = 0; i < n; i++) x = x * 6364136223846793005ull + 1442695040888963407ull;
  return 0;
}
)";

double seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

// CPU time of one bare run: posix_spawn, wait4.
double bare(const std::string& binary, const std::string& n) {
  char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>(n.c_str()), nullptr};
  pid_t pid;
  if (posix_spawn(&pid, binary.c_str(), nullptr, nullptr, argv, environ) != 0) std::exit(1);
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "bench_timing: the bare run failed\n");
    std::exit(1);
  }
  return seconds(ru.ru_utime) + seconds(ru.ru_stime);
}

// CPU time of one run in the sandbox, as a judged test of run slot `slot`.
double judged(const fs::path& dir, const std::string& n, int slot, bool pinned) {
  pj::judge::RunIdentity id = pj::judge::RunIdentity::for_slot(slot);
  pj::sandbox::Spec spec;
  spec.argv = {"./spin", n};
  spec.env = pj::judge::program_environment();
  spec.files_dir = dir / "bin";
  spec.workdir = dir / "box";
  spec.limits.cpu_seconds = 5;
  spec.limits.memory_bytes = 64 << 20;
  spec.allow_exec = false;
  spec.uid = id.uid;
  spec.gid = id.gid;
  spec.cpu = pinned ? id.cpu : -1;
  pj::sandbox::Result r = pj::sandbox::run(spec);
  if (!r.ok()) {
    std::fprintf(stderr, "bench_timing: the sandboxed run failed: %s %s\n", r.error.c_str(),
                 r.stderr_data.c_str());
    std::exit(1);
  }
  return r.cpu_seconds;
}

struct Stats {
  double mean = 0, sd = 0, min = 0, max = 0;
};

Stats stats(const std::vector<double>& v) {
  Stats s;
  s.min = s.max = v.front();
  for (double x : v) {
    s.mean += x;
    s.min = std::min(s.min, x);
    s.max = std::max(s.max, x);
  }
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.sd += (x - s.mean) * (x - s.mean);
  s.sd = std::sqrt(s.sd / static_cast<double>(v.size() - 1));
  return s;
}

void print(const char* name, const std::vector<double>& v) {
  Stats s = stats(v);
  std::printf("  %-34s mean %.4f s  sd %.4f s  min %.4f  max %.4f  CV %.2f %%\n", name, s.mean,
              s.sd, s.min, s.max, 100 * s.sd / s.mean);
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::atoi(argv[1]) : 20;
  if (runs < 2) return 2;
  const pj::bench::TempDir scratch("pj-bench-timing");
  const fs::path& dir = scratch.path();
  fs::create_directories(dir / "bin");
  fs::create_directories(dir / "box");
  fs::permissions(dir, fs::perms::all);
  fs::permissions(dir / "box", fs::perms::all);
  fs::permissions(dir / "bin", fs::perms::owner_all | fs::perms::group_read |
                                   fs::perms::group_exec | fs::perms::others_read |
                                   fs::perms::others_exec);
  std::ofstream(dir / "spin.c") << kSpin;
  std::string cc =
      "cc -O2 -o '" + (dir / "bin/spin").string() + "' '" + (dir / "spin.c").string() + "'";
  if (std::system(cc.c_str()) != 0) {
    std::fprintf(stderr, "bench_timing: cannot compile the program (%s)\n", cc.c_str());
    return 1;
  }
  const std::string binary = (dir / "bin/spin").string();

  // N for about 0.3 s: the best of three calibration runs.
  const unsigned long long probe = 100000000ull;
  double best = 1e9;
  for (int i = 0; i < 3; ++i) best = std::min(best, bare(binary, std::to_string(probe)));
  const std::string n = std::to_string(static_cast<unsigned long long>(probe * 0.3 / best));

  pj::judge::RunSlot slot = pj::judge::RunSlot::take_for_command("bench_timing");
  const int core = pj::judge::slot_cpu(slot.number());
  judged(dir, n, slot.number(), true);  // the slot is set up before the first measured run
  std::vector<double> b, pinned, unpinned;
  for (int i = 0; i < runs; ++i) {
    // Rotated order: none of the three always follows the same one.
    for (int k = 0; k < 3; ++k) {
      switch ((i + k) % 3) {
        case 0:
          b.push_back(bare(binary, n));
          break;
        case 1:
          pinned.push_back(judged(dir, n, slot.number(), true));
          break;
        default:
          unpinned.push_back(judged(dir, n, slot.number(), false));
      }
    }
  }
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  std::printf(
      "CPU time of a fixed program (%s iterations, ~0.3 s), %d runs each, interleaved; "
      "%ld cores\n",
      n.c_str(), runs, cores);
  print("bare (posix_spawn, wait4)", b);
  std::string name = "pipejudge (run slot " + std::to_string(slot.number()) + ", core " +
                     std::to_string(core) + ")";
  print(name.c_str(), pinned);
  print("pipejudge, not pinned", unpinned);
  return 0;
}
