// One classification of how a run ended, and its words.
#include <signal.h>

#include <catch2/catch.hpp>
#include <string>

#include "sandbox/sandbox.hpp"

using namespace pj::sandbox;

namespace {

Result exited(int code) {
  Result r;
  r.exit_code = code;
  return r;
}

Result signalled(int sig) {
  Result r;
  r.signal = sig;
  r.killed_by_sandbox = false;
  return r;
}

Result at_limit(LimitHit l) {
  Result r = signalled(SIGKILL);
  r.limit = l;
  r.killed_by_sandbox = true;
  return r;
}

Limits limits() {
  Limits l;
  l.cpu_seconds = 1;
  l.wall_seconds = 0;  // derived: 2 s
  l.memory_bytes = 256ull << 20;
  l.output_bytes = 8388608;
  return l;
}

}  // namespace

TEST_CASE("ending: exit code 0 within every limit is Exited", "[sandbox][ending]") {
  Result r = exited(0);
  CHECK(r.ending() == Ending::Exited);
  CHECK(r.ok());
  CHECK(describe_ending(r, limits()).empty());
}

TEST_CASE("ending: the ladder's order", "[sandbox][ending]") {
  SECTION("a setup error comes before everything") {
    Result r = at_limit(LimitHit::Cpu);
    r.forbidden_syscall = "ptrace";
    r.error = "exec failed for /x: No such file or directory";
    CHECK(r.ending() == Ending::SetupFailed);
    CHECK_FALSE(r.ok());
  }
  SECTION("a limit comes before a signal, a forbidden syscall and an exit code") {
    Result r = at_limit(LimitHit::Memory);
    CHECK(r.ending() == Ending::MemoryLimit);
    r.forbidden_syscall = "ptrace";
    r.exit_code = 3;
    CHECK(r.ending() == Ending::MemoryLimit);
  }
  SECTION("a forbidden syscall with SIGSYS is ForbiddenSyscall, not Signalled") {
    Result r = signalled(SIGSYS);
    r.forbidden_syscall = "ptrace";
    CHECK(r.ending() == Ending::ForbiddenSyscall);
  }
  SECTION("a signal comes before an exit code") {
    Result r = signalled(SIGSEGV);
    r.exit_code = 3;
    CHECK(r.ending() == Ending::Signalled);
  }
  SECTION("an exit code other than 0") {
    CHECK(exited(3).ending() == Ending::NonzeroExit);
    CHECK(Result().ending() == Ending::NonzeroExit);  // never exited: -1
    CHECK_FALSE(exited(3).ok());
  }
  SECTION("each limit has its own ending") {
    CHECK(at_limit(LimitHit::Cpu).ending() == Ending::CpuLimit);
    CHECK(at_limit(LimitHit::Wall).ending() == Ending::WallLimit);
    CHECK(at_limit(LimitHit::Output).ending() == Ending::OutputLimit);
    CHECK(at_limit(LimitHit::Processes).ending() == Ending::ProcessLimit);
    CHECK(at_limit(LimitHit::None).ending() == Ending::Signalled);
  }
}

TEST_CASE("ending: names", "[sandbox][ending]") {
  CHECK(std::string(ending_name(Ending::Exited)) == "exited");
  CHECK(std::string(ending_name(Ending::SetupFailed)) == "setup-failed");
  CHECK(std::string(ending_name(Ending::CpuLimit)) == "cpu-limit");
  CHECK(std::string(ending_name(Ending::WallLimit)) == "wall-limit");
  CHECK(std::string(ending_name(Ending::MemoryLimit)) == "memory-limit");
  CHECK(std::string(ending_name(Ending::OutputLimit)) == "output-limit");
  CHECK(std::string(ending_name(Ending::ProcessLimit)) == "process-limit");
  CHECK(std::string(ending_name(Ending::ForbiddenSyscall)) == "forbidden-syscall");
  CHECK(std::string(ending_name(Ending::Signalled)) == "signalled");
  CHECK(std::string(ending_name(Ending::NonzeroExit)) == "nonzero-exit");
}

TEST_CASE("ending: in words, naming the limit crossed", "[sandbox][ending]") {
  Limits l = limits();
  Result setup;
  setup.error = "exec failed for /x: No such file or directory";
  CHECK(describe_ending(setup, l) == setup.error);
  CHECK(describe_ending(at_limit(LimitHit::Cpu), l) == "CPU time over 1 s");
  CHECK(describe_ending(at_limit(LimitHit::Wall), l) == "wall time over 2 s (sleeping or blocked)");
  CHECK(describe_ending(at_limit(LimitHit::Memory), l) == "peak memory over 256 MiB");
  CHECK(describe_ending(at_limit(LimitHit::Output), l) == "output over 8388608 bytes");
  CHECK(describe_ending(at_limit(LimitHit::Processes), l) == "too many processes or threads");
  Result sys = signalled(SIGSYS);
  sys.forbidden_syscall = "ptrace";
  CHECK(describe_ending(sys, l) == "forbidden syscall ptrace");
  CHECK(describe_ending(signalled(SIGSEGV), l) == "killed by SIGSEGV");
  CHECK(describe_ending(exited(3), l) == "exit code 3");

  SECTION("seconds as %.3g") {
    l.cpu_seconds = 0.5;  // wall derived: 1.5 s
    CHECK(describe_ending(at_limit(LimitHit::Cpu), l) == "CPU time over 0.5 s");
    CHECK(describe_ending(at_limit(LimitHit::Wall), l) ==
          "wall time over 1.5 s (sleeping or blocked)");
    l.wall_seconds = 2.25;
    CHECK(describe_ending(at_limit(LimitHit::Wall), l) ==
          "wall time over 2.25 s (sleeping or blocked)");
  }
}

TEST_CASE("ending: to_json names it", "[sandbox][ending]") {
  CHECK(to_json(exited(0)).find("\"ending\": \"exited\"") != std::string::npos);
  CHECK(to_json(at_limit(LimitHit::Wall)).find("\"ending\": \"wall-limit\"") != std::string::npos);
}
