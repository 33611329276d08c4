#include "judge/commands/instance_options.hpp"

namespace pj::judge {

void add_instance_options(CLI::App* cmd, InstanceOptions& o, bool with_no_sync) {
  cmd->add_option("--instance", o.name,
                  "instance name (default: $PIPEJUDGE_INSTANCE, else 'default')");
  cmd->add_option("--state-dir", o.state_dir,
                  "state directory: outbox, blobs, results.db (default: $PIPEJUDGE_STATE_DIR, "
                  "else per instance under /var/lib/pipejudge or ~/.local/state/pipejudge)");
  cmd->add_option("--db", o.db, "results database (default: STATE_DIR/results.db)");
  cmd->add_option("--queue", o.queue, "event queue name (default: /pipejudge-INSTANCE)");
  if (with_no_sync)
    cmd->add_flag("--no-sync", o.no_sync,
                  "skip fsync (throwaway state only: a machine crash may lose events)");
}

}  // namespace pj::judge
