// The one place a submission's events are made and numbered, queued to
// final, as DMOJ's judge yields every step of a submission from one place:
//   seq 0       queued     by whoever accepts the submission
//   seq 1       compiling  by the judge that takes it, then
//   seq 2...    compiled, one test event per test run, final
//   last + 1    compiling  again by the judge of a later attempt (its worker
//               died), whose events supersede the earlier attempt's
//   last + 1    final (IE, why) by the watcher of a judge that died first
// Each event is a report shape (report/) in the envelope; large text goes
// to a blob. The transport only carries them.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "judge/engine/judge_submission.hpp"
#include "judge/pipeline/transport.hpp"
#include "judge/report/events.hpp"

namespace pj::judge {

class SubmissionEmitter : public JudgeObserver {
 public:
  // A submission being accepted: its first event is queued().
  static SubmissionEmitter for_new(EventSink& sink, const std::string& id);
  // The judge of a queued submission: its first event is compiling().
  static SubmissionEmitter for_judge(EventSink& sink, const std::string& id);
  // Whoever ends a submission whose judge died: after the events already
  // published (`last_seq`, -1 for none).
  static SubmissionEmitter after(EventSink& sink, const std::string& id, std::int64_t last_seq);

  // A batch's submission: no one watches its steps live, so its events
  // before the final may wait longer for company (fewer, larger groups).
  void let_steps_wait() { steps_may_wait_ = true; }

  // queued() and final() return once every event so far is durable; the
  // others hand their event over (the sink commits them in groups).
  void queued(const QueuedFacts& q);
  void compiling(int attempt);
  void on_compiled(const CompileReport& c) override;
  void on_test(const TestReport& t, std::size_t index, std::size_t total) override;
  // `attempts`: a job given up after that many attempts (dead letters).
  void final(const SubmissionReport& r, std::optional<int> attempts = std::nullopt);
  // The final handed over, not waited for: the caller makes it durable with
  // the sink's flush_through(mark returned) before it says it is judged.
  std::uint64_t final_handed_over(const SubmissionReport& r,
                                  std::optional<int> attempts = std::nullopt);

 private:
  SubmissionEmitter(EventSink& sink, std::string id, std::int64_t next_seq);
  // Adds the envelope, moves large text into blobs, publishes.
  void emit(EventType type, nlohmann::json fields);

  EventSink& sink_;
  std::string id_;
  std::int64_t next_seq_;
  bool steps_may_wait_ = false;
};

}  // namespace pj::judge
