#include "judge/engine/problem.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "judge/engine/error.hpp"
#include "judge/engine/site_config.hpp"
#include "judge/engine/yaml_file.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

template <typename T>
T read_value(const YAML::Node& node, const std::string& key, const std::string& file) {
  try {
    return node.as<T>();
  } catch (const YAML::Exception&) {
    throw ConfigError(file, "'" + key + "' has the wrong type (line " +
                                std::to_string(node.Mark().line + 1) + ")");
  }
}

// A string of words or a list of strings, as validator arguments are written.
std::vector<std::string> read_words(const YAML::Node& node, const std::string& key,
                                    const std::string& file) {
  if (node.IsSequence()) return read_value<std::vector<std::string>>(node, key, file);
  return split_words(read_value<std::string>(node, key, file));
}

void reject_unknown_keys(const YAML::Node& root, const std::set<std::string>& known,
                         const std::string& file) {
  if (!root.IsMap()) return;
  for (const auto& kv : root) {
    auto key = kv.first.as<std::string>();
    if (!known.count(key)) throw ConfigError(file, "unknown key '" + key + "'");
  }
}

std::string problem_name(const YAML::Node& name, const std::string& file) {
  if (!name) return {};
  if (name.IsScalar()) return name.as<std::string>();
  if (name.IsMap()) {  // 2023-07+: a map of language code to name
    if (name["en"]) return read_value<std::string>(name["en"], "name", file);
    return read_value<std::string>(name.begin()->second, "name", file);
  }
  throw ConfigError(file, "'name' must be a string or a map of languages");
}

void read_limits(const YAML::Node& limits, Problem& p, const std::string& file) {
  const PackageDefaults& d = package_defaults();
  p.time_limit = d.time_limit;
  p.memory_bytes = d.memory_bytes;
  p.output_bytes = d.output_bytes;
  p.validation_seconds = d.validation_seconds;
  p.validation_memory_bytes = d.validation_memory_bytes;
  if (!limits) return;
  if (!limits.IsMap()) throw ConfigError(file, "'limits' must be a map");
  if (auto t = limits["time_limit"]) {
    p.time_limit = read_value<double>(t, "limits.time_limit", file);
    p.time_limit_given = true;
  }
  if (auto m = limits["memory"])
    p.memory_bytes = read_value<std::uint64_t>(m, "limits.memory", file) << 20;
  if (auto o = limits["output"])
    p.output_bytes = read_value<std::uint64_t>(o, "limits.output", file) << 20;
  if (auto m = limits["time_multiplier"])
    p.ac_to_time_limit = read_value<double>(m, "limits.time_multiplier", file);
  if (auto m = limits["time_multipliers"]; m && m["ac_to_time_limit"])
    p.ac_to_time_limit =
        read_value<double>(m["ac_to_time_limit"], "limits.time_multipliers.ac_to_time_limit", file);
  if (!(p.ac_to_time_limit >= 1))
    throw ConfigError(file, "the accepted-to-time-limit multiplier must be at least 1");
  if (auto t = limits["validation_time"])
    p.validation_seconds = read_value<double>(t, "limits.validation_time", file);
  if (auto m = limits["validation_memory"])
    p.validation_memory_bytes = read_value<std::uint64_t>(m, "limits.validation_memory", file)
                                << 20;
  if (auto n = limits["validation_passes"]) {
    p.validation_passes = read_value<int>(n, "limits.validation_passes", file);
    if (p.validation_passes < 2)
      throw ConfigError(file, "limits.validation_passes must be at least 2");
  }
  if (!(p.validation_seconds > 0) || p.validation_memory_bytes == 0)
    throw ConfigError(file, "validation limits must be positive");
  if (!(p.time_limit > 0) || !std::isfinite(p.time_limit))
    throw ConfigError(file, "limits.time_limit must be a positive number of seconds");
  if (p.memory_bytes == 0) throw ConfigError(file, "limits.memory must be positive (MiB)");
  if (p.output_bytes == 0) throw ConfigError(file, "limits.output must be positive (MiB)");
}

// What problem.yaml says of checking: the legacy `validation` words and the
// newer `type` list say the same things in two ways; contradictions are errors.
struct Validation {
  bool custom = false, interactive = false, scoring = false, multi_pass = false;
  std::vector<std::string> args;
};

