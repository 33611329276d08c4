// How the judge words the failure of a program it runs for itself (a
// compiler, a validator, an interactor), from the run's one classification.
#pragma once

#include <string>

#include "sandbox/sandbox.hpp"

namespace pj::judge {

// "the compiler exceeded its limit: CPU time over 30 s", "the output
// validator failed: killed by SIGABRT", "cannot run the interactor: ...".
inline std::string program_failure(const std::string& who, const sandbox::Result& res,
                                   const sandbox::Limits& limits) {
  switch (res.ending()) {
    case sandbox::Ending::SetupFailed:
      return "cannot run " + who + ": " + res.error;
    case sandbox::Ending::CpuLimit:
    case sandbox::Ending::WallLimit:
    case sandbox::Ending::MemoryLimit:
    case sandbox::Ending::OutputLimit:
    case sandbox::Ending::ProcessLimit:
      return who + " exceeded its limit: " + sandbox::describe_ending(res, limits);
    default:
      return who + " failed: " + sandbox::describe_ending(res, limits);
  }
}

}  // namespace pj::judge
