#include "judge/events.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace pj::judge {
namespace {

using nlohmann::json;

constexpr std::array<std::pair<EventType, const char*>, 5> kTypeNames = {{
    {EventType::Queued, "queued"},
    {EventType::Compiling, "compiling"},
    {EventType::Compiled, "compiled"},
    {EventType::Test, "test"},
    {EventType::Final, "final"},
}};

// What a field of an event may hold.
// Opt* fields may also be absent (events from before they existed).
enum class Kind { Text, OptText, Bool, Number, UInt, OptInt, VerdictCode, OptNumber, OptGroups };

struct Field {
  const char* name;
  Kind kind;
};

const std::vector<Field>& fields_of(EventType t) {
  static const std::vector<Field> queued = {
      {"problem", Kind::Text},     {"problem_name", Kind::Text}, {"problem_dir", Kind::Text},
      {"file", Kind::Text},        {"language", Kind::Text},     {"language_name", Kind::Text},
      {"tests_total", Kind::UInt}, {"all", Kind::Bool}};
  static const std::vector<Field> compiling = {};
  static const std::vector<Field> compiled = {{"ok", Kind::Bool},
                                              {"cached", Kind::Bool},
                                              {"time", Kind::Number},
                                              {"output", Kind::Text},
                                              {"reason", Kind::Text}};
  static const std::vector<Field> test = {
      {"index", Kind::UInt},       {"name", Kind::Text},           {"verdict", Kind::VerdictCode},
      {"time", Kind::Number},      {"wall_time", Kind::Number},    {"memory", Kind::UInt},
      {"exit_code", Kind::OptInt}, {"signal", Kind::OptText},      {"message", Kind::Text},
      {"score", Kind::OptNumber},  {"team_message", Kind::OptText}};
  static const std::vector<Field> final_ = {
      {"verdict", Kind::VerdictCode}, {"reason", Kind::Text},       {"score", Kind::Number},
      {"time", Kind::Number},         {"memory", Kind::UInt},       {"tests_total", Kind::UInt},
      {"tests_run", Kind::UInt},      {"tests_passed", Kind::UInt}, {"max_score", Kind::OptNumber},
      {"groups", Kind::OptGroups}};
  switch (t) {
    case EventType::Queued:
      return queued;
    case EventType::Compiling:
      return compiling;
    case EventType::Compiled:
      return compiled;
    case EventType::Test:
      return test;
    case EventType::Final:
      return final_;
  }
  return compiling;
}

bool is_hex_hash(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool fits(const json& v, Kind kind) {
  switch (kind) {
    case Kind::Text:
      return v.is_string() || blob_ref_hash(v).has_value();
    case Kind::OptText:
      return v.is_null() || fits(v, Kind::Text);
    case Kind::Bool:
      return v.is_boolean();
    case Kind::Number:
      return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0;
    case Kind::UInt:
      return v.is_number_unsigned();
    case Kind::OptInt:
      return v.is_null() || v.is_number_integer();
    case Kind::VerdictCode:
      return v.is_string() && parse_verdict(v.get<std::string>()).has_value();
    case Kind::OptNumber:
      return v.is_null() || fits(v, Kind::Number);
    case Kind::OptGroups:
      return v.is_null() || (v.is_array() && std::all_of(v.begin(), v.end(), [](const json& g) {
                               return g.is_object() && g.contains("name") && g["name"].is_string();
                             }));
  }
  return false;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::Text:
      return "a string or a blob reference";
    case Kind::OptText:
      return "null, a string or a blob reference";
    case Kind::Bool:
      return "true or false";
    case Kind::Number:
      return "a non-negative number";
    case Kind::UInt:
      return "a non-negative integer";
    case Kind::OptInt:
      return "null or an integer";
    case Kind::VerdictCode:
      return "a verdict code (AC, WA, ...)";
    case Kind::OptNumber:
      return "null or a non-negative number";
    case Kind::OptGroups:
      return "null or a list of groups, each with a name";
  }
  return "?";
}

// The envelope: returns the reason it is wrong, or empty.
std::string check_envelope(const json& j, Event& e, std::int64_t expected_uid) {
  auto v = j.find("v");
  if (v == j.end() || !v->is_number_integer() || v->get<int>() != kEventVersion)
    return "unsupported version (field 'v' must be " + std::to_string(kEventVersion) + ")";
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return "no 'type'";
  auto parsed = parse_event_type(type->get<std::string>());
  if (!parsed) return "unknown event type '" + type->get<std::string>() + "'";
  e.type = *parsed;
  auto id = j.find("id");
  if (id == j.end() || !id->is_string() || !valid_submission_id(id->get<std::string>()))
    return "bad submission id";
  e.id = id->get<std::string>();
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned() || seq->get<std::uint64_t>() > 1000000000)
    return "bad 'seq'";
  e.seq = seq->get<std::int64_t>();
  auto ts = j.find("ts");
  if (ts == j.end() || !ts->is_number() || !std::isfinite(ts->get<double>())) return "bad 'ts'";
  e.ts = ts->get<double>();
  auto pid = j.find("pid");
  auto uid = j.find("uid");
  if (pid == j.end() || !pid->is_number_integer() || uid == j.end() || !uid->is_number_integer())
    return "no sender pid/uid";
  e.pid = pid->get<std::int64_t>();
  e.uid = uid->get<std::int64_t>();
  if (e.uid != expected_uid)
    return "unexpected sender: uid " + std::to_string(e.uid) + " (pid " + std::to_string(e.pid) +
           "), expected uid " + std::to_string(expected_uid);
  return {};
}

