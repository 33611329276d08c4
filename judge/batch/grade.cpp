#include "judge/batch/grade.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

#include "judge/batch/grade_page.hpp"
#include "judge/batch/grade_state.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/languages.hpp"
#include "judge/engine/run_slots.hpp"
#include "judge/engine/sha256.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/child.hpp"
#include "judge/pipeline/durable.hpp"
#include "judge/pipeline/enqueue.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/pipeline/store_watch.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/report/report_json.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace pj::judge {
namespace {

// Changes whenever judging could give another result for the same input.
constexpr const char* kJudgeVersion = "pipejudge 0.1.0 (judge 1)";
constexpr auto kPoll = std::chrono::milliseconds(100);
// The reports are made from the stored results and rewritten by every run:
// written atomically, not fsynced (after a crash the next run rewrites them).
constexpr bool kSyncReports = false;

std::string file_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every regular file below `dir` (or the file itself), by relative path.
std::string tree_digest(const fs::path& root) {
  if (!fs::is_directory(root)) return sha256_hex(file_bytes(root));
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& f : files)
    all += fs::relative(f, root).string() + '\0' + sha256_hex(file_bytes(f)) + '\n';
  return sha256_hex(all);
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + '\x1f';
  return out;
}

// The key a result is stored under: whose it is, and what could change it.
std::string result_key(const BatchEntry& e, const std::string& package_digest, const Language& lang,
                       bool fast) {
  std::string what = std::string(kJudgeVersion) + '\n' + e.student + '\n' + e.problem + '\n' +
                     tree_digest(e.path) + '\n' + package_digest + '\n' + lang.id + '\n' +
                     joined(lang.compile) + '\n' + joined(lang.run) + '\n' +
                     std::to_string(lang.time_factor) + '\n' + std::to_string(lang.memory_factor) +
                     '\n' + (fast ? "fast" : "all");
  return sha256_hex(what);
}

// How the grade state names a student's submission.
std::string entry_name(const BatchEntry& e) {
  return e.student + "/" + e.problem + "/" + e.path.filename().string();
}

// The instance's collector (started if none runs) and a pool of workers for
// the batch, stopped when the batch is done (the workers finish or hand
// back what they judge).
class Judges {
 public:
  // The workers start while the collector opens its queue and database:
  // what they report meanwhile waits in the outbox, which it drains.
  Judges(const Instance& inst, const GradeOptions& options) {
    if (!collector_running(inst)) {
      std::vector<std::string> args = {"collector", "--quiet"};
      for (auto& a : instance_args(inst)) args.push_back(a);
      collector_.emplace(ChildProcess::spawn_self(args, ChildProcess::Stdout::Pipe));
    }
    int jobs = options.jobs > 0 ? options.jobs : max_run_slots();
    std::vector<std::string> args = {"worker", "--jobs", std::to_string(jobs)};
    for (auto& a : instance_args(inst)) args.push_back(a);
    if (!options.cache_dir.empty()) {
      args.push_back("--cache-dir");
      args.push_back(options.cache_dir);
    }
    workers_.emplace(ChildProcess::spawn_self(args, ChildProcess::Stdout::Null));
    if (!collector_) return;
    auto line = collector_->read_line();
    if (!line || line->rfind("ready", 0) != 0) {
      workers_->stop(SIGTERM, 180);  // what they took goes back to the queue
      throw ConfigError(inst.state_dir.string(), "the instance's collector did not start (" +
                                                     collector_->describe_exit() + ")");
    }
  }
  ~Judges() {
    if (workers_) workers_->stop(SIGTERM, 180);
    if (collector_) collector_->stop(SIGTERM, 30);
  }
  Judges(const Judges&) = delete;
  Judges& operator=(const Judges&) = delete;

 private:
  std::optional<ChildProcess> collector_;
  std::optional<ChildProcess> workers_;
};

}  // namespace

