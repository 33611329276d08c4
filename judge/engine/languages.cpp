#include "judge/engine/languages.hpp"

#include <sys/stat.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <tuple>

#include "judge/engine/error.hpp"
#include "judge/engine/site_config.hpp"

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
  if (node["debian_package"]) lang.debian_package = node["debian_package"].as<std::string>();
  lang.version = string_list(node["version"]);
  lang.readonly_paths = string_list(node["readonly_paths"]);
  lang.env = string_list(node["env"]);
  for (const auto& e : lang.env)
    if (e.find('=') == std::string::npos || e.front() == '=')
      throw std::invalid_argument("'env' entry '" + e + "' is not NAME=VALUE");
  if (node["shebang"]) {
    lang.shebang = node["shebang"].as<std::string>();
    try {
      std::regex check(lang.shebang);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("'shebang' is not a regular expression: " +
                                  std::string(e.what()));
    }
  }
  if (node["allow_exec"]) lang.allow_exec = node["allow_exec"].as<bool>();
  if (node["open_files"]) lang.open_files = node["open_files"].as<int>();
  if (lang.open_files < 3 || lang.open_files > 65536)
    throw std::invalid_argument("'open_files' must be between 3 and 65536");
  if (node["main_class"]) lang.main_class = node["main_class"].as<std::string>();
  for (const auto& p : lang.readonly_paths)
    if (p.empty() || p.front() != '/')
      throw std::invalid_argument("'readonly_paths' entry '" + p + "' is not an absolute path");
  for (const auto& w : lang.compile)
    if (w != "{options}" && w.find("{options}") != std::string::npos)
      throw std::invalid_argument("'{options}' must be a word of its own in 'compile'");
  for (const auto* list : {&lang.run, &lang.env})
    for (const auto& w : *list)
      if (w.find("{options}") != std::string::npos)
        throw std::invalid_argument("'{options}' belongs in 'compile' only");
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

namespace {

std::filesystem::path default_languages_file() {
  const char* env = std::getenv("PIPEJUDGE_LANGUAGES");
  return env ? std::filesystem::path(env)
             : std::filesystem::path(PIPEJUDGE_SOURCE_DIR) / "judge" / "engine" / "languages.yaml";
}

// The shipped table as parsed, parsed again only when its file has changed
// (path, size or modification time): a process asks for it per submission
// and per job, and a forked judging child has its parent's at hand.
LanguageTable parsed_default_file() {
  const std::filesystem::path file = default_languages_file();
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return LanguageTable::load(file);  // says what is wrong
  static std::mutex mutex;
  static std::optional<std::tuple<std::string, off_t, timespec>> seen;
  static LanguageTable kept;
  std::lock_guard<std::mutex> lock(mutex);
  auto same = [&](const auto& s) {
    const auto& [path, size, mtime] = s;
    return path == file.string() && size == st.st_size && mtime.tv_sec == st.st_mtim.tv_sec &&
           mtime.tv_nsec == st.st_mtim.tv_nsec;
  };
  if (!seen || !same(*seen)) {
    kept = LanguageTable::load(file);
    seen.emplace(file.string(), st.st_size, st.st_mtim);
  }
  return kept;
}

}  // namespace

LanguageTable LanguageTable::load_default(const std::string& problem) {
  LanguageTable table = parsed_default_file();
  const SiteConfig& site = site_config();
  const std::string& python = site.python_for(problem);
  // A table of the site's own may have no Python at all: then nothing to choose.
  if (table.find(python) || site.python != "pypy" || site.problem_python.count(problem)) {
    try {
      table.choose("python", python);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(site.file.string(), e.what());
    }
  }
  return table;
}

const Language* LanguageTable::find(const std::string& id) const {
  auto it = languages_.find(id);
  if (it != languages_.end()) return &it->second;
  auto chosen = choices_.find(id);
  return chosen == choices_.end() ? nullptr : &languages_.at(chosen->second);
}

