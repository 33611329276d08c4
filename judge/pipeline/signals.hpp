// Stopping long-running commands cleanly on SIGTERM and SIGINT.
#pragma once

#include <atomic>

namespace pj::judge {

// Installs handlers for SIGTERM and SIGINT that set the flag returned (and
// interrupt blocking calls: no SA_RESTART). SIGPIPE is ignored.
const std::atomic<bool>& stop_on_signals();

// The signal that set the flag (0 if none).
int stop_signal();

// Dies of the signal that stopped us, as if no handler had been installed.
[[noreturn]] void die_of_stop_signal();

}  // namespace pj::judge
