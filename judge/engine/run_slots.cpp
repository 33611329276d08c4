#include "judge/engine/run_slots.hpp"

#include "judge/engine/site_config.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <system_error>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

constexpr auto kRetry = std::chrono::milliseconds(20);

// The lock file of slot `n`, locked if it is free.
std::optional<sandbox::UniqueFd> try_lock(int n) {
  fs::path file = run_slot_dir() / ("slot-" + std::to_string(n) + ".lock");
  sandbox::UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd) throw std::system_error(errno, std::generic_category(), "cannot open " + file.string());
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return fd;
  if (errno != EWOULDBLOCK && errno != EINTR)
    throw std::system_error(errno, std::generic_category(), "cannot lock " + file.string());
  return std::nullopt;
}

}  // namespace

const std::vector<int>& judging_cpus() {
  static const std::vector<int> cpus = [] {
    std::vector<int> out;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
      for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
        if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
    }
    if (out.empty()) {  // cannot tell: every online core
      long n = sysconf(_SC_NPROCESSORS_ONLN);
      for (int cpu = 0; cpu < std::max(1L, n); ++cpu) out.push_back(cpu);
    }
    return out;
  }();
  return cpus;
}

int slot_cpu(int slot) {
  const std::vector<int>& cpus = judging_cpus();
  return slot >= 0 && static_cast<std::size_t>(slot) < cpus.size() ? cpus[slot] : -1;
}

void keep_thread_on_slot_core(int slot) {
  int cpu = slot_cpu(slot);
  if (cpu < 0) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  sched_setaffinity(0, sizeof set, &set);  // a hint for speed: if refused, runs are still pinned
}

int max_run_slots() {
  static const int max = [] {
    int cores = static_cast<int>(judging_cpus().size());
    if (auto configured = site_run_slots()) return std::min(*configured, cores);
    return cores;
  }();
  return max;
}

fs::path run_slot_dir() {
  fs::path dir;
  if (geteuid() == 0) {
    dir = "/run/pipejudge/slots";
  } else if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
    dir = fs::path(runtime) / "pipejudge-slots";
  } else {
    dir = "/tmp/pipejudge-slots-" + std::to_string(geteuid());
  }
  fs::create_directories(dir);
  return dir;
}

std::optional<RunSlot> RunSlot::take(int max, const std::atomic<bool>& stop,
                                     const Notice& waiting) {
  if (max < 1) max = 1;
  for (bool told = false; !stop; std::this_thread::sleep_for(kRetry)) {
    for (int n = 0; n < max; ++n)
      if (auto fd = try_lock(n)) return RunSlot(std::move(*fd), n);
    if (!told && waiting)
      waiting("all " + std::to_string(max) + " run slots of this machine are busy (run_slots in " +
              "the site configuration); waiting for one");
    told = true;
  }
  return std::nullopt;
}

RunSlot RunSlot::take_for_command(const std::string& command) {
  static const std::atomic<bool> never{false};
  return *take(max_run_slots(), never, [&](const std::string& m) {
    std::fprintf(stderr, "pipejudge %s: %s\n", command.c_str(), m.c_str());
  });
}

std::optional<RunSlot> RunSlot::pin(int n, const std::atomic<bool>& stop, const Notice& waiting) {
  for (bool told = false; !stop; std::this_thread::sleep_for(kRetry)) {
    if (auto fd = try_lock(n)) return RunSlot(std::move(*fd), n);
    if (!told && waiting)
      waiting("run slot " + std::to_string(n) + " is busy in another process; waiting for it");
    told = true;
  }
  return std::nullopt;
}

}  // namespace pj::judge
