#include "judge/pipeline/judging_process.hpp"

#include <signal.h>

#include <exception>
#include <utility>

namespace pj::judge {
namespace {

// How often a worker looks whether the job it judges was cancelled.
constexpr double kCancelPoll = 0.05;
// How long a cancelled job's process may take to record the verdicts before it.
constexpr double kFinishSeconds = 5;

}  // namespace

JudgingProcess::JudgingProcess(std::vector<std::string> args, Settle settle)
    : args_(std::move(args)), settle_(std::move(settle)) {}

JudgingProcess::~JudgingProcess() {
  try {
    finish();
  } catch (const std::exception&) {
    // settling failed (the caller's queue): the jobs' leases expire instead
  }
  if (!child_) return;
  child_->close_stdin();  // it exits at the end of its input, its slots closed
  if (!child_->exited_within(5)) child_->stop(SIGKILL, 1);
}

pid_t JudgingProcess::ensure_started(std::string& error) {
  if (child_ && child_->running()) return child_->pid();
  if (child_) lost();  // it died between jobs
  try {
    child_.emplace(ChildProcess::spawn_self(args_, ChildProcess::Stdout::Pipe, true));
    return child_->pid();
  } catch (const std::exception& e) {
    child_.reset();
    error = std::string("cannot start a worker process: ") + e.what();
    return 0;
  }
}

std::string JudgingProcess::judge(const Job& job, int slot, const std::function<void()>& started,
                                  const std::function<bool()>& cancelled, bool& was_cancelled) {
  std::string error;
  if (!ensure_started(error)) return error;
  if (!child_->write_line(std::to_string(slot) + " " + job.to_message())) return lost();
  started();
  for (;;) {
    if (child_->line_within(kCancelPoll)) {
      std::optional<std::string> line = child_->read_line();
      if (!line) return lost();
      if (*line == "judged " + job.id) {
        finishing_.push_back(job);
        return {};
      }
      settled_by(*line);  // anything else: nothing else is written there, but never mind
      continue;
    }
    if (cancelled()) {
      // The verdicts before it are let finish: stopping the process could lose them.
      if (judged_while_finishing(job)) return {};
      was_cancelled = true;
      stop(SIGTERM);  // its sandboxed programs die with it
      return "cancelled";
    }
  }
}

bool JudgingProcess::judged_while_finishing(const Job& job) {
  while (!finishing_.empty() && child_->line_within(kFinishSeconds)) {
    std::optional<std::string> line = child_->read_line();
    if (!line) break;
    if (*line == "judged " + job.id) {
      finishing_.push_back(job);
      return true;
    }
    settled_by(*line);
  }
  return false;
}

void JudgingProcess::finish() {
  while (!finishing_.empty()) {
    std::optional<std::string> line = child_ ? child_->read_line() : std::nullopt;
    if (!line) {
      lost();
      return;
    }
    settled_by(*line);
  }
}

bool JudgingProcess::settled_by(const std::string& line) {
  if (finishing_.empty()) return false;
  const Job& job = finishing_.front();
  std::string failed = "failed " + job.id + " ";
  bool is_failure = line.rfind(failed, 0) == 0;
  if (!is_failure && line != "done " + job.id) return false;
  std::string why = is_failure ? "its verdict could not be recorded: " + line.substr(failed.size())
                               : std::string();
  Job settled = std::move(finishing_.front());
  finishing_.pop_front();
  settle_(settled, why);
  return true;
}

std::string JudgingProcess::lost() {
  return stop(SIGKILL);
}

std::string JudgingProcess::stop(int sig) {
  if (!child_) return {};
  child_->stop(sig, sig == SIGKILL ? 1 : 5);
  std::string why = "worker " + child_->describe_exit();
  child_.reset();
  // Their verdicts may or may not have been recorded: the settler looks.
  while (!finishing_.empty()) {
    Job job = std::move(finishing_.front());
    finishing_.pop_front();
    settle_(job, why);
  }
  return why;
}

}  // namespace pj::judge
