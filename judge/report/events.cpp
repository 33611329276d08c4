#include "judge/report/events.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <system_error>
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

// The body of the event's type, decoded to check it; the blobs it refers
// to are noted. Returns the reason it is wrong, or empty.
std::string check_body(const json& j, Event& e) {
  TextLookup note_blob = [&e](const std::string& hash) {
    e.blobs.push_back(hash);
    return std::string();
  };
  try {
    switch (e.type) {
      case EventType::Queued:
        decode_queued(j, note_blob);
        break;
      case EventType::Compiling:
        decode_compiling(j);
        break;
      case EventType::Compiled:
        decode_compile(j, note_blob);
        break;
      case EventType::Test:
        decode_test_index(j);
        decode_test(j, note_blob);
        break;
      case EventType::Final:
        decode_final(j, note_blob);
        break;
    }
  } catch (const SchemaError& ex) {
    return ex.what();
  }
  return {};
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
  if (out.error.empty()) out.error = check_body(j, e);
  if (!out.error.empty()) return out;
  e.body = std::move(j);
  out.event = std::move(e);
  return out;
}

FinalFacts final_facts(const SubmissionReport& r) {
  FinalFacts f;
  f.verdict = r.verdict.value_or(Verdict::IE);
  f.reason = r.reason;
  f.tests_passed = r.tests_passed();
  f.score = r.tests_total ? 100.0 * static_cast<double>(f.tests_passed) / r.tests_total : 0.0;
  if (r.score) f.score = std::max(0.0, *r.score);
  f.time = r.time;
  f.memory = r.memory;
  f.tests_total = r.tests_total;
  f.tests_run = r.tests.size();
  f.max_score = r.max_score;
  f.groups = r.groups;
  f.insecure = r.insecure;
  return f;
}

json encode_queued(const QueuedFacts& q) {
  return {{"problem", q.problem},
          {"problem_name", q.problem_name},
          {"problem_dir", q.problem_dir},
          {"file", q.file},
          {"language", q.language},
          {"language_name", q.language_name},
          {"tests_total", q.tests_total},
          {"all", q.run_all},
          {"limits", encode_limits(q.limits)}};
}

QueuedFacts decode_queued(const json& j, const TextLookup& lookup) {
  Fields f(j, lookup);
  QueuedFacts q;
  q.problem = f.text("problem");
  q.problem_name = f.text("problem_name");
  q.problem_dir = f.text("problem_dir");
  q.file = f.text("file");
  q.language = f.text("language");
  q.language_name = f.text("language_name");
  q.tests_total = f.count("tests_total");
  q.run_all = f.flag("all");
  if (j.contains("limits")) q.limits = decode_limits(f.object("limits"));
  return q;
}

json encode_test_event(const TestReport& t, std::size_t index) {
  json j = encode_test(t);
  j["index"] = index;
  return j;
}

std::size_t decode_test_index(const json& j) {
  return Fields(j, no_text).count("index");
}

json encode_compiling(int attempt) {
  return {{"attempt", attempt}};
}

int decode_compiling(const json& j) {
  auto attempt = Fields(j, no_text).opt_int("attempt").value_or(1);
  if (attempt < 1) throw SchemaError("field 'attempt' must be 1 or more");
  return attempt;
}

json encode_final(const FinalFacts& f) {
  return {{"verdict", verdict_code(f.verdict)},
          {"reason", f.reason},
          {"score", f.score},
          {"time", f.time},
          {"memory", f.memory},
          {"tests_total", f.tests_total},
          {"tests_run", f.tests_run},
          {"tests_passed", f.tests_passed},
          {"max_score", f.max_score ? json(*f.max_score) : json(nullptr)},
          {"groups", encode_groups(f.groups)},
          {"attempts", f.attempts ? json(*f.attempts) : json(nullptr)},
          {"insecure", f.insecure}};
}

FinalFacts decode_final(const json& j, const TextLookup& lookup) {
  Fields in(j, lookup);
  FinalFacts f;
  f.verdict = in.verdict("verdict");
  f.reason = in.text("reason");
  f.score = in.number("score");
  f.time = in.number("time");
  f.memory = in.count("memory");
  f.tests_total = in.count("tests_total");
  f.tests_run = in.count("tests_run");
  f.tests_passed = in.count("tests_passed");
  f.max_score = in.opt_number("max_score");
  f.groups = in.groups("groups");
  f.attempts = in.opt_int("attempts");
  f.insecure = in.opt_flag("insecure");
  return f;
}

void apply_event(SubmissionReport& r, const json& e, const TextLookup& lookup) {
  auto type = parse_event_type(e.value("type", ""));
  if (!type) return;
  switch (*type) {
    case EventType::Queued: {
      QueuedFacts q = decode_queued(e, lookup);
      r.problem = q.problem;
      r.problem_name = q.problem_name;
      r.submission = q.file;
      r.language = q.language;
      r.language_name = q.language_name;
      r.tests_total = q.tests_total;
      r.limits = q.limits;
      break;
    }
    case EventType::Compiling:  // an attempt starts: it supersedes what earlier ones said
      r.compile = CompileReport{};
      r.tests.clear();
      break;
    case EventType::Compiled:
      r.compile = decode_compile(e, lookup);
      break;
    case EventType::Test:
      r.tests.push_back(decode_test(e, lookup));
      break;
    case EventType::Final: {
      FinalFacts f = decode_final(e, lookup);
      r.verdict = f.verdict;
      r.reason = f.reason;
      r.time = f.time;
      r.memory = f.memory;
      r.tests_total = f.tests_total;
      r.max_score = f.max_score;
      if (f.max_score) r.score = f.score;
      r.groups = f.groups;
      r.insecure = f.insecure;
      break;
    }
  }
}

}  // namespace pj::judge