Validation read_validation(const YAML::Node& root, const std::string& file) {
  Validation v;
  bool legacy_custom = false, legacy_interactive = false, legacy_multi_pass = false;
  if (auto node = root["validation"]) {
    auto words = split_words(read_value<std::string>(node, "validation", file));
    if (words.empty() || (words[0] != "default" && words[0] != "custom"))
      throw ConfigError(file, "validation must start with 'default' or 'custom'");
    legacy_custom = words[0] == "custom";
    for (std::size_t i = 1; i < words.size(); ++i) {
      if (!legacy_custom) throw ConfigError(file, "validation 'default' takes no options");
      if (words[i] == "interactive") {
        legacy_interactive = true;
      } else if (words[i] == "multi-pass") {
        legacy_multi_pass = true;
      } else if (words[i] != "score") {  // score: the validator may write score.txt
        throw ConfigError(file, "unknown validation option '" + words[i] + "'");
      }
    }
  }
  bool type_interactive = false, type_multi_pass = false;
  if (auto node = root["type"]) {
    auto types = node.IsSequence() ? read_value<std::vector<std::string>>(node, "type", file)
                                   : split_words(read_value<std::string>(node, "type", file));
    for (const auto& t : types) {
      if (t == "scoring") {
        v.scoring = true;
      } else if (t == "interactive") {
        type_interactive = true;
      } else if (t == "multi-pass") {
        type_multi_pass = true;
      } else if (t == "submit-answer") {
        throw ConfigError(file, "problem type '" + t + "' is not supported yet");
      } else if (t != "pass-fail") {
        throw ConfigError(file, "unknown problem type '" + t + "'");
      }
    }
    if (v.scoring && std::count(types.begin(), types.end(), "pass-fail"))
      throw ConfigError(file, "type cannot be both pass-fail and scoring");
  }
  if (root["validation"] && type_interactive && !legacy_interactive)
    throw ConfigError(file, "type says interactive but validation does not");
  if (root["validation"] && type_multi_pass && !legacy_multi_pass)
    throw ConfigError(file, "type says multi-pass but validation does not");
  v.interactive = legacy_interactive || type_interactive;
  v.multi_pass = legacy_multi_pass || type_multi_pass;
  v.custom = legacy_custom || v.interactive || v.multi_pass;

  if (auto f = root["validator_flags"])
    v.args = split_words(read_value<std::string>(f, "validator_flags", file));
  if (auto a = root["output_validator_args"]) {
    auto more = read_words(a, "output_validator_args", file);
    if (!v.args.empty() && more != v.args)
      throw ConfigError(file, "validator_flags and output_validator_args disagree");
    v.args = more;
  }
  return v;
}

bool mentions_testlib(const fs::path& path) {
  auto has = [](const fs::path& f) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);)
      if (line.find("testlib.h") != std::string::npos && line.find("#include") != std::string::npos)
        return true;
    return false;
  };
  if (!fs::is_directory(path)) return has(path);
  for (const auto& e : fs::directory_iterator(path))
    if (e.is_regular_file() && has(e.path())) return true;
  return false;
}

// output_validator/ (2025-09) or output_validators/<name>/ (legacy): one
// program, a source file or a directory of sources.
std::optional<CustomValidator> find_validator(const fs::path& dir, const YAML::Node& root,
                                              const std::string& file) {
  fs::path single = dir / "output_validator", several = dir / "output_validators";
  std::optional<CustomValidator> v;
  if (fs::is_directory(single) && fs::is_directory(several))
    throw ConfigError(several.string(),
                      "a package has output_validator/ or output_validators/, "
                      "not both");
  if (fs::is_directory(single)) {
    v = CustomValidator{single};
  } else if (fs::is_directory(several)) {
    std::vector<fs::path> programs;
    for (const auto& e : fs::directory_iterator(several)) programs.push_back(e.path());
    if (programs.empty()) throw ConfigError(several.string(), "holds no validator");
    if (programs.size() > 1)
      throw ConfigError(several.string(), "more than one output validator is not supported yet");
    v = CustomValidator{programs.front()};
  }
  if (!v) return v;
  if (auto p = root["validator_protocol"]) {
    auto name = read_value<std::string>(p, "validator_protocol", file);
    if (name == "testlib") {
      v->protocol = ValidatorProtocol::Testlib;
    } else if (name != "kattis") {
      throw ConfigError(file, "validator_protocol must be 'kattis' or 'testlib'");
    }
  } else if (mentions_testlib(v->path)) {
    v->protocol = ValidatorProtocol::Testlib;
  }
  return v;
}

