#include "judge/batch/class_folder.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "judge/engine/error.hpp"
#include "judge/engine/submission.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().front() != '.') out.push_back(e.path());
  if (ec) throw ConfigError(dir.string(), "cannot read the folder: " + ec.message());
  std::sort(out.begin(), out.end());
  return out;
}

// The submission's name without its extension: the problem or the student.
std::string stem_of(const fs::path& p) {
  return fs::is_directory(p) ? p.filename().string() : p.stem().string();
}

// Placed if it is a submission pipejudge can judge (a known language, not
// empty, not binary), else not judged with the reason.
void place(ClassBatch& batch, BatchEntry entry, const std::set<std::string>& problems,
           const LanguageTable& languages) {
  if (!problems.count(entry.problem)) {
    batch.not_judged.push_back(
        {entry.path.string(), "no problem named '" + entry.problem + "' among the packages"});
    return;
  }
  try {
    load_submission(entry.path, "", languages);
  } catch (const ConfigError& e) {
    batch.not_judged.push_back({entry.path.string(), e.what()});
    return;
  }
  batch.entries.push_back(std::move(entry));
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cells.push_back(cell);
      cell.clear();
    } else if (c != '\r') {
      cell += c;
    }
  }
  cells.push_back(cell);
  return cells;
}

}  // namespace

std::size_t ClassBatch::student_count() const {
  std::set<std::string> s;
  for (const auto& e : entries) s.insert(e.student);
  return s.size();
}

std::size_t ClassBatch::problem_count() const {
  std::set<std::string> s;
  for (const auto& e : entries) s.insert(e.problem);
  return s.size();
}

std::string ClassBatch::summary() const {
  std::ostringstream out;
  out << student_count() << " students, " << problem_count() << " problems, " << entries.size()
      << " submissions (layout " << layout << ")";
  if (!not_judged.empty()) out << ", " << not_judged.size() << " not judged";
  return out.str();
}

ClassBatch read_class_folder(const fs::path& folder, const std::set<std::string>& problems,
                             const LanguageTable& languages) {
  if (!fs::is_directory(folder)) throw ConfigError(folder.string(), "no such folder");
  std::vector<fs::path> top = sorted_entries(folder);
  std::size_t named_after_problems = 0, folders = 0;
  for (const auto& p : top) {
    if (!fs::is_directory(p)) continue;
    ++folders;
    named_after_problems += problems.count(p.filename().string());
  }
  bool problem_first = folders > 0 && named_after_problems * 2 > folders;
  ClassBatch batch;
  batch.layout = problem_first ? "<problem>/<student>.<ext>" : "<student>/<problem>.<ext>";
  for (const auto& outer : top) {
    if (!fs::is_directory(outer)) {
      batch.not_judged.push_back({outer.string(),
                                  "a file at the top level: neither a student's "
                                  "nor a problem's folder"});
      continue;
    }
    for (const auto& inner : sorted_entries(outer)) {
      BatchEntry e;
      e.path = inner;
      e.student = problem_first ? stem_of(inner) : outer.filename().string();
      e.problem = problem_first ? outer.filename().string() : stem_of(inner);
      place(batch, std::move(e), problems, languages);
    }
  }
  return batch;
}

ClassBatch read_manifest(const fs::path& csv, const std::set<std::string>& problems,
                         const LanguageTable& languages) {
  std::ifstream in(csv);
  if (!in) throw ConfigError(csv.string(), "cannot read the manifest");
  std::string line;
  if (!std::getline(in, line)) throw ConfigError(csv.string(), "empty manifest");
  std::vector<std::string> header = split_csv_line(line);
  auto column = [&](const std::string& name) -> std::ptrdiff_t {
    auto it = std::find(header.begin(), header.end(), name);
    return it == header.end() ? -1 : it - header.begin();
  };
  std::ptrdiff_t student = column("student"), problem = column("problem"), path = column("path");
  if (student < 0 || problem < 0 || path < 0)
    throw ConfigError(csv.string(), "the header must name student, problem and path");
  ClassBatch batch;
  batch.layout = "manifest";
  for (std::size_t i = 0; i < header.size(); ++i)
    if (static_cast<std::ptrdiff_t>(i) != student && static_cast<std::ptrdiff_t>(i) != problem &&
        static_cast<std::ptrdiff_t>(i) != path)
      batch.extra_columns.push_back(header[i]);
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::vector<std::string> cells = split_csv_line(line);
    if (cells.size() != header.size())
      throw ConfigError(csv.string(), "line " + std::to_string(number) + " has " +
                                          std::to_string(cells.size()) + " cells, the header " +
                                          std::to_string(header.size()));
    BatchEntry e;
    e.student = cells[static_cast<std::size_t>(student)];
    e.problem = cells[static_cast<std::size_t>(problem)];
    fs::path p = cells[static_cast<std::size_t>(path)];
    e.path = p.is_absolute() ? p : csv.parent_path() / p;
    for (std::size_t i = 0; i < header.size(); ++i)
      if (std::find(batch.extra_columns.begin(), batch.extra_columns.end(), header[i]) !=
          batch.extra_columns.end())
        e.extra[header[i]] = cells[i];
    place(batch, std::move(e), problems, languages);
  }
  return batch;
}

}  // namespace pj::judge
