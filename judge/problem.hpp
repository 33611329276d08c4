// A problem package in the ICPC/Kattis problem package format.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "judge/checker.hpp"

namespace pj::judge {

struct TestCase {
  std::string name;  // "sample/1", "secret/big"
  std::filesystem::path input, answer;
};

struct Problem {
  std::filesystem::path dir;
  std::string short_name;   // the directory's name
  std::string name;         // problem.yaml name (English when there are several)
  double time_limit = 1.0;  // CPU seconds
  std::uint64_t memory_bytes = 256ull << 20;
  std::uint64_t output_bytes = 8ull << 20;
  CheckerFlags checker_flags;
  std::vector<TestCase> tests;  // samples first, then secret; each sorted by name
};

// Reads DIR/problem.yaml and DIR/data. Throws ConfigError naming the file at fault.
Problem load_problem(const std::filesystem::path& dir);

}  // namespace pj::judge
