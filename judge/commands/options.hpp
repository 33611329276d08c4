// Options that several commands share: the instance they work on, and the
// submission they hand in.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "judge/engine/languages.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/submission.hpp"
#include "judge/pipeline/instance.hpp"

namespace pj::judge {

// Adds --instance, --state-dir, --db, --queue (and --no-sync when asked).
void add_instance_options(CLI::App* cmd, InstanceOptions& o, bool with_no_sync);

// A submission as the command line names it.
struct SubmissionOptions {
  std::string problem, file, lang, entry;
  bool all = false;
};

// Adds --problem, FILE, --lang, --entry and --all.
void add_submission_options(CLI::App* cmd, SubmissionOptions& o);

// The problem and the submission the options name, checked (ConfigError
// for what the user must fix, the compiler not installed included).
struct HandedIn {
  LanguageTable languages;  // the submission's language lives here
  Problem problem;
  Submission submission;
};
HandedIn hand_in(const SubmissionOptions& o);

}  // namespace pj::judge
