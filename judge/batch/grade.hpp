// `pipejudge grade`: a class or a contest judged in one command, through the
// same pipeline as everything else: every submission goes to the instance's
// submission queue at batch priority, a pool of workers judges them, the
// collector stores the verdicts, and the batch reads them back.
//
// Resumable: each submission's result is keyed by its student and problem
// and the content hash of the submission, its problem package, its
// language's settings and the judge's version (`<out>/grade-state.json` maps each key to a
// submission id), so a second run judges only what changed or was not finished.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "judge/batch/class_folder.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/results.hpp"
#include "judge/pipeline/instance.hpp"

namespace pj::judge {

struct GradeOptions {
  bool fast = false;          // stop each submission at its first failing test
  int jobs = 0;               // workers to start (0: the machine's run slots)
  std::filesystem::path out;  // grades.csv, results.json, grade-state.json
  std::string cache_dir;      // the workers' compile cache ("": the default)
  // Judge everything again (at rejudge priority) and compare with the last
  // results; a dry run leaves the batch's results as they were.
  bool rejudge = false, dry_run = false;
};

struct GradedSubmission {
  BatchEntry entry;
  std::string id;       // submission id
  bool reused = false;  // judged by an earlier run of the same batch
  SubmissionReport report;
  std::optional<SubmissionReport> before;  // a rejudge: the last result
};

// "WA -> AC (test secret/07 fixed)"; empty if the verdict and score are
// the same.
std::string rejudge_change(const SubmissionReport& before, const SubmissionReport& after);

class GradeObserver {
 public:
  virtual ~GradeObserver() = default;
  virtual void on_start(const ClassBatch& batch, std::size_t to_judge, std::size_t reused) = 0;
  virtual void on_graded(const GradedSubmission& g, std::size_t done, std::size_t total) = 0;
};

// Judges the batch; returns each entry's result, in the batch's order.
// Stops waiting when `stop` is set (then what was judged stays stored and
// the rest is judged by the next run). Throws ConfigError for an
// instance whose collector or workers cannot start.
std::vector<GradedSubmission> run_grade(const Instance& inst, const ClassBatch& batch,
                                        const std::map<std::string, Problem>& problems,
                                        const GradeOptions& options, GradeObserver& observer,
                                        const std::atomic<bool>& stop);

// Submissions of one problem whose sources are the same once comments and
// whitespace are set aside: what a teacher checks first.
struct IdenticalGroup {
  std::string problem;
  std::vector<std::string> students;
};
std::vector<IdenticalGroup> identical_submissions(const ClassBatch& batch);

// grades.csv (a row per student, a column per problem, a total),
// results.json (every report, the batch's settings, what was not judged,
// the groups of identical submissions) and feedback/<student>.md (what each
// student can be handed back: per problem, the verdict, each test's verdict
// and time, a sample's message, the compiler's output).
void write_grade_reports(const std::filesystem::path& out, const ClassBatch& batch,
                         const std::vector<GradedSubmission>& graded, const GradeOptions& options);

}  // namespace pj::judge
