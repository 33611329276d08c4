#include "judge/pipeline/signals.hpp"

#include <signal.h>
#include <time.h>
#include <unistd.h>

namespace pj::judge {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};

void on_stop(int sig) {
  g_signal = sig;
  g_stop = true;
}

}  // namespace

const std::atomic<bool>& stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return g_stop;
}

void sleep_until_stopped(std::chrono::nanoseconds period) {
  if (g_stop) return;
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(period);
  timespec ts{static_cast<time_t>(seconds.count()), static_cast<long>((period - seconds).count())};
  ::nanosleep(&ts, nullptr);  // EINTR: a handler ran
}

int stop_signal() {
  return g_signal;
}

void die_of_stop_signal() {
  int sig = g_signal ? g_signal.load() : SIGTERM;
  signal(sig, SIG_DFL);
  raise(sig);
  _exit(128 + sig);
}

}  // namespace pj::judge
