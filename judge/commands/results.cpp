// `pipejudge results [ID]`: recent submissions from the results database,
// or one with its per-test rows, groups and compiler output. --json: the
// listing as JSON rows; one submission as the very report `submit --json`
// printed for it.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "judge/commands/cli.hpp"
#include "judge/commands/options.hpp"
#include "judge/commands/table.hpp"
#include "judge/engine/error.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/report/report_json.hpp"

using nlohmann::json;

namespace pj::judge {
namespace {

std::string verdict_or_status(const SubmissionRow& r) {
  return r.verdict ? *r.verdict : "(" + r.status + ")";
}

void print_list(const std::vector<SubmissionRow>& rows) {
  std::printf("%-16s  %-12s %-8s %-9s %6s %9s %10s  %-19s  %s\n", "id", "problem", "language",
              "verdict", "score", "time", "memory", "when", "attempts");
  for (const auto& r : rows) {
    std::string score = r.score ? std::to_string(static_cast<int>(*r.score + 0.5)) : "-";
    // No test ran (a compile error, or still queued): no time or memory to show.
    bool ran = r.tests_run.value_or(0) > 0;
    char time[32] = "-";
    if (ran && r.time) std::snprintf(time, sizeof time, "%.3f s", *r.time);
    std::printf("%-16s  %-12s %-8s %-9s %6s %9s %10s  %-19s  %lld\n", r.id.c_str(),
                r.problem.c_str(), r.language.c_str(), verdict_or_status(r).c_str(), score.c_str(),
                time,
                ran && r.memory ? human_bytes(static_cast<std::uint64_t>(*r.memory)).c_str() : "-",
                local_time_text(r.submitted_at).c_str(), static_cast<long long>(r.attempts));
  }
}

void print_detail(const SubmissionDetail& d) {
  const SubmissionRow& row = d.row;
  const SubmissionReport& r = d.report;
  std::printf("submission %s\n", row.id.c_str());
  std::printf("problem   %s (%s)\n", r.problem_name.c_str(), r.problem.c_str());
  std::printf("file      %s\n", r.submission.c_str());
  std::printf("language  %s\n", r.language_name.c_str());
  std::printf("submitted %s", local_time_text(row.submitted_at).c_str());
  if (row.finished_at) std::printf("  finished %s", local_time_text(*row.finished_at).c_str());
  std::printf("\n");
  if (row.attempts > 1)
    std::printf("attempts  %lld (the workers of the earlier ones died)\n",
                static_cast<long long>(row.attempts));
  if (row.status != "queued" && row.status != "compiling") print_compile(stdout, r.compile);
  for (const auto& t : r.tests) {
    print_test_row(stdout, t);
    print_error_output(stdout, t);
  }
  if (!r.verdict) {
    std::printf("status    %s (no verdict yet)\n", row.status.c_str());
    return;
  }
  print_summary(stdout, r);
}

}  // namespace

void add_results_command(CLI::App& app, int& status) {
  struct Options {
    InstanceOptions instance;
    std::string id, problem;
    std::size_t limit = 20;
    bool json = false;
  };
  auto opt = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("results", "List recent submissions, or show one (by id)");
  cmd->add_option("id", opt->id, "submission id: show this one with its tests and compiler output");
  cmd->add_option("--limit,-n", opt->limit, "how many recent submissions")->capture_default_str();
  cmd->add_option("--problem,-p", opt->problem, "only this problem (short name)");
  cmd->add_flag("--json", opt->json, "print JSON");
  add_instance_options(cmd, opt->instance, false);
  cmd->callback([opt, &status] {
    Instance inst = resolve_instance(opt->instance);
    ResultStore store = ResultStore::open_reader(inst.db_path);
    if (opt->id.empty()) {
      auto rows = store.recent(opt->limit, opt->problem);
      if (opt->json) {
        json list = json::array();
        for (const auto& r : rows) list.push_back(encode_row(r));
        std::cout << list.dump(2, ' ', false, json::error_handler_t::replace) << std::endl;
      } else {
        print_list(rows);
      }
    } else {
      auto detail = store.find(opt->id);
      if (!detail) throw ConfigError(inst.db_path.string(), "no submission " + opt->id);
      if (opt->json) {
        std::cout << report_json(detail->report) << std::endl;
      } else {
        print_detail(*detail);
      }
    }
    status = kExitAccepted;
  });
}

}  // namespace pj::judge
