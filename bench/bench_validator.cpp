// The default output validator's speed and memory: an answer file and an
// equal output file of N MB of tokens (integers, decimals and words on lines
// of ten), checked with the default flags, case_sensitive, and a float
// tolerance. Prints MB/s (output bytes per second of the check's CPU time,
// user + system, so that other load on the machine does not count; and per
// second of wall time; files in the page cache) and the process's peak
// resident memory during each check (VmHWM, reset before it), for N/10 MB
// and N MB: the same peak at both sizes is O(1) memory.
//
//   build/bench_validator [MB]    (default 200)
#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/temp_dir.hpp"
#include "judge/engine/default_validator.hpp"
#include "sandbox/fd.hpp"

namespace fs = std::filesystem;
using pj::judge::DefaultValidatorFlags;

namespace {

// Writes `bytes` of tokens to `path` through a small buffer; the same
// content every time (a fixed linear congruential sequence).
void write_tokens(const fs::path& path, std::uint64_t bytes) {
  pj::sandbox::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) throw std::runtime_error("cannot create " + path.string());
  std::string buf;
  buf.reserve(1 << 16);
  std::uint64_t written = 0, x = 12345;
  static const char* kWords[] = {"YES", "no", "Impossible", "abc", "x"};
  for (int column = 0; written < bytes; column = (column + 1) % 10) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    std::uint64_t r = x >> 33;
    char token[48];
    int n;
    switch (r % 8) {
      case 0:
        n = std::snprintf(token, sizeof token, "%.6f", static_cast<double>(r % 1000000) / 997.0);
        break;
      case 1:
        n = std::snprintf(token, sizeof token, "%s", kWords[r % 5]);
        break;
      default:
        n = std::snprintf(token, sizeof token, "%llu",
                          static_cast<unsigned long long>(r % 1000000007));
    }
    buf.append(token, static_cast<std::size_t>(n));
    buf.push_back(column == 9 ? '\n' : ' ');
    if (buf.size() >= (1 << 16) - 64) {
      if (::write(fd.get(), buf.data(), buf.size()) != static_cast<ssize_t>(buf.size()))
        throw std::runtime_error("cannot write " + path.string());
      written += buf.size();
      buf.clear();
    }
  }
}

// Resets the peak resident set size of this process (Linux 4.0+).
void reset_peak_rss() {
  std::ofstream("/proc/self/clear_refs") << "5";
}

// VmHWM in KiB.
long peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// Reads a file once so that the check reads it from the page cache.
void warm(const fs::path& path) {
  pj::sandbox::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::vector<char> buf(1 << 20);
  while (::read(fd.get(), buf.data(), buf.size()) > 0) {
  }
}

struct Figure {
  double mb_per_cpu_s;
  double mb_per_s;
  long peak_kib;
  bool accepted;
};

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

Figure check(const fs::path& answer, const fs::path& output, const DefaultValidatorFlags& flags) {
  warm(answer);
  warm(output);
  reset_peak_rss();
  double cpu_start = cpu_seconds();
  auto start = std::chrono::steady_clock::now();
  auto result = pj::judge::run_default_validator(answer, output, flags);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  double cpu = cpu_seconds() - cpu_start;
  double mb = static_cast<double>(fs::file_size(output)) / 1e6;
  return {mb / cpu, mb / seconds, peak_rss_kib(), result.accepted};
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t mb = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200;
  const pj::bench::TempDir scratch("pj-bench-validator");
  const fs::path& dir = scratch.path();

  struct Mode {
    const char* name;
    DefaultValidatorFlags flags;
  };
  std::vector<Mode> modes = {
      {"default", {}},
      {"case_sensitive", DefaultValidatorFlags::parse({"case_sensitive"})},
      {"float_tolerance 1e-6", DefaultValidatorFlags::parse({"float_tolerance 1e-6"})}};
  std::printf("default output validator, answer = output (accepted), best of 3 runs\n");
  for (std::uint64_t size : {mb / 10, mb}) {
    const fs::path answer = dir / "ans", output = dir / "out";
    write_tokens(answer, size * 1000000);
    fs::copy_file(answer, output, fs::copy_options::overwrite_existing);
    for (const Mode& m : modes) {
      Figure best{0, 0, 0, true};
      for (int round = 0; round < 3; ++round) {
        Figure f = check(answer, output, m.flags);
        if (!f.accepted) {
          std::fprintf(stderr, "bench_validator: identical files rejected (%s)\n", m.name);
          return 1;
        }
        if (f.mb_per_cpu_s > best.mb_per_cpu_s) best.mb_per_cpu_s = f.mb_per_cpu_s;
        if (f.mb_per_s > best.mb_per_s) best.mb_per_s = f.mb_per_s;
        if (f.peak_kib > best.peak_kib) best.peak_kib = f.peak_kib;
      }
      std::printf(
          "  %4llu MB  %-22s %7.0f MB/s of CPU time  (%4.0f MB/s wall)  peak RSS %5.1f MiB\n",
          static_cast<unsigned long long>(size), m.name, best.mb_per_cpu_s, best.mb_per_s,
          static_cast<double>(best.peak_kib) / 1024.0);
    }
  }
  return 0;
}
