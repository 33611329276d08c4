// sandbox::run: the pool of slots (one per run uid) and the fallbacks.
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>

#include "sandbox/cgroup.hpp"
#include "sandbox/mounts.hpp"
#include "sandbox/pipes.hpp"
#include "sandbox/sandbox.hpp"
#include "sandbox/seccomp_hook.hpp"
#include "sandbox/slot.hpp"

namespace pj::sandbox {
namespace {

struct PooledSlot {
  std::mutex mutex;  // one run at a time
  std::unique_ptr<Slot> slot;
};

struct Pool;
Pool& pool();

struct Pool {
  std::mutex mutex;
  SandboxSettings settings;
  bool cgroups_detected = false;
  CgroupSupport cgroups;
  // By run uid (-1: the caller's), lane (1: the second program of a
  // connected pair, which must not wait for the first one's slot) and the
  // extra read-only paths its root shows.
  std::map<std::tuple<long, int, std::vector<std::string>>, std::unique_ptr<PooledSlot>> slots;
  int next_index = 0;
  std::string warnings;  // what is off, said once
  bool warned = false;
  bool ran_plain = false;  // a slot without namespaces has started
};

// Stops every idle slot: keepers exit, slot cgroups are removed. A slot in
// use by another thread is left to the kernel (its keeper dies with us).
void close_idle_slots() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  for (auto& [key, ps] : p.slots) {
    std::unique_lock<std::mutex> slot_lock(ps->mutex, std::try_to_lock);
    if (slot_lock.owns_lock()) ps->slot.reset();
  }
}

Pool& pool() {
  // Never destroyed (a thread may still be running at exit); its idle slots
  // are closed at exit so that no cgroup is left behind.
  static Pool* p = [] {
    std::atexit(close_idle_slots);
    return new Pool;
  }();
  return *p;
}

const CgroupSupport& cgroups_locked(Pool& p) {
  if (!p.cgroups_detected) {
    p.cgroups_detected = true;
    if (p.settings.cgroups) {
      p.cgroups = detect_cgroups();
      if (p.cgroups.version != CgroupVersion::None) cleanup_stale_cgroups(p.cgroups);
    } else {
      p.cgroups.reason = "disabled by configuration";
    }
  }
  return p.cgroups;
}

// Starts a slot as safe as this machine allows: isolated with cgroups, then
// without the part that failed, saying why.
std::unique_ptr<Slot> start_slot(Pool& p, int index, const std::vector<std::string>& readonly) {
  SlotConfig config;
  config.index = index;
  if (!readonly.empty()) {
    config.readonly_paths = default_readonly_paths();
    config.readonly_paths.insert(config.readonly_paths.end(), readonly.begin(), readonly.end());
  }
  const CgroupSupport& cg = cgroups_locked(p);
  std::string notes;
  if (cg.version == CgroupVersion::None)
    notes += "cgroups off (" + cg.reason +
             "): memory by sampling the run's resident memory, CPU time by rusage\n";
  // Without root the namespaces are a user namespace's of the slot's own.
  config.isolate = p.settings.mode != SandboxSettings::Mode::Plain;
  config.user_namespace = geteuid() != 0;
  for (int attempt = 0;; ++attempt) {
    try {
      auto slot = Slot::start(config, cg);
      if (!p.warned) p.warnings = notes;
      if (!config.isolate) p.ran_plain = true;
      return slot;
    } catch (const std::exception& e) {
      if (config.use_cgroups && cg.version != CgroupVersion::None) {
        notes += std::string("cgroups off: ") + e.what() + "\n";
        config.use_cgroups = false;
      } else if (config.isolate && p.settings.mode == SandboxSettings::Mode::Auto) {
        std::string why =
            std::string(config.user_namespace ? "not root, and no user namespace: " : "") +
            e.what();
        if (!p.settings.allow_plain)
          throw std::runtime_error(
              "runs cannot be isolated here (" + why +
              "), and running them without isolation, where they would see every file this user "
              "can read and the network, was not allowed (--insecure allows it)");
        notes += "namespaces and private filesystem off (" + why +
                 "): runs see the host's files and network\n";
        config.isolate = false;
      } else {
        throw;
      }
    }
  }
}

void warn_once(Pool& p) {
  if (p.warned || p.warnings.empty()) return;
  p.warned = true;
  std::size_t start = 0;
  for (std::size_t end; (end = p.warnings.find('\n', start)) != std::string::npos; start = end + 1)
    std::fprintf(stderr, "pipejudge: sandbox: %s\n", p.warnings.substr(start, end - start).c_str());
}

long uid_key(const Spec& spec) {
  return spec.uid ? static_cast<long>(*spec.uid) : -1L;
}

PooledSlot& slot_for(Pool& p, long uid, int lane, const std::vector<std::string>& readonly) {
  std::lock_guard<std::mutex> lock(p.mutex);
  auto& entry = p.slots[{uid, lane, readonly}];
  if (!entry) entry = std::make_unique<PooledSlot>();
  return *entry;
}

Result run_in_lane(const Spec& spec, int lane, SlotLink link) {
  static const bool sigpipe_ignored = [] {
    signal(SIGPIPE, SIG_IGN);
    return true;
  }();
  (void)sigpipe_ignored;
  Result result;
  if (spec.argv.empty()) {
    result.error = "empty command";
    return result;
  }
  Pool& p = pool();
  PooledSlot& ps = slot_for(p, uid_key(spec), lane, spec.readonly_paths);
  std::lock_guard<std::mutex> lock(ps.mutex);
  try {
    if (!ps.slot || !ps.slot->alive()) {
      ps.slot.reset();
      std::lock_guard<std::mutex> pool_lock(p.mutex);
      ps.slot = start_slot(p, p.next_index++, spec.readonly_paths);
      warn_once(p);
    }
  } catch (const std::exception& e) {
    result.error = std::string("cannot start the sandbox: ") + e.what();
    return result;
  }
  return ps.slot->run(spec, std::move(link));
}

// Threads that run the second program of connected pairs. A keeper dies
// with the thread that started it (PR_SET_PDEATHSIG follows the parent
// thread), so these threads never exit; one is added whenever all are busy.
class PeerThreads {
 public:
  static PeerThreads& get() {
    static PeerThreads* threads = new PeerThreads;  // never destroyed: see above
    return *threads;
  }

