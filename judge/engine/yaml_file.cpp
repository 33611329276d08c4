#include "judge/engine/yaml_file.hpp"

#include <string>

#include "judge/engine/error.hpp"

namespace pj::judge {

YAML::Node load_yaml_map(const std::filesystem::path& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path.string());
  } catch (const YAML::Exception& e) {
    throw ConfigError(path.string(), std::string("invalid YAML: ") + e.what());
  }
  if (!root.IsMap() && !root.IsNull())
    throw ConfigError(path.string(), "expected a map at the top level");
  return root;
}

}  // namespace pj::judge
