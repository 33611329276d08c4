// What every part of the cgroup code shares (cgroup.cpp and the version files
// cgroup_v1.cpp, cgroup_v2.cpp): plain file I/O on cgroupfs, the parsing of its
// small text files, and of /proc/self/mountinfo and /proc/self/cgroup.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pj::sandbox::cgroupfs {

// Every slot lives at <our cgroup>/pipejudge/<name>, per hierarchy.
constexpr const char* kBaseDir = "pipejudge";
// How long killing and removal wait for killed processes to leave.
constexpr auto kKillTimeout = std::chrono::seconds(1);

// Throws std::system_error "cgroup: <what>".
[[noreturn]] void throw_errno(int err, const std::string& what);

// ---------------------------------------------------------------- file I/O
// Raw open/read/write (not iostreams): cgroup files want exactly one write(2)
// per value, and we need the errno of each step. Those returning int return 0
// or an errno.

int read_fd(int fd, std::string& out);  // from the current offset to EOF
int read_file(const std::string& path, std::string& out);
// A counter file: "" when the kernel lacks it (so its counters read as 0). Throws.
std::string read_counter_file(const std::string& path);
int write_file(const std::string& path, const std::string& text);
void write_or_throw(const std::string& path, const std::string& text);
// For controls that only some kernels/configurations have. Returns whether it exists. Throws.
bool write_if_exists(const std::string& path, const std::string& text);
void make_dir(const std::string& path);  // an existing one is fine. Throws.
// Removes an empty cgroup, waiting up to kKillTimeout while killed processes leave.
bool remove_dir(const std::string& path);
bool writable(const std::string& dir, int& err);
std::vector<std::string> list_subdirs(const std::string& dir);

// A counter or control file of a slot, opened once and read or written again
// at offset 0 (one pread/pwrite per use, not open/read/close: tens of
// microseconds less per run). One that does not exist reads as "" (its
// counters as 0) and takes no write.
class KeptFile {
 public:
  KeptFile() = default;
  KeptFile(const KeptFile&) = delete;
  KeptFile& operator=(const KeptFile&) = delete;
  // Opens `path` (O_RDONLY or O_RDWR); a missing file is fine. Throws on other errors.
  void open(const std::string& path, bool writable = false);
  bool exists() const { return fd_ >= 0; }
  std::string read() const;                   // throws
  void write(const std::string& text) const;  // one write(2); throws
  void close();
  ~KeptFile() { close(); }

 private:
  int fd_ = -1;
  std::string path_;
};

// The pids controller has the same files on v1 and v2.
void write_pids_max(const std::string& dir, int max_pids);   // 0: no limit. Throws.
std::uint64_t read_pids_max_events(const std::string& dir);  // pids.events "max". Throws.

// ---------------------------------------------------------------- parsing

std::string_view trim(std::string_view s);
std::optional<std::uint64_t> parse_u64(std::string_view s);  // the whole of s, trimmed
std::vector<std::string_view> split(std::string_view s, char sep);
std::vector<std::string_view> lines(std::string_view text);  // the non-empty ones
// The value of a "key value" line, if there is one and it parses.
std::optional<std::uint64_t> find_keyed_value(std::string_view text, std::string_view key);
bool has_word(std::string_view text, std::string_view word, char sep);
std::string join_notes(const std::string& a, const std::string& b);  // "a; b"
std::string limit_text(std::uint64_t value, const char* unlimited);  // 0: `unlimited`

// ---------------------------------------------------------------- /proc

struct Mount {
  std::string root;     // path inside the hierarchy that is mounted
  std::string point;    // where (already rebased onto sys_fs_cgroup)
  std::string fstype;   // "cgroup" or "cgroup2"
  std::string options;  // super options: the v1 controllers are listed here
};
// The cgroup mounts of a mountinfo text. A mount point under the real
// /sys/fs/cgroup is rebased onto `sys_fs_cgroup`.
std::vector<Mount> parse_mountinfo(std::string_view text, const std::string& sys_fs_cgroup);

struct Membership {
  std::string hierarchy;    // "0" for v2
  std::string controllers;  // comma-separated; empty for v2
  std::string path;
};
// "hierarchy-id:controllers:path" per line of /proc/<pid>/cgroup.
std::vector<Membership> parse_proc_cgroup(std::string_view text);

// Directory of cgroup `path` through mount `m`, if the mount shows it.
std::optional<std::string> dir_through(const Mount& m, const std::string& path);

}  // namespace pj::sandbox::cgroupfs
