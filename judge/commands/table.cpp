#include "judge/commands/table.hpp"

#include <ctime>

namespace pj::judge {

std::string human_bytes(std::uint64_t b) {
  char buf[32];
  if (b >= (1u << 20)) {
    snprintf(buf, sizeof buf, "%.1f MiB", b / 1048576.0);
  } else {
    snprintf(buf, sizeof buf, "%.0f KiB", b / 1024.0);
  }
  return buf;
}

std::string local_time_text(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

void print_header(std::FILE* out, const SubmissionReport& r, const std::string& file) {
  std::fprintf(out, "%s (%s): %s in %s, %zu tests, %.3g s CPU, %s, output %s\n",
               r.problem_name.c_str(), r.problem.c_str(), file.c_str(), r.language_name.c_str(),
               r.tests_total, r.limits.time, human_bytes(r.limits.memory).c_str(),
               human_bytes(r.limits.output).c_str());
}

void print_compile(std::FILE* out, const CompileReport& c) {
  if (c.ok) {
    std::fprintf(out, "compile   ok%s  %.2f s\n", c.cached ? " (cached)" : "", c.seconds);
    std::fprintf(out, "%-24s %-8s %9s %11s  %s\n", "test", "verdict", "time", "memory", "");
  } else {
    std::fprintf(out, "compile   failed: %s\n", c.reason.c_str());
    if (!c.output.empty()) std::fprintf(out, "%s\n", c.output.c_str());
  }
}

void print_test_row(std::FILE* out, const TestReport& t) {
  std::string note = t.verdict == Verdict::AC ? "" : t.message;
  if (t.passes && t.verdict == Verdict::AC)
    note = std::to_string(*t.passes) + (*t.passes == 1 ? " pass" : " passes");
  if (t.rerun_first_time) {
    char first[96];
    std::snprintf(first, sizeof first, "re-run (first run TLE, %.3f s CPU)", *t.rerun_first_time);
    note = note.empty() ? first : note + "; " + first;
  }
  std::fprintf(out, "%-24s %-8s %7.3f s %11s  %s\n", t.name.c_str(), verdict_code(t.verdict),
               t.time, human_bytes(t.memory).c_str(), note.c_str());
}

void print_error_output(std::FILE* out, const TestReport& t) {
  std::size_t start = 0;
  while (start < t.error_output.size()) {
    std::size_t end = t.error_output.find('\n', start);
    if (end == std::string::npos) end = t.error_output.size();
    std::fprintf(out, "    | %.*s\n", static_cast<int>(end - start), t.error_output.data() + start);
    start = end + 1;
  }
}

void print_summary(std::FILE* out, const SubmissionReport& r) {
  std::fprintf(out, "verdict   %s (%s)", verdict_code(r.verdict),
               r.verdict ? verdict_description(*r.verdict) : "not judged yet");
  if (r.compile.ok)
    std::fprintf(out, "  %zu/%zu tests passed  max time %.3f s  max memory %s", r.tests_passed(),
                 r.tests_total, r.time, human_bytes(r.memory).c_str());
  std::fprintf(out, "\n");
  for (const auto& g : r.groups) {
    if (!g.score && r.groups.size() <= 2) continue;  // only sample and secret: nothing new
    std::fprintf(out, "group     %-24s %-4s %zu/%zu tests run", g.name.c_str(),
                 g.tests_run ? verdict_code(g.verdict) : "-", g.tests_run, g.tests_total);
    if (g.score && g.max_score) std::fprintf(out, "  score %g/%g", *g.score, *g.max_score);
    std::fprintf(out, "\n");
  }
  if (r.score && r.max_score) std::fprintf(out, "score     %g of %g\n", *r.score, *r.max_score);
  if (!r.accepted() && !r.reason.empty()) std::fprintf(out, "reason    %s\n", r.reason.c_str());
  if (r.insecure)
    std::fprintf(out,
                 "INSECURE  judged without isolation (--insecure): the program could read every "
                 "file the judge's user can, the answers included, and use the network\n");
}

void LiveTable::on_compiled(const CompileReport& c) {
  print_compile(out_, c);
  std::fflush(out_);
}

void LiveTable::on_test(const TestReport& t, std::size_t, std::size_t) {
  print_test_row(out_, t);
  std::fflush(out_);
}

}  // namespace pj::judge
