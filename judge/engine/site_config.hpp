// The site's configuration: what applies where a problem package is silent.
// Without a configuration file, the defaults of the package format's
// reference tool (problemtools): memory 1024 MiB, output 8 MiB, compilation
// 60 s and 1024 MiB, validation 60 s and 1024 MiB.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace pj::judge {

struct PackageDefaults {
  double time_limit = 1.0;  // CPU seconds (a package without one, outside `verify`)
  std::uint64_t memory_bytes = 1024ull << 20;
  std::uint64_t output_bytes = 8ull << 20;
  double compilation_seconds = 60;  // CPU time of a compiler
  std::uint64_t compilation_memory_bytes = 1024ull << 20;
  double validation_seconds = 60;  // per run of a validator or interactor
  std::uint64_t validation_memory_bytes = 1024ull << 20;
};

// The file read: $PIPEJUDGE_CONFIG, else /etc/pipejudge/config.yaml (which
// need not exist).
std::filesystem::path site_config_path();

// The defaults in force: the configuration file's `defaults:` map (keys
// time_limit, memory, output, compilation_time, compilation_memory,
// validation_time, validation_memory; seconds and MiB) over the format's.
// Read once. Throws ConfigError for a file that is there but wrong.
const PackageDefaults& package_defaults();

// The same, from a given file (tests; a missing file gives the format's).
PackageDefaults read_package_defaults(const std::filesystem::path& file);

// The configuration file's `run_slots`: how many submissions may run at
// once on this machine (run_slots.hpp); nullopt if it does not say.
std::optional<int> site_run_slots();

}  // namespace pj::judge
