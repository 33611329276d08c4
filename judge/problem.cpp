#include "judge/problem.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "judge/error.hpp"

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
  if (!limits) return;
  if (!limits.IsMap()) throw ConfigError(file, "'limits' must be a map");
  if (auto t = limits["time_limit"])
    p.time_limit = read_value<double>(t, "limits.time_limit", file);
  if (auto m = limits["memory"])
    p.memory_bytes = read_value<std::uint64_t>(m, "limits.memory", file) << 20;
  if (auto o = limits["output"])
    p.output_bytes = read_value<std::uint64_t>(o, "limits.output", file) << 20;
  if (!(p.time_limit > 0) || !std::isfinite(p.time_limit))
    throw ConfigError(file, "limits.time_limit must be a positive number of seconds");
  if (p.memory_bytes == 0) throw ConfigError(file, "limits.memory must be positive (MiB)");
  if (p.output_bytes == 0) throw ConfigError(file, "limits.output must be positive (MiB)");
}

// The legacy `validation: default` / `validator_flags` and the newer
// `output_validator_args` say the same thing; accept both, not a contradiction.
void read_validation(const YAML::Node& root, Problem& p, const std::string& file) {
  std::string validation = "default";
  if (auto v = root["validation"]) validation = read_value<std::string>(v, "validation", file);
  if (auto t = root["type"]) {
    auto type = read_value<std::string>(t, "type", file);
    if (type != "pass-fail")
      throw ConfigError(file, "problem type '" + type + "' is not supported yet");
  }
  if (validation != "default")
    throw ConfigError(file, "validation '" + validation +
                                "' is not supported yet (only the default output validator)");
  std::vector<std::string> words;
  if (auto f = root["validator_flags"])
    words = split_words(read_value<std::string>(f, "validator_flags", file));
  if (auto a = root["output_validator_args"]) {
    auto more = a.IsSequence()
                    ? read_value<std::vector<std::string>>(a, "output_validator_args", file)
                    : split_words(read_value<std::string>(a, "output_validator_args", file));
    if (!words.empty() && more != words)
      throw ConfigError(file, "validator_flags and output_validator_args disagree");
    words = more;
  }
  try {
    p.checker_flags = CheckerFlags::parse(words);
  } catch (const std::invalid_argument& e) {
    throw ConfigError(file, std::string("validator flags: ") + e.what());
  }
}

// DOMjudge exports carry the time limit in a `.timelimit` file.
void read_domjudge_timelimit(const fs::path& dir, Problem& p, bool yaml_had_limit) {
  fs::path f = dir / ".timelimit";
  if (yaml_had_limit || !fs::exists(f)) return;
  std::ifstream in(f);
  double t = 0;
  if (!(in >> t) || !(t > 0))
    throw ConfigError(f.string(), "expected a positive number of seconds");
  p.time_limit = t;
}

void collect_tests(const fs::path& dir, const std::string& group, std::vector<TestCase>& out) {
  if (!fs::is_directory(dir)) return;
  std::vector<fs::path> inputs;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".in")
      inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& in : inputs) {
    fs::path ans = in;
    ans.replace_extension(".ans");
    if (!fs::is_regular_file(ans)) throw ConfigError(in.string(), "has no matching .ans file");
    fs::path rel = fs::relative(in, dir);
    rel.replace_extension();
    out.push_back({group + "/" + rel.string(), in, ans});
  }
}

}  // namespace

Problem load_problem(const fs::path& dir) {
  if (!fs::is_directory(dir)) throw ConfigError(dir.string(), "no such problem directory");
  Problem p;
  p.dir = dir;
  p.short_name = fs::absolute(dir).lexically_normal().filename().string();
  if (p.short_name.empty()) p.short_name = fs::absolute(dir).parent_path().filename().string();
  fs::path yaml = dir / "problem.yaml";
  std::string file = yaml.string();
  YAML::Node root;
  if (fs::exists(yaml)) {
    try {
      root = YAML::LoadFile(file);
    } catch (const YAML::Exception& e) {
      throw ConfigError(file, std::string("invalid YAML: ") + e.what());
    }
    if (!root.IsMap() && !root.IsNull()) throw ConfigError(file, "expected a map at the top level");
  }
  p.name = problem_name(root["name"], file);
  if (p.name.empty()) p.name = p.short_name;
  read_limits(root["limits"], p, file);
  read_validation(root, p, file);
  read_domjudge_timelimit(dir, p, root["limits"] && root["limits"]["time_limit"]);
  collect_tests(dir / "data" / "sample", "sample", p.tests);
  collect_tests(dir / "data" / "secret", "secret", p.tests);
  if (p.tests.empty()) throw ConfigError((dir / "data").string(), "no test data (*.in/*.ans)");
  return p;
}

}  // namespace pj::judge
