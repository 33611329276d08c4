// The files side of event delivery, in the instance's state directory:
//   outbox/<id>.<seq>.json   every event, written (and fsync'ed) before it is
//                            sent; the collector deletes it once stored
//   outbox/rejected/         malformed files, moved aside with the reason logged
//   blobs/<sha256>           large payloads events refer to by hash
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pj::judge {

class Outbox {
 public:
  Outbox(std::filesystem::path dir, bool sync);

  // "<id>.<seq, 10 digits>.json": names sort by submission, then sequence.
  static std::string file_name(const std::string& id, std::int64_t seq);
  // The submission id and sequence number a file name stands for.
  static std::optional<std::pair<std::string, std::int64_t>> parse_name(const std::string& name);

  // Durable (when sync) before it returns; throws std::system_error.
  void write(const std::string& id, std::int64_t seq, std::string_view message) const;
  // Names of the files waiting, sorted; temporaries and rejected/ left out.
  std::vector<std::string> list() const;
  std::vector<std::string> list_for(const std::string& id) const;
  std::filesystem::path path(const std::string& name) const { return dir_ / name; }
  void remove(const std::string& id, std::int64_t seq) const;
  // Moves a file aside into rejected/ (so it is neither lost nor retried).
  void reject(const std::string& name) const;
  // Temporaries older than `age`, left by writers that died mid-write.
  void remove_stale_temporaries(std::chrono::seconds age) const;

 private:
  std::filesystem::path dir_;
  bool sync_;
};

// Content-addressed files: a blob's name is the SHA-256 of its bytes.
class BlobFiles {
 public:
  static constexpr std::size_t kMaxBlobBytes = 256u << 20;

  BlobFiles(std::filesystem::path dir, bool sync);
  // Stores the bytes (unless a blob with that hash is there); returns the hash.
  std::string put(std::string_view data) const;
  // The bytes of a blob owned by `owner`, checked against its hash; nullopt
  // if there is no such file. Throws std::runtime_error if it is not ours,
  // too large, or does not match its name.
  std::optional<std::string> get(const std::string& hash, uid_t owner) const;
  void remove(const std::string& hash) const;

 private:
  std::filesystem::path dir_;
  bool sync_;
};

}  // namespace pj::judge
