// Programs of a problem package that the judge runs itself (custom output
// validators, interactors, input validators): compiled like submissions and
// cached, run in the sandbox under the package's validation limits.
#pragma once

#include <filesystem>
#include <string>

#include "judge/engine/compile.hpp"
#include "judge/engine/problem.hpp"
#include "judge/engine/workspace.hpp"
#include "sandbox/sandbox.hpp"

namespace pj::judge {

// What a package program may say on stdout that is kept.
inline constexpr std::size_t kMaxProgramMessage = 1024;

// Compiles a program of the package (a source file, a directory of sources,
// or a directory with `build`/`run` scripts) into <workspace>/<name>, cached
// like submissions; throws std::runtime_error saying why it cannot be used.
CompileResult compile_package_program(const std::filesystem::path& path, Workspace& ws,
                                      const std::filesystem::path& cache_dir,
                                      const std::string& name);

// How a program of the package runs: in `box`, as `id`, with the package's
// validation limits.
sandbox::Spec package_program_spec(const Problem& p, const CompileResult& program,
                                   const std::filesystem::path& box, const RunIdentity& id);

}  // namespace pj::judge
