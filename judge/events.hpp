// Verdict events: the small JSON messages a judge sends the results
// collector, one per step of a submission (schema in README).
//
// Envelope of every event: {"v": 1, "type", "id" (submission), "seq" (per
// submission, from 0), "ts" (sender's clock, Unix seconds), "pid", "uid"}.
// Large text (compiler output, long messages) travels as a blob reference
// {"blob": "<sha256>", "size": N}, never inline.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "judge/judge.hpp"

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
// `expected_uid`) and the fields of the event's type.
ParsedEvent parse_event(std::string_view raw, std::int64_t expected_uid);

nlohmann::json blob_ref(const std::string& hash, std::size_t size);
// The hash if `v` is a blob reference.
std::optional<std::string> blob_ref_hash(const nlohmann::json& v);

// The text of a field that is a string or a blob reference (looked up).
using BlobLookup = std::function<std::string(const std::string& hash)>;
std::string event_text(const nlohmann::json& v, const BlobLookup& lookup);

// The fields (besides the envelope) of each event, from the judge's reports.
nlohmann::json queued_fields(const std::string& problem, const std::string& problem_name,
                             const std::string& problem_dir, const std::string& file,
                             const std::string& language, const std::string& language_name,
                             std::size_t tests_total, bool run_all);
nlohmann::json compiled_fields(const CompileReport& c);
nlohmann::json test_fields(const TestReport& t, std::size_t index);
nlohmann::json final_fields(const SubmissionReport& r);
// The per-group results, as in the final event and the JSON report.
nlohmann::json groups_json(const std::vector<GroupReport>& groups);

// Folds one event (as stored) into a report: what a reader of the event
// stream rebuilds of the judge's SubmissionReport.
void apply_event(SubmissionReport& r, const nlohmann::json& event, const BlobLookup& lookup);

}  // namespace pj::judge
