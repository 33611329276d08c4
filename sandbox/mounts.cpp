// Raw mount(2)/pivot_root(2): no library offers these for a private root.
#include "sandbox/mounts.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace fs = std::filesystem;

namespace pj::sandbox {
namespace {

constexpr const char* kNewRoot = "/tmp";  // a private tmpfs is mounted over it first
constexpr unsigned long kRoFlags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV;

// The flags a bind mount of `target` already has and a remount must keep: in
// a user namespace the kernel locks those of mounts it copied from the host
// (nosuid, nodev, noexec, the atime mode), and refuses a remount that drops one.
unsigned long kept_flags(const char* target) {
  struct statvfs st;
  if (statvfs(target, &st) != 0) return 0;
  unsigned long flags = 0;
  if (st.f_flag & ST_NOSUID) flags |= MS_NOSUID;
  if (st.f_flag & ST_NODEV) flags |= MS_NODEV;
  if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
  if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
  if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
  if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
  if (!(st.f_flag & (ST_NOATIME | ST_RELATIME))) flags |= MS_STRICTATIME;
  return flags;
}

// Remounts the bind mount `target` with `flags`; where the kernel refuses
// (EPERM: a locked flag would be dropped), again with the locked ones kept.
int remount_bind(const char* target, unsigned long flags) {
  if (mount(nullptr, target, nullptr, flags, nullptr) == 0) return 0;
  if (errno != EPERM) return errno;
  return mount(nullptr, target, nullptr, flags | kept_flags(target), nullptr) == 0 ? 0 : errno;
}

int bind_readonly(const char* source, const char* target, bool recursive) {
  if (mount(source, target, nullptr, MS_BIND | (recursive ? MS_REC : 0), nullptr) != 0)
    return errno;
  return remount_bind(target, kRoFlags);
}

void mkdir_p(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
}

int show_host_path(const std::string& host, const std::string& newroot) {
  fs::path target = fs::path(newroot) / fs::path(host).relative_path();
  struct stat st;
  if (lstat(host.c_str(), &st) != 0) return 0;  // not on this machine: skip
  mkdir_p(target.parent_path());
  if (S_ISLNK(st.st_mode)) {
    char link[4096];
    ssize_t n = readlink(host.c_str(), link, sizeof link - 1);
    if (n < 0) return errno;
    link[n] = 0;
    return symlink(link, target.c_str()) == 0 ? 0 : errno;
  }
  if (S_ISDIR(st.st_mode)) {
    mkdir_p(target);
  } else {
    int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
    if (fd < 0) return errno;
    close(fd);
  }
  return bind_readonly(host.c_str(), target.c_str(), S_ISDIR(st.st_mode));
}

int build_dev(const std::string& newroot) {
  std::string dev = newroot + "/dev";
  mkdir_p(dev);
  if (mount("tmpfs", dev.c_str(), "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755") != 0)
    return errno;
  for (const char* node : {"null", "zero", "full", "random", "urandom"}) {
    std::string host = std::string("/dev/") + node, target = dev + "/" + node;
    int fd = open(target.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return errno;
    close(fd);
    if (mount(host.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) return errno;
    if (int e = remount_bind(target.c_str(), MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC))
      return e;
  }
  symlink("/proc/self/fd", (dev + "/fd").c_str());
  symlink("/proc/self/fd/0", (dev + "/stdin").c_str());
  symlink("/proc/self/fd/1", (dev + "/stdout").c_str());
  symlink("/proc/self/fd/2", (dev + "/stderr").c_str());
  return mount(nullptr, dev.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
               nullptr) == 0
             ? 0
             : errno;
}

// Calls fn(name, d_type) for each entry of a directory fd, without allocating.
template <typename Fn>
int for_each_entry(int dir_fd, Fn fn) {
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  alignas(8) char buf[8192];
  int err = 0;
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0) err = errno;
      break;
    }
    for (long off = 0; off < n && !err;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      off += d->d_reclen;
      if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) continue;
      err = fn(d->d_name, d->d_type);
    }
    if (err) break;
  }
  close(fd);
  return err;
}

