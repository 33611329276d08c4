// The files side of event delivery, in the instance's state directory:
//   outbox/<id>.<seq>.json   every event, written (and fsync'ed) before it is
//                            sent; the collector deletes it once stored
//   outbox/<id>.<first>-<last>.json
//                            a group: consecutive events of one submission,
//                            one per line, made durable by one fsync
//   outbox/rejected/         malformed files, moved aside with the reason logged
//   outbox/.spare-<n>        stored files, kept to be written over (durable.hpp)
//   blobs/<sha256>           large payloads events refer to by hash
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pj::judge {

// The events an outbox file name stands for: seqs first..last of one submission.
struct OutboxName {
  std::string id;
  std::int64_t first = 0, last = 0;
  std::size_t count() const { return static_cast<std::size_t>(last - first + 1); }
};

// An event handed to a sink, and a group of them: consecutive events of one
// submission, committed together (one outbox file, one message or stream
// entry, one transaction of the collector).
struct OutgoingEvent {
  std::string id;
  std::int64_t seq = 0;
  std::string message;
  bool may_wait = false;  // may wait longer for company (pending_events.hpp)
};

struct EventGroup {
  std::string id;
  std::int64_t first = 0, last = 0;
  std::string lines;  // the events, one a line
  std::string name;   // its outbox file, once written
};

// Splits events, in the order handed over, into groups: runs of consecutive
// seqs of one submission, each within `max_bytes` counting `header_bytes`
// plus the submission id's length for what travels before the lines.
std::vector<EventGroup> make_event_groups(const std::vector<OutgoingEvent>& events,
                                          std::size_t max_bytes, std::size_t header_bytes);

// How long a sink's writer waits for company before it commits a lone
// event (unless someone flushes): a test's event then shares its group with
// the tests after it. Live views see an event at most this much later; a
// verdict, flushed, is not held.
constexpr std::chrono::milliseconds kEventLinger{20};

class Outbox {
 public:
  Outbox(std::filesystem::path dir, bool sync);

  // "<id>.<seq, 10 digits>.json" for one event, "<id>.<first>-<last>.json"
  // for a group: names sort by submission, then sequence.
  static std::string file_name(const std::string& id, std::int64_t seq);
  static std::string file_name(const std::string& id, std::int64_t first, std::int64_t last);
  // What a file name stands for; nullopt if it is not an event file's name.
  static std::optional<OutboxName> parse_name(const std::string& name);
  // The lines of a file or message holding events ('\n' between them).
  static std::vector<std::string_view> split_lines(std::string_view data);

  // Writes the events first..last of `id` (`lines`: one per line, in seq
  // order) as one file and returns its name. Durable (when sync) before it
  // returns if `sync_dir`; else once sync_dir() has been called after it.
  // Throws std::system_error.
  std::string write(const std::string& id, std::int64_t first, std::int64_t last,
                    std::string_view lines, bool sync_dir = true) const;
  // Makes the names of the files written so far durable (when sync).
  void sync_dir() const;
  // Names of the files waiting, sorted; temporaries and rejected/ left out.
  std::vector<std::string> list() const;
  std::vector<std::string> list_for(const std::string& id) const;
  std::filesystem::path path(const std::string& name) const { return dir_ / name; }
  // Takes an event file away (nothing else: `name` must be an event file's
  // name), keeping it among the spares that write() reuses.
  void remove(const std::string& name) const;
  // Moves a file aside into rejected/ (so it is neither lost nor retried).
  void reject(const std::string& name) const;
  // Temporaries older than `age`, left by writers that died mid-write.
  void remove_stale_temporaries(std::chrono::seconds age) const;

 private:
  std::filesystem::path dir_;
  bool sync_;
  mutable std::atomic<unsigned> retired_{0};
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
