#include "judge/engine/languages.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>

#include "judge/engine/error.hpp"

namespace pj::judge {
namespace {

std::vector<std::string> string_list(const YAML::Node& node) {
  std::vector<std::string> out;
  if (!node) return out;
  for (const auto& item : node) out.push_back(item.as<std::string>());
  return out;
}

Language parse_language(const std::string& id, const YAML::Node& node) {
  Language lang;
  lang.id = id;
  lang.name = node["name"] ? node["name"].as<std::string>() : id;
  lang.extensions = string_list(node["extensions"]);
  lang.compile = string_list(node["compile"]);
  lang.run = string_list(node["run"]);
  if (node["time_factor"]) lang.time_factor = node["time_factor"].as<double>();
  if (node["memory_factor"]) lang.memory_factor = node["memory_factor"].as<double>();
  lang.entry_files = string_list(node["entry_files"]);
  if (node["entry_declares"]) lang.entry_declares = node["entry_declares"].as<std::string>();
  if (lang.run.empty()) throw std::invalid_argument("'run' is missing");
  if (lang.extensions.empty()) throw std::invalid_argument("'extensions' is missing");
  return lang;
}

}  // namespace

LanguageTable LanguageTable::load(const std::filesystem::path& file) {
  LanguageTable table;
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    throw ConfigError(file.string(), "cannot read the languages table");
  } catch (const YAML::Exception& e) {
    throw ConfigError(file.string(), std::string("invalid YAML: ") + e.what());
  }
  if (!root.IsMap()) throw ConfigError(file.string(), "expected a map of languages");
  for (const auto& entry : root) {
    auto id = entry.first.as<std::string>();
    try {
      table.languages_[id] = parse_language(id, entry.second);
    } catch (const std::exception& e) {
      throw ConfigError(file.string(), "language '" + id + "': " + e.what());
    }
  }
  return table;
}

LanguageTable LanguageTable::load_default() {
  if (const char* env = std::getenv("PIPEJUDGE_LANGUAGES")) return load(env);
  return load(std::filesystem::path(PIPEJUDGE_SOURCE_DIR) / "judge" / "engine" / "languages.yaml");
}

const Language* LanguageTable::find(const std::string& id) const {
  auto it = languages_.find(id);
  return it == languages_.end() ? nullptr : &it->second;
}

const Language* LanguageTable::for_extension(const std::string& ext) const {
  for (const auto& [id, lang] : languages_)
    for (const auto& e : lang.extensions)
      if (e == ext) return &lang;
  return nullptr;
}

std::vector<std::string> LanguageTable::ids() const {
  std::vector<std::string> out;
  for (const auto& [id, lang] : languages_) out.push_back(id);
  return out;
}

namespace {

void replace_all(std::string& w, const std::string& key, const std::string& value) {
  for (auto pos = w.find(key); pos != std::string::npos; pos = w.find(key, pos + value.size()))
    w.replace(pos, key.size(), value);
}

}  // namespace

std::vector<std::string> expand_memory_limit(std::vector<std::string> argv, std::uint64_t bytes) {
  for (auto& w : argv) replace_all(w, "{memory_mb}", std::to_string(bytes >> 20));
  return argv;
}

std::vector<std::string> expand_command(const std::vector<std::string>& tmpl,
                                        const std::vector<std::string>& sources,
                                        const std::string& binary) {
  std::vector<std::string> out;
  for (const auto& word : tmpl) {
    if (word == "{sources}") {
      out.insert(out.end(), sources.begin(), sources.end());
      continue;
    }
    std::string w = word;
    replace_all(w, "{source}", sources.front());
    replace_all(w, "{binary}", binary);
    out.push_back(w);
  }
  return out;
}

}  // namespace pj::judge
