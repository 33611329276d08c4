#include "judge/engine/workspace.hpp"

#include "judge/engine/run_slots.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

namespace fs = std::filesystem;

namespace pj::judge {

namespace {

// Root runs programs under their own uid; anyone else keeps their own.
RunIdentity identity_if_root(unsigned id) {
  RunIdentity r;
  if (geteuid() == 0) {
    r.uid = static_cast<uid_t>(id);
    r.gid = static_cast<gid_t>(id);
  }
  return r;
}

}  // namespace

const std::vector<std::string>& program_environment() {
  static const std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};
  return env;
}

RunIdentity RunIdentity::for_slot(int slot) {
  RunIdentity r = identity_if_root(60000 + slot);
  r.cpu = slot_cpu(slot);
  return r;
}

RunIdentity RunIdentity::for_validator(int slot) {
  RunIdentity r = identity_if_root(61000 + slot);
  r.cpu = slot_cpu(slot);
  return r;
}

Workspace::Workspace(RunIdentity id) : id_(id) {
  fs::path base = fs::temp_directory_path() / "pipejudge-XXXXXX";
  std::string tmpl = base.string();
  if (!mkdtemp(tmpl.data()))
    throw std::system_error(errno, std::generic_category(), "cannot create " + tmpl);
  root_ = tmpl;
  chmod(root_.c_str(), 0711);
  fs::create_directory(private_dir());
  chmod(private_dir().c_str(), 0700);
}

Workspace::~Workspace() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

namespace {

void hand_over(const fs::path& dir, const RunIdentity& owner) {
  if (owner.uid && chown(dir.c_str(), *owner.uid, owner.gid.value_or(*owner.uid)) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot chown " + dir.string());
  chmod(dir.c_str(), 0700);
}

// Removes everything inside `dir`, which stays. False if `dir` is not a
// directory (a symlink is not one) or something in it could not be removed.
bool empty_directory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dir, ec))) return false;
  bool emptied = true;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code removing;
    fs::remove_all(it->path(), removing);
    emptied = emptied && !removing;
  }
  return emptied && !ec;
}

}  // namespace

fs::path Workspace::make_box(const std::string& name) {
  return make_box(name, id_);
}

// A box is made once and emptied for each use: removing a directory frees a
// block of the file system, which costs milliseconds on a disk mounted with
// online discard, once per test.
fs::path Workspace::make_box(const std::string& name, const RunIdentity& owner) {
  fs::path box = root_ / name;
  if (!empty_directory(box)) {
    std::error_code ec;
    fs::remove_all(box, ec);
    fs::create_directory(box);
  }
  hand_over(box, owner);
  return box;
}

fs::path Workspace::make_subdir(const fs::path& box, const std::string& name,
                                const RunIdentity& owner) {
  fs::path dir = box / name;
  fs::create_directory(dir);
  hand_over(dir, owner);
  return dir;
}

void Workspace::place_readonly(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::remove(to, ec);
  fs::create_hard_link(from, to, ec);  // inputs can be large: link when we may
  if (ec) {
    fs::copy_file(from, to);
    chmod(to.c_str(), 0444);
  }
}

void Workspace::clear() {
  for (const auto& entry : fs::directory_iterator(root_)) {
    if (empty_directory(entry.path())) continue;
    fs::remove_all(entry.path());  // a file, a link, or what would not empty
  }
}

void Workspace::remove_box(const fs::path& box) {
  if (empty_directory(box)) return;
  std::error_code ec;
  fs::remove_all(box, ec);  // the next make_box makes it again
}

}  // namespace pj::judge
