#include "judge/engine/scoring.hpp"

#include <algorithm>
#include <numeric>

namespace pj::judge {

bool GroupTracker::should_run(std::size_t test) const {
  for (std::optional<std::size_t> g = problem_.tests[test].group; g; g = problem_.groups[*g].parent)
    if (broken_[*g]) return false;
  return true;
}

void GroupTracker::record_failure(std::size_t test) {
  for (std::optional<std::size_t> g = problem_.tests[test].group; g; g = problem_.groups[*g].parent)
    if (problem_.groups[*g].stop_on_reject) broken_[*g] = true;
}

namespace {

// The legacy default grader's worst_error order; anything else counts as WA.
int severity(Verdict v) {
  switch (v) {
    case Verdict::IE:
      return 0;
    case Verdict::RE:
      return 1;
    case Verdict::MLE:
      return 2;
    case Verdict::TLE:
      return 3;
    case Verdict::OLE:
      return 4;
    default:
      return 5;
  }
}

struct Outcome {
  bool ran = false;                // at least partly
  bool complete = false;           // every test of it ran
  std::optional<Verdict> failure;  // first (or worst) failure, if any
  bool scored = false;
  double score = 0, max = 0;
};

double aggregate(Aggregation a, const std::vector<double>& values) {
  if (values.empty()) return 0;
  switch (a) {
    case Aggregation::Min:
      return *std::min_element(values.begin(), values.end());
    case Aggregation::Max:
      return *std::max_element(values.begin(), values.end());
    case Aggregation::Avg:
      return std::accumulate(values.begin(), values.end(), 0.0) / values.size();
    case Aggregation::Sum:
    case Aggregation::PassFail:
      break;
  }
  return std::accumulate(values.begin(), values.end(), 0.0);
}

class Scorer {
 public:
  Scorer(const Problem& p, const std::vector<const TestReport*>& by_test)
      : p_(p), by_test_(by_test), reports_(p.groups.size()) {}

  Outcome group(std::size_t index) {
    const TestGroup& g = p_.groups[index];
    struct Item {
      const std::string* name;
      bool is_group;
      std::size_t index;
    };
    std::vector<Item> items;
    for (auto t : g.tests) items.push_back({&p_.tests[t].name, false, t});
    for (auto s : g.groups) items.push_back({&p_.groups[s].name, true, s});
    std::sort(items.begin(), items.end(),
              [](const Item& a, const Item& b) { return *a.name < *b.name; });

    std::vector<Outcome> outcomes;
    for (const auto& item : items)
      outcomes.push_back(item.is_group ? group(item.index) : test(item.index, g));

    Outcome out;
    out.scored = g.scored;
    out.complete = true;
    bool any_accepted = false;
    std::vector<double> scores, maxima;
    for (const auto& o : outcomes) {
      out.ran |= o.ran;
      out.complete &= o.complete;
      if (o.ran && !o.failure && o.complete) any_accepted = true;
      if (o.failure && (!out.failure || (p_.legacy() && !g.first_error &&
                                         severity(*o.failure) < severity(*out.failure))))
        out.failure = o.failure;
      if (o.scored) {
        scores.push_back(o.score);
        maxima.push_back(o.max);
      }
    }
    if (p_.legacy() && (g.always_accept || (g.accept_if_any && any_accepted))) out.failure.reset();
    bool all_accepted = out.complete && !out.failure;

    if (g.scored) {
      if (p_.legacy()) {
        out.score = out.failure ? 0 : aggregate(g.aggregation, scores);
        out.max = g.range_max ? *g.range_max : aggregate(g.aggregation, maxima);
      } else {
        out.max = g.max_score ? *g.max_score : aggregate(Aggregation::Sum, maxima);
        if (g.aggregation == Aggregation::PassFail) {
          out.score = all_accepted ? out.max : 0;
        } else if (g.aggregation == Aggregation::Min) {
          out.score = out.complete ? aggregate(Aggregation::Min, scores) : 0;
        } else {
          out.score = aggregate(Aggregation::Sum, scores);
        }
      }
    }

    GroupReport& r = reports_[index];
    r.name = g.name;
    r.verdict = out.failure.value_or(Verdict::AC);
    if (g.scored) {
      r.score = out.score;
      r.max_score = out.max;
    }
    return out;
  }

  std::vector<GroupReport> reports(const std::vector<std::size_t>& runs_per_group) {
    for (std::size_t i = 0; i < reports_.size(); ++i) {
      reports_[i].tests_run = runs_per_group[i];
      reports_[i].tests_total = count_tests(i);
    }
    return {reports_.begin() + 1, reports_.end()};
  }

 private:
  Outcome test(std::size_t index, const TestGroup& g) {
    const TestReport* t = by_test_[index];
    Outcome o;
    o.ran = o.complete = t != nullptr;
    if (t && t->verdict != Verdict::AC) o.failure = t->verdict;
    o.scored = g.scored;
    if (!g.scored) return o;
    bool accepted = t && t->verdict == Verdict::AC;
    if (p_.legacy()) {
      o.max = g.accept_score;
      o.score = accepted ? t->score.value_or(g.accept_score) : g.reject_score;
    } else {
      // 2025-09: a sum group shares its maximum among its tests.
      double n = static_cast<double>(std::max<std::size_t>(1, g.tests.size()));
      o.max = !g.max_score                        ? 1
              : g.aggregation == Aggregation::Sum ? *g.max_score / n
                                                  : *g.max_score;
      o.score = accepted ? t->score.value_or(o.max) : 0;
    }
    return o;
  }

  std::size_t count_tests(std::size_t index) const {
    std::size_t n = p_.groups[index].tests.size();
    for (auto s : p_.groups[index].groups) n += count_tests(s);
    return n;
  }

  const Problem& p_;
  const std::vector<const TestReport*>& by_test_;
  std::vector<GroupReport> reports_;
};

}  // namespace

ScoreSheet score_groups(const Problem& p, const std::vector<const TestReport*>& by_test) {
  Scorer scorer(p, by_test);
  Outcome root = scorer.group(0);
  std::vector<std::size_t> runs(p.groups.size(), 0);
  for (std::size_t i = 0; i < p.tests.size(); ++i) {
    if (!by_test[i]) continue;
    for (std::optional<std::size_t> g = p.tests[i].group; g; g = p.groups[*g].parent) ++runs[*g];
  }
  ScoreSheet sheet;
  sheet.groups = scorer.reports(runs);
  if (p.scoring) {
    sheet.score = root.score;
    sheet.max_score = root.max;
  }
  return sheet;
}

}  // namespace pj::judge