// DOMjudge exports carry the time limit in a `.timelimit` file.
void read_domjudge_timelimit(const fs::path& dir, Problem& p) {
  fs::path f = dir / ".timelimit";
  if (p.time_limit_given || !fs::exists(f)) return;
  std::ifstream in(f);
  double t = 0;
  if (!(in >> t) || !(t > 0))
    throw ConfigError(f.string(), "expected a positive number of seconds");
  p.time_limit = t;
  p.time_limit_given = true;
}

Aggregation parse_aggregation(const std::string& word, bool legacy, const std::string& file) {
  if (word == "pass-fail" && !legacy) return Aggregation::PassFail;
  if (word == "sum") return Aggregation::Sum;
  if (word == "min") return Aggregation::Min;
  if (word == "max" && legacy) return Aggregation::Max;
  if (word == "avg" && legacy) return Aggregation::Avg;
  throw ConfigError(file, "unknown score aggregation '" + word + "'");
}

// Legacy testdata.yaml: settings for this group and, unless overridden, the
// groups below it.
void read_testdata_yaml(const fs::path& path, TestGroup& g, std::vector<std::string>& args,
                        bool& ignore_sample) {
  std::string file = path.string();
  YAML::Node y = load_yaml_map(path);
  reject_unknown_keys(y,
                      {"on_reject", "grading", "grader_flags", "input_validator_flags",
                       "output_validator_flags", "accept_score", "reject_score", "range"},
                      file);
  if (auto n = y["on_reject"]) {
    auto v = read_value<std::string>(n, "on_reject", file);
    if (v != "break" && v != "continue")
      throw ConfigError(file, "on_reject must be 'break' or 'continue'");
    g.stop_on_reject = v == "break";
  }
  if (auto n = y["grading"]) {
    auto v = read_value<std::string>(n, "grading", file);
    if (v == "custom") throw ConfigError(file, "custom graders are not supported yet");
    if (v != "default") throw ConfigError(file, "grading must be 'default' or 'custom'");
  }
  if (auto n = y["grader_flags"]) {
    for (const auto& w : split_words(read_value<std::string>(n, "grader_flags", file))) {
      if (w == "first_error") {
        g.first_error = true;
      } else if (w == "worst_error") {
        g.first_error = false;
      } else if (w == "always_accept") {
        g.always_accept = true;
      } else if (w == "accept_if_any_accepted") {
        g.accept_if_any = true;
      } else if (w == "ignore_sample") {
        if (g.name != "data")
          throw ConfigError(file, "ignore_sample is allowed only in data/testdata.yaml");
        ignore_sample = true;
      } else {
        g.aggregation = parse_aggregation(w, true, file);
      }
    }
  }
  if (auto n = y["output_validator_flags"]) {
    if (!n.IsScalar())
      throw ConfigError(file, "output_validator_flags for a named validator is not supported yet");
    args = split_words(read_value<std::string>(n, "output_validator_flags", file));
  }
  if (auto n = y["accept_score"]) g.accept_score = read_value<double>(n, "accept_score", file);
  if (auto n = y["reject_score"]) g.reject_score = read_value<double>(n, "reject_score", file);
  if (auto n = y["range"]) {
    auto words = split_words(read_value<std::string>(n, "range", file));
    if (words.size() != 2) throw ConfigError(file, "range must be two numbers, 'low high'");
    try {
      double hi = std::stod(words[1]);
      if (std::isfinite(hi)) g.range_max = hi;
    } catch (const std::exception&) {
      throw ConfigError(file, "range must be two numbers, 'low high'");
    }
  }
}

// A scoring group's maximum: a number, or "unbounded" (no maximum).
std::optional<double> read_max_score(const YAML::Node& n, const std::string& key,
                                     const std::string& file) {
  if (n.IsScalar() && n.as<std::string>() == "unbounded") return std::nullopt;
  double v = read_value<double>(n, key, file);
  if (!(v >= 0)) throw ConfigError(file, key + " must not be negative");
  return v;
}

