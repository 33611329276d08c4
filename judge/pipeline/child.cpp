#include "judge/pipeline/child.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "sandbox/fd.hpp"
#include "sandbox/sandbox.hpp"

namespace bp = boost::process;

namespace pj::judge {

struct ChildProcess::Impl {
  bp::ipstream out;
  bp::opstream in;
  bp::child child;
  sandbox::UniqueFd pidfd;  // opened the first time it is waited for
  bool reaped = false;
  int status = 0;
};

namespace {

std::string self_exe() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

// Runs in the child between fork and exec.
auto die_with_parent(pid_t parent) {
  return bp::extend::on_exec_setup = [parent](auto&) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);  // the parent died before prctl
  };
}

}  // namespace

ChildProcess::ChildProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ChildProcess::ChildProcess(ChildProcess&&) noexcept = default;
ChildProcess& ChildProcess::operator=(ChildProcess&&) noexcept = default;

ChildProcess::~ChildProcess() {
  if (impl_ && !impl_->reaped && impl_->child.valid()) {
    std::error_code ec;
    impl_->child.terminate(ec);
    impl_->child.wait(ec);
  }
}

ChildProcess ChildProcess::spawn_self(const std::vector<std::string>& args, Stdout out,
                                      bool pipe_stdin) {
  auto impl = std::make_unique<Impl>();
  std::error_code ec;
  std::string exe = self_exe();
  pid_t parent = getpid();
  // stdin inherited unless piped; stdout as asked.
  auto start = [&](auto&&... redirects) {
    if (pipe_stdin)
      impl->child = bp::child(exe, bp::args(args), redirects..., bp::std_in < impl->in,
                              die_with_parent(parent), ec);
    else
      impl->child = bp::child(exe, bp::args(args), redirects..., die_with_parent(parent), ec);
  };
  switch (out) {
    case Stdout::Inherit:
      start();
      break;
    case Stdout::Null:
      start(bp::std_out > bp::null);
      break;
    case Stdout::Pipe:
      start(bp::std_out > impl->out);
      break;
  }
  if (ec) throw std::runtime_error("cannot start " + exe + ": " + ec.message());
  return ChildProcess(std::move(impl));
}

ChildProcess ChildProcess::fork_call(const std::function<int()>& body, Stdout out) {
  if (out == Stdout::Pipe) throw std::logic_error("fork_call: no stdout pipe");
  sandbox::UniqueFd null(out == Stdout::Null ? open("/dev/null", O_WRONLY | O_CLOEXEC) : -1);
  std::fflush(stdout);  // what we printed is not the child's to print again
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);
    // As an exec would: our handlers (a stop flag) are not the child's.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD}) signal(sig, SIG_DFL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (null) dup2(null.get(), STDOUT_FILENO);
    int status = 1;
    try {
      status = body();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "pipejudge: %s\n", e.what());
    } catch (...) {
      std::fprintf(stderr, "pipejudge: unknown exception\n");
    }
    // As the end of main would: the sandbox closes its slots at exit.
    std::exit(status);
  }
  auto impl = std::make_unique<Impl>();
  impl->child = bp::child(bp::child::child_handle(pid));
  return ChildProcess(std::move(impl));
}

pid_t ChildProcess::pid() const {
  return impl_->child.id();
}

bool ChildProcess::running() {
  if (impl_->reaped) return false;
  std::error_code ec;
  if (impl_->child.running(ec)) return true;
  impl_->reaped = true;
  impl_->status = impl_->child.native_exit_code();
  return false;
}

bool ChildProcess::exited_within(double seconds) {
  if (!running()) return true;
  if (!impl_->pidfd) impl_->pidfd.reset(static_cast<int>(syscall(SYS_pidfd_open, pid(), 0)));
  if (impl_->pidfd) {
    // A signal (a second SIGTERM, say) does not cut the wait short.
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      pollfd p{impl_->pidfd.get(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::max<long>(0, left.count()))) >= 0 || errno != EINTR)
        break;
    }
  } else {  // a kernel without pidfds: a poll
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (running() && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return !running();
}

void ChildProcess::wait() {
  if (impl_->reaped) return;
  std::error_code ec;
  impl_->child.wait(ec);
  impl_->reaped = true;
  impl_->status = impl_->child.native_exit_code();
}

void ChildProcess::stop(int sig, double seconds) {
  if (!running()) return;
  ::kill(pid(), sig);
  if (!exited_within(seconds)) ::kill(pid(), SIGKILL);
  wait();
}

std::optional<std::string> ChildProcess::read_line() {
  std::string line;
  if (!std::getline(impl_->out, line)) return std::nullopt;
  return line;
}

bool ChildProcess::line_within(double seconds) {
  if (impl_->out.rdbuf()->in_avail() > 0) return true;
  pollfd p{impl_->out.pipe().native_source(), POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(seconds * 1000)) > 0;
}

bool ChildProcess::write_line(const std::string& line) {
  impl_->in << line << '\n';
  impl_->in.flush();
  return static_cast<bool>(impl_->in);
}

void ChildProcess::close_stdin() {
  impl_->in.pipe().close();
}

int ChildProcess::wait_status() const {
  return impl_->status;
}

bool ChildProcess::succeeded() const {
  return impl_->reaped && WIFEXITED(impl_->status) && WEXITSTATUS(impl_->status) == 0;
}

std::string ChildProcess::describe_exit() const {
  if (!impl_->reaped) return "still running";
  if (WIFSIGNALED(impl_->status))
    return "killed by " + sandbox::signal_name(WTERMSIG(impl_->status));
  return "exited with status " + std::to_string(WEXITSTATUS(impl_->status));
}

}  // namespace pj::judge
