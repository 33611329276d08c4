#include "judge/batch/verify.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "judge/batch/expectation.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/judge_submission.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/submission.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

struct Candidate {
  std::string relative;  // "accepted/sol.cpp"
  fs::path path;
  Expectation expectation;
};

std::vector<Candidate> find_submissions(const Problem& p) {
  std::vector<Candidate> out;
  fs::path dir = p.dir / "submissions";
  if (!fs::is_directory(dir)) return out;
  std::vector<fs::path> categories;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory()) categories.push_back(e.path());
  std::sort(categories.begin(), categories.end());
  for (const auto& category : categories) {
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(category)) entries.push_back(e.path());
    std::sort(entries.begin(), entries.end());
    for (const auto& path : entries) {
      Candidate c;
      c.relative = category.filename().string() + "/" + path.filename().string();
      c.path = path;
      c.expectation = expectation_for_category(category.filename().string());
      apply_domjudge_submissions_json(p.dir / "submissions.json", c.relative,
                                      fs::is_directory(path), c.expectation);
      apply_submissions_yaml(dir / "submissions.yaml", c.relative, c.expectation);
      out.push_back(std::move(c));
    }
  }
  return out;
}

SubmissionCheck check_submission(const Candidate& c, const Problem& p,
                                 const LanguageTable& languages, const JudgeOptions& options) {
  SubmissionCheck check{c.relative, {}, {}};
  try {
    Submission s = load_submission(c.path, "", languages, c.expectation.entrypoint);
    check.report = judge_submission(p, s, options);
    check.mismatch = mismatch(c.expectation, check.report);
  } catch (const ConfigError& e) {
    check.report.verdict = Verdict::IE;
    check.mismatch = e.file() + ": " + e.what();
  }
  return check;
}

}  // namespace

bool verify_problem(const fs::path& dir, const VerifyOptions& options, VerifyObserver& observer) {
  Problem p = load_problem(dir);
  LanguageTable languages = LanguageTable::load_default(p.short_name);
  std::vector<Candidate> candidates = find_submissions(p);
  observer.on_start(p, candidates.size());

  InputValidation inputs = validate_inputs(p, options.cache_dir, options.slot);
  observer.on_inputs(inputs);
  bool ok = inputs.failures.empty();

  // Accepted submissions first: without a time limit in the package, theirs
  // decides it (slowest accepted time times the multiplier, in whole seconds).
  std::stable_partition(candidates.begin(), candidates.end(),
                        [](const Candidate& c) { return c.expectation.category == "accepted"; });
  JudgeOptions judge_options;
  judge_options.cache_dir = options.cache_dir;
  judge_options.slot = options.slot;
  if (!p.time_limit_given) judge_options.time_limit = 60;
  std::optional<SlowestAccepted> slowest;
  std::size_t passed = 0;
  for (const auto& c : candidates) {
    if (c.expectation.category != "accepted" && judge_options.time_limit) {
      double fastest_limit = slowest ? slowest->seconds : 0;
      p.time_limit = std::max(1.0, std::ceil(fastest_limit * p.ac_to_time_limit));
      judge_options.time_limit.reset();
      observer.on_time_limit_set(p.time_limit, p.ac_to_time_limit, fastest_limit);
    }
    SubmissionCheck check = check_submission(c, p, languages, judge_options);
    if (!check.mismatch && c.expectation.category == "accepted") {
      // Held against the problem's limit as its language's run was: a
      // language with time factor 2 had twice the limit.
      const Language* lang = languages.find(check.report.language);
      double factor = lang ? lang->time_factor : 1.0;
      for (const auto& t : check.report.tests) {
        double seconds = t.time / factor;
        if (slowest && seconds <= slowest->seconds) continue;
        std::string where = c.relative + " on " + t.name;
        if (factor != 1.0) {
          char note[96];
          std::snprintf(note, sizeof note, " (%.3f s / time factor %g)", t.time, factor);
          where += note;
        }
        slowest = SlowestAccepted{seconds, where, 0, 0};
      }
    }
    observer.on_submission(check);
    ok &= !check.mismatch.has_value();
    passed += !check.mismatch.has_value();
  }
  if (slowest) {
    slowest->time_limit = p.time_limit;
    slowest->multiplier = p.ac_to_time_limit;
  }
  observer.on_end(slowest, passed, candidates.size());
  return ok;
}

}  // namespace pj::judge
