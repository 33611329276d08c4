// The Judge0-compatible API's model: Judge0's language ids and status ids,
// a Judge0 request checked field by field, the one-test problem package a
// request becomes, and a stored submission said the way Judge0 says it.
// Pure functions and plain records: the HTTP handlers (judge0_api.cpp) only
// bind, convert, enqueue and convert back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "judge/engine/results.hpp"
#include "judge/engine/run_options.hpp"

namespace pj::judge {

// A Judge0 language id and the pipejudge language it stands for.
struct Judge0Language {
  int id;                   // Judge0's number (54: C++)
  const char* language;     // pipejudge's id ("cpp")
  const char* source_file;  // the file name Judge0 gives the source ("main.cpp")
};
// Every Judge0 id pipejudge answers to, by id.
const std::vector<Judge0Language>& judge0_languages();
const Judge0Language* judge0_language(int id);
// The Judge0 id of a pipejudge language, if it has one.
std::optional<int> judge0_language_id(std::string_view language);

struct Judge0Status {
  int id = 0;
  std::string description;  // "Runtime Error (SIGSEGV)"
};
// Judge0's statuses 1 to 14, as GET /statuses lists them.
const std::vector<Judge0Status>& judge0_statuses();

// A submission's Judge0 status, and its `message` (empty: null).
struct Judge0Outcome {
  Judge0Status status;
  std::string message;
};
// From its report as stored: no verdict yet is In Queue (1), or Processing
// (2) once `started`; AC 3; WA and PE 4; TLE 5; CE 6; RE 7 to 12 by the
// failing test's signal (SIGSEGV 7, SIGXFSZ 8, SIGFPE 9, SIGABRT 10, any
// other 12) or its nonzero exit status (11); MLE 12 with "memory limit
// exceeded"; OLE 8 with "output limit exceeded" (Judge0's own output limit
// is RLIMIT_FSIZE, which ends a program by SIGXFSZ); IE and a cancelled
// submission 13.
Judge0Outcome judge0_outcome(const SubmissionReport& r, bool started);

// Standard base64 (RFC 4648, with padding). Decoding ignores line breaks
// (Ruby's Base64.encode64 writes them); nullopt for anything else that is
// not base64.
std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// Makes a file that must not exist yet with `data` (mode 0644, inside the
// state directory). Throws std::system_error naming it.
void write_new_file(const std::filesystem::path& path, std::string_view data);

// Judge0's limits: defaults and maxima.
struct Judge0Limits {
  double cpu_time_default = 5, cpu_time_max = 15;  // seconds
  std::uint64_t memory_default_kb = 128000, memory_min_kb = 2048, memory_max_kb = 512000;
  std::size_t source_max_bytes = 256 * 1024;
  // Judge0's maxima of the run limits a request may set.
  double wall_time_max = 20, processes_max = 120;  // seconds; processes
  std::uint64_t stack_max_kb = 128000, file_size_max_kb = 4096;
};

// Longest command_line_arguments a request may give.
inline constexpr std::size_t kMaxArgumentBytes = 4096;

// A request of POST /submissions, checked.
struct Judge0Request {
  std::string source_code;
  const Judge0Language* language = nullptr;
  std::string stdin_data;
  std::optional<std::string> expected_output;  // none: any output is accepted
  double cpu_time_limit = 0;                   // seconds
  std::uint64_t memory_limit_kb = 0;
  std::optional<std::string> callback_url;  // an http:// URL (parse_http_url)
  // wall_time_limit, stack_limit, max_processes_and_or_threads,
  // max_file_size (the output limit), command_line_arguments,
  // redirect_stderr_to_stdout and compiler_options (split_compiler_options;
  // whether the language takes them is the caller's to check).
  RunOptions run;
};

// What is wrong with a request, as Judge0 says it: field -> messages.
using FieldErrors = std::map<std::string, std::vector<std::string>>;

// Checks every field it knows (`base64`: the text fields are base64).
// `callback_url` must be an http:// URL. Fields pipejudge cannot honour
// yet (cpu_extra_time, enable_network, ...) are accepted at
// their neutral value only (null, "", false), else refused by name.
// Unknown fields are ignored, as Judge0 ignores them. Errors go to `errors`; nullopt if there are
// any.
std::optional<Judge0Request> parse_judge0_request(const nlohmann::json& body, bool base64,
                                                  const Judge0Limits& limits, FieldErrors& errors);

// The one-test problem package of a request, under `packages` (made if
// missing; content-addressed: the same stdin, expected output and limits
// give the same package, shared). Its name is "judge0-" and 24 hex digits.
// Throws std::system_error if it cannot be written.
std::filesystem::path judge0_package(const std::filesystem::path& packages,
                                     const Judge0Request& request);
// Whether `problem` names such a package (for reading its stdin back).
bool is_judge0_package_name(std::string_view problem);

// What a Judge0 response shows of one stored submission.
struct Judge0Submission {
  std::string token;
  SubmissionReport report;
  bool started = false;   // a judge took it (compiling or later)
  double created_at = 0;  // Unix seconds
  std::optional<double> finished_at;
  std::optional<std::string> source_code, stdin_data, expected_output;
};

// The submission as Judge0's JSON, every field (`fields` picks them later).
// `base64`: stdout, stderr, compile_output, message, source_code, stdin and
// expected_output are base64. Without it, text that is not UTF-8 cannot be
// sent: the result is then nullopt.
std::optional<nlohmann::json> judge0_json(const Judge0Submission& s, bool base64);

// The fields a response keeps: `fields` is "" (Judge0's defaults), "*"
// (all) or a comma-separated list. Unknown names go to `errors`.
nlohmann::json judge0_select(const nlohmann::json& all, const std::string& fields,
                             FieldErrors& errors);

// Unix seconds as Judge0 writes a time: "2024-05-01T12:00:00.123Z".
std::string iso8601(double unix_seconds);

}  // namespace pj::judge