  std::future<Result> submit(std::function<Result()> job) {
    std::packaged_task<Result()> task(std::move(job));
    auto future = task.get_future();
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(task));
    if (idle_ < jobs_.size()) {
      std::thread([this] { serve(); }).detach();
      ++idle_;
    }
    wake_.notify_one();
    return future;
  }

 private:
  void serve() {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return !jobs_.empty(); });
      auto task = std::move(jobs_.front());
      jobs_.pop_front();
      --idle_;
      lock.unlock();
      task();
      lock.lock();
      ++idle_;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::packaged_task<Result()>> jobs_;
  std::size_t idle_ = 0;
};

}  // namespace

void configure(const SandboxSettings& settings) {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  p.settings = settings;
  p.cgroups_detected = false;
}

SandboxSettings settings() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.settings;
}

bool ran_plain() {
  Pool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  return p.ran_plain;
}

Result run(const Spec& spec) {
  return run_in_lane(spec, 0, {});
}

ConnectedResult run_connected(const Spec& a, const Spec& b,
                              std::function<bool(const Result& b)> stop_a) {
  ConnectedResult out;
  Pipe a_to_b, b_to_a;
  try {
    a_to_b = make_pipe();
    b_to_a = make_pipe();
  } catch (const std::exception& e) {
    out.a.error = out.b.error = e.what();
    return out;
  }
  // Written by the peer thread once b has ended and stop_a says so.
  auto stop = std::make_shared<UniqueFd>(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  SlotLink a_link{std::move(b_to_a.read), std::move(a_to_b.write), stop->get()};
  SlotLink b_link{std::move(a_to_b.read), std::move(b_to_a.write)};
  auto link = std::make_shared<SlotLink>(std::move(b_link));
  auto peer = PeerThreads::get().submit([&b, link, stop, stop_a] {
    Result r = run_in_lane(b, 1, std::move(*link));
    if (stop_a && *stop && stop_a(r)) {
      std::uint64_t one = 1;
      [[maybe_unused]] ssize_t n = write(stop->get(), &one, sizeof one);  // one write never blocks
    }
    return r;
  });
  out.a = run_in_lane(a, 0, std::move(a_link));
  out.b = peer.get();
  out.b_ended_first = out.b.end_ns != 0 && (out.a.end_ns == 0 || out.b.end_ns < out.a.end_ns);
  return out;
}

Protections protections() {
  Spec probe;
  probe.argv = {"/bin/true"};
  if (geteuid() == 0) {
    probe.uid = 65534;
    probe.gid = 65534;
  }
  Result r = run(probe);
  Pool& p = pool();
  Protections out;
  std::lock_guard<std::mutex> lock(p.mutex);
  const CgroupSupport& cg = cgroups_locked(p);
  auto& entry = p.slots[{uid_key(probe), 0, probe.readonly_paths}];
  const Slot* slot = entry ? entry->slot.get() : nullptr;
  out.namespaces = slot && slot->isolated();
  out.user_namespace = slot && slot->in_user_namespace();
  out.memory = slot && slot->has_cgroup() && cg.memory ? "cgroup" : "sampled";
  out.cgroups.version = slot && slot->has_cgroup() ? cgroup_version_name(cg.version) : "none";
  out.cgroups.memory = slot && slot->has_cgroup() && cg.memory;
  out.cgroups.pids = slot && slot->has_cgroup() && cg.pids;
  out.cgroups.cpu = slot && slot->has_cgroup() && cg.cpu;
  out.cgroups.cpuset = slot && slot->has_cpuset();
  out.cgroups.reason = cg.reason;
  out.seccomp = r.error.empty() && prepare_program_filter() == 0;
  out.uid_switch = geteuid() == 0;
  out.warnings = p.warnings;
  if (!r.error.empty()) out.warnings += "a probe run failed: " + r.error + "\n";
  return out;
}

}  // namespace pj::sandbox
