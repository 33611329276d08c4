#include "judge/pipeline/instance.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "judge/engine/error.hpp"
#include "judge/engine/site_config.hpp"
#include "judge/pipeline/redis_transport.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

const char* env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// POSIX queue names are "/name": one slash, at most NAME_MAX bytes.
bool valid_queue_name(const std::string& q) {
  return q.size() >= 2 && q.size() <= 255 && q[0] == '/' && q.find('/', 1) == std::string::npos;
}

void make_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ConfigError(dir.string(), "cannot create the directory: " + ec.message());
  if (!fs::is_directory(dir)) throw ConfigError(dir.string(), "not a directory");
}

}  // namespace

bool valid_instance_name(const std::string& name) {
  if (name.empty() || name.size() > 100 || name[0] == '.') return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
      return false;
  return true;
}

fs::path default_state_dir(const std::string& instance) {
  if (geteuid() == 0) return fs::path("/var/lib/pipejudge") / instance;
  if (const char* x = env_or_null("XDG_STATE_HOME")) return fs::path(x) / "pipejudge" / instance;
  if (const char* h = env_or_null("HOME"))
    return fs::path(h) / ".local" / "state" / "pipejudge" / instance;
  return fs::temp_directory_path() / ("pipejudge-state-" + std::to_string(geteuid())) / instance;
}

Instance resolve_instance(const InstanceOptions& o) {
  Instance inst;
  inst.name = o.name;
  if (inst.name.empty()) {
    const char* env = env_or_null("PIPEJUDGE_INSTANCE");
    inst.name = env ? env : "default";
  }
  if (!valid_instance_name(inst.name))
    throw ConfigError(inst.name, "bad instance name (letters, digits, '-', '_', '.'; at most 100)");
  if (!o.state_dir.empty()) {
    inst.state_dir = o.state_dir;
  } else if (const char* d = env_or_null("PIPEJUDGE_STATE_DIR")) {
    inst.state_dir = d;
  } else {
    inst.state_dir = default_state_dir(inst.name);
  }
  inst.state_dir = fs::absolute(inst.state_dir);
  inst.db_path = o.db.empty() ? inst.state_dir / "results.db" : fs::absolute(o.db);
  inst.queue = o.queue.empty() ? "/pipejudge-" + inst.name : o.queue;
  // The submission queue's name is the event queue's plus a suffix.
  if (!valid_queue_name(inst.queue) || inst.queue.size() > 255 - 12)
    throw ConfigError(inst.queue,
                      "bad queue name (one leading '/', no other '/', at most 243 bytes)");
  inst.sync = !o.no_sync;
  std::string broker = o.broker;
  if (broker.empty() && o.broker_from_config) broker = site_config().broker;
  if (!broker.empty()) {
    std::string error;
    inst.broker = parse_broker_url(broker, error);
    if (!inst.broker) throw ConfigError(broker, error);
  }
  return inst;
}

void make_state_dirs(const Instance& inst) {
  bool existed = fs::exists(inst.state_dir);
  make_private_dir(inst.state_dir);
  if (!existed) chmod(inst.state_dir.c_str(), 0700);
  for (const fs::path& d : {inst.outbox_dir(), inst.blobs_dir()}) {
    make_private_dir(d);
    chmod(d.c_str(), 0700);
  }
}

namespace {

struct flock whole_file_lock(short type) {
  struct flock fl {};
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  return fl;
}

}  // namespace

std::optional<CollectorLock> CollectorLock::try_acquire(const Instance& inst) {
  sandbox::UniqueFd fd(::open(inst.lock_path().c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) throw ConfigError(inst.lock_path().string(), std::strerror(errno));
  struct flock fl = whole_file_lock(F_WRLCK);
  if (fcntl(fd.get(), F_OFD_SETLK, &fl) != 0) {
    if (errno == EAGAIN || errno == EACCES) return std::nullopt;
    throw ConfigError(inst.lock_path().string(), std::strerror(errno));
  }
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd.get(), 0) != 0 || pwrite(fd.get(), pid.data(), pid.size(), 0) < 0)
    throw ConfigError(inst.lock_path().string(), std::strerror(errno));
  return CollectorLock(std::move(fd));
}

long CollectorLock::holder_pid(const Instance& inst) {
  sandbox::UniqueFd fd(::open(inst.lock_path().c_str(), O_RDONLY | O_CLOEXEC));
  char buf[32] = {};
  if (!fd || ::read(fd.get(), buf, sizeof buf - 1) <= 0) return 0;
  return std::strtol(buf, nullptr, 10);
}

bool collector_running(const Instance& inst) {
  if (inst.broker) return redis_collector_running(inst);
  sandbox::UniqueFd fd(::open(inst.lock_path().c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  struct flock fl = whole_file_lock(F_WRLCK);
  if (fcntl(fd.get(), F_OFD_GETLK, &fl) != 0) return false;
  return fl.l_type != F_UNLCK;
}

std::vector<std::string> instance_args(const Instance& inst) {
  std::vector<std::string> args = {
      "--instance",          inst.name, "--state-dir", inst.state_dir.string(), "--db",
      inst.db_path.string(), "--queue", inst.queue};
  if (inst.broker) {
    args.push_back("--broker");
    args.push_back(inst.broker->text);
  }
  if (!inst.sync) args.push_back("--no-sync");
  return args;
}

}  // namespace pj::judge
