// `pipejudge queue`: the instance's submission queue now: jobs waiting per
// priority, jobs being judged with their worker and lease age, dead
// letters, and what each running worker does.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/transport.hpp"

using nlohmann::json;

namespace pj::judge {
namespace {

json job_json(const JobFacts& j) {
  json out = {{"id", j.id},
              {"priority", priority_name(j.priority)},
              {"attempts", j.attempts},
              {"since", j.since},
              {"failures", j.failures}};
  if (j.holder_pid) out["worker_pid"] = j.holder_pid;
  return out;
}

// Jobs a worker holds (pending entries, with a broker).
std::size_t held_by(const QueueFacts& f, const WorkerFacts& w) {
  std::size_t n = 0;
  for (const auto& j : f.leased) n += j.holder_pid == w.pid;
  return n;
}

json facts_json(const QueueFacts& f) {
  json out = {{"queued", json::array()},
              {"judging", json::array()},
              {"dead", json::array()},
              {"workers", json::array()}};
  for (const auto& j : f.queued) out["queued"].push_back(job_json(j));
  for (const auto& j : f.leased) out["judging"].push_back(job_json(j));
  for (const auto& j : f.dead) out["dead"].push_back(job_json(j));
  for (const auto& w : f.workers) {
    json worker = {{"pid", w.pid}, {"state", w.state}, {"since", w.since}};
    if (!w.name.empty()) {  // with a broker: its name and heartbeat
      worker["name"] = w.name;
      worker["lost"] = w.lost;
      worker["beat"] = w.beat;
      worker["pending"] = held_by(f, w);
    }
    out["workers"].push_back(std::move(worker));
  }
  return out;
}

void print_facts(const QueueFacts& f) {
  double now = unix_seconds();
  std::size_t by[3] = {0, 0, 0};
  for (const auto& j : f.queued) ++by[static_cast<int>(j.priority)];
  std::printf("queued    %zu (live %zu, rejudge %zu, batch %zu)\n", f.queued.size(),
              by[static_cast<int>(Priority::Live)], by[static_cast<int>(Priority::Rejudge)],
              by[static_cast<int>(Priority::Batch)]);
  for (const auto& j : f.queued)
    std::printf(
        "  %-16s  %-8s waiting %6.1f s%s\n", j.id.c_str(), priority_name(j.priority), now - j.since,
        j.attempts ? (" (" + std::to_string(j.attempts) + " attempts so far)").c_str() : "");
  std::printf("judging   %zu\n", f.leased.size());
  for (const auto& j : f.leased)
    std::printf("  %-16s  %-8s worker %ld, attempt %d, lease %.1f s old\n", j.id.c_str(),
                priority_name(j.priority), j.holder_pid, j.attempts, now - j.since);
  std::printf("dead      %zu\n", f.dead.size());
  for (const auto& j : f.dead) {
    std::printf("  %-16s  %d attempts\n", j.id.c_str(), j.attempts);
    for (const auto& why : j.failures) std::printf("    %s\n", why.c_str());
  }
  std::printf("workers   %zu\n", f.workers.size());
  for (const auto& w : f.workers) {
    if (w.name.empty()) {
      std::printf("  pid %-8ld %s (%.1f s)\n", w.pid, w.state.c_str(), now - w.since);
    } else if (w.lost) {
      std::printf("  %-24s LOST: no heartbeat for %.1f s, holds %zu (last: %s)\n", w.name.c_str(),
                  now - w.beat, held_by(f, w), w.state.c_str());
    } else {
      std::printf("  %-24s holds %zu, %s (%.1f s)\n", w.name.c_str(), held_by(f, w),
                  w.state.c_str(), now - w.since);
    }
  }
}

}  // namespace

void add_queue_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "queue", "Show the submission queue: waiting, being judged, dead letters, workers");
  cmd->add_flag("--json", opt->json, "print JSON");
  add_instance_options(cmd, opt->instance, true);
  cmd->callback([opt, &status] {
    Instance inst = resolve_instance(opt->instance);
    check_broker(inst);
    QueueFacts f = open_transport(inst)->job_queue()->facts();
    if (opt->json) {
      std::cout << facts_json(f).dump(2) << std::endl;
    } else {
      print_facts(f);
    }
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
