#include "judge/engine/submission.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <optional>

#include "judge/engine/error.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

bool command_exists(const std::string& cmd) {
  if (cmd.find('/') != std::string::npos)
    return cmd.rfind("./", 0) == 0 || access(cmd.c_str(), X_OK) == 0;
  for (const char* dir : {"/usr/local/bin/", "/usr/bin/", "/bin/"})
    if (access((std::string(dir) + cmd).c_str(), X_OK) == 0) return true;
  return false;
}

std::string extension_of(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext.empty() ? ext : ext.substr(1);
}

void check_source_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string(), "cannot read the submission");
  char buf[65536];
  std::size_t total = 0;
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    auto n = static_cast<std::size_t>(in.gcount());
    if (std::find(buf, buf + n, '\0') != buf + n)
      throw ConfigError(file.string(), "is a binary file, not source code");
    total += n;
  }
  if (total == 0) throw ConfigError(file.string(), "is empty");
}

const Language* pick_language(const fs::path& file, const std::string& language_id,
                              const LanguageTable& languages) {
  if (!language_id.empty()) {
    const Language* lang = languages.find(language_id);
    if (!lang) {
      std::string known;
      for (const auto& id : languages.ids()) known += (known.empty() ? "" : ", ") + id;
      throw ConfigError(file.string(),
                        "unknown language '" + language_id + "' (known: " + known + ")");
    }
    return lang;
  }
  const Language* lang = languages.for_file(file);
  if (!lang)
    throw ConfigError(file.string(), "unknown extension '" + file.extension().string() +
                                         "': name the language with --lang");
  return lang;
}

// Whether a line of the file starts with `word` (case-insensitive, after blanks).
bool declares(const fs::path& file, const std::string& word) {
  std::ifstream in(file);
  auto lower = [](std::string t) {
    for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return t;
  };
  std::string want = lower(word);
  for (std::string line; std::getline(in, line);) {
    std::string t = lower(line.substr(std::min(line.size(), line.find_first_not_of(" \t"))));
    if (t.rfind(want, 0) == 0 &&
        (t.size() == want.size() || !std::isalnum(static_cast<unsigned char>(t[want.size()]))))
      return true;
  }
  return false;
}

// A directory's file that is one of the language's sources: by extension, or
// named in its entry_files (a shell script directory's `run`).
bool is_source_of(const fs::path& file, const Language& lang) {
  const auto& exts = lang.extensions;
  const auto& names = lang.entry_files;
  return std::find(exts.begin(), exts.end(), extension_of(file)) != exts.end() ||
         std::find(names.begin(), names.end(), file.filename().string()) != names.end();
}

// The main source of a directory's sources (see Language::entry_files).
std::optional<fs::path> main_source(const std::vector<fs::path>& sources, const Language& lang) {
  for (const auto& name : lang.entry_files)
    for (const auto& src : sources)
      if (src.filename() == name) return src;
  if (!lang.entry_declares.empty())
    for (const auto& src : sources)
      if (declares(src, lang.entry_declares)) return src;
  for (const auto& src : sources)
    if (src.stem() == "main" || src.stem() == "Main") return src;
  if (sources.size() == 1 || lang.entry_files.empty()) return sources.front();
  return std::nullopt;
}

// A directory's sources of the language, the main one first.
std::vector<fs::path> directory_sources(const fs::path& dir, const Language& lang,
                                        const std::string& entry) {
  std::vector<fs::path> sources;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && is_source_of(e.path(), lang)) sources.push_back(e.path());
  }
  std::sort(sources.begin(), sources.end());
  std::optional<fs::path> main;
  if (!entry.empty()) {
    main = dir / entry;
    if (std::find(sources.begin(), sources.end(), *main) == sources.end())
      throw ConfigError(dir.string(), "its entry point " + entry + " is not one of its " +
                                          lang.name + " sources");
  } else {
    main = main_source(sources, lang);
  }
  if (!main) {
    std::string names;
    for (const auto& n : lang.entry_files) names += (names.empty() ? "" : " or ") + n;
    throw ConfigError(dir.string(), "no entry point among its " + std::to_string(sources.size()) +
                                        " " + lang.name + " sources: name one " + names);
  }
  std::stable_partition(sources.begin(), sources.end(),
                        [&main](const fs::path& p) { return p == *main; });
  return sources;
}

}  // namespace

Submission load_submission(const fs::path& path, const std::string& language_id,
                           const LanguageTable& languages, const std::string& entry) {
  Submission s;
  s.path = path;
  if (!fs::exists(path)) throw ConfigError(path.string(), "no such file");
  if (fs::is_directory(path)) {
    for (const auto& entry : fs::directory_iterator(path)) {
      if (!entry.is_regular_file()) continue;
      if (!language_id.empty() || languages.claims(extension_of(entry.path()))) {
        s.language = pick_language(entry.path(), language_id, languages);
        break;
      }
    }
    if (!s.language) throw ConfigError(path.string(), "holds no source file of a known language");
    s.sources = directory_sources(path, *s.language, entry);
    for (const auto& entry : fs::directory_iterator(path)) {
      if (entry.is_regular_file() &&
          std::find(s.sources.begin(), s.sources.end(), entry.path()) == s.sources.end())
        s.support_files.push_back(entry.path());
    }
    std::sort(s.support_files.begin(), s.support_files.end());
  } else {
    s.language = pick_language(path, language_id, languages);
    s.sources = {path};
  }
  for (const auto& f : s.sources) check_source_file(f);
  return s;
}

std::optional<std::string> missing_toolchain(const Language& lang) {
  for (const auto* cmd : {&lang.compile, &lang.run}) {
    if (cmd->empty() || command_exists(cmd->front())) continue;
    std::string what = "'" + cmd->front() + "' is not installed";
    if (!lang.debian_package.empty())
      what += ": install the Debian package " + lang.debian_package + " (apt-get install " +
              lang.debian_package + ", or run scripts/setup.sh)";
    else
      what += " (run scripts/setup.sh)";
    return what;
  }
  return std::nullopt;
}

void require_toolchain(const Submission& s) {
  if (auto missing = missing_toolchain(*s.language))
    throw ConfigError(s.path.string(), s.language->name + " needs " + *missing);
}

}  // namespace pj::judge
