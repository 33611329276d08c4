// `pipejudge grade`: a class's (or a contest's) submissions judged in one
// command through the queue, the workers and the collector; grades.csv,
// results.json, index.html and feedback/ written to --out.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "judge/batch/grade.hpp"
#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/engine/error.hpp"
#include "judge/engine/languages.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/signals.hpp"
#include "judge/pipeline/transport.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

std::map<std::string, Problem> load_problems(const std::string& one, const std::string& folder) {
  std::map<std::string, Problem> problems;
  auto add = [&](const fs::path& dir) {
    Problem p = load_problem(dir);
    problems.emplace(p.short_name, std::move(p));
  };
  if (!one.empty()) add(one);
  if (!folder.empty()) {
    if (!fs::is_directory(folder)) throw ConfigError(folder, "no such folder of problems");
    for (const auto& e : fs::directory_iterator(folder))
      if (e.is_directory() &&
          (fs::exists(e.path() / "problem.yaml") || fs::exists(e.path() / "data")))
        add(e.path());
  }
  if (problems.empty()) throw ConfigError(folder.empty() ? one : folder, "no problem package");
  return problems;
}

// A line per finished submission; on a terminal, a progress bar under them
// (done/total, rate, ETA), redrawn in place.
class GradePrinter : public GradeObserver {
 public:
  GradePrinter() : tty_(::isatty(STDOUT_FILENO)), start_(monotonic_seconds()) {}

  void on_start(const ClassBatch& batch, std::size_t to_judge, std::size_t reused) override {
    std::printf("grade: %s\n", batch.summary().c_str());
    for (const auto& n : batch.not_judged)
      std::printf("  not judged: %s: %s\n", n.path.c_str(), n.why.c_str());
    std::printf("grade: %zu to judge, %zu judged by an earlier run\n", to_judge, reused);
    std::fflush(stdout);
  }
  void on_graded(const GradedSubmission& g, std::size_t done, std::size_t total) override {
    if (tty_) std::printf("\r\033[K");  // the bar goes; the line takes its place
    const SubmissionReport& r = g.report;
    char score[48] = "";
    if (r.score && r.max_score)
      std::snprintf(score, sizeof score, " %g/%g", *r.score, *r.max_score);
    std::printf("[%zu/%zu] %-16s %-12s %-9s%s%s  %s\n", done, total, g.entry.student.c_str(),
                g.entry.problem.c_str(), verdict_code(r.verdict), score,
                g.reused ? " (earlier run)" : "", g.entry.path.filename().c_str());
    if (tty_) print_bar(done, total);
    std::fflush(stdout);
  }

 private:
  void print_bar(std::size_t done, std::size_t total) const {
    constexpr int kWidth = 30;
    double elapsed = monotonic_seconds() - start_;
    double rate = elapsed > 0 ? done / elapsed : 0;
    int filled = total ? static_cast<int>(kWidth * done / total) : kWidth;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(kWidth, '.');
    double eta = rate > 0 ? (total - done) / rate : 0;
    std::printf("[%s] %zu/%zu  %.1f/s  ETA %d:%02d", bar.c_str(), done, total, rate,
                static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
  }

  bool tty_;
  double start_;
};

// What a rejudge changed, per submission: "alice/aplusb.c  WA -> AC (test
// secret/07 fixed)".
void print_changes(const std::vector<GradedSubmission>& graded, bool dry_run) {
  std::vector<std::string> lines;
  for (const auto& g : graded) {
    if (!g.report.verdict) continue;
    std::string name = g.entry.student + "/" + g.entry.path.filename().string();
    if (!g.before) {
      lines.push_back(name + "  (new) " + verdict_code(g.report.verdict));
    } else if (std::string change = rejudge_change(*g.before, g.report); !change.empty()) {
      lines.push_back(name + "  " + change);
    }
  }
  std::printf("rejudge: %zu of %zu changed%s\n", lines.size(), graded.size(),
              dry_run ? " (dry run: the batch's results are kept as they were)" : "");
  for (const auto& l : lines) std::printf("  %s\n", l.c_str());
}

}  // namespace

