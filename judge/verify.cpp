#include "judge/verify.hpp"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "judge/error.hpp"
#include "judge/languages.hpp"
#include "judge/submission.hpp"
#include "judge/validator.hpp"
#include "judge/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

using Codes = std::set<std::string>;

// A test verdict as submission rules name it.
std::string rule_code(Verdict v) {
  switch (v) {
    case Verdict::PE:
      return "WA";
    default:
      return verdict_code(v);
  }
}

// A code written in submissions.yaml: RTE covers every crash-like verdict.
Codes parse_codes(const YAML::Node& node, const std::string& file) {
  Codes out;
  if (!node.IsSequence()) throw ConfigError(file, "verdict lists must be sequences");
  for (const auto& item : node) {
    auto code = item.as<std::string>();
    if (code == "RTE") {
      out.insert({"RE", "MLE", "OLE"});
    } else if (code == "AC" || code == "WA" || code == "TLE") {
      out.insert(code);
    } else {
      throw ConfigError(file, "unknown verdict '" + code + "' (AC, WA, TLE, RTE)");
    }
  }
  return out;
}

void read_rule(const YAML::Node& node, Expectation::Rule& rule, const std::string& file) {
  if (auto p = node["permitted"]) rule.permitted = parse_codes(p, file);
  if (auto r = node["required"]) rule.required = parse_codes(r, file);
}

bool in_group(const std::string& test, const std::string& group) {
  return test.size() > group.size() && test.compare(0, group.size(), group) == 0 &&
         test[group.size()] == '/';
}

std::optional<std::string> check_rule(const Expectation::Rule& rule, const SubmissionReport& r,
                                      const std::string& group) {
  bool required_seen = rule.required.empty();
  for (const auto& t : r.tests) {
    if (!group.empty() && !in_group(t.name, group)) continue;
    std::string code = rule_code(t.verdict);
    if (t.verdict == Verdict::IE) return "IE on test " + t.name + ": " + t.message;
    if (!rule.permitted.empty() && !rule.permitted.count(code))
      return code + " on test " + t.name + (t.message.empty() ? "" : ": " + t.message);
    if (rule.required.count(code)) required_seen = true;
  }
  if (!required_seen) {
    std::string want;
    for (const auto& c : rule.required) want += (want.empty() ? "" : " or ") + c;
    return "no test got " + want + (group.empty() ? "" : " in " + group);
  }
  return std::nullopt;
}

std::string format_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

Expectation expectation_for_category(const std::string& c) {
  Expectation e;
  e.category = c;
  auto rule = [&e](Codes permitted, Codes required) {
    e.rule.permitted = std::move(permitted);
    e.rule.required = std::move(required);
  };
  if (c == "accepted") {
    rule({"AC"}, {});
  } else if (c == "wrong_answer") {
    rule({"AC", "WA"}, {"WA"});
  } else if (c == "time_limit_exceeded") {
    rule({"AC", "TLE"}, {"TLE"});
  } else if (c == "run_time_error") {
    rule({"AC", "RE"}, {"RE"});
  } else if (c == "memory_limit_exceeded") {
    rule({"AC", "MLE"}, {"MLE"});
  } else if (c == "output_limit_exceeded") {
    rule({"AC", "OLE"}, {"OLE"});
  } else if (c == "rejected") {
    rule({"AC", "WA", "TLE", "RE", "MLE", "OLE"}, {"WA", "TLE", "RE", "MLE", "OLE"});
  } else if (c == "brute_force") {
    rule({"AC", "TLE", "RE", "MLE", "OLE"}, {"TLE", "RE", "MLE", "OLE"});
  } else if (c == "partially_accepted") {
    rule({"AC", "WA", "TLE", "RE", "MLE", "OLE"}, {});
    e.partial_score = true;
  } else if (c == "compile_error") {
    e.compile_error = true;
  } else {
    e.known = false;
  }
  return e;
}

