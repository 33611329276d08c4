// A package's input validators (input_validators/): each must accept every
// test input (exit 42), as the package format says.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "judge/engine/problem.hpp"

namespace pj::judge {

struct InputValidation {
  std::size_t programs = 0;  // input validators found
  std::size_t checked = 0;   // (validator, input) pairs run
  std::vector<std::string>
      failures;  // "<validator> rejects <test>: why", or why one cannot be used
};

// Runs every input validator of the package on every test input, in the
// sandbox as the slot's validator identity.
InputValidation validate_inputs(const Problem& p, const std::filesystem::path& cache_dir, int slot);

}  // namespace pj::judge
