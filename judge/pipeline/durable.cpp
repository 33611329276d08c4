#include "judge/pipeline/durable.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>

#include "sandbox/fd.hpp"

namespace fs = std::filesystem;
using pj::sandbox::UniqueFd;

namespace pj::judge {
namespace {

constexpr const char* kTempPrefix = ".tmp-";

[[noreturn]] void fail(const fs::path& path, const char* what) {
  throw std::system_error(errno, std::system_category(), std::string(what) + " " + path.string());
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path, "cannot write");
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::string temporary_name(const std::string& name) {
  static std::atomic<unsigned> counter{0};
  return kTempPrefix + name + "-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
}

constexpr const char* kSparePrefix = ".spare-";

// One of `dir`'s spare files renamed to `tmp` and opened for writing over;
// none if there is none (another writer may take the one we saw first).
UniqueFd take_spare(const fs::path& dir, const fs::path& tmp) {
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(dir.c_str()), ::closedir);
  if (!listing) return UniqueFd();
  while (const dirent* e = ::readdir(listing.get())) {
    if (std::strncmp(e->d_name, kSparePrefix, std::strlen(kSparePrefix)) != 0) continue;
    if (::rename((dir / e->d_name).c_str(), tmp.c_str()) != 0) continue;
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd) return fd;
    ::unlink(tmp.c_str());
  }
  return UniqueFd();
}

}  // namespace

void fsync_directory(const fs::path& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd || ::fsync(fd.get()) != 0) fail(dir, "cannot fsync");
}

void append_durably(int fd, std::string_view data, const fs::path& path) {
  write_all(fd, data, path);
  if (::fdatasync(fd) != 0) fail(path, "cannot fsync");
}

void write_file_atomically(const fs::path& dir, const std::string& name, std::string_view data,
                           bool sync, bool sync_dir, bool reuse) {
  fs::path tmp = dir / temporary_name(name);
  fs::path final_path = dir / name;
  {
    UniqueFd fd = reuse ? take_spare(dir, tmp) : UniqueFd();
    bool used = static_cast<bool>(fd);
    if (!fd)
      fd.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) fail(tmp, "cannot create");
    try {
      write_all(fd.get(), data, tmp);
      // Cut after writing: a small file keeps its block, nothing is freed.
      if (used && ::ftruncate(fd.get(), static_cast<off_t>(data.size())) != 0)
        fail(tmp, "cannot truncate");
      if (sync && ::fsync(fd.get()) != 0) fail(tmp, "cannot fsync");
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    errno = err;
    fail(final_path, "cannot rename into");
  }
  if (sync && sync_dir) fsync_directory(dir);
}

void retire_file(const fs::path& dir, const std::string& name, unsigned slot) {
  fs::path spare = dir / (kSparePrefix + std::to_string(slot % kSpareSlots));
  if (::rename((dir / name).c_str(), spare.c_str()) != 0) ::unlink((dir / name).c_str());
}

bool is_spare_name(const std::string& name) {
  return name.rfind(kSparePrefix, 0) == 0;
}

bool is_temporary_name(const std::string& name) {
  return name.rfind(kTempPrefix, 0) == 0;
}

std::optional<std::string> read_owned_file(const fs::path& path, uid_t uid, std::size_t max_bytes) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    if (errno == ELOOP) throw std::runtime_error("is a symbolic link");
    fail(path, "cannot open");
  }
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) fail(path, "cannot stat");
  if (!S_ISREG(st.st_mode)) throw std::runtime_error("not a regular file");
  if (st.st_uid != uid)
    throw std::runtime_error("unexpected sender: owned by uid " + std::to_string(st.st_uid));
  if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
    throw std::runtime_error("too large: " + std::to_string(st.st_size) + " bytes, limit " +
                             std::to_string(max_bytes));
  std::string data(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < data.size()) {
    ssize_t n = ::read(fd.get(), data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, "cannot read");
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  return data;
}

}  // namespace pj::judge
