#include "judge/sender.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace pj::judge {
namespace {

using nlohmann::json;

// How long one send waits for room before looking whether a collector runs.
constexpr double kSendWaitSeconds = 0.1;

double now_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Compiler output always travels by reference; other text when it is long.
bool goes_by_reference(const std::string& key, const json& value) {
  if (!value.is_string()) return false;
  const auto& s = value.get_ref<const std::string&>();
  return (key == "output" && !s.empty()) || s.size() > kInlineTextBytes;
}

}  // namespace

EventSender::EventSender(const Instance& inst)
    : inst_(inst), outbox_(inst.outbox_dir(), inst.sync), blobs_(inst.blobs_dir(), inst.sync) {
  make_state_dirs(inst_);
}

void EventSender::send(const std::string& id, std::int64_t seq, const std::string& message) {
  outbox_.write(id, seq, message);
  deliver(message);
}

json EventSender::put_blob(std::string_view data) {
  return blob_ref(blobs_.put(data), data.size());
}

void EventSender::deliver(const std::string& message) {
  try {
    for (;;) {
      // Sending is the fast path, not the safe one: whatever happens here,
      // the outbox copy reaches the collector.
      if (!queue_ && !reopen_queue()) return;
      if (collector_down_ && !collector_running(inst_)) return;
      auto status = queue_->send(message, kSendWaitSeconds);
      if (status == MessageQueue::Status::Ok) {
        collector_down_ = false;
        return;
      }
      if (status == MessageQueue::Status::Interrupted) continue;
      // Full. A running collector is behind: wait (back-pressure). None
      // running: nobody would make room.
      if (!collector_running(inst_)) {
        collector_down_ = true;
        return;
      }
      reopen_queue();  // a collector may have made a new queue under the name
    }
  } catch (const std::exception& e) {
    if (!warned_)
      std::fprintf(stderr, "pipejudge: %s: cannot send events (they wait in %s): %s\n",
                   inst_.queue.c_str(), inst_.outbox_dir().c_str(), e.what());
    warned_ = true;
    queue_.reset();
  }
}

// Opens the queue by name again; false if there is none (no collector has
// made it yet: the outbox copy will do).
bool EventSender::reopen_queue() {
  auto fresh = MessageQueue::open_existing(inst_.queue);
  if (!fresh) {
    queue_.reset();
    return false;
  }
  if (!queue_ || queue_->inode() != fresh->inode()) queue_ = std::move(fresh);
  return true;
}

SubmissionEvents::SubmissionEvents(EventSender& sender, std::string id, std::int64_t next_seq)
    : sender_(sender), id_(std::move(id)), next_seq_(next_seq) {
  if (!valid_submission_id(id_)) throw std::invalid_argument("bad submission id '" + id_ + "'");
}

std::int64_t SubmissionEvents::emit(EventType type, json fields) {
  for (auto& [key, value] : fields.items())
    if (goes_by_reference(key, value)) value = sender_.put_blob(value.get<std::string>());
  std::int64_t seq = next_seq_;
  json event = {{"v", kEventVersion},
                {"type", event_type_name(type)},
                {"id", id_},
                {"seq", seq},
                {"ts", now_seconds()},
                {"pid", static_cast<std::int64_t>(getpid())},
                {"uid", static_cast<std::int64_t>(geteuid())}};
  event.update(fields);
  std::string message = event.dump(-1, ' ', false, json::error_handler_t::replace);
  if (message.size() > kMaxEventBytes)  // bounded by construction: a bug if it happens
    throw std::logic_error(std::string(event_type_name(type)) + " event of " +
                           std::to_string(message.size()) + " bytes");
  sender_.send(id_, seq, message);
  ++next_seq_;
  return seq;
}

void EventReporter::on_compiled(const CompileReport& c) {
  events_.emit(EventType::Compiled, compiled_fields(c));
}

void EventReporter::on_test(const TestReport& t, std::size_t index, std::size_t) {
  events_.emit(EventType::Test, test_fields(t, index));
}

}  // namespace pj::judge
