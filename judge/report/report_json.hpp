// The schema of a result as JSON: each shape (a test, a test group, the
// compile step, a whole submission) is encoded and decoded here once. The
// same shapes travel in the events, are stored by the collector, and are
// printed by `submit --json` and `results ID --json`.
//
// Decoders check every field and throw SchemaError naming the first bad one.
// A text field may hold a blob reference ({"blob": "<sha256>", "size": N}:
// events carry long text by reference); decoders resolve it with `lookup`.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "judge/engine/results.hpp"

namespace pj::judge {

class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The text behind a blob's hash.
using TextLookup = std::function<std::string(const std::string& hash)>;
// A lookup for callers that only check a shape: every blob reads as "".
std::string no_text(const std::string& hash);

nlohmann::json blob_ref(const std::string& hash, std::size_t size);
// The hash if `v` is a blob reference.
std::optional<std::string> blob_ref_hash(const nlohmann::json& v);

nlohmann::json encode_test(const TestReport& t);
TestReport decode_test(const nlohmann::json& j, const TextLookup& lookup);

nlohmann::json encode_groups(const std::vector<GroupReport>& groups);
std::vector<GroupReport> decode_groups(const nlohmann::json& j);  // null: none

nlohmann::json encode_compile(const CompileReport& c);
CompileReport decode_compile(const nlohmann::json& j, const TextLookup& lookup);

// The limits in effect: {"time" (CPU s), "memory", "output" (bytes)}.
nlohmann::json encode_limits(const RunLimits& l);
RunLimits decode_limits(const nlohmann::json& j);

// The whole report: `submit --json`, `results ID --json` (schema in README).
nlohmann::json encode_submission(const SubmissionReport& r);
SubmissionReport decode_submission(const nlohmann::json& j);
std::string report_json(const SubmissionReport& r, int indent = 2);

// Reading the fields of one JSON object, each checked against its kind.
class Fields {
 public:
  Fields(const nlohmann::json& j, const TextLookup& lookup);

  std::string text(const char* key) const;      // a string or a blob reference
  std::string opt_text(const char* key) const;  // the same, or null/absent: ""
  bool flag(const char* key) const;
  bool opt_flag(const char* key) const;  // null/absent: false
  double number(const char* key) const;  // finite, >= 0
  std::optional<double> opt_number(const char* key) const;
  std::uint64_t count(const char* key) const;  // an integer >= 0
  std::optional<int> opt_int(const char* key) const;
  Verdict verdict(const char* key) const;
  std::optional<Verdict> opt_verdict(const char* key) const;
  std::vector<GroupReport> groups(const char* key) const;  // null/absent: none
  const nlohmann::json& object(const char* key) const;
  const nlohmann::json& list(const char* key) const;

 private:
  const nlohmann::json* find(const char* key, bool required) const;
  [[noreturn]] static void bad(const char* key, const char* must_be);

  const nlohmann::json& j_;
  const TextLookup& lookup_;
};

}  // namespace pj::judge
