// A YAML file whose top level is a map (problem.yaml, testdata.yaml, the
// site configuration...).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>

namespace pj::judge {

// Its top level: a map, or null for an empty file. Throws ConfigError
// naming the file for invalid YAML or another top level.
YAML::Node load_yaml_map(const std::filesystem::path& path);

}  // namespace pj::judge
