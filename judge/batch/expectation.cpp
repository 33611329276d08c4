#include "judge/batch/expectation.hpp"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "judge/engine/error.hpp"

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
      if (key == "entrypoint") {
        e.entrypoint = kv.second.as<std::string>();
        continue;
      }
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

void apply_domjudge_submissions_json(const fs::path& path, const std::string& relative,
                                     bool directory, Expectation& e) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return;
  std::ifstream in(path);
  nlohmann::json root = nlohmann::json::parse(in, nullptr, false);
  if (root.is_discarded() || !root.is_object())
    throw ConfigError(path.string(), "expected a JSON object of submission paths");
  auto it = root.find("submissions/" + relative + (directory ? "/" : ""));
  if (it == root.end()) return;
  if (!it->is_object()) throw ConfigError(path.string(), "'" + it.key() + "' must be an object");
  if (auto entry = it->find("entry_point"); entry != it->end()) {
    if (!entry->is_string())
      throw ConfigError(path.string(), "'" + it.key() + "': entry_point must be a string");
    e.entrypoint = entry->get<std::string>();
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

}  // namespace pj::judge
