#include "judge/engine/site_config.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>

#include "judge/engine/error.hpp"

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

PackageDefaults read_package_defaults(const fs::path& path) {
  PackageDefaults d;
  std::error_code ec;
  if (!fs::exists(path, ec)) return d;
  std::string file = path.string();
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::Exception& e) {
    throw ConfigError(file, std::string("invalid YAML: ") + e.what());
  }
  YAML::Node defaults = root.IsMap() ? root["defaults"] : YAML::Node();
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

const PackageDefaults& package_defaults() {
  static const PackageDefaults defaults = read_package_defaults(site_config_path());
  return defaults;
}

}  // namespace pj::judge
