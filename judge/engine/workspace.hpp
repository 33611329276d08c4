// Per-submission scratch space, and the identity and environment programs run under.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace pj::judge {

// The uid/gid a run slot's programs use when the judge is root (one per
// slot, so two concurrent runs never share a uid; unset when not root), and
// the core they run on.
struct RunIdentity {
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  // The slot's core (slot_cpu()), which every program of the slot is
  // confined to: the submission, its compiler, its validators. -1: none.
  int cpu = -1;
  static RunIdentity for_slot(int slot);
  // The identity of the slot's validators and interactors: never the same
  // as the submission's, so neither can touch the other's files.
  static RunIdentity for_validator(int slot);
};

// The whole environment of every program the judge runs in the sandbox
// (submissions, compilers, validators): a fixed PATH and locale, nothing of ours.
const std::vector<std::string>& program_environment();

// A temporary directory tree, removed with everything in it on destruction.
//   <root>/        0711, the judge's
//   <root>/out/    0700, the judge's private files (outputs)
// and boxes: directories the run identity may write in.
class Workspace {
 public:
  explicit Workspace(RunIdentity id);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path private_dir() const { return root_ / "out"; }
  const RunIdentity& identity() const { return id_; }

  // Creates (or empties) and hands over <root>/<name> to the run identity.
  std::filesystem::path make_box(const std::string& name);
  std::filesystem::path make_box(const std::string& name, const RunIdentity& owner);
  // Creates <box>/<name>, writable by `owner`.
  std::filesystem::path make_subdir(const std::filesystem::path& box, const std::string& name,
                                    const RunIdentity& owner);
  // Puts a read-only view of the file `from` at `to` (a hard link or a copy);
  // `from` must be readable by the run identity.
  static void place_readonly(const std::filesystem::path& from, const std::filesystem::path& to);
  // Removes everything the program left in a box; the directory itself
  // stays for the next make_box of its name (removed with the workspace).
  void remove_box(const std::filesystem::path& box);
  // Empties every directory in it, for the next submission; the directories
  // stay. Throws std::system_error if something cannot be removed.
  void clear();

 private:
  std::filesystem::path root_;
  RunIdentity id_;
};

}  // namespace pj::judge
