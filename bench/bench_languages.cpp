// Each language's CPU time against C's, on the bundled problems: the figures
// the languages table's time factors are chosen from.
//
//   bench_languages [ROUNDS]   (default 3)
//
// For every bundled problem with an accepted C submission, every accepted
// submission is judged ROUNDS times (every test, compiled once and cached,
// a generous time limit so that none is cut short); a language's figure is
// the median over the rounds of its mean CPU seconds per test, next to C's
// on the same problem, with the ratio and the table's time factor.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "judge/engine/error.hpp"
#include "judge/engine/judge_submission.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"

namespace fs = std::filesystem;
using namespace pj::judge;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Mean CPU seconds per test of one judging, or a negative number if not AC.
double mean_cpu(const Problem& p, const Submission& s, const JudgeOptions& opts) {
  SubmissionReport r = judge_submission(p, s, opts);
  if (!r.accepted() || r.tests.empty()) return -1;
  double total = 0;
  for (const auto& t : r.tests) total += t.time;
  return total / static_cast<double>(r.tests.size());
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 3;
  fs::path cache = fs::temp_directory_path() / "pipejudge-bench-languages-cache";
  JudgeOptions opts;
  opts.run_all = true;
  opts.cache_dir = cache;
  opts.time_limit = 10;

  std::printf(
      "CPU seconds per test (mean over a problem's tests, median of %d rounds), "
      "accepted submissions against C's\n",
      rounds);
  std::printf("%-12s %-34s %-10s %10s %10s %8s %7s\n", "problem", "submission", "language",
              "cpu/test", "C", "ratio", "factor");
  std::vector<fs::path> problems;
  for (const auto& e : fs::directory_iterator(fs::path(PIPEJUDGE_SOURCE_DIR) / "problems"))
    if (e.is_directory()) problems.push_back(e.path());
  std::sort(problems.begin(), problems.end());
  for (const auto& dir : problems) {
    fs::path accepted = dir / "submissions" / "accepted";
    if (!fs::is_directory(accepted)) continue;
    Problem p = load_problem(dir);
    LanguageTable languages = LanguageTable::load_default(p.short_name);
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(accepted)) entries.push_back(e.path());
    std::sort(entries.begin(), entries.end());
    // C first: the others are measured against it.
    std::vector<std::pair<fs::path, Submission>> subs;
    for (const auto& path : entries) {
      try {
        Submission s = load_submission(path, "", languages);
        require_toolchain(s);
        subs.emplace_back(path, std::move(s));
      } catch (const ConfigError& e) {
        std::printf("%-12s %-34s skipped: %s\n", p.short_name.c_str(), path.filename().c_str(),
                    e.what());
      }
    }
    std::stable_partition(subs.begin(), subs.end(),
                          [](const auto& s) { return s.second.language->id == "c"; });
    if (subs.empty() || subs.front().second.language->id != "c") continue;
    double c_time = 0;
    for (const auto& [path, s] : subs) {
      std::vector<double> times;
      for (int i = 0; i < rounds; ++i) times.push_back(mean_cpu(p, s, opts));
      double t = median(times);
      if (t < 0) {
        std::printf("%-12s %-34s %-10s not accepted\n", p.short_name.c_str(),
                    path.filename().c_str(), s.language->id.c_str());
        continue;
      }
      if (s.language->id == "c" && c_time == 0) c_time = t;
      std::printf("%-12s %-34s %-10s %10.4f %10.4f %8.1f %7.1f\n", p.short_name.c_str(),
                  path.filename().c_str(), s.language->id.c_str(), t, c_time,
                  c_time > 0 ? t / c_time : 0.0, s.language->time_factor);
      std::fflush(stdout);
    }
  }
  std::error_code ec;
  fs::remove_all(cache, ec);
  return 0;
}