std::string check_fields(const json& j, Event& e) {
  for (const Field& f : fields_of(e.type)) {
    auto it = j.find(f.name);
    if (it == j.end()) {
      if (f.kind == Kind::OptNumber || f.kind == Kind::OptGroups) continue;
      return std::string("missing field '") + f.name + "'";
    }
    if (!fits(*it, f.kind))
      return std::string("field '") + f.name + "' must be " + kind_name(f.kind);
    if (auto hash = blob_ref_hash(*it)) e.blobs.push_back(*hash);
  }
  return {};
}

std::string text_or_empty(const json& j, const char* key, const BlobLookup& lookup) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? std::string() : event_text(*it, lookup);
}

}  // namespace

const char* event_type_name(EventType t) {
  for (const auto& [type, name] : kTypeNames)
    if (type == t) return name;
  return "?";
}

std::optional<EventType> parse_event_type(std::string_view s) {
  for (const auto& [type, name] : kTypeNames)
    if (s == name) return type;
  return std::nullopt;
}

bool valid_submission_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_';
  });
}

std::string new_submission_id() {
  unsigned char bytes[8];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::system_category(), "getrandom");
    }
    got += static_cast<std::size_t>(n);
  }
  static const char* digits = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += digits[b >> 4];
    id += digits[b & 15];
  }
  return id;
}

ParsedEvent parse_event(std::string_view raw, std::int64_t expected_uid) {
  ParsedEvent out;
  if (raw.size() > kMaxEventBytes) {
    out.error = "too large: " + std::to_string(raw.size()) + " bytes, limit " +
                std::to_string(kMaxEventBytes);
    return out;
  }
  json j = json::parse(raw, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    out.error = "not valid JSON";
    return out;
  }
  if (!j.is_object()) {
    out.error = "not a JSON object";
    return out;
  }
  Event e;
  out.error = check_envelope(j, e, expected_uid);
  if (out.error.empty()) out.error = check_fields(j, e);
  if (!out.error.empty()) return out;
  e.body = std::move(j);
  out.event = std::move(e);
  return out;
}

json blob_ref(const std::string& hash, std::size_t size) {
  return {{"blob", hash}, {"size", size}};
}

std::optional<std::string> blob_ref_hash(const json& v) {
  if (!v.is_object() || v.size() != 2) return std::nullopt;
  auto blob = v.find("blob");
  auto size = v.find("size");
  if (blob == v.end() || !blob->is_string() || size == v.end() || !size->is_number_unsigned())
    return std::nullopt;
  std::string hash = blob->get<std::string>();
  if (!is_hex_hash(hash)) return std::nullopt;
  return hash;
}

std::string event_text(const json& v, const BlobLookup& lookup) {
  if (v.is_string()) return v.get<std::string>();
  if (auto hash = blob_ref_hash(v)) return lookup(*hash);
  return {};
}

json queued_fields(const std::string& problem, const std::string& problem_name,
                   const std::string& problem_dir, const std::string& file,
                   const std::string& language, const std::string& language_name,
                   std::size_t tests_total, bool run_all) {
  return {{"problem", problem},         {"problem_name", problem_name},
          {"problem_dir", problem_dir}, {"file", file},
          {"language", language},       {"language_name", language_name},
          {"tests_total", tests_total}, {"all", run_all}};
}

json compiled_fields(const CompileReport& c) {
  return {{"ok", c.ok},
          {"cached", c.cached},
          {"time", c.seconds},
          {"output", c.output},
          {"reason", c.reason}};
}

json test_fields(const TestReport& t, std::size_t index) {
  return {{"index", index},
          {"name", t.name},
          {"verdict", verdict_code(t.verdict)},
          {"time", t.time},
          {"wall_time", t.wall_time},
          {"memory", t.memory},
          {"exit_code", t.exit_code ? json(*t.exit_code) : json(nullptr)},
          {"signal", t.signal.empty() ? json(nullptr) : json(t.signal)},
          {"message", t.message},
          {"score", t.score ? json(*t.score) : json(nullptr)},
          {"team_message", t.team_message}};
}

