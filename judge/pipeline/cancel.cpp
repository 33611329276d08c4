#include "judge/pipeline/cancel.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

#include "judge/pipeline/clock.hpp"
#include "judge/pipeline/store.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/pipeline/worker.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

std::optional<std::string> stored_verdict(const Instance& inst, const std::string& id) {
  std::error_code ec;
  if (!fs::exists(inst.db_path, ec)) return std::nullopt;
  ResultStore store = ResultStore::open_reader(inst.db_path);
  auto d = store.find(id);
  if (!d) return std::nullopt;
  return d->row.verdict.value_or("");
}

}  // namespace

CancelResult cancel_submission(const Instance& inst, const std::string& id, double wait_seconds) {
  std::unique_ptr<Transport> transport = open_transport(inst);
  std::unique_ptr<JobQueue> jobs = transport->job_queue();
  std::unique_ptr<EventSink> sink = transport->event_sink();
  std::optional<Job> removed;
  CancelResult result;
  switch (jobs->cancel(id, removed)) {
    case JobQueue::Cancel::Removed:
      report_final_instead(*sink, inst, id, Verdict::Cancelled,
                           "cancelled before it was judged (pipejudge cancel)");
      jobs->acknowledge(*removed);
      result.outcome = CancelResult::Outcome::Removed;
      return result;
    case JobQueue::Cancel::Stopping: {
      double deadline = monotonic_seconds() + wait_seconds;
      result.outcome = CancelResult::Outcome::Asked;
      while (monotonic_seconds() < deadline) {
        if (final_was_reported(*sink, inst, id)) {
          result.outcome = CancelResult::Outcome::Stopped;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      return result;
    }
    case JobQueue::Cancel::NotQueued:
      break;
  }
  if (auto verdict = stored_verdict(inst, id); verdict && !verdict->empty()) {
    result.outcome = CancelResult::Outcome::Judged;
    result.verdict = *verdict;
  }
  return result;
}

}  // namespace pj::judge
