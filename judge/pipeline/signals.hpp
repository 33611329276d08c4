// Stopping long-running commands cleanly on SIGTERM and SIGINT.
#pragma once

#include <atomic>
#include <chrono>

namespace pj::judge {

// Installs handlers for SIGTERM and SIGINT that set the flag returned (and
// interrupt blocking calls: no SA_RESTART). SIGPIPE is ignored.
const std::atomic<bool>& stop_on_signals();

// Sleeps for `period`, or less: a stop signal ends the sleep (where
// std::this_thread::sleep_for would sleep on after the handler ran).
void sleep_until_stopped(std::chrono::nanoseconds period);

// The signal that set the flag (0 if none).
int stop_signal();

// Dies of the signal that stopped us, as if no handler had been installed.
[[noreturn]] void die_of_stop_signal();

}  // namespace pj::judge