json groups_json(const std::vector<GroupReport>& groups) {
  json out = json::array();
  auto number = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  for (const auto& g : groups)
    out.push_back({{"name", g.name},
                   {"verdict", g.tests_run ? json(verdict_code(g.verdict)) : json(nullptr)},
                   {"score", number(g.score)},
                   {"max_score", number(g.max_score)},
                   {"tests_run", g.tests_run},
                   {"tests_total", g.tests_total}});
  return out;
}

static std::vector<GroupReport> groups_from_json(const json& list) {
  std::vector<GroupReport> out;
  if (!list.is_array()) return out;
  for (const auto& g : list) {
    GroupReport r;
    r.name = g.value("name", "");
    if (g.contains("verdict") && g["verdict"].is_string())
      r.verdict = parse_verdict(g["verdict"].get<std::string>()).value_or(Verdict::IE);
    if (g.contains("score") && g["score"].is_number()) r.score = g["score"].get<double>();
    if (g.contains("max_score") && g["max_score"].is_number())
      r.max_score = g["max_score"].get<double>();
    r.tests_run = g.value("tests_run", std::size_t{0});
    r.tests_total = g.value("tests_total", std::size_t{0});
    out.push_back(std::move(r));
  }
  return out;
}

json final_fields(const SubmissionReport& r) {
  std::size_t passed = 0;
  for (const auto& t : r.tests) passed += t.verdict == Verdict::AC;
  // Score: a scoring problem's own; otherwise the share of the problem's
  // tests passed, in percent (without --all the judge stops at the first
  // failure, so later tests count as failed).
  double score = r.tests_total ? 100.0 * static_cast<double>(passed) / r.tests_total : 0.0;
  if (r.score) score = std::max(0.0, *r.score);
  return {{"verdict", verdict_code(r.verdict)},
          {"reason", r.reason},
          {"score", score},
          {"time", r.time},
          {"memory", r.memory},
          {"tests_total", r.tests_total},
          {"tests_run", r.tests.size()},
          {"tests_passed", passed},
          {"max_score", r.max_score ? json(*r.max_score) : json(nullptr)},
          {"groups", groups_json(r.groups)}};
}

void apply_event(SubmissionReport& r, const json& e, const BlobLookup& lookup) {
  auto type = parse_event_type(e.value("type", ""));
  if (!type) return;
  switch (*type) {
    case EventType::Queued:
      r.problem = text_or_empty(e, "problem", lookup);
      r.problem_name = text_or_empty(e, "problem_name", lookup);
      r.submission = text_or_empty(e, "file", lookup);
      r.language = text_or_empty(e, "language", lookup);
      r.language_name = text_or_empty(e, "language_name", lookup);
      r.tests_total = e.value("tests_total", std::size_t{0});
      break;
    case EventType::Compiling:
      break;
    case EventType::Compiled:
      r.compile.ok = e.value("ok", false);
      r.compile.cached = e.value("cached", false);
      r.compile.seconds = e.value("time", 0.0);
      r.compile.output = text_or_empty(e, "output", lookup);
      r.compile.reason = text_or_empty(e, "reason", lookup);
      break;
    case EventType::Test: {
      TestReport t;
      t.name = text_or_empty(e, "name", lookup);
      t.verdict = parse_verdict(e.value("verdict", "IE")).value_or(Verdict::IE);
      t.time = e.value("time", 0.0);
      t.wall_time = e.value("wall_time", 0.0);
      t.memory = e.value("memory", std::uint64_t{0});
      if (e.contains("exit_code") && e["exit_code"].is_number_integer())
        t.exit_code = e["exit_code"].get<int>();
      t.signal = text_or_empty(e, "signal", lookup);
      t.message = text_or_empty(e, "message", lookup);
      if (e.contains("score") && e["score"].is_number()) t.score = e["score"].get<double>();
      t.team_message = text_or_empty(e, "team_message", lookup);
      r.tests.push_back(std::move(t));
      break;
    }
    case EventType::Final:
      r.verdict = parse_verdict(e.value("verdict", "IE")).value_or(Verdict::IE);
      r.reason = text_or_empty(e, "reason", lookup);
      r.time = e.value("time", 0.0);
      r.memory = e.value("memory", std::uint64_t{0});
      r.tests_total = e.value("tests_total", r.tests_total);
      if (e.contains("max_score") && e["max_score"].is_number()) {
        r.max_score = e["max_score"].get<double>();
        r.score = e.value("score", 0.0);
      }
      if (e.contains("groups")) r.groups = groups_from_json(e["groups"]);
      break;
  }
}

}  // namespace pj::judge
