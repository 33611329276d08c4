#include "judge/server/judge0.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <system_error>

#include "judge/engine/languages.hpp"
#include "judge/engine/sha256.hpp"
#include "judge/report/events.hpp"
#include "judge/server/webhook.hpp"
#include "sandbox/fd.hpp"

using nlohmann::json;
namespace fs = std::filesystem;

namespace pj::judge {
namespace {

// Judge0 CE's ids (its db/languages/active.rb) of the languages pipejudge has.
const std::vector<Judge0Language> kLanguages = {
    {46, "bash", "script.sh"},  {50, "c", "main.c"},         {51, "csharp", "Main.cs"},
    {54, "cpp", "main.cpp"},    {59, "fortran", "main.f90"}, {60, "go", "main.go"},
    {61, "haskell", "main.hs"}, {62, "java", "Main.java"},   {63, "javascript", "script.js"},
    {64, "lua", "script.lua"},  {65, "ocaml", "main.ml"},    {67, "pascal", "main.pas"},
    {68, "php", "script.php"},  {69, "prolog", "main.pro"},  {71, "cpython", "script.py"},
    {72, "ruby", "script.rb"},  {73, "rust", "main.rs"},     {78, "kotlin", "Main.kt"},
    {80, "r", "script.r"},      {81, "scala", "Main.scala"}, {85, "perl", "script.pl"},
};

const std::vector<Judge0Status> kStatuses = {
    {1, "In Queue"},
    {2, "Processing"},
    {3, "Accepted"},
    {4, "Wrong Answer"},
    {5, "Time Limit Exceeded"},
    {6, "Compilation Error"},
    {7, "Runtime Error (SIGSEGV)"},
    {8, "Runtime Error (SIGXFSZ)"},
    {9, "Runtime Error (SIGFPE)"},
    {10, "Runtime Error (SIGABRT)"},
    {11, "Runtime Error (NZEC)"},
    {12, "Runtime Error (Other)"},
    {13, "Internal Error"},
    {14, "Exec Format Error"},
};

Judge0Status status(int id) {
  return kStatuses.at(static_cast<std::size_t>(id - 1));
}

// The test that decided the verdict: the first that is not AC, else the last.
const TestReport* deciding_test(const SubmissionReport& r) {
  for (const auto& t : r.tests)
    if (t.verdict != Verdict::AC) return &t;
  return r.tests.empty() ? nullptr : &r.tests.back();
}

int runtime_error_status(const TestReport* t) {
  if (!t) return 12;
  if (t->signal == "SIGSEGV") return 7;
  if (t->signal == "SIGXFSZ") return 8;
  if (t->signal == "SIGFPE") return 9;
  if (t->signal == "SIGABRT") return 10;
  if (!t->signal.empty()) return 12;
  if (t->exit_code && *t->exit_code != 0) return 11;
  return 12;
}

int signal_number(const std::string& name) {
  for (int sig = 1; sig < 65; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev && name == std::string("SIG") + abbrev) return sig;
  }
  return 0;
}

constexpr const char* kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c >> 5) == 6) {
      n = 1, cp = c & 0x1F;
    } else if ((c >> 4) == 14) {
      n = 2, cp = c & 0x0F;
    } else if ((c >> 3) == 30) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      unsigned char d = static_cast<unsigned char>(s[i + k]);
      if ((d >> 6) != 2) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += n + 1;
  }
  return true;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

// A bound in an error message: "128000", "0.001".
std::string bound_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

void write_new_file(const fs::path& path, std::string_view data) {
  // Readable by the sandbox's run uids (when root); the state directory
  // (0700) keeps it from everyone else.
  sandbox::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd) throw std::system_error(errno, std::system_category(), path.string());
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd.get(), data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::system_category(), path.string());
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd.release()) != 0)
    throw std::system_error(errno, std::system_category(), path.string());
}

const std::vector<Judge0Language>& judge0_languages() {
  return kLanguages;
}

const Judge0Language* judge0_language(int id) {
  for (const auto& l : kLanguages)
    if (l.id == id) return &l;
  return nullptr;
}

std::optional<int> judge0_language_id(std::string_view language) {
  for (const auto& l : kLanguages)
    if (language == l.language) return l.id;
  return std::nullopt;
}