std::vector<GradedSubmission> run_grade(const Instance& inst, const ClassBatch& batch,
                                        const std::map<std::string, Problem>& problems,
                                        const GradeOptions& options, GradeObserver& observer,
                                        const std::atomic<bool>& stop) {
  make_state_dirs(inst);
  fs::create_directories(options.out);
  GradeState state(options.out);
  LanguageTable languages = LanguageTable::load_default();
  std::map<std::string, std::string> package_digests;
  for (const auto& [name, p] : problems) package_digests[name] = tree_digest(p.dir);

  std::vector<GradedSubmission> graded(batch.entries.size());
  std::vector<std::string> keys(batch.entries.size());
  std::optional<ResultStore> store = ResultStore::try_open_reader(inst.db_path);
  std::size_t reused = 0, waiting_for_earlier = 0;
  std::vector<std::size_t> to_enqueue;
  for (std::size_t i = 0; i < batch.entries.size(); ++i) {
    const BatchEntry& e = batch.entries[i];
    graded[i].entry = e;
    Submission s = load_submission(e.path, "", languages);
    keys[i] = result_key(e, package_digests.at(e.problem), *s.language, options.fast);
    if (options.rejudge) {
      if (auto id = state.latest(entry_name(e)); id && store)
        if (auto d = store->find(*id); d && d->report.verdict) graded[i].before = d->report;
      to_enqueue.push_back(i);
      continue;
    }
    std::optional<SubmissionDetail> earlier;
    if (auto id = state.result(keys[i]); id && store && (earlier = store->find(*id))) {
      graded[i].id = *id;  // judged, or queued, by an earlier run
      graded[i].reused = true;
      ++reused;
      waiting_for_earlier += !earlier->report.verdict;
    } else {
      to_enqueue.push_back(i);
    }
  }
  observer.on_start(batch, to_enqueue.size(), reused);

  // Judges only if something is left to judge (an earlier run, killed, may
  // have left jobs in the queue).
  std::optional<Judges> judges;
  if (!to_enqueue.empty() || waiting_for_earlier > 0) judges.emplace(inst, options);
  std::unique_ptr<Transport> transport = open_transport(inst);
  std::unique_ptr<JobQueue> jobs = transport->job_queue();
  std::unique_ptr<EventSink> sink = transport->event_sink();
  for (std::size_t i : to_enqueue) {
    if (stop) break;
    const BatchEntry& e = batch.entries[i];
    Submission s = load_submission(e.path, "", languages);
    auto id = enqueue_submission(*jobs, *sink, problems.at(e.problem), s, !options.fast,
                                 options.rejudge ? Priority::Rejudge : Priority::Batch, stop);
    if (!id) break;
    graded[i].id = *id;
    // A dry run's results are not the batch's: the earlier ones stay.
    if (!options.dry_run) state.remember(keys[i], entry_name(e), *id);
  }
  state.compact();  // the log of this run's enqueues, folded into the snapshot

  std::size_t done = 0, total = graded.size();
  std::vector<bool> reported(total, false);
  // Woken when the collector stores something; then only the submissions
  // it stored events of are looked up (all of them after a quiet kPoll,
  // e.g. with a broker, whose events do not pass through this outbox).
  StoreWatch watch(inst.outbox_dir());
  std::optional<std::set<std::string>> stored;  // nullopt: look at every one
  while (done < total && !stop) {
    if (!store)
      if (auto opened = ResultStore::try_open_reader(inst.db_path))
        store.emplace(std::move(*opened));
    if (store) {
      for (std::size_t i = 0; i < total; ++i) {
        if (reported[i] || graded[i].id.empty()) continue;
        if (stored && !stored->count(graded[i].id)) continue;
        if (!store->has_final(graded[i].id)) continue;
        auto detail = store->find(graded[i].id);
        if (!detail || !detail->report.verdict) continue;
        graded[i].report = std::move(detail->report);
        reported[i] = true;
        observer.on_graded(graded[i], ++done, total);
      }
    }
    if (done == total) break;
    std::size_t wakes = watch.wakes();
    watch.wait({}, stop, kPoll);
    stored = watch.take_stored();
    if (watch.wakes() == wakes || !store) stored.reset();
  }
  return graded;
}

std::string rejudge_change(const SubmissionReport& before, const SubmissionReport& after) {
  auto said = [](const SubmissionReport& r) {
    std::string text = verdict_code(r.verdict);
    if (r.score && r.max_score) {
      char score[48];
      std::snprintf(score, sizeof score, " %g/%g", *r.score, *r.max_score);
      text += score;
    }
    return text;
  };
  if (said(before) == said(after)) return {};
  std::string change = said(before) + " -> " + said(after);
  // The first test whose verdict moved says why.
  std::map<std::string, Verdict> was;
  for (const auto& t : before.tests) was[t.name] = t.verdict;
  for (const auto& t : after.tests) {
    auto it = was.find(t.name);
    if (it != was.end() && it->second == t.verdict) continue;
    if (t.verdict == Verdict::AC) return change + " (test " + t.name + " fixed)";
    return change + " (test " + t.name + " now " + verdict_code(t.verdict) + ")";
  }
  return change;
}

