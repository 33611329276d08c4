// Verdict events: the small JSON messages that carry a submission's steps
// from the judge to the results collector (schema in README).
//
// Envelope of every event: {"v": 1, "type", "id" (submission), "seq" (per
// submission, from 0), "ts" (sender's clock, Unix seconds), "pid", "uid"}.
// The body of each type is a shape of report_json.hpp: the compiled event is
// the compile step, a test event a test (and its index), the final event the
// verdict. Large text travels as a blob reference, never inline.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "judge/engine/results.hpp"
#include "judge/report/report_json.hpp"

namespace pj::judge {

enum class EventType { Queued, Compiling, Compiled, Test, Final };
const char* event_type_name(EventType t);  // "queued", ...
std::optional<EventType> parse_event_type(std::string_view s);

inline constexpr int kEventVersion = 1;
// A message larger than this is rejected; the kernel's limit is 8 KiB.
inline constexpr std::size_t kMaxEventBytes = 4096;
// Strings longer than this travel as blobs (compiler output always does).
inline constexpr std::size_t kInlineTextBytes = 256;

// 1 to 64 of [A-Za-z0-9_-]: ids name files, so nothing else gets through.
bool valid_submission_id(std::string_view id);
// 16 random hex digits.
std::string new_submission_id();

// The queued event: what was submitted.
struct QueuedFacts {
  std::string problem, problem_name, problem_dir, file, language, language_name;
  std::size_t tests_total = 0;
  bool run_all = false;
  RunLimits limits;  // absent from events of older versions: all 0
};

// The final event: the verdict, and the figures a listing of submissions shows.
struct FinalFacts {
  Verdict verdict = Verdict::IE;
  std::string reason;
  // A scoring problem's own score; otherwise the share of the problem's
  // tests passed, in percent (without --all the judge stops at the first
  // failure, so later tests count as failed).
  double score = 0;
  double time = 0;
  std::uint64_t memory = 0;
  std::size_t tests_total = 0, tests_run = 0, tests_passed = 0;
  std::optional<double> max_score;  // scoring problems only
  std::vector<GroupReport> groups;
  // A job given up after its workers died: how many attempts were made
  // (some may have died before their compiling event).
  std::optional<int> attempts;
  bool insecure = false;  // judged without isolation (SubmissionReport::insecure)
};
FinalFacts final_facts(const SubmissionReport& r);

// The body of each event type (without the envelope), and back.
nlohmann::json encode_queued(const QueuedFacts& q);
QueuedFacts decode_queued(const nlohmann::json& j, const TextLookup& lookup);
nlohmann::json encode_test_event(const TestReport& t, std::size_t index);
std::size_t decode_test_index(const nlohmann::json& j);
// compiling: {"attempt": n}, the judge's attempt at the submission (1 if absent).
nlohmann::json encode_compiling(int attempt);
int decode_compiling(const nlohmann::json& j);
nlohmann::json encode_final(const FinalFacts& f);
FinalFacts decode_final(const nlohmann::json& j, const TextLookup& lookup);

// A message that passed every check.
struct Event {
  EventType type = EventType::Queued;
  std::string id;
  std::int64_t seq = 0;
  double ts = 0;
  std::int64_t pid = 0;
  std::int64_t uid = 0;
  nlohmann::json body;             // the whole message
  std::vector<std::string> blobs;  // hashes of the blobs it refers to
};

struct ParsedEvent {
  std::optional<Event> event;
  std::string error;  // why it is rejected, when it is
};

// Checks size, JSON, version, envelope, the sender's uid (must be
// `expected_uid`) and the body of the event's type.
ParsedEvent parse_event(std::string_view raw, std::int64_t expected_uid);

// Folds one event (as stored) into a report: what a reader of the event
// stream rebuilds of the judge's SubmissionReport. Throws SchemaError for
// a malformed body.
void apply_event(SubmissionReport& r, const nlohmann::json& event, const TextLookup& lookup);

}  // namespace pj::judge