int copy_file_at(int from_dir, int to_dir, const char* name) {
  int in = openat(from_dir, name, O_RDONLY | O_CLOEXEC);
  if (in < 0) return errno;
  struct stat st;
  fstat(in, &st);
  int out = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0555);
  if (out < 0) {
    int e = errno;
    close(in);
    return e;
  }
  int err = 0;
  for (;;) {  // sendfile: works across file systems (host disk to tmpfs)
    ssize_t n = sendfile(out, in, nullptr, 1 << 20);
    if (n < 0) err = errno;
    if (n <= 0) break;
  }
  close(in);
  close(out);
  return err;
}

// Puts every entry of `from` into `to`: directories recursively, files by
// `place_file` (a hard link or a copy).
template <typename PlaceFile>
int place_tree(int from, int to, PlaceFile place_file) {
  return for_each_entry(from, [&](const char* name, unsigned char type) -> int {
    if (type != DT_DIR) return place_file(from, to, name);
    if (mkdirat(to, name, 0755) != 0 && errno != EEXIST) return errno;
    int sub_from = openat(from, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int sub_to = openat(to, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int err = sub_from < 0 || sub_to < 0 ? errno : place_tree(sub_from, sub_to, place_file);
    if (sub_from >= 0) close(sub_from);
    if (sub_to >= 0) close(sub_to);
    return err;
  });
}

}  // namespace

std::vector<std::string> default_readonly_paths() {
  return {"/usr",
          "/bin",
          "/sbin",
          "/lib",
          "/lib32",
          "/lib64",
          "/libx32",
          "/etc/ld.so.cache",
          "/etc/ld.so.conf",
          "/etc/ld.so.conf.d",
          "/etc/alternatives",
          "/etc/java-17-openjdk",
          "/etc/localtime"};
}

int build_private_root(const std::vector<std::string>& readonly_paths, std::string& step) {
  step = "making / private";
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return errno;
  step = "mounting the new root";
  if (mount("tmpfs", kNewRoot, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755") != 0)
    return errno;
  std::string root = kNewRoot;
  for (const auto& p : readonly_paths) {
    step = "showing " + p;
    if (int e = show_host_path(p, root)) return e;
  }
  step = "building /dev";
  if (int e = build_dev(root)) return e;
  step = "mounting /proc";
  mkdir_p(root + "/proc");
  if (mount("proc", (root + "/proc").c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
            "hidepid=2") != 0)
    return errno;
  for (const char* d : {"/box", "/tmp", "/.old"}) mkdir_p(root + d);
  chmod((root + "/tmp").c_str(), 01777);
  step = "pivot_root";
  if (syscall(SYS_pivot_root, root.c_str(), (root + "/.old").c_str()) != 0) return errno;
  if (chdir("/") != 0) return errno;
  step = "detaching the host's root";
  if (umount2("/.old", MNT_DETACH) != 0) return errno;
  rmdir("/.old");
  step = "making / read-only";
  if (mount(nullptr, "/", nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0)
    return errno;
  return 0;
}

namespace {

// The tmpfs mounts of /box and /tmp are the slot's, kept from run to run:
// mounting and unmounting two tmpfs per run costs more than the rest of the
// keeper's work together. After each run they are emptied and checked empty
// (tidy_box); whatever cannot be shown empty is unmounted, and the next run
// gets a new mount.
struct KeptTmpfs {
  const char* path;
  mode_t mode;
  bool mounted = false;
  std::uint64_t bytes = 0;
  uid_t uid = static_cast<uid_t>(-1);  // the root's owner; -1: as mounted
  gid_t gid = static_cast<gid_t>(-1);
};
KeptTmpfs g_box{"/box", 0700};
KeptTmpfs g_tmp{"/tmp", 01777};
bool g_box_shared = false;  // /box holds the caller's directory for this run

// The program's files, kept in /box from run to run of the same program
// where the run cannot change them: a root keeper's copies (owner root, mode
// at most r-x) are not writable by a run under another uid, which has no
// capability and does not own them (it may remove or rename them: then they
// are copied again). Each is checked unchanged, at its source and in /box,
// before it is used again and after every run.
constexpr int kMaxKept = 16;
struct KeptEntry {
  char name[256];
  struct stat source;  // dev, ino, size, mtime, ctime of the file copied
  ino_t ino;           // of the copy in /box
  mode_t mode;
  off_t size;
};
struct KeptProgram {
  bool valid = false;
  struct stat dir {};  // the files directory
  int count = 0;
  KeptEntry files[kMaxKept];
  fsblkcnt_t bfree = 0;  // /box's statfs with only these files in it
  fsfilcnt_t ffree = 0;
};
KeptProgram g_kept;

bool same_time(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

bool same_source(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino && a.st_size == b.st_size &&
         same_time(a.st_mtim, b.st_mtim) && same_time(a.st_ctim, b.st_ctim);
}

// Whether /box's `name` is still the kept copy, untouched.
bool copy_intact(int box_fd, const KeptEntry& e) {
  struct stat st;
  return fstatat(box_fd, e.name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
         st.st_ino == e.ino && st.st_uid == 0 && st.st_nlink == 1 && st.st_mode == e.mode &&
         st.st_size == e.size;
}

bool is_kept(const char* name) {
  if (!g_kept.valid) return false;
  for (int i = 0; i < g_kept.count; ++i)
    if (strcmp(g_kept.files[i].name, name) == 0) return true;
  return false;
}

// Removes the kept copies from /box (when /box stays mounted) and forgets them.
void forget_kept(int box_fd) {
  if (g_kept.valid && box_fd >= 0)
    for (int i = 0; i < g_kept.count; ++i) unlinkat(box_fd, g_kept.files[i].name, 0);
  g_kept.valid = false;
}

void drop(KeptTmpfs& m) {
  if (m.mounted) umount2(m.path, MNT_DETACH);
  m.mounted = false;
  if (&m == &g_box) g_kept.valid = false;
}

int mount_tmpfs(KeptTmpfs& m, const char* opts, std::uint64_t bytes) {
  if (mount("tmpfs", m.path, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) return errno;
  m.mounted = true;
  m.bytes = bytes;
  return 0;
}

// Whether the directory `fd` has an extended attribute a program could have
// set (user.*); those of the system (security.*) come with every inode.
bool has_user_xattr(int fd) {
  char names[1024];
  ssize_t n = flistxattr(fd, names, sizeof names);
  if (n < 0) return errno != ENOTSUP;  // ERANGE: too many to be ours
  for (ssize_t at = 0; at < n; at += static_cast<ssize_t>(strnlen(names + at, n - at)) + 1)
    if (strncmp(names + at, "user.", 5) == 0) return true;
  return false;
}

constexpr int kMaxDepth = 32;  // deeper trees are left to a new mount

// Removes everything below the directory `dir_fd` but, at the top, the kept
// program files if `keep`. 0 or an errno. (Entries that removals made the
// reading skip are caught by empty_tmpfs's count.)
int remove_contents(int dir_fd, int depth, bool keep = false) {
  if (depth > kMaxDepth) return ELOOP;
  return for_each_entry(dir_fd, [&](const char* name, unsigned char type) -> int {
    if (keep && is_kept(name)) return 0;
    if (type == DT_DIR) {
      int sub = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0) return errno;
      int e = remove_contents(sub, depth + 1);
      close(sub);
      if (e) return e;
      return unlinkat(dir_fd, name, AT_REMOVEDIR) == 0 ? 0 : errno;
    }
    return unlinkat(dir_fd, name, 0) == 0 ? 0 : errno;
  });
}

// Empties a kept tmpfs and puts its root back as a new mount has it: owner,
// mode and times reset; no extended attribute; no inode but the root and no
// block in use. 0 or an errno (then it is unmounted by the caller).
int empty_tmpfs(const KeptTmpfs& m) {
  int fd = open(m.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  // /box may keep the program's files, if every one is as it was copied.
  bool keep = &m == &g_box && g_kept.valid;
  for (int i = 0; keep && i < g_kept.count; ++i) keep = copy_intact(fd, g_kept.files[i]);
  if (&m == &g_box && !keep) g_kept.valid = false;
  int err = remove_contents(fd, 0, keep);
  struct statfs st {};
  if (!err && fstatfs(fd, &st) != 0) err = errno;
  const fsblkcnt_t bfree = keep ? g_kept.bfree : st.f_blocks;
  const fsfilcnt_t ffree = keep ? g_kept.ffree : st.f_files - 1;
  if (!err && (st.f_type != TMPFS_MAGIC || st.f_bfree != bfree || st.f_ffree != ffree))
    err = ENOTEMPTY;
  if (!err && has_user_xattr(fd)) err = ENOTEMPTY;
  if (!err && m.uid != static_cast<uid_t>(-1) && fchown(fd, m.uid, m.gid) != 0) err = errno;
  if (!err && (fchmod(fd, m.mode) != 0 || futimens(fd, nullptr) != 0)) err = errno;
  close(fd);
  return err;
}

// Whether the kept copies are those of `files_fd`'s files, unchanged.
bool kept_for(int files_fd, int box_fd) {
  struct stat dir;
  if (!g_kept.valid || fstat(files_fd, &dir) != 0 || !same_source(dir, g_kept.dir)) return false;
  for (int i = 0; i < g_kept.count; ++i) {
    const KeptEntry& e = g_kept.files[i];
    struct stat src;
    if (fstatat(files_fd, e.name, &src, AT_SYMLINK_NOFOLLOW) != 0 || !same_source(src, e.source) ||
        !copy_intact(box_fd, e))
      return false;
  }
  return true;
}

// Copies the program's files into the empty /box; with `keep`, notes them
// for the next runs when they are plain files (a handful, at the top).
int copy_program(int files_fd, int box_fd, bool keep) {
  if (keep && kept_for(files_fd, box_fd)) return 0;
  forget_kept(box_fd);
  KeptProgram next;
  bool keepable = keep && fstat(files_fd, &next.dir) == 0;
  // Sources are looked at before they are copied: a change meanwhile shows
  // as a newer ctime next time.
  if (keepable) {
    int err = for_each_entry(files_fd, [&](const char* name, unsigned char type) -> int {
      if (type != DT_REG || next.count == kMaxKept || strlen(name) >= sizeof next.files[0].name)
        return ENOTSUP;
      KeptEntry& e = next.files[next.count++];
      snprintf(e.name, sizeof e.name, "%s", name);
      return fstatat(files_fd, name, &e.source, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
    });
    keepable = err == 0;
  }
  if (int err = place_tree(files_fd, box_fd, copy_file_at)) return err;
  if (!keepable) return 0;
  for (int i = 0; i < next.count; ++i) {
    KeptEntry& e = next.files[i];
    struct stat st;
    if (fstatat(box_fd, e.name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_uid != 0 ||
        (st.st_mode & 0222) != 0)
      return 0;
    e.ino = st.st_ino;
    e.mode = st.st_mode;
    e.size = st.st_size;
  }
  struct statfs fs_now {};
  if (fstatfs(box_fd, &fs_now) != 0) return 0;
  next.bfree = fs_now.f_bfree;
  next.ffree = fs_now.f_ffree;
  next.valid = true;
  g_kept = next;
  return 0;
}

}  // namespace

int mount_box(int workdir_fd, bool share_workdir, int files_fd, std::uint64_t box_bytes,
              unsigned uid, unsigned gid, bool keep_files) {
  char opts[160];
  if (share_workdir) {
    drop(g_box);
    // workdir_fd is a detached clone of the caller's directory (open_tree),
    // the one kind of mount that may enter our namespace.
    if (syscall(SYS_move_mount, workdir_fd, "", AT_FDCWD, "/box", MOVE_MOUNT_F_EMPTY_PATH) != 0)
      return errno;
    g_box_shared = true;
    if (int e = remount_bind("/box", MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV)) return e;
  } else if (g_box.mounted && g_box.bytes == box_bytes) {
    // Emptied after the last run (tidy_box); only its owner may differ.
    if (g_box.uid != uid || g_box.gid != gid) {
      if (chown("/box", uid, gid) != 0) return errno;
      g_box.uid = uid;
      g_box.gid = gid;
    }
  } else {
    drop(g_box);
    snprintf(opts, sizeof opts, "size=%llu,nr_inodes=4096,mode=0700,uid=%u,gid=%u",
             static_cast<unsigned long long>(box_bytes), uid, gid);
    if (int e = mount_tmpfs(g_box, opts, box_bytes)) return e;
    g_box.uid = uid;
    g_box.gid = gid;
  }
  if (!g_tmp.mounted || g_tmp.bytes != box_bytes) {
    drop(g_tmp);
    snprintf(opts, sizeof opts, "size=%llu,nr_inodes=4096,mode=1777",
             static_cast<unsigned long long>(box_bytes));
    if (int e = mount_tmpfs(g_tmp, opts, box_bytes)) return e;
  }
  if (share_workdir && files_fd < 0) return 0;
  // Copies, not bind mounts: a bind needs its source mount in our namespace,
  // and the host's is not. The program's files are small next to its run.
  int box_fd = open("/box", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (box_fd < 0) return errno;
  int err = 0;
  if (share_workdir) {
    err = place_tree(files_fd, box_fd, copy_file_at);
  } else if (files_fd < 0) {
    forget_kept(box_fd);  // a run without files sees none of the last program's
  } else {
    err = copy_program(files_fd, box_fd, keep_files);
  }
  close(box_fd);
  return err;
}

int open_tree_for_box(const char* dir) {
  return static_cast<int>(syscall(SYS_open_tree, AT_FDCWD, dir, OPEN_TREE_CLONE | O_CLOEXEC));
}

int keep_host_view(HostView& view) {
  view.host_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  if (view.host_ns < 0) return errno;
  if (unshare(CLONE_NEWNS) != 0) return errno;
  view.box_ns = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
  return view.box_ns < 0 ? errno : 0;
}

int clone_host_dir(const HostView& view, const char* path, int expect_fd) {
  if (view.host_ns < 0 || path[0] != '/') return -EINVAL;
  if (setns(view.host_ns, CLONE_NEWNS) != 0) return -errno;
  int tree = open_tree_for_box(path);
  int err = tree < 0 ? errno : 0;
  // Back to the private root (setns also moves our root and cwd to it).
  if (setns(view.box_ns, CLONE_NEWNS) != 0) {
    if (tree >= 0) close(tree);
    return -errno;
  }
  if (err) return -err;
  struct stat a, b;
  if (fstat(tree, &a) != 0 || fstat(expect_fd, &b) != 0 || a.st_dev != b.st_dev ||
      a.st_ino != b.st_ino) {
    close(tree);
    return -ESTALE;  // the path no longer names the judge's directory
  }
  return tree;
}

void tidy_box() {
  if (g_box_shared) umount2("/box", MNT_DETACH);
  g_box_shared = false;
  for (KeptTmpfs* m : {&g_box, &g_tmp})
    if (m->mounted && empty_tmpfs(*m) != 0) drop(*m);
}

int link_files(int files_fd, int workdir_fd) {
  return place_tree(files_fd, workdir_fd, [](int from, int to, const char* name) {
    unlinkat(to, name, 0);  // a reused work directory: the program's files win
    if (linkat(from, name, to, name, 0) == 0) return 0;
    return errno == EXDEV ? copy_file_at(from, to, name) : errno;
  });
}

}  // namespace pj::sandbox
