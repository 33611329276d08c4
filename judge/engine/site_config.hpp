// The site's configuration: what applies where a problem package is silent.
// Without a configuration file, the defaults of the package format's
// reference tool (problemtools): memory 1024 MiB, output 8 MiB, compilation
// 60 s and 1024 MiB, validation 60 s and 1024 MiB.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

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

// The whole configuration file.
//
//   defaults: {...}          as above
//   python: pypy             the language .py and .py3 are (`--lang python`
//                            too): pypy (the default, as Kattis and DOMjudge
//                            run Python 3) or cpython; any language id
//   problems:                per problem, by its short name (directory name)
//     aplusb: {python: cpython}
//   broker: redis://h:6379/0 the broker of a deployment on many machines, for
//                            commands given no --broker nor $PIPEJUDGE_BROKER
//   redis_password: ...      its password, unless $PIPEJUDGE_REDIS_PASSWORD
//                            (keep the file unreadable to others, then)
struct SiteConfig {
  std::filesystem::path file;  // where it was read from (it need not exist)
  PackageDefaults defaults;
  std::string python = "pypy";
  std::string broker, redis_password;
  std::map<std::string, std::string> problem_python;  // short name -> language id

  // The Python chosen for a problem: its own entry, else the site's.
  const std::string& python_for(const std::string& problem) const;
};

// Read once, like package_defaults(). Throws ConfigError.
const SiteConfig& site_config();
SiteConfig read_site_config(const std::filesystem::path& file);

// The configuration file's `run_slots`: how many submissions may run at
// once on this machine (run_slots.hpp); nullopt if it does not say.
std::optional<int> site_run_slots();

}  // namespace pj::judge
