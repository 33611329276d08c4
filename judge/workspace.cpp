#include "judge/workspace.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <system_error>

namespace fs = std::filesystem;

namespace pj::judge {

RunIdentity RunIdentity::for_slot(int slot) {
  RunIdentity id;
  if (geteuid() == 0) {
    id.uid = static_cast<uid_t>(60000 + slot);
    id.gid = static_cast<gid_t>(60000 + slot);
  }
  return id;
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

fs::path Workspace::make_box(const std::string& name) {
  fs::path box = root_ / name;
  std::error_code ec;
  fs::remove_all(box, ec);
  fs::create_directory(box);
  if (id_.uid && chown(box.c_str(), *id_.uid, id_.gid.value_or(*id_.uid)) != 0)
    throw std::system_error(errno, std::generic_category(), "cannot chown " + box.string());
  chmod(box.c_str(), 0700);
  return box;
}

void Workspace::remove_box(const fs::path& box) {
  std::error_code ec;
  fs::remove_all(box, ec);
}

}  // namespace pj::judge