// Score settings are for the secret groups of scoring problems only.
void require_scored_group(const TestGroup& g, bool scoring, const std::string& key,
                          const std::string& file) {
  if (!scoring) throw ConfigError(file, "'" + key + "' is for scoring problems only");
  if (g.name == "sample") throw ConfigError(file, "'" + key + "' is not allowed for samples");
}

// 2023-07-draft testdata.yaml: the group's score settings in a `scoring`
// map, validator arguments as lists.
void read_draft_testdata_yaml(const fs::path& path, TestGroup& g, std::vector<std::string>& args,
                              bool scoring) {
  std::string file = path.string();
  YAML::Node y = load_yaml_map(path);
  reject_unknown_keys(y,
                      {"scoring", "static_validation", "input_validator_args",
                       "output_validator_args", "full_feedback", "hint", "description"},
                      file);
  if (y["static_validation"]) throw ConfigError(file, "'static_validation' is not supported yet");
  if (auto sc = y["scoring"]) {
    if (!sc.IsMap()) throw ConfigError(file, "'scoring' must be a map");
    reject_unknown_keys(sc, {"score", "aggregation", "require_pass"}, file);
    require_scored_group(g, scoring, "scoring", file);
    if (sc["require_pass"]) throw ConfigError(file, "'scoring.require_pass' is not supported yet");
    if (auto n = sc["aggregation"])
      g.aggregation =
          parse_aggregation(read_value<std::string>(n, "scoring.aggregation", file), false, file);
    if (auto n = sc["score"]) g.max_score = read_max_score(n, "scoring.score", file);
  }
  if (auto n = y["output_validator_args"]) args = read_words(n, "output_validator_args", file);
}

// 2025-09 test_group.yaml.
void read_test_group_yaml(const fs::path& path, TestGroup& g, std::vector<std::string>& args,
                          bool scoring) {
  std::string file = path.string();
  YAML::Node y = load_yaml_map(path);
  reject_unknown_keys(
      y,
      {"max_score", "score_aggregation", "static_validation_score", "require_pass", "args",
       "input_validator_args", "static_validator_args", "output_validator_args",
       "input_visualizer_args", "output_visualizer_args", "full_feedback"},
      file);
  for (const char* key : {"static_validation_score", "require_pass", "args"})
    if (y[key]) throw ConfigError(file, std::string("'") + key + "' is not supported yet");
  for (const char* key : {"max_score", "score_aggregation"})
    if (y[key]) require_scored_group(g, scoring, key, file);
  if (auto n = y["score_aggregation"])
    g.aggregation =
        parse_aggregation(read_value<std::string>(n, "score_aggregation", file), false, file);
  if (auto n = y["max_score"]) g.max_score = read_max_score(n, "max_score", file);
  if (auto n = y["output_validator_args"]) args = read_words(n, "output_validator_args", file);
}

class GroupBuilder {
 public:
  explicit GroupBuilder(Problem& p) : p_(p) {}

