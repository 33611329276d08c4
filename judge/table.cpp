#include "judge/table.hpp"

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

void print_test_header(std::FILE* out) {
  std::fprintf(out, "%-24s %-8s %9s %11s  %s\n", "test", "verdict", "time", "memory", "");
}

void print_test_row(std::FILE* out, const std::string& name, const std::string& verdict,
                    double time, std::uint64_t memory, const std::string& note) {
  std::fprintf(out, "%-24s %-8s %7.3f s %11s  %s\n", name.c_str(), verdict.c_str(), time,
               human_bytes(memory).c_str(), note.c_str());
}

std::string local_time_text(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace pj::judge
