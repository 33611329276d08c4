#include "judge/commands/options.hpp"

#include <cstdlib>
#include <string_view>

#include "judge/engine/error.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {
namespace {

void allow_insecure() {
  sandbox::SandboxSettings s = sandbox::settings();
  s.allow_plain = true;
  sandbox::configure(s);
  ::setenv("PIPEJUDGE_INSECURE", "1", 1);
}

}  // namespace

void add_insecure_option(CLI::App* cmd) {
  cmd->add_flag_callback("--insecure", allow_insecure,
                         "where runs cannot be isolated (no namespaces), judge without isolation "
                         "anyway: the program could read the answers; every report says so");
}

void allow_insecure_if_asked_by_environment() {
  const char* env = std::getenv("PIPEJUDGE_INSECURE");
  if (env && std::string_view(env) == "1") allow_insecure();
}

void require_isolation_or_insecure() {
  if (sandbox::settings().allow_plain) return;
  sandbox::Protections p = sandbox::protections();
  if (p.namespaces) return;
  std::string why = p.warnings;
  while (!why.empty() && why.back() == '\n') why.pop_back();
  throw ConfigError("sandbox", why.empty() ? "runs cannot be isolated here" : why);
}

void add_instance_options(CLI::App* cmd, InstanceOptions& o, bool with_no_sync) {
  cmd->add_option("--instance", o.name,
                  "instance name (default: $PIPEJUDGE_INSTANCE, else 'default')");
  cmd->add_option("--state-dir", o.state_dir,
                  "state directory: outbox, blobs, results.db (default: $PIPEJUDGE_STATE_DIR, "
                  "else per instance under /var/lib/pipejudge or ~/.local/state/pipejudge)");
  cmd->add_option("--db", o.db, "results database (default: STATE_DIR/results.db)");
  cmd->add_option("--queue", o.queue, "event queue name (default: /pipejudge-INSTANCE)");
  add_broker_option(cmd, o);
  if (with_no_sync)
    cmd->add_flag("--no-sync", o.no_sync,
                  "skip fsync (throwaway state only: a machine crash may lose events)");
}

void add_broker_option(CLI::App* cmd, InstanceOptions& o) {
  cmd->add_option("--broker", o.broker,
                  "jobs and events through Redis Streams, for judges on many machines: "
                  "redis://HOST[:PORT][/DB][?prefix=NAME&lease=SECONDS] (password: "
                  "$PIPEJUDGE_REDIS_PASSWORD; default: the local queues)")
      ->envname("PIPEJUDGE_BROKER");
}

void add_submission_options(CLI::App* cmd, SubmissionOptions& o) {
  cmd->add_option("--problem,-p", o.problem, "problem package directory")->required();
  cmd->add_option("file", o.file, "source file, or a directory of sources")->required();
  cmd->add_option("--lang,-l", o.lang, "language id (default: by extension)");
  cmd->add_option("--entry", o.entry,
                  "a directory's main source (default: the language's rule, e.g. __main__.py)");
  cmd->add_flag("--all,-a", o.all, "run every test (default: stop at the first failure)");
}

HandedIn hand_in(const SubmissionOptions& o) {
  Problem problem = load_problem(o.problem);
  HandedIn h{LanguageTable::load_default(problem.short_name), std::move(problem), {}};
  h.submission = load_submission(o.file, o.lang, h.languages, o.entry);
  require_toolchain(h.submission);
  return h;
}

}  // namespace pj::judge