  // Adds the group in `dir` and everything below it; returns its index.
  std::size_t add(const fs::path& dir, const std::string& name, std::optional<std::size_t> parent,
                  std::vector<std::string> args) {
    std::size_t index = p_.groups.size();
    p_.groups.push_back(initial_settings(name, parent));
    p_.groups[index].dir = dir;
    read_settings(index, args);
    DefaultValidatorFlags flags = parse_flags(args, dir);

    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(dir)) entries.push_back(e.path());
    std::sort(entries.begin(), entries.end());
    for (const auto& path : entries) {
      std::string item =
          name == "data" ? path.filename().string() : name + "/" + path.filename().string();
      if (name == "data" && item != "sample" && item != "secret") continue;
      if (path.filename().string().front() == '.') continue;  // .git, editor files
      if (fs::is_directory(path)) {
        std::size_t sub = add(path, item, index, args);
        p_.groups[index].groups.push_back(sub);
      } else if (path.extension() == ".in" && fs::is_regular_file(path)) {
        add_test(path, item.substr(0, item.size() - 3), index, args, flags);
      }
    }
    // A group may hold no test case: an interactive problem's samples can
    // be .interaction files alone, which illustrate the protocol in the
    // statement. Only the package as a whole needs a test case.
    const TestGroup& g = p_.groups[index];
    if (!p_.legacy() && g.scored && g.parent && p_.groups[*g.parent].name == "secret" &&
        p_.groups[*g.parent].max_score && !g.max_score)
      throw ConfigError((dir / "test_group.yaml").string(),
                        p_.format == FormatVersion::V2025_09
                            ? "a group of a scoring problem needs its own max_score"
                            : "a group of a scoring problem needs its own scoring.score");
    return index;
  }

 private:
  TestGroup initial_settings(const std::string& name, std::optional<std::size_t> parent) {
    TestGroup g;
    g.name = name;
    g.parent = parent;
    if (!p_.scoring) return g;  // pass-fail: the defaults
    if (p_.legacy()) {
      // Legacy settings are inherited from the closest group that sets them.
      g.aggregation = Aggregation::Sum;
      if (parent) {
        const TestGroup& up = p_.groups[*parent];
        g.aggregation = up.aggregation;
        g.stop_on_reject = up.stop_on_reject;
        g.accept_score = up.accept_score;
        g.reject_score = up.reject_score;
        g.first_error = up.first_error;
        g.accept_if_any = up.accept_if_any;
        g.always_accept = up.always_accept;
      }
      g.scored = !(name == "sample" && ignore_sample_);
    } else {
      // 2023-07-draft and 2025-09: the score is secret's: a sum out of 100 unless it says
      // otherwise; its groups are pass-fail unless they say otherwise; samples never count.
      g.scored = name != "sample";
      if (name == "secret") g.max_score = 100;
      g.aggregation = name == "secret" || name == "data" ? Aggregation::Sum : Aggregation::PassFail;
    }
    return g;
  }

  void read_settings(std::size_t index, std::vector<std::string>& args) {
    TestGroup& g = p_.groups[index];
    // testdata.yaml up to 2023-07-draft, test_group.yaml from 2025-09.
    fs::path testdata = g.dir / "testdata.yaml", test_group = g.dir / "test_group.yaml";
    bool modern = p_.format == FormatVersion::V2025_09;
    const fs::path& wrong = modern ? testdata : test_group;
    if (fs::exists(wrong))
      throw ConfigError(wrong.string(),
                        modern ? "is not read from 2025-09 on: a group's settings are in "
                                 "test_group.yaml"
                               : "is read from problem_format_version 2025-09 on: this "
                                 "version keeps a group's settings in testdata.yaml");
    const fs::path& settings = modern ? test_group : testdata;
    if (fs::exists(settings)) {
      switch (p_.format) {
        case FormatVersion::Legacy:
          read_testdata_yaml(settings, g, args, ignore_sample_);
          break;
        case FormatVersion::Draft2023_07:
          read_draft_testdata_yaml(settings, g, args, p_.scoring);
          break;
        case FormatVersion::V2025_09:
          read_test_group_yaml(settings, g, args, p_.scoring);
          break;
      }
    }
    if (!p_.scoring) {
      g.aggregation = Aggregation::PassFail;
      g.stop_on_reject = true;
    } else if (!p_.legacy()) {
      // Once a pass-fail or min group has failed, its score is 0 whatever follows.
      g.stop_on_reject = g.aggregation != Aggregation::Sum;
    }
  }

  DefaultValidatorFlags parse_flags(const std::vector<std::string>& args, const fs::path& dir) {
    if (p_.validator) return {};  // the arguments are the custom validator's
    try {
      return DefaultValidatorFlags::parse(args);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(dir.string(), std::string("validator arguments: ") + e.what());
    }
  }

  void add_test(const fs::path& in, const std::string& name, std::size_t group,
                const std::vector<std::string>& args, const DefaultValidatorFlags& flags) {
    fs::path ans = in;
    ans.replace_extension(".ans");
    if (!fs::is_regular_file(ans)) throw ConfigError(in.string(), "has no matching .ans file");
    TestCase t{name, in, ans, group, args, flags};
    fs::path case_yaml = in;
    case_yaml.replace_extension(".yaml");
    if (fs::exists(case_yaml)) read_case_yaml(case_yaml, t);
    p_.groups[group].tests.push_back(p_.tests.size());
    p_.tests.push_back(std::move(t));
  }

  void read_case_yaml(const fs::path& path, TestCase& t) {
    std::string file = path.string();
    YAML::Node y = load_yaml_map(path);
    reject_unknown_keys(
        y,
        {"args", "input_validator_args", "output_validator_args", "input_visualizer_args",
         "output_visualizer_args", "full_feedback", "hint", "description"},
        file);
    if (y["args"]) throw ConfigError(file, "'args' is not supported yet");
    if (auto n = y["output_validator_args"]) {
      t.validator_args = read_words(n, "output_validator_args", file);
      t.default_validator_flags = parse_flags(t.validator_args, path);
    }
  }

  Problem& p_;
  bool ignore_sample_ = false;
};

