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

// Adds --instance, --state-dir, --db, --queue, --broker (and --no-sync when asked).
void add_instance_options(CLI::App* cmd, InstanceOptions& o, bool with_no_sync);
// Adds --broker (else $PIPEJUDGE_BROKER): the Redis of a deployment on many machines.
void add_broker_option(CLI::App* cmd, InstanceOptions& o);

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

// Runs that cannot be isolated (no namespaces here) are refused unless the
// user asks for them: --insecure on the judging commands, or
// PIPEJUDGE_INSECURE=1, which the judge's own child processes inherit.
void add_insecure_option(CLI::App* cmd);
void allow_insecure_if_asked_by_environment();
// For commands that judge many submissions: fails at once (ConfigError) when
// runs cannot be isolated and --insecure was not given, rather than judging
// every submission IE.
void require_isolation_or_insecure();

}  // namespace pj::judge
