#include "judge/report/report_json.hpp"

#include <algorithm>
#include <cmath>

using nlohmann::json;

namespace pj::judge {
namespace {

bool is_hex_hash(const std::string& s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

template <typename T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json text_or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

}  // namespace

std::string no_text(const std::string&) {
  return {};
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

Fields::Fields(const json& j, const TextLookup& lookup) : j_(j), lookup_(lookup) {
  if (!j_.is_object()) throw SchemaError("not a JSON object");
}

void Fields::bad(const char* key, const char* must_be) {
  throw SchemaError(std::string("field '") + key + "' must be " + must_be);
}

const json* Fields::find(const char* key, bool required) const {
  auto it = j_.find(key);
  if (it != j_.end() && !it->is_null()) return &*it;
  if (required && it == j_.end()) throw SchemaError(std::string("missing field '") + key + "'");
  if (required) bad(key, "set");
  return nullptr;
}

std::string Fields::text(const char* key) const {
  const json& v = *find(key, true);
  if (v.is_string()) return v.get<std::string>();
  if (auto hash = blob_ref_hash(v)) return lookup_(*hash);
  bad(key, "a string or a blob reference");
}

std::string Fields::opt_text(const char* key) const {
  return find(key, false) ? text(key) : std::string();
}

bool Fields::flag(const char* key) const {
  const json& v = *find(key, true);
  if (!v.is_boolean()) bad(key, "true or false");
  return v.get<bool>();
}

bool Fields::opt_flag(const char* key) const {
  const json* v = find(key, false);
  if (!v || v->is_null()) return false;
  if (!v->is_boolean()) bad(key, "true or false");
  return v->get<bool>();
}

double Fields::number(const char* key) const {
  const json& v = *find(key, true);
  if (!v.is_number() || !std::isfinite(v.get<double>()) || v.get<double>() < 0)
    bad(key, "a non-negative number");
  return v.get<double>();
}

std::optional<double> Fields::opt_number(const char* key) const {
  return find(key, false) ? std::optional(number(key)) : std::nullopt;
}

std::uint64_t Fields::count(const char* key) const {
  const json& v = *find(key, true);
  if (!v.is_number_unsigned()) bad(key, "a non-negative integer");
  return v.get<std::uint64_t>();
}

std::optional<int> Fields::opt_int(const char* key) const {
  const json* v = find(key, false);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) bad(key, "null or an integer");
  return v->get<int>();
}

Verdict Fields::verdict(const char* key) const {
  const json& v = *find(key, true);
  std::optional<Verdict> parsed =
      v.is_string() ? parse_verdict(v.get<std::string>()) : std::nullopt;
  if (!parsed) bad(key, "a verdict code (AC, WA, ...)");
  return *parsed;
}

std::optional<Verdict> Fields::opt_verdict(const char* key) const {
  return find(key, false) ? std::optional(verdict(key)) : std::nullopt;
}

std::vector<GroupReport> Fields::groups(const char* key) const {
  const json* v = find(key, false);
  if (!v) return {};
  if (!v->is_array()) bad(key, "null or a list of groups");
  return decode_groups(*v);
}

const json& Fields::object(const char* key) const {
  const json& v = *find(key, true);
  if (!v.is_object()) bad(key, "an object");
  return v;
}

const json& Fields::list(const char* key) const {
  const json& v = *find(key, true);
  if (!v.is_array()) bad(key, "a list");
  return v;
}

json encode_test(const TestReport& t) {
  return {{"name", t.name},
          {"verdict", verdict_code(t.verdict)},
          {"time", t.time},
          {"wall_time", t.wall_time},
          {"memory", t.memory},
          {"exit_code", or_null(t.exit_code)},
          {"signal", text_or_null(t.signal)},
          {"message", t.message},
          {"score", or_null(t.score)},
          {"team_message", t.team_message},
          {"stderr", t.error_output},
          {"passes", or_null(t.passes)},
          {"rerun_first_time", or_null(t.rerun_first_time)},
          {"output", t.output}};
}

TestReport decode_test(const json& j, const TextLookup& lookup) {
  Fields f(j, lookup);
  TestReport t;
  t.name = f.text("name");
  t.verdict = f.verdict("verdict");
  t.time = f.number("time");
  t.wall_time = f.number("wall_time");
  t.memory = f.count("memory");
  t.exit_code = f.opt_int("exit_code");
  t.signal = f.opt_text("signal");
  t.message = f.text("message");
  t.score = f.opt_number("score");
  t.team_message = f.opt_text("team_message");
  t.error_output = f.opt_text("stderr");
  t.passes = f.opt_int("passes");
  t.rerun_first_time = f.opt_number("rerun_first_time");
  t.output = f.opt_text("output");
  return t;
}

json encode_groups(const std::vector<GroupReport>& groups) {
  json out = json::array();
  for (const auto& g : groups)
    out.push_back({{"name", g.name},
                   {"verdict", g.tests_run ? json(verdict_code(g.verdict)) : json(nullptr)},
                   {"score", or_null(g.score)},
                   {"max_score", or_null(g.max_score)},
                   {"tests_run", g.tests_run},
                   {"tests_total", g.tests_total}});
  return out;
}

std::vector<GroupReport> decode_groups(const json& j) {
  std::vector<GroupReport> out;
  if (j.is_null()) return out;
  if (!j.is_array()) throw SchemaError("groups must be a list");
  for (const auto& item : j) {
    Fields f(item, no_text);
    GroupReport g;
    g.name = f.text("name");
    g.verdict = f.opt_verdict("verdict").value_or(Verdict::AC);
    g.score = f.opt_number("score");
    g.max_score = f.opt_number("max_score");
    g.tests_run = f.count("tests_run");
    g.tests_total = f.count("tests_total");
    out.push_back(std::move(g));
  }
  return out;
}

json encode_compile(const CompileReport& c) {
  return {{"ok", c.ok},
          {"cached", c.cached},
          {"time", c.seconds},
          {"output", c.output},
          {"reason", c.reason}};
}

CompileReport decode_compile(const json& j, const TextLookup& lookup) {
  Fields f(j, lookup);
  CompileReport c;
  c.ok = f.flag("ok");
  c.cached = f.flag("cached");
  c.seconds = f.number("time");
  c.output = f.text("output");
  c.reason = f.text("reason");
  return c;
}

json encode_limits(const RunLimits& l) {
  return {{"time", l.time}, {"memory", l.memory}, {"output", l.output}};
}

RunLimits decode_limits(const json& j) {
  Fields f(j, no_text);
  return {f.number("time"), f.count("memory"), f.count("output")};
}

json encode_submission(const SubmissionReport& r) {
  json tests = json::array();
  for (const auto& t : r.tests) tests.push_back(encode_test(t));
  return {{"problem", r.problem},
          {"problem_name", r.problem_name},
          {"submission", r.submission},
          {"language", r.language},
          {"language_name", r.language_name},
          {"limits", encode_limits(r.limits)},
          {"verdict", r.verdict ? json(verdict_code(*r.verdict)) : json(nullptr)},
          {"reason", r.reason},
          {"time", r.time},
          {"memory", r.memory},
          {"compile", encode_compile(r.compile)},
          {"tests_total", r.tests_total},
          {"score", or_null(r.score)},
          {"max_score", or_null(r.max_score)},
          {"groups", encode_groups(r.groups)},
          {"insecure", r.insecure},
          {"tests", tests}};
}

SubmissionReport decode_submission(const json& j) {
  Fields f(j, no_text);
  SubmissionReport r;
  r.problem = f.text("problem");
  r.problem_name = f.text("problem_name");
  r.submission = f.text("submission");
  r.language = f.text("language");
  r.language_name = f.opt_text("language_name");
  r.limits = decode_limits(f.object("limits"));
  r.verdict = f.opt_verdict("verdict");
  r.reason = f.text("reason");
  r.time = f.number("time");
  r.memory = f.count("memory");
  r.compile = decode_compile(f.object("compile"), no_text);
  r.tests_total = f.count("tests_total");
  r.score = f.opt_number("score");
  r.max_score = f.opt_number("max_score");
  r.groups = f.groups("groups");
  r.insecure = f.opt_flag("insecure");
  for (const auto& t : f.list("tests")) r.tests.push_back(decode_test(t, no_text));
  return r;
}

std::string report_json(const SubmissionReport& r, int indent) {
  return encode_submission(r).dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace pj::judge
