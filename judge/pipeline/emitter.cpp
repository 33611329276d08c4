#include "judge/pipeline/emitter.hpp"

#include <unistd.h>

#include <stdexcept>

#include "judge/pipeline/clock.hpp"

using nlohmann::json;

namespace pj::judge {
namespace {

// Compiler output always travels by reference; other text when it is long.
bool goes_by_reference(const std::string& key, const json& value) {
  if (!value.is_string()) return false;
  const auto& s = value.get_ref<const std::string&>();
  return (key == "output" && !s.empty()) || s.size() > kInlineTextBytes;
}

}  // namespace

SubmissionEmitter::SubmissionEmitter(EventSink& sink, std::string id, std::int64_t next_seq)
    : sink_(sink), id_(std::move(id)), next_seq_(next_seq) {
  if (!valid_submission_id(id_)) throw std::invalid_argument("bad submission id '" + id_ + "'");
}

SubmissionEmitter SubmissionEmitter::for_new(EventSink& sink, const std::string& id) {
  return SubmissionEmitter(sink, id, 0);
}

SubmissionEmitter SubmissionEmitter::for_judge(EventSink& sink, const std::string& id) {
  return SubmissionEmitter(sink, id, 1);
}

SubmissionEmitter SubmissionEmitter::after(EventSink& sink, const std::string& id,
                                           std::int64_t last_seq) {
  return SubmissionEmitter(sink, id, last_seq + 1);
}

void SubmissionEmitter::queued(const QueuedFacts& q) {
  emit(EventType::Queued, encode_queued(q));
  sink_.flush();  // accepted: durable before the job is queued
}

void SubmissionEmitter::compiling(int attempt) {
  emit(EventType::Compiling, encode_compiling(attempt));
}

void SubmissionEmitter::on_compiled(const CompileReport& c) {
  emit(EventType::Compiled, encode_compile(c));
}

void SubmissionEmitter::on_test(const TestReport& t, std::size_t index, std::size_t) {
  emit(EventType::Test, encode_test_event(t, index));
}

void SubmissionEmitter::final(const SubmissionReport& r, std::optional<int> attempts) {
  sink_.flush_through(final_handed_over(r, attempts));  // the verdict is recorded when this returns
}

std::uint64_t SubmissionEmitter::final_handed_over(const SubmissionReport& r,
                                                   std::optional<int> attempts) {
  FinalFacts f = final_facts(r);
  f.attempts = attempts;
  emit(EventType::Final, encode_final(f));
  return sink_.published();
}

void SubmissionEmitter::emit(EventType type, json fields) {
  for (auto& [key, value] : fields.items())
    if (goes_by_reference(key, value)) {
      const auto& text = value.get_ref<const std::string&>();
      value = blob_ref(sink_.put_blob(text), text.size());
    }
  json event = {{"v", kEventVersion},
                {"type", event_type_name(type)},
                {"id", id_},
                {"seq", next_seq_},
                {"ts", unix_seconds()},
                {"pid", static_cast<std::int64_t>(getpid())},
                {"uid", static_cast<std::int64_t>(geteuid())}};
  event.update(fields);
  std::string message = event.dump(-1, ' ', false, json::error_handler_t::replace);
  if (message.size() > kMaxEventBytes)  // bounded by construction: a bug if it happens
    throw std::logic_error(std::string(event_type_name(type)) + " event of " +
                           std::to_string(message.size()) + " bytes");
  sink_.publish(id_, next_seq_, message, steps_may_wait_ && type != EventType::Final);
  ++next_seq_;
}

}  // namespace pj::judge
