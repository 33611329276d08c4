// Store notices: how a collector tells the one process that started it
// (`submit`'s private collector) that something was stored, without an
// inotify watch. Closing an inotify instance waits for the kernel's
// fsnotify mark reaper, an SRCU grace period (about 10 ms here), which a
// one-shot `submit` paid at its very end. The follower makes a FIFO and
// holds both its ends open; the collector writes to it after each commit a
// line per submission whose events were stored or rejected, and "*" when
// notices were lost to a full pipe (then any submission may have events).
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "sandbox/fd.hpp"

namespace pj::judge {

// The collector's end. Never blocks: with no reader there is nobody to tell.
class StoreNoticeWriter {
 public:
  explicit StoreNoticeWriter(std::filesystem::path fifo) : fifo_(std::move(fifo)) {}
  // `ids`: the submissions stored; `others`: and some the collector cannot
  // name (rejected messages).
  void tell(const std::set<std::string>& ids, bool others);

 private:
  bool write_all(const std::string& lines);

  std::filesystem::path fifo_;
  sandbox::UniqueFd fd_;
  bool lost_ = false;
};

// The follower's end: makes the FIFO (mode 0600) if missing and opens it.
// Throws std::system_error.
class StoreNoticeReader {
 public:
  explicit StoreNoticeReader(const std::filesystem::path& fifo);

  int fd() const { return read_.get(); }
  // Reads what is there. Adds the ids told to `ids`; true if any notice
  // came; `lost` becomes true when notices were dropped.
  bool take(std::set<std::string>& ids, bool& lost);

 private:
  sandbox::UniqueFd read_;
  sandbox::UniqueFd hold_;  // a writer always there: no hang-up between collectors
  std::string partial_;
};

}  // namespace pj::judge