void apply_submissions_yaml(const fs::path& path, const std::string& relative, Expectation& e) {
  if (!fs::exists(path)) return;
  std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& ex) {
    throw ConfigError(file, std::string("invalid YAML: ") + ex.what());
  }
  if (!root.IsMap()) return;
  for (const auto& entry : root) {
    auto pattern = entry.first.as<std::string>();
    // Patterns match a submission's path or its category directory.
    if (fnmatch(pattern.c_str(), relative.c_str(), FNM_PATHNAME) != 0 &&
        fnmatch((pattern + "/*").c_str(), relative.c_str(), FNM_PATHNAME) != 0)
      continue;
    const YAML::Node& rules = entry.second;
    if (!rules.IsMap()) throw ConfigError(file, "'" + pattern + "' must be a map");
    for (const auto& kv : rules) {
      auto key = kv.first.as<std::string>();
      if (key == "permitted" || key == "required") continue;
      if (key == "authors" || key == "model_solution") continue;  // not about verdicts
      if (key == "score") {
        const YAML::Node& s = kv.second;
        try {
          if (s.IsSequence() && s.size() == 2) {
            e.score = {s[0].as<double>(), s[1].as<double>()};
          } else {
            double v = s.as<double>();
            e.score = {v, v};
          }
        } catch (const YAML::Exception&) {
          throw ConfigError(file, "'" + pattern + "': score must be a number or [low, high]");
        }
        e.partial_score = false;
      } else if (key == "sample" || key == "secret" || key.rfind("secret/", 0) == 0) {
        Expectation::Rule r;
        read_rule(kv.second, r, file);
        e.group_rules.emplace_back(key, r);
      } else {
        throw ConfigError(file, "'" + pattern + "': key '" + key + "' is not supported yet");
      }
    }
    read_rule(rules, e.rule, file);
  }
}

std::optional<std::string> mismatch(const Expectation& e, const SubmissionReport& r) {
  if (!e.known) return "unknown submission category '" + e.category + "'";
  if (e.compile_error) {
    if (r.verdict == Verdict::CE) return std::nullopt;
    return std::string("expected CE, got ") + verdict_code(r.verdict);
  }
  if (r.verdict == Verdict::CE || (r.verdict == Verdict::IE && r.tests.empty()))
    return std::string(verdict_code(r.verdict)) + ": " + r.reason;
  if (auto why = check_rule(e.rule, r, "")) return why;
  for (const auto& [group, rule] : e.group_rules)
    if (auto why = check_rule(rule, r, group)) return why;
  if (r.score && r.max_score) {
    double s = *r.score, max = *r.max_score;
    constexpr double eps = 1e-6;
    if (e.score && (s < e.score->first - eps || s > e.score->second + eps))
      return "score " + format_number(s) + ", expected " + format_number(e.score->first) +
             (e.score->first == e.score->second ? "" : "-" + format_number(e.score->second));
    if (e.partial_score && !(s > eps && s < max - eps))
      return "score " + format_number(s) + " of " + format_number(max) +
             ", expected a partial score";
    if (!e.score && e.category == "accepted" && s < max - eps)
      return "score " + format_number(s) + " of " + format_number(max) + ", expected full marks";
  }
  return std::nullopt;
}

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
      apply_submissions_yaml(dir / "submissions.yaml", c.relative, c.expectation);
      out.push_back(std::move(c));
    }
  }
  return out;
}

// Runs every input validator on every test input; returns the failures.
std::vector<std::string> validate_inputs(const Problem& p, const VerifyOptions& options,
                                         std::size_t& checked, std::size_t& programs) {
  std::vector<std::string> failures;
  fs::path dir = p.dir / "input_validators";
  if (!fs::is_directory(dir)) return failures;
  std::vector<fs::path> validators;
  for (const auto& e : fs::directory_iterator(dir)) validators.push_back(e.path());
  std::sort(validators.begin(), validators.end());
  Workspace ws(RunIdentity::for_validator(options.slot));
  for (const auto& v : validators) {
    ++programs;
    CompileResult prog;
    try {
      prog = compile_package_program(v, ws, options.cache_dir, "input-validator");
    } catch (const std::exception& e) {
      failures.push_back(std::string("input validator: ") + e.what());
      continue;
    }
    for (const auto& t : p.tests) {
      fs::path box = ws.make_box("validate");
      sandbox::Spec spec = package_program_spec(p, prog, box, ws.identity());
      spec.stdin_from = sandbox::Input::file(t.input);
      sandbox::Result res = sandbox::run(spec);
      ws.remove_box(box);
      ++checked;
      if (res.error.empty() && res.limit == sandbox::LimitHit::None && res.exit_code == 42)
        continue;
      std::string why =
          !res.error.empty() ? res.error
          : res.limit != sandbox::LimitHit::None
              ? std::string("exceeded its ") + sandbox::limit_name(res.limit) + " limit"
          : res.signal ? "killed by " + sandbox::signal_name(res.signal)
                       : "exit code " + std::to_string(res.exit_code) + " (42 means valid)";
      std::string said = res.stderr_data.substr(0, res.stderr_data.find('\n'));
      failures.push_back(v.filename().string() + " rejects " + t.name + ": " + why +
                         (said.empty() ? "" : " (" + said + ")"));
    }
  }
  return failures;
}

}  // namespace

