#include "judge/engine/site_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>

#include "judge/engine/error.hpp"
#include "judge/engine/yaml_file.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

double positive(const YAML::Node& node, const char* key, const std::string& file) {
  double v = 0;
  try {
    v = node.as<double>();
  } catch (const YAML::Exception&) {
    throw ConfigError(file, std::string("defaults.") + key + " must be a number");
  }
  if (!(v > 0) || !std::isfinite(v))
    throw ConfigError(file, std::string("defaults.") + key + " must be positive");
  return v;
}

std::uint64_t mebibytes(const YAML::Node& node, const char* key, const std::string& file) {
  return static_cast<std::uint64_t>(positive(node, key, file) * (1 << 20));
}

}  // namespace

fs::path site_config_path() {
  const char* env = std::getenv("PIPEJUDGE_CONFIG");
  return env && *env ? fs::path(env) : fs::path("/etc/pipejudge/config.yaml");
}

namespace {

// The file's top level: a map, or null if there is no file (or it is empty).
YAML::Node load_site_yaml(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  return load_yaml_map(path);
}

PackageDefaults parse_defaults(const YAML::Node& defaults, const std::string& file) {
  PackageDefaults d;
  if (!defaults) return d;
  if (!defaults.IsMap()) throw ConfigError(file, "'defaults' must be a map");
  for (const auto& kv : defaults) {
    auto key = kv.first.as<std::string>();
    const YAML::Node& v = kv.second;
    if (key == "time_limit") {
      d.time_limit = positive(v, "time_limit", file);
    } else if (key == "memory") {
      d.memory_bytes = mebibytes(v, "memory", file);
    } else if (key == "output") {
      d.output_bytes = mebibytes(v, "output", file);
    } else if (key == "compilation_time") {
      d.compilation_seconds = positive(v, "compilation_time", file);
    } else if (key == "compilation_memory") {
      d.compilation_memory_bytes = mebibytes(v, "compilation_memory", file);
    } else if (key == "validation_time") {
      d.validation_seconds = positive(v, "validation_time", file);
    } else if (key == "validation_memory") {
      d.validation_memory_bytes = mebibytes(v, "validation_memory", file);
    } else {
      throw ConfigError(file, "unknown key 'defaults." + key + "'");
    }
  }
  return d;
}

std::string language_id(const YAML::Node& node, const std::string& key, const std::string& file) {
  if (!node.IsScalar() || node.Scalar().empty())
    throw ConfigError(file, key + " must be a language id (pypy, cpython)");
  return node.Scalar();
}

}  // namespace

std::optional<int> site_run_slots() {
  fs::path path = site_config_path();
  YAML::Node root = load_site_yaml(path);
  if (!root.IsMap() || !root["run_slots"]) return std::nullopt;
  YAML::Node n = root["run_slots"];
  int slots = 0;
  try {
    slots = n.as<int>();
  } catch (const YAML::Exception&) {
    throw ConfigError(path.string(), "run_slots must be a whole number");
  }
  if (slots < 1 || slots > 1000) throw ConfigError(path.string(), "run_slots must be 1 to 1000");
  return slots;
}

SiteConfig read_site_config(const fs::path& path) {
  SiteConfig c;
  c.file = path;
  std::string file = path.string();
  YAML::Node root = load_site_yaml(path);
  if (!root.IsMap()) return c;
  c.defaults = parse_defaults(root["defaults"], file);
  if (root["python"]) c.python = language_id(root["python"], "python", file);
  for (auto [key, into] :
       {std::pair("broker", &c.broker), std::pair("redis_password", &c.redis_password)}) {
    if (!root[key]) continue;
    if (!root[key].IsScalar()) throw ConfigError(file, std::string(key) + " must be a string");
    *into = root[key].as<std::string>();
  }
  if (const YAML::Node problems = root["problems"]) {
    if (!problems.IsMap()) throw ConfigError(file, "'problems' must be a map of problem names");
    for (const auto& p : problems) {
      auto name = p.first.as<std::string>();
      if (!p.second.IsMap()) throw ConfigError(file, "problems." + name + " must be a map");
      for (const auto& kv : p.second) {
        auto key = kv.first.as<std::string>();
        if (key != "python")
          throw ConfigError(file, "unknown key 'problems." + name + "." + key + "'");
        c.problem_python[name] = language_id(kv.second, "problems." + name + ".python", file);
      }
    }
  }
  return c;
}

const std::string& SiteConfig::python_for(const std::string& problem) const {
  auto it = problem_python.find(problem);
  return it == problem_python.end() ? python : it->second;
}

PackageDefaults read_package_defaults(const fs::path& path) {
  return read_site_config(path).defaults;
}

const SiteConfig& site_config() {
  static const SiteConfig config = read_site_config(site_config_path());
  return config;
}

const PackageDefaults& package_defaults() {
  return site_config().defaults;
}

}  // namespace pj::judge