void add_grade_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    std::string folder, manifest, problem, problems, out = "grade-report", cache_dir;
    bool fast = false, rejudge = false, dry_run = false;
    int jobs = 0;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "grade", "Judge a class's or a contest's submissions in one go: grades.csv, results.json");
  cmd->add_option("folder", opt->folder,
                  "the submissions: <student>/<problem>.<ext> (or <student>/<problem>/), or "
                  "<problem>/<student>.<ext>");
  cmd->add_option("--manifest", opt->manifest,
                  "a CSV of student,problem,path[,submitted_at,...] instead of a folder");
  cmd->add_option("--problems", opt->problems, "a folder of problem packages");
  cmd->add_option("--problem", opt->problem, "one problem package");
  cmd->add_option("--out", opt->out, "where the reports go")->capture_default_str();
  cmd->add_option("--jobs", opt->jobs, "workers (default: the machine's run slots)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--fast", opt->fast, "stop each submission at its first failing test");
  cmd->add_flag("--rejudge", opt->rejudge,
                "judge everything again (say, after a test was fixed) and print what changed");
  cmd->add_flag("--dry-run", opt->dry_run,
                "with --rejudge: print what would change, keep the batch's results as they are");
  cmd->add_option("--cache-dir", opt->cache_dir, "compile cache directory");
  add_instance_options(cmd, opt->instance, true);
  add_insecure_option(cmd);
  cmd->callback([opt, &status] {
    if (opt->folder.empty() == opt->manifest.empty())
      throw ConfigError("grade", "give a folder of submissions or --manifest FILE (one of them)");
    if (opt->problem.empty() && opt->problems.empty())
      throw ConfigError("grade", "give --problems DIR or --problem DIR");
    std::map<std::string, Problem> problems = load_problems(opt->problem, opt->problems);
    std::set<std::string> names;
    for (const auto& [name, p] : problems) names.insert(name);
    LanguageTable languages = LanguageTable::load_default();
    ClassBatch batch = opt->manifest.empty() ? read_class_folder(opt->folder, names, languages)
                                             : read_manifest(opt->manifest, names, languages);
    Instance inst = resolve_instance(opt->instance);
    check_broker(inst);
    require_isolation_or_insecure();
    GradeOptions options;
    options.fast = opt->fast;
    options.jobs = opt->jobs;
    options.out = opt->out;
    options.cache_dir = opt->cache_dir;
    options.rejudge = opt->rejudge;
    options.dry_run = opt->dry_run;
    if (opt->dry_run && !opt->rejudge) throw ConfigError("--dry-run", "is for --rejudge");
    GradePrinter printer;
    const std::atomic<bool>& stop = stop_on_signals();
    std::vector<GradedSubmission> graded = run_grade(inst, batch, problems, options, printer, stop);
    if (options.rejudge) print_changes(graded, options.dry_run);
    if (!options.dry_run) write_grade_reports(options.out, batch, graded, options);
    for (const auto& g : identical_submissions(batch)) {
      std::string who;
      for (const auto& s : g.students) who += (who.empty() ? "" : ", ") + s;
      std::printf("identical (%s): %s\n", g.problem.c_str(), who.c_str());
    }
    std::size_t judged = 0;
    for (const auto& g : graded) judged += g.report.verdict.has_value();
    if (::isatty(STDOUT_FILENO)) std::printf("\n");  // below the bar
    std::printf("grade: %zu of %zu judged; %s, %s\n", judged, graded.size(),
                (options.out / "grades.csv").c_str(), (options.out / "results.json").c_str());
    if (stop) die_of_stop_signal();
    status = judged == graded.size() ? kExitAccepted : kExitRejected;
  });
}

}  // namespace pj::judge
