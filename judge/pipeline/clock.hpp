// The two clocks of the pipeline: wall-clock time for what is stored and
// shown, a monotonic one for timeouts.
#pragma once

#include <chrono>

namespace pj::judge {

// Seconds since the Unix epoch (event stamps, database times).
inline double unix_seconds() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

// Seconds on a clock that never jumps (how long something has waited).
inline double monotonic_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace pj::judge
