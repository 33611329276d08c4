// Plain file I/O on cgroupfs and the parsing of its text (cgroup_files.hpp).
#include "sandbox/cgroup_files.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <system_error>
#include <thread>

#include "sandbox/cgroup.hpp"
#include "sandbox/fd.hpp"

namespace pj::sandbox {
namespace cgroupfs {

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), "cgroup: " + what);
}

// ---------------------------------------------------------------- file I/O

int read_fd(int fd, std::string& out) {
  out.clear();
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return 0;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

int read_file(const std::string& path, std::string& out) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return errno;
  return read_fd(fd.get(), out);
}

std::string read_counter_file(const std::string& path) {
  std::string text;
  int err = read_file(path, text);
  if (err == ENOENT) return {};
  if (err) throw_errno(err, "cannot read " + path);
  return text;
}

// One write(2) per value: cgroup files parse each write as a whole.
int write_file(const std::string& path, const std::string& text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return errno;
  for (;;) {
    ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    return static_cast<std::size_t>(n) == text.size() ? 0 : EIO;
  }
}

void KeptFile::open(const std::string& path, bool writable) {
  close();
  path_ = path;
  fd_ = ::open(path.c_str(), (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd_ < 0 && errno != ENOENT) {
    int err = errno;
    throw_errno(err, "cannot open " + path);
  }
}

std::string KeptFile::read() const {
  std::string text;
  if (fd_ < 0) return text;
  char buf[4096];  // every counter file fits; a longer one is read on
  for (off_t at = 0;;) {
    ssize_t n = ::pread(fd_, buf, sizeof buf, at);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      throw_errno(err, "cannot read " + path_);
    }
    text.append(buf, static_cast<std::size_t>(n));
    if (static_cast<std::size_t>(n) < sizeof buf) return text;
    at += n;
  }
}

void KeptFile::write(const std::string& text) const {
  if (fd_ < 0) return;
  ssize_t n;
  do {
    n = ::pwrite(fd_, text.data(), text.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    int err = errno;
    throw_errno(err, "cannot write '" + text + "' to " + path_);
  }
}

void KeptFile::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void write_or_throw(const std::string& path, const std::string& text) {
  if (int err = write_file(path, text)) throw_errno(err, "cannot write '" + text + "' to " + path);
}

bool write_if_exists(const std::string& path, const std::string& text) {
  int err = write_file(path, text);
  if (err == ENOENT) return false;
  if (err) throw_errno(err, "cannot write '" + text + "' to " + path);
  return true;
}

void make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    int err = errno;
    throw_errno(err, "cannot create " + path);
  }
}

// Removes an empty cgroup. Killed processes may still be leaving (EBUSY) for a moment.
bool remove_dir(const std::string& path) {
  const auto deadline = std::chrono::steady_clock::now() + kKillTimeout;
  for (;;) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return true;
    if (errno != EBUSY || std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool writable(const std::string& dir, int& err) {
  if (::faccessat(AT_FDCWD, dir.c_str(), W_OK, AT_EACCESS) == 0) return true;
  err = errno;
  return false;
}

std::vector<std::string> list_subdirs(const std::string& dir) {
  std::vector<std::string> names;
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return names;
  DIR* d = ::fdopendir(fd);  // takes the fd
  if (d == nullptr) {
    ::close(fd);
    return names;
  }
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    struct stat st {};
    bool is_dir = e->d_type == DT_DIR ||
                  (e->d_type == DT_UNKNOWN && ::fstatat(::dirfd(d), e->d_name, &st, 0) == 0 &&
                   S_ISDIR(st.st_mode));
    if (is_dir && name != "." && name != "..") names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

void write_pids_max(const std::string& dir, int max_pids) {
  write_or_throw(dir + "/pids.max",
                 limit_text(max_pids > 0 ? static_cast<std::uint64_t>(max_pids) : 0, "max"));
}

std::uint64_t read_pids_max_events(const std::string& dir) {
  return find_keyed_value(read_counter_file(dir + "/pids.events"), "max").value_or(0);
}

// ---------------------------------------------------------------- parsing

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r\n";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

std::optional<std::uint64_t> parse_u64(std::string_view s) {
  s = trim(s);
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (std::string_view l : split(text, '\n')) {
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

std::optional<std::uint64_t> find_keyed_value(std::string_view text, std::string_view key) {
  for (std::string_view line : lines(text)) {
    std::size_t sp = line.find(' ');
    if (sp != std::string_view::npos && line.substr(0, sp) == key) {
      return parse_u64(line.substr(sp + 1));
    }
  }
  return std::nullopt;
}

bool has_word(std::string_view text, std::string_view word, char sep) {
  for (std::string_view w : split(trim(text), sep)) {
    if (trim(w) == word) return true;
  }
  return false;
}

std::string join_notes(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "; " + b;
}

std::string limit_text(std::uint64_t value, const char* unlimited) {
  return value == 0 ? unlimited : std::to_string(value);
}

// ---------------------------------------------------------------- /proc

namespace {

constexpr const char* kRealCgroupFs = "/sys/fs/cgroup";

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool octal = s[i] == '\\' && i + 3 < s.size();
    if (octal && std::all_of(s.begin() + i + 1, s.begin() + i + 4,
                             [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A mount point under the real /sys/fs/cgroup is looked up under `sys_fs_cgroup`.
std::string rebase(const std::string& point, const std::string& sys_fs_cgroup) {
  std::string_view real = kRealCgroupFs;
  if (point == real) return sys_fs_cgroup;
  if (point.size() > real.size() && point.compare(0, real.size(), real) == 0 &&
      point[real.size()] == '/') {
    return sys_fs_cgroup + point.substr(real.size());
  }
  return point;
}

std::string join_path(const std::string& dir, std::string_view rel) {
  while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
  if (rel.empty()) return dir;
  return dir + "/" + std::string(rel);
}

}  // namespace

// Lines: "id parent maj:min root point opts [optional...] - fstype source superopts".
std::vector<Mount> parse_mountinfo(std::string_view text, const std::string& sys_fs_cgroup) {
  std::vector<Mount> mounts;
  for (std::string_view line : lines(text)) {
    std::vector<std::string_view> f = split(line, ' ');
    auto sep = std::find(f.begin(), f.end(), "-");
    if (f.size() < 5 || sep == f.end() || f.end() - sep < 4) continue;
    std::string fstype(sep[1]);
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    mounts.push_back({unescape_octal(f[3]), rebase(unescape_octal(f[4]), sys_fs_cgroup), fstype,
                      std::string(sep[3])});
  }
  return mounts;
}

std::vector<Membership> parse_proc_cgroup(std::string_view text) {
  std::vector<Membership> out;
  for (std::string_view line : lines(text)) {
    std::size_t a = line.find(':');
    std::size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    out.push_back({std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)),
                   std::string(line.substr(b + 1))});
  }
  return out;
}

std::optional<std::string> dir_through(const Mount& m, const std::string& path) {
  if (m.root == "/") return join_path(m.point, path);
  if (path == m.root) return m.point;
  if (path.size() > m.root.size() && path.compare(0, m.root.size(), m.root) == 0 &&
      path[m.root.size()] == '/') {
    return join_path(m.point, std::string_view(path).substr(m.root.size()));
  }
  return std::nullopt;
}

}  // namespace cgroupfs

std::uint64_t read_keyed_value(const std::string& text, const std::string& key) {
  return cgroupfs::find_keyed_value(text, key).value_or(0);
}

}  // namespace pj::sandbox