const std::vector<Judge0Status>& judge0_statuses() {
  return kStatuses;
}

Judge0Outcome judge0_outcome(const SubmissionReport& r, bool started) {
  if (!r.verdict) return {status(started ? 2 : 1), {}};
  const TestReport* t = deciding_test(r);
  std::string said = t && !t->message.empty() ? t->message : r.reason;
  switch (*r.verdict) {
    case Verdict::AC:
      return {status(3), {}};
    case Verdict::WA:
    case Verdict::PE:
      return {status(4), {}};
    case Verdict::TLE:
      return {status(5), said};
    case Verdict::CE:
      return {status(6), {}};
    case Verdict::RE:
      return {status(runtime_error_status(t)), said};
    case Verdict::MLE:
      return {status(12), "memory limit exceeded"};
    case Verdict::OLE:
      return {status(8), "output limit exceeded"};
    case Verdict::Cancelled:
      return {status(13), "cancelled (not judged)"};
    case Verdict::IE:
      break;
  }
  return {status(13), r.reason.empty() ? said : r.reason};
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += i + 1 < bytes.size() ? kAlphabet[v >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != '\r') clean += c;
  if (clean.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (std::size_t i = 0; i < clean.size(); i += 4) {
    std::uint32_t v = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      char c = clean[i + k];
      if (c == '=' && i + 4 == clean.size() && k >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      const char* at = c ? std::strchr(kAlphabet, c) : nullptr;
      if (!at || pad) return std::nullopt;
      v = (v << 6) | static_cast<std::uint32_t>(at - kAlphabet);
    }
    out += static_cast<char>(v >> 16 & 0xFF);
    if (pad < 2) out += static_cast<char>(v >> 8 & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return out;
}

std::optional<Judge0Request> parse_judge0_request(const json& body, bool base64,
                                                  const Judge0Limits& limits, FieldErrors& errors) {
  if (!body.is_object()) {
    errors["body"].push_back("must be a JSON object");
    return std::nullopt;
  }
  Judge0Request req;
  auto present = [&](const char* key) {
    auto it = body.find(key);
    return it != body.end() && !it->is_null() ? &*it : nullptr;
  };
  auto text = [&](const char* key, std::string& into) {
    const json* v = present(key);
    if (!v) return false;
    if (!v->is_string()) {
      errors[key].push_back("must be a string");
      return false;
    }
    if (!base64) {
      into = v->get<std::string>();
      return true;
    }
    auto decoded = base64_decode(v->get<std::string>());
    if (!decoded) {
      errors[key].push_back("is not valid base64");
      return false;
    }
    into = std::move(*decoded);
    return true;
  };

  if (!text("source_code", req.source_code) && !errors.count("source_code"))
    errors["source_code"].push_back("can't be blank");
  else if (req.source_code.size() > limits.source_max_bytes)
    errors["source_code"].push_back("must be at most " + std::to_string(limits.source_max_bytes) +
                                    " bytes");
  else if (req.source_code.find('\0') != std::string::npos)
    errors["source_code"].push_back("must not contain NUL bytes");

  if (const json* v = present("language_id")) {
    if (!v->is_number_integer()) {
      errors["language_id"].push_back("must be an integer");
    } else if (!(req.language = judge0_language(v->get<int>()))) {
      errors["language_id"].push_back("language with id " + std::to_string(v->get<long long>()) +
                                      " doesn't exist");
    }
  } else {
    errors["language_id"].push_back("can't be blank");
  }

  text("stdin", req.stdin_data);
  std::string expected;
  if (text("expected_output", expected)) req.expected_output = std::move(expected);

  req.cpu_time_limit = limits.cpu_time_default;
  if (const json* v = present("cpu_time_limit")) {
    if (!v->is_number()) {
      errors["cpu_time_limit"].push_back("must be a number");
    } else if (double t = v->get<double>(); !(t > 0) || !std::isfinite(t)) {
      errors["cpu_time_limit"].push_back("must be greater than 0");
    } else if (t > limits.cpu_time_max) {
      errors["cpu_time_limit"].push_back("must be less than or equal to " +
                                         number_text(limits.cpu_time_max));
    } else {
      req.cpu_time_limit = t;
    }
  }
  req.memory_limit_kb = limits.memory_default_kb;
  if (const json* v = present("memory_limit")) {
    if (!v->is_number()) {
      errors["memory_limit"].push_back("must be a number");
    } else if (double m = v->get<double>(); !(m >= static_cast<double>(limits.memory_min_kb))) {
      errors["memory_limit"].push_back("must be greater than or equal to " +
                                       std::to_string(limits.memory_min_kb));
    } else if (m > static_cast<double>(limits.memory_max_kb)) {
      errors["memory_limit"].push_back("must be less than or equal to " +
                                       std::to_string(limits.memory_max_kb));
    } else {
      req.memory_limit_kb = static_cast<std::uint64_t>(std::ceil(m));
    }
  }

  // Limits of the run itself, which travel with the job (RunOptions).
  auto number_in = [&](const char* key, double low, double high) -> std::optional<double> {
    const json* v = present(key);
    if (!v) return std::nullopt;
    if (!v->is_number()) {
      errors[key].push_back("must be a number");
    } else if (double x = v->get<double>(); !(x >= low) || !std::isfinite(x)) {
      errors[key].push_back("must be greater than or equal to " + bound_text(low));
    } else if (x > high) {
      errors[key].push_back("must be less than or equal to " + bound_text(high));
    } else {
      return x;
    }
    return std::nullopt;
  };
  if (auto w = number_in("wall_time_limit", 0.001, limits.wall_time_max)) req.run.wall_seconds = *w;
  if (auto kb = number_in("stack_limit", 1, static_cast<double>(limits.stack_max_kb)))
    req.run.stack_bytes = static_cast<std::uint64_t>(std::ceil(*kb)) * 1024;
  if (auto n = number_in("max_processes_and_or_threads", 1, limits.processes_max))
    req.run.processes = static_cast<int>(*n);
  if (auto kb = number_in("max_file_size", 1, static_cast<double>(limits.file_size_max_kb)))
    req.run.output_bytes = static_cast<std::uint64_t>(std::ceil(*kb)) * 1024;
  if (const json* v = present("command_line_arguments")) {  // never base64 in Judge0
    const std::string arguments = v->is_string() ? v->get<std::string>() : std::string();
    if (!v->is_string() || arguments.size() > kMaxArgumentBytes ||
        arguments.find('\0') != std::string::npos) {
      errors["command_line_arguments"].push_back("must be a string of at most " +
                                                 std::to_string(kMaxArgumentBytes) + " bytes");
    } else {
      std::istringstream words(arguments);  // split at whitespace; no shell quoting
      for (std::string w; words >> w;) req.run.arguments.push_back(w);
    }
  }

  // Judge0 fields pipejudge does not honour yet: only their neutral value.
  for (const char* key : {"cpu_extra_time", "additional_files"}) {
    if (present(key)) errors[key].push_back("is not supported by pipejudge yet (send null)");
  }
  if (const json* v = present("compiler_options")) {  // never base64 in Judge0
    std::string why;
    std::optional<std::vector<std::string>> words;
    if (!v->is_string())
      errors["compiler_options"].push_back("must be a string");
    else if (!(words = split_compiler_options(v->get<std::string>(), why)))
      errors["compiler_options"].push_back(why);
    else
      req.run.compiler_options = std::move(*words);
  }
  if (const json* v = present("redirect_stderr_to_stdout")) {
    if (v->is_boolean())
      req.run.stderr_to_stdout = v->get<bool>();
    else
      errors["redirect_stderr_to_stdout"].push_back("must be true or false");
  }
  for (const char* key : {"enable_per_process_and_thread_time_limit",
                          "enable_per_process_and_thread_memory_limit", "enable_network"}) {
    const json* v = present(key);
    if (v && !(v->is_boolean() && !v->get<bool>()))
      errors[key].push_back("is not supported by pipejudge yet (send false or null)");
  }
  if (const json* v = present("callback_url")) {
    std::string why;
    if (!v->is_string())
      errors["callback_url"].push_back("must be a string");
    else if (!parse_http_url(v->get<std::string>(), why))
      errors["callback_url"].push_back(why);
    else
      req.callback_url = v->get<std::string>();
  }
  if (const json* v = present("number_of_runs");
      v && !(v->is_number_integer() && v->get<long long>() == 1))
    errors["number_of_runs"].push_back("must be 1 (pipejudge runs a submission once)");

  if (!errors.empty()) return std::nullopt;
  return req;
}

std::optional<json> judge0_json(const Judge0Submission& s, bool base64) {
  const SubmissionReport& r = s.report;
  Judge0Outcome outcome = judge0_outcome(r, s.started);
  const TestReport* t = deciding_test(r);
  std::optional<std::string> stdout_bytes, stderr_bytes, compile_output, message;
  if (t) {
    if (!t->output.empty()) stdout_bytes = t->output;
    if (!t->error_output.empty()) stderr_bytes = t->error_output;
  }
  if (s.started && !r.compile.output.empty()) compile_output = r.compile.output;
  if (!outcome.message.empty()) message = outcome.message;

  bool unsendable = false;
  auto textual = [&](const std::optional<std::string>& v) -> json {
    if (!v) return nullptr;
    if (base64) return base64_encode(*v);
    if (!valid_utf8(*v)) unsendable = true;
    return *v;
  };
  bool ran = r.verdict && t;
  json j = {
      {"token", s.token},
      {"source_code", textual(s.source_code)},
      {"language_id", nullptr},
      {"stdin", textual(s.stdin_data)},
      {"expected_output", textual(s.expected_output)},
      {"stdout", textual(stdout_bytes)},
      {"stderr", textual(stderr_bytes)},
      {"compile_output", textual(compile_output)},
      {"message", textual(message)},
      {"status", {{"id", outcome.status.id}, {"description", outcome.status.description}}},
      {"status_id", outcome.status.id},
      {"time", ran ? json(number_text(r.time)) : json(nullptr)},
      {"wall_time", ran ? json(number_text(t->wall_time)) : json(nullptr)},
      {"memory", ran ? json(r.memory / 1024) : json(nullptr)},
      {"exit_code", ran && t->exit_code ? json(*t->exit_code) : json(nullptr)},
      {"exit_signal", ran && !t->signal.empty() ? json(signal_number(t->signal)) : json(nullptr)},
      {"cpu_time_limit", r.limits.time > 0 ? json(number_text(r.limits.time)) : json(nullptr)},
      {"memory_limit", r.limits.memory > 0 ? json(r.limits.memory / 1024) : json(nullptr)},
      {"created_at", iso8601(s.created_at)},
      {"finished_at", s.finished_at ? json(iso8601(*s.finished_at)) : json(nullptr)},
  };
  if (auto id = judge0_language_id(r.language)) j["language_id"] = *id;
  if (unsendable) return std::nullopt;
  return j;
}

json judge0_select(const json& all, const std::string& fields, FieldErrors& errors) {
  std::vector<std::string> names;
  if (fields == "*") return all;
  if (fields.empty()) {
    names = {"stdout", "time", "memory", "stderr", "token", "compile_output", "message", "status"};
  } else {
    std::size_t start = 0;
    while (start <= fields.size()) {
      std::size_t comma = fields.find(',', start);
      if (comma == std::string::npos) comma = fields.size();
      std::string name = fields.substr(start, comma - start);
      while (!name.empty() && name.front() == ' ') name.erase(0, 1);
      while (!name.empty() && name.back() == ' ') name.pop_back();
      if (!name.empty()) names.push_back(name);
      start = comma + 1;
    }
  }
  json out = json::object();
  for (const auto& n : names) {
    auto it = all.find(n);
    if (it == all.end()) {
      errors["fields"].push_back("unknown field " + n);
      continue;
    }
    out[n] = *it;
  }
  return out;
}

std::string iso8601(double unix_seconds) {
  auto whole = static_cast<std::time_t>(std::floor(unix_seconds));
  int millis = static_cast<int>((unix_seconds - static_cast<double>(whole)) * 1000);
  std::tm tm{};
  gmtime_r(&whole, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                std::clamp(millis, 0, 999));
  return buf;
}

}  // namespace pj::judge