void LanguageTable::choose(const std::string& name, const std::string& id) {
  if (!languages_.count(id)) {
    std::string known;
    for (const auto& [k, lang] : languages_) known += (known.empty() ? "" : ", ") + k;
    throw std::invalid_argument(name + ": unknown language '" + id + "' (known: " + known + ")");
  }
  choices_[name] = id;
}

bool LanguageTable::claims(const std::string& ext) const {
  for (const auto& [id, lang] : languages_)
    for (const auto& e : lang.extensions)
      if (e == ext) return true;
  return false;
}

const Language* LanguageTable::for_file(const std::filesystem::path& file) const {
  std::string ext = file.extension().string();
  if (!ext.empty()) ext.erase(0, 1);
  std::vector<const Language*> candidates;
  for (const auto& [id, lang] : languages_)
    for (const auto& e : lang.extensions)
      if (e == ext) candidates.push_back(&lang);
  if (candidates.size() <= 1) return candidates.empty() ? nullptr : candidates.front();

  std::string first_line;
  {
    std::ifstream in(file);
    std::getline(in, first_line);
  }
  for (const Language* lang : candidates)
    if (!lang->shebang.empty() && std::regex_search(first_line, std::regex(lang->shebang)))
      return lang;
  for (const Language* lang : candidates)
    for (const auto& [name, id] : choices_)
      if (lang->id == id) return lang;
  const Language* plain = nullptr;
  std::string names;
  for (const Language* lang : candidates) {
    names += (names.empty() ? "" : ", ") + lang->id;
    if (!lang->shebang.empty()) continue;
    if (plain) {
      plain = nullptr;
      break;
    }
    plain = lang;
  }
  if (plain) return plain;
  throw ConfigError(file.string(), "the extension ." + ext + " is claimed by " + names +
                                       ": name the language with --lang");
}

std::string preferred_main_class(const Language& lang, const std::string& stem) {
  std::string capitalized = stem;
  if (!capitalized.empty())
    capitalized[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(capitalized[0])));
  // Kotlin's file class: a name that is not an identifier gets '_' instead.
  for (auto& c : capitalized)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '$') c = '_';
  std::string out = lang.main_class;
  for (auto pos = out.find("{Stem}"); pos != std::string::npos; pos = out.find("{Stem}"))
    out.replace(pos, 6, capitalized);
  for (auto pos = out.find("{stem}"); pos != std::string::npos; pos = out.find("{stem}"))
    out.replace(pos, 6, stem);
  return out;
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
                                        const std::string& binary,
                                        const std::vector<std::string>& options) {
  std::vector<std::string> out;
  for (const auto& word : tmpl) {
    if (word == "{sources}") {
      out.insert(out.end(), sources.begin(), sources.end());
      continue;
    }
    if (word == "{options}") {  // taken as given: never expanded themselves
      out.insert(out.end(), options.begin(), options.end());
      continue;
    }
    std::string w = word;
    replace_all(w, "{source}", sources.front());
    replace_all(w, "{binary}", binary);
    out.push_back(w);
  }
  return out;
}

bool takes_compiler_options(const Language& lang) {
  return std::find(lang.compile.begin(), lang.compile.end(), "{options}") != lang.compile.end();
}

std::optional<std::vector<std::string>> split_compiler_options(std::string_view text,
                                                               std::string& why) {
  if (text.size() > kMaxCompilerOptionsBytes) {
    why = "must be at most " + std::to_string(kMaxCompilerOptionsBytes) + " bytes";
    return std::nullopt;
  }
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else if (u < 0x20 || u >= 0x7f ||
               std::string_view("\"'\\`$&;|<>()").find(c) != std::string_view::npos) {
      why =
          "must be options separated by spaces, in printable ASCII without quotes, backslashes "
          "or the shell's $&;|<>()` (there is no shell to read them)";
      return std::nullopt;
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

}  // namespace pj::judge
