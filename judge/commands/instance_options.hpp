// The options that name an instance, shared by the commands that use one.
#pragma once

#include <CLI/CLI.hpp>

#include "judge/pipeline/instance.hpp"

namespace pj::judge {

// Adds --instance, --state-dir, --db, --queue (and --no-sync when asked).
void add_instance_options(CLI::App* cmd, InstanceOptions& o, bool with_no_sync);

}  // namespace pj::judge
