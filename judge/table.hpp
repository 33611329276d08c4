// Text formatting shared by `submit`'s live table and `results`.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace pj::judge {

// "1.9 MiB", "512 KiB".
std::string human_bytes(std::uint64_t b);

// The column header and one row of the per-test table.
void print_test_header(std::FILE* out);
void print_test_row(std::FILE* out, const std::string& name, const std::string& verdict,
                    double time, std::uint64_t memory, const std::string& note);

// Local time, "2024-05-01 12:00:03".
std::string local_time_text(double unix_seconds);

}  // namespace pj::judge
