// How a submission looks on a terminal, shared by `submit` (its live table)
// and `results ID`: the compile line, a row per test, the summary.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

#include "judge/engine/judge_submission.hpp"

namespace pj::judge {

// "1.9 MiB", "512 KiB".
std::string human_bytes(std::uint64_t b);

// Local time, "2024-05-01 12:00:03".
std::string local_time_text(double unix_seconds);

// The first line: "A plus B (aplusb): sol.cpp in C++ (g++, gnu++20), 8 tests,
// 1 s CPU, 256 MiB, output 8 MiB" (the limits in effect).
void print_header(std::FILE* out, const SubmissionReport& r, const std::string& file);

// The compile line (and the compiler's output when it failed), then the
// header of the test rows.
void print_compile(std::FILE* out, const CompileReport& c);
void print_test_row(std::FILE* out, const TestReport& t);
// A failing test's stderr excerpt, indented under its row.
void print_error_output(std::FILE* out, const TestReport& t);
// The verdict, the groups of a problem that has more than sample and
// secret, the score, and the reason.
void print_summary(std::FILE* out, const SubmissionReport& r);

// One row per test as it finishes, flushed at once.
class LiveTable : public JudgeObserver {
 public:
  explicit LiveTable(std::FILE* out) : out_(out) {}
  void on_compiled(const CompileReport& c) override;
  void on_test(const TestReport& t, std::size_t index, std::size_t total) override;

 private:
  std::FILE* out_;
};

}  // namespace pj::judge
