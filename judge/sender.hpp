// The judge's side of event delivery: every event goes to the outbox on
// disk first, then over the event queue to the collector.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "judge/events.hpp"
#include "judge/instance.hpp"
#include "judge/judge.hpp"
#include "judge/mq.hpp"
#include "judge/outbox.hpp"

namespace pj::judge {

class EventSender {
 public:
  // Creates the state directories if needed (throws ConfigError if it cannot).
  explicit EventSender(const Instance& inst);

  // Writes the message to the outbox (durably: nothing is sent that is not
  // on disk), then sends it. A full queue is waited on while a collector
  // runs (back-pressure, never drop); with no collector the outbox copy is
  // left for the next one, which drains the outbox when it starts. Throws
  // std::system_error if the outbox cannot be written (disk full).
  void send(const std::string& id, std::int64_t seq, const std::string& message);

  // Stores large bytes as a blob file; returns the reference to put in an event.
  nlohmann::json put_blob(std::string_view data);

  const Instance& instance() const { return inst_; }
  const Outbox& outbox() const { return outbox_; }

 private:
  void deliver(const std::string& message);
  bool reopen_queue();

  Instance inst_;
  Outbox outbox_;
  BlobFiles blobs_;
  std::optional<MessageQueue> queue_;
  bool collector_down_ = false;
  bool warned_ = false;
};

// The events of one submission, numbered.
class SubmissionEvents {
 public:
  SubmissionEvents(EventSender& sender, std::string id, std::int64_t next_seq);

  // Adds the envelope, moves large text into blobs, sends. Returns the seq.
  std::int64_t emit(EventType type, nlohmann::json fields);

  const std::string& id() const { return id_; }
  std::int64_t next_seq() const { return next_seq_; }

 private:
  EventSender& sender_;
  std::string id_;
  std::int64_t next_seq_;
};

// Judge progress as events: compiled, then one per test.
class EventReporter : public JudgeObserver {
 public:
  explicit EventReporter(SubmissionEvents& events) : events_(events) {}
  void on_compiled(const CompileReport& c) override;
  void on_test(const TestReport& t, std::size_t index, std::size_t total) override;

 private:
  SubmissionEvents& events_;
};

}  // namespace pj::judge
