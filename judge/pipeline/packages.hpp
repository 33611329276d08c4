// Problem packages and submissions on machines that lack them (a broker's
// workers on other machines): a directory (or one file) travels as one
// content-addressed archive, named by the SHA-256 of its bytes, so that a
// changed test is a new archive and never judged from a stale copy.
//   archive: CBOR {"name": <the directory's or file's name>, "dir": bool,
//                  "files": [{"path", "exec", "data"}]}, paths sorted
//   a worker's copy: STATE_DIR/packages/<hash>/<name>, verified when fetched
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "judge/pipeline/instance.hpp"

namespace pj::judge {

class Broker;

struct PackedTree {
  std::string hash;     // hex SHA-256 of the archive
  std::string archive;  // its bytes
};

// Every regular file under `path` (a directory), or the file `path`.
// Throws ConfigError for one too large to travel (256 MiB).
PackedTree pack_tree(const std::filesystem::path& path);

// Unpacks an archive into `into`/<name> (`into` must not exist); returns
// that path. Throws std::runtime_error if it does not match `hash` or is not
// an archive (a path leaving it included).
std::filesystem::path unpack_tree(const std::string& archive, const std::string& hash,
                                  const std::filesystem::path& into);

// The worker's copy of archive `hash` from the instance's broker, fetched
// (and verified) unless it is there already; `log` hears of each fetch.
// Throws ConfigError if the broker does not have it.
std::filesystem::path fetch_tree(const Instance& inst, const std::string& hash,
                                 const std::function<void(const std::string&)>& log);

// Stores the archive in the instance's broker unless it is there.
void upload_tree(Broker& broker, const Instance& inst, const PackedTree& tree);

}  // namespace pj::judge