FormatVersion read_format_version(const YAML::Node& root, const std::string& file) {
  auto node = root["problem_format_version"];
  if (!node) return FormatVersion::Legacy;
  auto v = read_value<std::string>(node, "problem_format_version", file);
  if (v == "legacy" || v == "legacy-icpc") return FormatVersion::Legacy;
  if (v == "2023-07-draft" || v == "2023-07") return FormatVersion::Draft2023_07;
  if (v == "2025-09" || v == "2025-09-draft") return FormatVersion::V2025_09;
  throw ConfigError(file, "problem_format_version '" + v +
                              "' is not one pipejudge reads (legacy, 2023-07-draft, 2025-09)");
}

void read_package(const fs::path& dir, const YAML::Node& root, const std::string& file,
                  Problem& p) {
  if (p.legacy()) p.ac_to_time_limit = 5;  // legacy time_multiplier's default
  read_limits(root["limits"], p, file);
  Validation v = read_validation(root, file);
  p.scoring = v.scoring;
  p.interactive = v.interactive;
  p.multi_pass = v.multi_pass;
  p.validator = find_validator(dir, root, file);
  if (v.custom && !p.validator)
    throw ConfigError(file, std::string(v.interactive  ? "an interactive problem"
                                        : v.multi_pass ? "a multi-pass problem"
                                                       : "custom validation") +
                                " needs a validator in output_validator/ or output_validators/");
  if (p.validator && root["validation"] && !v.custom)
    throw ConfigError(file, "validation is 'default' but the package has an output validator");
  if (p.multi_pass && p.validator->protocol != ValidatorProtocol::Kattis)
    throw ConfigError(file,
                      "a multi-pass problem needs a validator of the Kattis protocol (it asks "
                      "for the next pass by writing nextpass.in to its feedback directory)");
  read_domjudge_timelimit(dir, p);

  fs::path data = dir / "data";
  if (!fs::is_directory(data)) throw ConfigError(data.string(), "no test data (*.in/*.ans)");
  GroupBuilder(p).add(data, "data", std::nullopt, v.args);
  if (p.tests.empty()) throw ConfigError(data.string(), "no test data (*.in/*.ans)");
}

}  // namespace

const char* format_version_name(FormatVersion v) {
  switch (v) {
    case FormatVersion::Legacy:
      return "legacy";
    case FormatVersion::Draft2023_07:
      return "2023-07-draft";
    case FormatVersion::V2025_09:
      return "2025-09";
  }
  return "?";
}

Problem load_problem(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw ConfigError(dir.string(), "no such problem directory");
  Problem p;
  p.dir = dir;
  p.short_name = fs::absolute(dir).lexically_normal().filename().string();
  if (p.short_name.empty()) p.short_name = fs::absolute(dir).parent_path().filename().string();
  fs::path yaml = dir / "problem.yaml";
  std::string file = yaml.string();
  YAML::Node root;
  if (fs::exists(yaml)) root = load_yaml_map(yaml);
  p.name = problem_name(root["name"], file);
  if (p.name.empty()) p.name = p.short_name;
  p.format = read_format_version(root, file);
  try {
    read_package(dir, root, file, p);
  } catch (const ConfigError& e) {
    // What a key means depends on the version: say which was read.
    throw ConfigError(e.file(), std::string(e.what()) + " (problem format " +
                                    format_version_name(p.format) + ")");
  }
  return p;
}

}  // namespace pj::judge
