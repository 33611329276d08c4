// The one-test problem package of a Judge0 request: its problem.yaml,
// its test, and pipejudge's own output validator for Judge0's comparison.
#include <algorithm>
#include <cstdio>

#include "judge/engine/sha256.hpp"
#include "judge/report/events.hpp"
#include "judge/server/judge0.hpp"

namespace fs = std::filesystem;

namespace pj::judge {
namespace {

// The output validator of every one-test package (Kattis protocol). With
// the argument `compare` it accepts the program's output if it equals the
// answer once trailing whitespace of each line and trailing blank lines are
// set aside (Judge0's comparison); with `accept` it accepts any output. The
// output itself reaches the API as the test's kept output (keep_output).
constexpr const char* kValidatorSource = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char* slurp(FILE* f, size_t* len) {
  size_t cap = 1 << 16, n = 0;
  char* buf = malloc(cap);
  if (!buf) exit(1);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      if (!buf) exit(1);
    }
    size_t got = fread(buf + n, 1, cap - n, f);
    if (got == 0) break;
    n += got;
  }
  *len = n;
  return buf;
}

/* Each line without its trailing whitespace, then without trailing newlines. */
static size_t strip(char* s, size_t n) {
  size_t out = 0, line = 0;
  for (size_t i = 0; i <= n; ++i) {
    if (i == n || s[i] == '\n') {
      size_t end = i;
      while (end > line && strchr(" \t\r\f\v", s[end - 1])) --end;
      memmove(s + out, s + line, end - line);
      out += end - line;
      if (i < n) s[out++] = '\n';
      line = i + 1;
    }
  }
  while (out > 0 && s[out - 1] == '\n') --out;
  return out;
}

int main(int argc, char** argv) {
  if (argc < 5) return 1;
  if (strcmp(argv[4], "accept") == 0) return 42;
  size_t out_len = 0;
  char* out = slurp(stdin, &out_len);
  char path[4096];
  FILE* ans = fopen(argv[2], "rb");
  if (!ans) return 1;
  size_t ans_len = 0;
  char* expected = slurp(ans, &ans_len);
  fclose(ans);
  ans_len = strip(expected, ans_len);
  out_len = strip(out, out_len);
  if (ans_len == out_len && memcmp(expected, out, out_len) == 0) return 42;
  snprintf(path, sizeof path, "%s/judgemessage.txt", argv[3]);
  FILE* judge = fopen(path, "w");
  if (judge) {
    fputs("the output differs from expected_output", judge);
    fclose(judge);
  }
  return 43;
}
)";

}  // namespace

fs::path judge0_package(const fs::path& packages, const Judge0Request& request) {
  std::uint64_t memory_mib = (request.memory_limit_kb + 1023) / 1024;
  char time[32];  // seconds, as problem.yaml has them
  std::snprintf(time, sizeof time, "%.3f", request.cpu_time_limit);
  Sha256 h;
  h.add_field("judge0 one-test package v1");
  h.add_field(time);
  h.add_field(std::to_string(memory_mib));
  h.add_field(request.expected_output ? "compare" : "accept");
  h.add_field(request.stdin_data);
  h.add_field(request.expected_output.value_or(""));
  h.add_field(kValidatorSource);
  fs::path dir = packages / ("judge0-" + h.hex().substr(0, 24));
  if (fs::exists(dir / "problem.yaml")) return dir;

  fs::create_directories(packages);
  fs::path tmp = packages / (".new-" + new_submission_id());
  // Removed however this ends, unless it became the package.
  struct Removed {
    fs::path path;
    ~Removed() {
      std::error_code ignored;
      if (!path.empty()) fs::remove_all(path, ignored);
    }
  } unfinished{tmp};
  fs::create_directories(tmp / "data" / "secret");
  fs::create_directories(tmp / "output_validators" / "judge0");
  // The output limit is Judge0's default max_file_size, 1024 KB.
  write_new_file(tmp / "problem.yaml",
                 "name: Judge0 submission\n"
                 "limits:\n  time_limit: " +
                     std::string(time) + "\n  memory: " + std::to_string(memory_mib) +
                     "\n  output: 1\n"
                     "validation: custom\n"
                     "validator_flags: " +
                     (request.expected_output ? "compare" : "accept") + "\n");
  write_new_file(tmp / "data" / "secret" / "1.in", request.stdin_data);
  write_new_file(tmp / "data" / "secret" / "1.ans", request.expected_output.value_or(""));
  write_new_file(tmp / "output_validators" / "judge0" / "validator.c", kValidatorSource);
  std::error_code ec;
  fs::rename(tmp, dir, ec);
  if (!ec) {
    unfinished.path.clear();
  } else if (!fs::exists(dir / "problem.yaml")) {
    throw std::system_error(ec, dir.string());
  }  // else made meanwhile by another request: theirs is the same
  return dir;
}

bool is_judge0_package_name(std::string_view problem) {
  if (problem.size() != 7 + 24 || problem.substr(0, 7) != "judge0-") return false;
  return std::all_of(problem.begin() + 7, problem.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace pj::judge
