// What `grade` pays to remember each submission it enqueues, for a batch of
// N (default 2000), in one run: the state as it was kept before (the whole
// JSON file rewritten and fsynced per submission) against GradeState (one
// fsynced line appended per submission, folded into the file at the end).
//
//   bench_grade_state [N]
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "bench/temp_dir.hpp"
#include "judge/batch/grade_state.hpp"
#include "judge/pipeline/durable.hpp"

using Clock = std::chrono::steady_clock;

namespace {

std::string key_of(int i) {
  return std::string(56, 'k') + std::to_string(100000 + i);
}
std::string entry_of(int i) {
  return "student" + std::to_string(i) + "/sum/sum.c";
}
std::string id_of(int i) {
  return "0123456789" + std::to_string(100000 + i);
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double whole_file_each_time(int n) {
  pj::bench::TempDir out("pj-bench-state");
  std::map<std::string, std::string> results, latest;
  auto start = Clock::now();
  for (int i = 0; i < n; ++i) {
    results[key_of(i)] = id_of(i);
    latest[entry_of(i)] = id_of(i);
    nlohmann::json j = {{"results", results}, {"latest", latest}};
    pj::judge::write_file_atomically(out.path(), "grade-state.json", j.dump(1), true);
  }
  return seconds_since(start);
}

double appended_lines(int n) {
  pj::bench::TempDir out("pj-bench-state");
  auto start = Clock::now();
  pj::judge::GradeState state(out.path());
  for (int i = 0; i < n; ++i) state.remember(key_of(i), entry_of(i), id_of(i));
  state.compact();
  return seconds_since(start);
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  std::printf("grade's state for %d submissions (in %s)\n", n,
              std::filesystem::temp_directory_path().c_str());
  for (int round = 0; round < 2; ++round) {
    double before = whole_file_each_time(n), now = appended_lines(n);
    std::printf(
        "  whole file rewritten per submission %7.3f s (%.2f ms each); a line appended %7.3f s "
        "(%.2f ms each): %.1fx\n",
        before, 1000 * before / n, now, 1000 * now / n, before / now);
  }
  return 0;
}
