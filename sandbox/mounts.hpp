// The private filesystem of an isolated slot (runs inside the keeper, which
// is alone in fresh mount, pid, net, ipc and uts namespaces).
//
//   /                 an empty tmpfs, read-only once built
//   /usr /bin /lib..  read-only binds of the host's system directories
//   /etc/...          only the few files a runtime needs (ld.so.cache, alternatives)
//   /dev              null zero full random urandom, fd -> /proc/self/fd
//   /proc             the slot's own (hidepid=2: a run sees only its own processes)
//   /box              a tmpfs of the slot, empty at the start of every run (or,
//                     for one run, the caller's directory: compilers)
//   /tmp              a tmpfs of the slot, empty at the start of every run
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pj::sandbox {

// Host paths shown read-only at the same place (missing ones are skipped;
// symlinks are recreated as symlinks).
std::vector<std::string> default_readonly_paths();

// Builds the root and pivots into it. Returns 0 or an errno, with `step`
// naming what failed.
int build_private_root(const std::vector<std::string>& readonly_paths, std::string& step);

// Per run: readies /box (the slot's empty tmpfs, mounted anew when there is
// none or its size differs, its root handed to uid:gid; or when
// `share_workdir` the detached mount `workdir_fd` made by open_tree_for_box)
// and /tmp, and copies the entries of `files_fd` into /box. With
// `keep_files` (a root keeper, a run under another uid, which cannot change
// the root-owned copies), the copies stay in /box for the next run of the
// same files, each checked unchanged at its source and in /box. No
// allocation on this path. Returns 0 or an errno.
int mount_box(int workdir_fd, bool share_workdir, int files_fd, std::uint64_t box_bytes,
              unsigned uid, unsigned gid, bool keep_files);
// In the judge: a detached clone of `dir` that the keeper can mount at /box.
// Returns an fd or -1 (errno set).
int open_tree_for_box(const char* dir);

// A user namespace's keeper cannot be handed a mount by the judge (it may
// make none): it keeps a view of the host instead. Before the private root is
// built, keep_host_view() keeps the keeper's first mount namespace (a copy of
// the host's) and moves the keeper into a new one, where the root is then
// built; clone_host_dir() makes a detached copy of a host directory from the
// kept view, for mount_box. Neither namespace is reachable by a program: the
// keeper holds them by close-on-exec fds, and the program may not setns.
struct HostView {
  int host_ns = -1;  // the mount namespace that shows the host's tree
  int box_ns = -1;   // the one of the private root
};
// 0 or an errno.
int keep_host_view(HostView& view);
// A detached copy of the host directory `path` (absolute), which must be the
// directory `expect_fd` (an fd of it the judge opened): an fd, or -errno.
int clone_host_dir(const HostView& view, const char* path, int expect_fd);

// Per run, after it (every process of it gone): unmounts a shared /box, and
// empties the slot's /box and /tmp, checking that nothing is left (no inode
// but the root and the kept program files, untouched; no block but theirs;
// no extended attribute on the root; owner, mode and times reset as a new
// mount has them). What cannot be emptied or shown empty is unmounted: the
// next run gets a new tmpfs.
void tidy_box();

// Without isolation: links (or copies) the entries of `files_fd` into `workdir_fd`.
int link_files(int files_fd, int workdir_fd);

}  // namespace pj::sandbox