namespace {

// A source without its comments (// and /* */, and # lines' comments for
// the languages that use #) and with whitespace collapsed.
std::string normalised_source(const std::string& text, bool hash_comments) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
      c = ' ';
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      std::size_t end = text.find("*/", i + 2);
      i = end == std::string::npos ? text.size() : end + 1;
      c = ' ';
    } else if (hash_comments && c == '#' && (i == 0 || text[i - 1] != '\\')) {
      while (i < text.size() && text[i] != '\n') ++i;
      c = ' ';
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string normalised_submission(const fs::path& path) {
  std::vector<fs::path> files;
  if (fs::is_directory(path)) {
    for (const auto& e : fs::recursive_directory_iterator(path))
      if (e.is_regular_file()) files.push_back(e.path());
  } else {
    files.push_back(path);
  }
  std::sort(files.begin(), files.end());
  std::string all;
  for (const auto& f : files) {
    std::string ext = f.extension().string();
    bool hash = ext == ".py" || ext == ".py3" || ext == ".sh" || ext == ".bash" || ext == ".rb" ||
                ext == ".pl" || ext == ".R" || ext == ".r";
    all += normalised_source(file_bytes(f), hash) + '\n';
  }
  return all;
}

std::string feedback_for(const std::string& student, const std::vector<GradedSubmission>& graded) {
  std::ostringstream md;
  md << "# " << student << "\n";
  for (const auto& g : graded) {
    if (g.entry.student != student || !g.report.verdict) continue;
    const SubmissionReport& r = g.report;
    md << "\n## " << r.problem_name << " (" << g.entry.path.filename().string() << ")\n\n";
    md << "**" << verdict_description(*r.verdict) << "**";
    if (r.score && r.max_score) md << ", score " << *r.score << " of " << *r.max_score;
    md << "\n";
    if (r.insecure)
      md << "\nJudged without isolation (--insecure): the program could read the answers.\n";
    // Not the report's reason: it may quote a secret test's data.
    for (const auto& t : r.tests)
      if (t.verdict != Verdict::AC) {
        md << "\nFirst failing test: " << t.name << " (" << verdict_description(t.verdict) << ")\n";
        break;
      }
    if (!r.compile.ok && !r.compile.output.empty())
      md << "\nCompiler output:\n\n```\n" << r.compile.output << "\n```\n";
    if (r.tests.empty()) continue;
    md << "\n| test | verdict | time |\n|---|---|---|\n";
    for (const auto& t : r.tests) {
      md << "| " << t.name << " | " << verdict_code(t.verdict) << " | ";
      char time[32];
      std::snprintf(time, sizeof time, "%.3f s", t.time);
      md << time << " |\n";
      // Only a sample's message: a secret test's would tell its data.
      if (t.verdict != Verdict::AC && t.name.rfind("sample/", 0) == 0 && !t.message.empty())
        md << "\n> " << t.name << ": " << t.message << "\n\n";
    }
  }
  return md.str();
}

}  // namespace

std::vector<IdenticalGroup> identical_submissions(const ClassBatch& batch) {
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> by_source;
  for (const auto& e : batch.entries)
    by_source[{e.problem, sha256_hex(normalised_submission(e.path))}].push_back(e.student);
  std::vector<IdenticalGroup> groups;
  for (auto& [key, students] : by_source)
    if (students.size() > 1) groups.push_back({key.first, std::move(students)});
  return groups;
}

void write_grade_reports(const fs::path& out, const ClassBatch& batch,
                         const std::vector<GradedSubmission>& graded, const GradeOptions& options) {
  fs::create_directories(out);
  // A problem's column: the score out of 100 of a scoring problem, else 100
  // for AC and 0 otherwise; a student's best submission counts.
  std::set<std::string> students, problem_names;
  std::map<std::pair<std::string, std::string>, double> cell;
  for (const auto& g : graded) {
    students.insert(g.entry.student);
    problem_names.insert(g.entry.problem);
    if (!g.report.verdict) continue;
    const SubmissionReport& r = g.report;
    double points = r.max_score && *r.max_score > 0 && r.score ? 100 * *r.score / *r.max_score
                                                               : (r.accepted() ? 100.0 : 0.0);
    auto key = std::make_pair(g.entry.student, g.entry.problem);
    cell[key] = std::max(cell.count(key) ? cell[key] : 0.0, points);
  }
  std::ostringstream csv;
  csv << "student";
  for (const auto& p : problem_names) csv << ',' << p;
  csv << ",total\n";
  for (const auto& s : students) {
    csv << s;
    double total = 0;
    for (const auto& p : problem_names) {
      csv << ',';
      auto it = cell.find({s, p});
      if (it == cell.end()) continue;
      char num[32];
      std::snprintf(num, sizeof num, "%g", it->second);
      csv << num;
      total += it->second;
    }
    char num[32];
    std::snprintf(num, sizeof num, "%g", total);
    csv << ',' << num << '\n';
  }
  write_file_atomically(out, "grades.csv", csv.str(), kSyncReports);

  json results = {{"settings", {{"layout", batch.layout}, {"all_tests", !options.fast}}},
                  {"submissions", json::array()},
                  {"not_judged", json::array()}};
  for (const auto& g : graded) {
    json row = {{"student", g.entry.student},
                {"problem", g.entry.problem},
                {"path", g.entry.path.string()},
                {"id", g.id},
                {"reused", g.reused},
                {"extra", g.entry.extra},
                {"report", g.report.verdict ? encode_submission(g.report) : json(nullptr)}};
    results["submissions"].push_back(std::move(row));
  }
  for (const auto& n : batch.not_judged)
    results["not_judged"].push_back({{"path", n.path}, {"why", n.why}});
  results["identical"] = json::array();
  for (const auto& g : identical_submissions(batch))
    results["identical"].push_back({{"problem", g.problem}, {"students", g.students}});
  write_file_atomically(out, "results.json", results.dump(2), kSyncReports);
  write_file_atomically(out, "index.html", grade_page_html(results), kSyncReports);
  fs::create_directories(out / "feedback");
  for (const auto& student : students)
    write_file_atomically(out / "feedback", student + ".md", feedback_for(student, graded),
                          kSyncReports);
}

}  // namespace pj::judge