bool verify_problem(const fs::path& dir, const VerifyOptions& options, std::FILE* out) {
  Problem p = load_problem(dir);
  LanguageTable languages = LanguageTable::load_default();
  std::vector<Candidate> candidates = find_submissions(p);
  std::fprintf(out, "%s (%s): %zu tests, %zu submissions, time limit %g s%s\n", p.name.c_str(),
               p.short_name.c_str(), p.tests.size(), candidates.size(), p.time_limit,
               p.time_limit_given ? "" : " (to be set from the accepted submissions)");
  bool ok = true;

  std::size_t checked = 0, programs = 0;
  auto input_failures = validate_inputs(p, options, checked, programs);
  for (const auto& f : input_failures) std::fprintf(out, "  FAIL  %s\n", f.c_str());
  if (programs)
    std::fprintf(out, "  %s  input validators: %zu, %zu of %zu checks passed\n",
                 input_failures.empty() ? "ok  " : "FAIL", programs,
                 checked - std::min(checked, input_failures.size()), checked);
  ok &= input_failures.empty();

  // Accepted submissions first: without a time limit in the package, theirs
  // decides it (slowest accepted time times the multiplier, in whole seconds).
  std::stable_partition(candidates.begin(), candidates.end(),
                        [](const Candidate& c) { return c.expectation.category == "accepted"; });
  JudgeOptions judge_options;
  judge_options.cache_dir = options.cache_dir;
  judge_options.slot = options.slot;
  if (!p.time_limit_given) judge_options.time_limit = 60;
  double slowest = 0;
  std::string slowest_name;
  std::size_t passed = 0;
  for (auto& c : candidates) {
    if (c.expectation.category != "accepted" && judge_options.time_limit) {
      p.time_limit = std::max(1.0, std::ceil(slowest * p.ac_to_time_limit));
      judge_options.time_limit.reset();
      std::fprintf(out, "  time limit set to %g s (%g x the slowest accepted %.3f s)\n",
                   p.time_limit, p.ac_to_time_limit, slowest);
    }
    std::optional<std::string> why;
    SubmissionReport r;
    try {
      Submission s = load_submission(c.path, "", languages);
      require_toolchain(s);
      r = judge_submission(p, s, judge_options);
      why = mismatch(c.expectation, r);
    } catch (const ConfigError& e) {
      why = e.file() + ": " + e.what();
    }
    if (!why && c.expectation.category == "accepted") {
      for (const auto& t : r.tests)
        if (t.time > slowest) {
          slowest = t.time;
          slowest_name = c.relative + " on " + t.name;
        }
    }
    std::string got = verdict_code(r.verdict);
    if (r.score && r.max_score)
      got += " " + format_number(*r.score) + "/" + format_number(*r.max_score);
    std::fprintf(out, "  %s  %-40s %-12s %.3f s%s%s\n", why ? "FAIL" : "ok  ", c.relative.c_str(),
                 got.c_str(), r.time, why ? "  " : "", why ? why->c_str() : "");
    std::fflush(out);
    if (why) {
      ok = false;
    } else {
      ++passed;
    }
  }
  if (!slowest_name.empty()) {
    double share = slowest / p.time_limit;
    bool margin = slowest * p.ac_to_time_limit <= p.time_limit + 1e-9;
    std::string note = margin ? std::string()
                              : "; the package wants " + format_number(p.ac_to_time_limit) +
                                    "x that within the limit";
    std::fprintf(out, "  %s  slowest accepted: %.3f s (%s), %.0f%% of the %g s limit%s\n",
                 margin ? "ok  " : "warn", slowest, slowest_name.c_str(), 100 * share, p.time_limit,
                 note.c_str());
  }
  std::fprintf(out, "  %zu of %zu submissions as expected\n", passed, candidates.size());
  return ok;
}

}  // namespace pj::judge
