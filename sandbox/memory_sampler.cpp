// Raw /proc reads with fixed buffers: the keeper samples without allocating.
#include "sandbox/memory_sampler.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pj::sandbox {
namespace {

constexpr int kMaxPids = 4096;

std::uint64_t page_size() {
  static const std::uint64_t size = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  return size;
}

// Resident pages of one process (its statm's second field), 0 if it is gone.
std::uint64_t resident_pages(long pid) {
  char path[48], buf[256];
  snprintf(path, sizeof path, "/proc/%ld/statm", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char* p = strchr(buf, ' ');
  return p ? strtoull(p + 1, nullptr, 10) : 0;
}

// The memfds seen in one sample, so that a file open in several processes
// (or twice) counts once.
struct SeenFiles {
  static constexpr int kMax = 1024;
  dev_t dev[kMax];
  ino_t ino[kMax];
  int count = 0;

  bool first_time(dev_t d, ino_t i) {
    for (int k = 0; k < count; ++k)
      if (dev[k] == d && ino[k] == i) return false;
    if (count < kMax) {
      dev[count] = d;
      ino[count++] = i;
    }
    return true;
  }
};

// Calls fn(number) for each all-digit entry of a directory.
template <typename Fn>
void for_each_number(const char* dir, Fn fn) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  alignas(8) char buf[8192];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      off += d->d_reclen;
      char* end;
      long v = strtol(d->d_name, &end, 10);
      if (end != d->d_name && *end == 0) fn(v);
    }
  }
  close(fd);
}

// Appends the children of every thread of `pid` to `pids`.
void add_children(long pid, long* pids, int& count) {
  char dir[48];
  snprintf(dir, sizeof dir, "/proc/%ld/task", pid);
  for_each_number(dir, [&](long tid) {
    char path[80], buf[4096];
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", pid, tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    for (char* p = buf; count < kMaxPids;) {
      char* end;
      long child = strtol(p, &end, 10);
      if (end == p) break;
      pids[count++] = child;
      p = end;
    }
  });
}

// Bytes held by the memfds a process has open: memory that no resident set
// shows while the file is not mapped (a program could hide any amount there).
std::uint64_t memfd_bytes(long pid, SeenFiles& seen) {
  char dir[48];
  snprintf(dir, sizeof dir, "/proc/%ld/fd", pid);
  std::uint64_t bytes = 0;
  for_each_number(dir, [&](long fd) {
    char path[80], target[64];
    snprintf(path, sizeof path, "/proc/%ld/fd/%ld", pid, fd);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 7 || memcmp(target, "/memfd:", 7) != 0) return;
    struct stat st;
    if (stat(path, &st) == 0 && seen.first_time(st.st_dev, st.st_ino))
      bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
  });
  return bytes;
}

}  // namespace

std::uint64_t run_resident_bytes(bool whole_namespace) {
  static SeenFiles seen;  // the keeper is single-threaded
  seen.count = 0;
  std::uint64_t pages = 0, files = 0;
  const long self = getpid();
  if (whole_namespace) {
    for_each_number("/proc", [&](long pid) {
      if (pid == self) return;
      pages += resident_pages(pid);
      files += memfd_bytes(pid, seen);
    });
    return pages * page_size() + files;
  }
  static long pids[kMaxPids];
  int count = 0;
  add_children(self, pids, count);
  for (int i = 0; i < count; ++i) {
    pages += resident_pages(pids[i]);
    files += memfd_bytes(pids[i], seen);
    add_children(pids[i], pids, count);
  }
  return pages * page_size() + files;
}

}  // namespace pj::sandbox
