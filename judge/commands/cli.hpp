// The pipejudge command line: each subcommand registers itself on the app.
#pragma once

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>

namespace pj::judge {

// Exit statuses of every subcommand.
inline constexpr int kExitAccepted = 0;  // AC (or the command succeeded)
inline constexpr int kExitRejected = 1;  // any other verdict
inline constexpr int kExitUsage = 2;     // usage or configuration error

// A daemon's log line on stderr: "pipejudge collector[123]: message".
inline void log_line(const char* who, const std::string& message) {
  std::fprintf(stderr, "pipejudge %s[%d]: %s\n", who, static_cast<int>(getpid()), message.c_str());
  std::fflush(stderr);
}

// Each adds a subcommand whose callback stores its exit status in `status`.
void add_run_command(CLI::App& app, int& status);
void add_submit_command(CLI::App& app, int& status);
void add_collector_command(CLI::App& app, int& status);
void add_worker_command(CLI::App& app, int& status);
void add_enqueue_command(CLI::App& app, int& status);
void add_results_command(CLI::App& app, int& status);
void add_verify_command(CLI::App& app, int& status);
void add_doctor_command(CLI::App& app, int& status);
void add_languages_command(CLI::App& app, int& status);
void add_cancel_command(CLI::App& app, int& status);
void add_queue_command(CLI::App& app, int& status);
void add_grade_command(CLI::App& app, int& status);
// The server links the HTTP library, whose start (it initialises TLS) costs
// about 2 ms: it is its own program, pipejudge-serve, beside pipejudge,
// whose `serve` hands its command line over to it.
inline constexpr char kServeSummary[] =
    "HTTP API: Judge0-compatible endpoints and pipejudge's problem API";
void add_serve_command(CLI::App& app, int& status);  // pipejudge-serve only
void add_serve_handover(CLI::App& app);              // pipejudge

}  // namespace pj::judge
