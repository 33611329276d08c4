// The sandbox reports the right facts, never deadlocks, and leaves nothing behind.
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sandbox/sandbox.hpp"
#include "scratch_dir.hpp"

namespace fs = std::filesystem;
using namespace pj::sandbox;

namespace {

Spec shell(const std::string& script) {
  Spec s;
  s.argv = {"/bin/sh", "-c", script};
  s.env = {"PATH=/usr/bin:/bin"};
  s.limits.cpu_seconds = 2;
  s.limits.wall_seconds = 5;
  if (geteuid() == 0) {
    s.uid = 60123;
    s.gid = 60123;
  }
  return s;
}

// Processes whose command line contains `marker` (sleep arguments make good markers).
int processes_with(const std::string& marker) {
  int count = 0;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream in(std::string("/proc/") + e->d_name + "/cmdline");
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmd.find(marker) != std::string::npos) ++count;
  }
  closedir(d);
  return count;
}

struct TempDir : pj::test::ScratchDir {
  TempDir() : ScratchDir("pj-sbtest") { fs::permissions(path, fs::perms::all); }
};

}  // namespace

TEST_CASE("exit code, stdout and stderr are reported", "[sandbox]") {
  auto r = run(shell("echo out; echo err >&2; exit 7"));
  REQUIRE(r.error.empty());
  CHECK(r.exit_code == 7);
  CHECK(r.signal == 0);
  CHECK(r.stdout_data == "out\n");
  CHECK(r.stderr_data == "err\n");
  CHECK(r.output_bytes == 8);
  CHECK(r.limit == LimitHit::None);
}

TEST_CASE("stderr joined to stdout is one stream, in the order written", "[sandbox]") {
  Spec s = shell("echo out; echo err >&2; echo out2; exit 3");
  s.stderr_to_stdout = true;
  auto r = run(s);
  REQUIRE(r.error.empty());
  CHECK(r.exit_code == 3);
  CHECK(r.stdout_data == "out\nerr\nout2\n");
  CHECK(r.stderr_data.empty());
}

TEST_CASE("stdin is fed from memory and from a file", "[sandbox]") {
  Spec s = shell("cat");
  s.stdin_from = Input::data("hello\n");
  CHECK(run(s).stdout_data == "hello\n");
  TempDir dir;
  std::ofstream(dir.path / "in") << "from file\n";
  s.stdin_from = Input::file(dir.path / "in");
  CHECK(run(s).stdout_data == "from file\n");
}

TEST_CASE("a signal is reported by name", "[sandbox]") {
  auto r = run(shell("kill -SEGV $$"));
  CHECK(r.signal == SIGSEGV);
  CHECK(signal_name(r.signal) == "SIGSEGV");
  CHECK(r.exit_code == -1);
  CHECK(r.limit == LimitHit::None);
}

TEST_CASE("a self-sent SIGXCPU is not a CPU limit", "[sandbox]") {
  auto r = run(shell("kill -XCPU $$"));
  CHECK(r.signal == SIGXCPU);
  CHECK(r.limit == LimitHit::None);
}

TEST_CASE("CPU limit: a busy loop is killed at the limit", "[sandbox]") {
  Spec s = shell("while :; do :; done");
  s.limits.cpu_seconds = 0.5;
  auto r = run(s);
  CHECK(r.limit == LimitHit::Cpu);
  CHECK(r.signal == SIGKILL);
  CHECK(r.cpu_seconds >= 0.5);
  CHECK(r.cpu_seconds < 0.9);
}

TEST_CASE("CPU grace: killed only past it; a run that ends within it is over, not killed",
          "[sandbox]") {
  Spec s = shell("while :; do :; done");
  s.limits.cpu_seconds = 0.3;
  s.limits.cpu_grace_seconds = 0.3;
  auto r = run(s);
  CHECK(r.limit == LimitHit::Cpu);
  CHECK(r.killed_by_sandbox);
  CHECK(r.cpu_seconds >= 0.6);

  // Burns 0.45 s of its own CPU time, then exits 0: over 0.3, under 0.6.
  s.argv = {"/usr/bin/python3", "-S", "-c",
            "import time\nwhile time.process_time() < 0.45: pass\n"};
  r = run(s);
  INFO(r.stderr_data);
  CHECK(r.exit_code == 0);
  CHECK(r.limit == LimitHit::Cpu);
  CHECK_FALSE(r.killed_by_sandbox);
  CHECK(r.ending() == Ending::CpuLimit);
  CHECK(r.cpu_seconds > 0.45);
  CHECK(r.cpu_seconds < 0.6);
}

namespace {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  REQUIRE(sched_getaffinity(0, sizeof set, &set) == 0);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

}  // namespace

TEST_CASE("a pinned run may use its CPU only, and may not change that", "[sandbox][pinning]") {
  std::vector<int> cpus = allowed_cpus();
  for (int cpu : {cpus.front(), cpus.back()}) {
    Spec s = shell("grep Cpus_allowed_list /proc/self/status");
    s.cpu = cpu;
    auto r = run(s);
    INFO(r.error << r.stderr_data);
    CHECK(r.stdout_data == "Cpus_allowed_list:\t" + std::to_string(cpu) + "\n");
  }
  Spec s = shell("taskset -c " + std::to_string(cpus.front()) + " /bin/true");
  s.cpu = cpus.back();
  auto r = run(s);
  CHECK(r.exit_code != 0);
  CHECK(r.stderr_data.find("Operation not permitted") != std::string::npos);
  if (cpus.size() > 1) {  // unpinned: every CPU of the judge
    Spec all = shell("grep Cpus_allowed_list /proc/self/status");
    CHECK(run(all).stdout_data != "Cpus_allowed_list:\t" + std::to_string(cpus.back()) + "\n");
  }
}

TEST_CASE("a pinned run's processes together get at most one CPU", "[sandbox][pinning]") {
  std::vector<int> cpus = allowed_cpus();
  if (cpus.size() < 2) {
    WARN("skipped: one CPU, pinning cannot be told from not pinning");
    return;
  }
  // Two busy loops killed at 0.6 s of CPU: on one core that takes 0.6 s of
  // wall time; spread over two, 0.3 s.
  Spec s = shell("(while :; do :; done) & while :; do :; done");
  s.limits.cpu_seconds = 0.6;
  s.cpu = cpus.back();
  auto r = run(s);
  CHECK(r.limit == LimitHit::Cpu);
  CHECK(r.wall_seconds >= 0.9 * r.cpu_seconds);
}

TEST_CASE("a CPU that cannot exist is an error", "[sandbox][pinning]") {
  Spec s = shell("true");
  s.cpu = CPU_SETSIZE;
  CHECK(run(s).error.find("no such CPU") != std::string::npos);
}

TEST_CASE("wall limit: sleeping forever is killed at the wall limit", "[sandbox]") {
  Spec s = shell("sleep 1000.501");
  s.limits.cpu_seconds = 1;
  s.limits.wall_seconds = 0.4;
  auto start = std::chrono::steady_clock::now();
  auto r = run(s);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.limit == LimitHit::Wall);
  CHECK(r.wall_seconds >= 0.4);  // what stopped it, in the report too (the rerun rule reads it)
  CHECK(took < 0.8);
  CHECK(processes_with("1000.501") == 0);
}

TEST_CASE("memory limit: peak resident memory over the limit is reported", "[sandbox]") {
  Spec s;
  s.argv = {"/usr/bin/python3", "-c",
            "x = bytearray(120 << 20); x[::4096] = b'1' * len(x[::4096])"};
  s.env = {"PATH=/usr/bin:/bin"};
  s.limits.memory_bytes = 80ull << 20;
  auto r = run(s);
  CHECK(r.limit == LimitHit::Memory);
  s.limits.memory_bytes = 256ull << 20;
  auto ok = run(s);
  CHECK(ok.limit == LimitHit::None);
  CHECK(ok.exit_code == 0);
  CHECK(ok.memory_bytes > (100ull << 20));
}

TEST_CASE("output limit: exactly at the limit is fine, one byte over is not", "[sandbox]") {
  Spec s = shell("head -c 1000 /dev/zero");
  s.limits.output_bytes = 1000;
  auto at = run(s);
  CHECK(at.limit == LimitHit::None);
  CHECK(at.output_bytes == 1000);
  s.argv[2] = "head -c 1001 /dev/zero";
  auto over = run(s);
  CHECK(over.limit == LimitHit::Output);
}

TEST_CASE("output limit: an endless writer is stopped quickly", "[sandbox]") {
  Spec s = shell("yes");
  s.limits.output_bytes = 1 << 20;
  s.stdout_to = Output::discard();
  auto r = run(s);
  CHECK(r.limit == LimitHit::Output);
  CHECK(r.wall_seconds < 1);
}

TEST_CASE("stderr counts towards the output limit and is kept only up to a cap", "[sandbox]") {
  Spec s = shell("head -c 100000 /dev/zero >&2; echo done");
  s.stderr_to = Output::capture(100);
  auto r = run(s);
  CHECK(r.stderr_data.size() == 100);
  CHECK(r.output_bytes == 100005);
  CHECK(r.stdout_data == "done\n");
}

TEST_CASE("no deadlock: 64 MiB of input never read", "[sandbox]") {
  TempDir dir;
  {
    std::ofstream big(dir.path / "big");
    std::string mib(1 << 20, 'x');
    for (int i = 0; i < 64; ++i) big << mib;
  }
  Spec s = shell("echo ok");
  s.stdin_from = Input::file(dir.path / "big");
  auto r = run(s);
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_data == "ok\n");
  CHECK(r.wall_seconds < 1);
}

TEST_CASE("no deadlock: echoing 8 MiB back while reading", "[sandbox]") {
  TempDir dir;
  {
    std::ofstream big(dir.path / "big");
    big << std::string(8 << 20, 'y');
  }
  Spec s = shell("cat");
  s.stdin_from = Input::file(dir.path / "big");
  s.stdout_to = Output::file(dir.path / "out");
  auto r = run(s);
  CHECK(r.exit_code == 0);
  CHECK(fs::file_size(dir.path / "out") == (8u << 20));
}

TEST_CASE("an output file holds what the run wrote, nothing of what it held before", "[sandbox]") {
  TempDir dir;
  fs::path out = dir.path / "out";
  std::ofstream(out) << "a longer text from before\n";
  auto read_out = [&] {
    std::ifstream in(out);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  };
  Spec s = shell("echo 3");
  s.stdout_to = Output::file(out.string());
  REQUIRE(run(s).exit_code == 0);
  CHECK(read_out() == "3\n");
  s.argv = {"/bin/sh", "-c", "echo 12345678"};  // longer than the last: no cut needed
  REQUIRE(run(s).exit_code == 0);
  CHECK(read_out() == "12345678\n");
  s.argv = {"/bin/true"};
  REQUIRE(run(s).exit_code == 0);
  CHECK(read_out().empty());
}

TEST_CASE("no deadlock: a flood of output while the input is unread", "[sandbox]") {
  Spec s = shell("head -c 50000000 /dev/zero");
  s.stdin_from = Input::data(std::string(4 << 20, 'z'));
  s.stdout_to = Output::discard();
  s.limits.output_bytes = 0;
  auto r = run(s);
  CHECK(r.exit_code == 0);
  CHECK(r.output_bytes == 50000000);
}

TEST_CASE("every process of the run is dead and reaped when run returns", "[sandbox]") {
  auto r = run(shell("sleep 1000.601 & sleep 1000.602 & (setsid sleep 1000.603 &) ; exit 0"));
  CHECK(r.exit_code == 0);
  CHECK(processes_with("1000.60") == 0);
  // No zombie children of ours either.
  CHECK(waitpid(-1, nullptr, WNOHANG) <= 0);  // no zombie left either
}

TEST_CASE("each run starts with an empty /box and /tmp, whatever the last one left",
          "[sandbox][box]") {
  if (!protections().namespaces) {
    WARN("skipped: no private root here (plain mode)");
    return;
  }
  // Files, a fifo, a symlink, a deep tree, a directory nobody may enter, the
  // box's own mode and times changed, an extended attribute where it may be set.
  const std::string mess =
      "cd /box && echo a > f && mkfifo p && ln -s /etc s && mkdir -p d/e/f && echo b > d/e/f/g && "
      "chmod 000 d/e && echo c > /tmp/t && mkdir /tmp/u && echo d > /tmp/u/v && chmod 777 /box && "
      "touch -d 2001-01-01 /box && "
      "python3 -c 'import os; os.setxattr(\"/box\", \"user.mark\", b\"1\")' 2>/dev/null; "
      "ls -A /box /tmp | wc -l";
  const std::string look =
      "ls -A /box /tmp; stat -c '%a %Y' /box; date +%s; "
      "python3 -c 'import os; print(os.listxattr(\"/box\"))' 2>/dev/null";
  auto dirty = run(shell(mess));
  REQUIRE(dirty.exit_code == 0);
  CHECK(std::stoi(dirty.stdout_data) >= 8);  // the mess was made
  auto clean = run(shell(look));
  REQUIRE(clean.exit_code == 0);
  std::istringstream out(clean.stdout_data);
  std::string line, mode;
  long long box_time = 0, now = 0;
  std::vector<std::string> listed;
  while (std::getline(out, line) && line.find(' ') == std::string::npos && line != "")
    listed.push_back(line);  // ls prints "/box:", "/tmp:" and the entries
  CHECK(listed == std::vector<std::string>{"/box:"});
  std::getline(out, line);  // "/tmp:" after the empty line
  CHECK(line == "/tmp:");
  out >> mode >> box_time >> now;
  CHECK(mode == "700");
  CHECK(now - box_time < 60);  // not 2001
  std::getline(out, line);
  if (std::getline(out, line)) CHECK(line == "[]");  // no user.mark (python may be absent)

  // Deeper than the keeper empties by hand: the next run gets a new mount.
  std::string deep = "cd /tmp";
  for (int i = 0; i < 40; ++i) deep += " && mkdir x && cd x";
  auto deep_run = run(shell(deep + " && echo y > z && echo ok"));
  CHECK(deep_run.stdout_data == "ok\n");
  CHECK(run(shell("ls -A /tmp /box | wc -l")).stdout_data == "3\n");  // "/tmp:", "", "/box:"
}

TEST_CASE("the program's files in /box are as copied at every run, whatever the last run did",
          "[sandbox][box]") {
  if (!protections().namespaces) {
    WARN("skipped: no private root here (plain mode)");
    return;
  }
  TempDir dir;
  fs::create_directory(dir.path / "prog");
  fs::path data = dir.path / "prog" / "data";
  std::ofstream(data) << "original";
  fs::permissions(dir.path / "prog", fs::perms::all);
  fs::permissions(data, fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  auto in_box = [&](const std::string& script) {
    Spec s = shell("cd /box && " + script);
    s.files_dir = (dir.path / "prog").string();
    return run(s).stdout_data;
  };
  CHECK(in_box("cat data") == "original");
  CHECK(in_box("(echo x >> data) 2>/dev/null || echo refused") == "refused\n");
  CHECK(in_box("rm -f data; echo evil > data; cat data") == "evil\n");
  CHECK(in_box("cat data") == "original");
  CHECK(in_box("mv data moved && ls") == "moved\n");
  CHECK(in_box("ls; cat data") == "data\noriginal");
  CHECK(in_box("ln data again 2>/dev/null; mkdir d; ls") == "d\ndata\n");
  CHECK(in_box("ls; cat data") == "data\noriginal");
  // The source changes (same size): the next run sees the new bytes.
  fs::permissions(data, fs::perms::owner_write, fs::perm_options::add);
  std::ofstream(data) << "changed!";
  CHECK(in_box("cat data") == "changed!");
  // A run without the files sees none of them.
  auto bare = run(shell("ls -A /box | wc -l"));
  CHECK(bare.stdout_data == "0\n");
}

TEST_CASE("a background writer holding the pipe does not hang the judge", "[sandbox]") {
  auto r = run(shell("(while :; do echo x; sleep 0.01; done) & exit 0"));
  CHECK(r.exit_code == 0);
  CHECK(r.wall_seconds < 1);
}

TEST_CASE("no file descriptor of the judge leaks into the program", "[sandbox]") {
  int leaked = open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  REQUIRE(leaked > 2);
  auto r = run(shell("ls /proc/self/fd"));
  close(leaked);
  // 0, 1, 2 and the directory ls itself opened to list them.
  CHECK(r.stdout_data == "0\n1\n2\n3\n");
}

TEST_CASE("open files limit applies", "[sandbox]") {
  Spec s = shell("ulimit -n");
  s.limits.open_files = 17;
  CHECK(run(s).stdout_data == "17\n");
}

TEST_CASE("stack size follows the setting", "[sandbox]") {
  Spec s = shell("ulimit -s");
  s.limits.stack_bytes = 8 << 20;
  CHECK(run(s).stdout_data == "8192\n");
}

TEST_CASE("process limit applies to a run with its own uid", "[sandbox]") {
  if (geteuid() != 0) {
    WARN("skipped: needs root to run as another uid");
    return;
  }
  Spec s = shell("for i in 1 2 3 4 5 6 7 8 9 10; do sleep 1000.7 & done; wait");
  s.limits.processes = 4;
  s.limits.wall_seconds = 2;
  auto r = run(s);
  CHECK(r.stderr_data.find("fork") != std::string::npos);
  CHECK(processes_with("1000.7") == 0);
}

TEST_CASE("a command that cannot start is an error, not an exit code", "[sandbox]") {
  Spec s;
  s.argv = {"/nonexistent/program"};
  auto r = run(s);
  CHECK(!r.error.empty());
  CHECK(r.error.find("No such file") != std::string::npos);
  s.argv = {"no-such-command-anywhere"};
  CHECK(run(s).error.find("not found") != std::string::npos);
}

TEST_CASE("the result is a flat JSON record", "[sandbox]") {
  auto r = run(shell("exit 3"));
  std::string j = to_json(r);
  CHECK(j.find("\"exit_code\": 3") != std::string::npos);
  CHECK(j.find("\"limit\": null") != std::string::npos);
  CHECK(j.find("\"ending\": \"nonzero-exit\"") != std::string::npos);
}

TEST_CASE("connected runs talk to each other through two pipes", "[sandbox][connected]") {
  Spec asker = shell("echo 20; read r; echo \"got $r\" >&2; exit 0");
  Spec doubler = shell("read x; echo $((x * 2)); read more || echo eof >&2");
  if (geteuid() == 0) {
    doubler.uid = 60124;
    doubler.gid = 60124;
  }
  ConnectedResult r = run_connected(asker, doubler);
  CHECK(r.a.error.empty());
  CHECK(r.b.error.empty());
  CHECK(r.a.stderr_data == "got 40\n");
  CHECK(r.a.exit_code == 0);
  // The asker is gone, so the doubler's second read sees EOF at once.
  CHECK(r.b.stderr_data == "eof\n");
  CHECK(r.b.exit_code == 0);
  CHECK(r.b.wall_seconds < 2);
  CHECK_FALSE(r.b_ended_first);
}

TEST_CASE("connected runs: a deadlock ends at the wall limits, nothing left",
          "[sandbox][connected]") {
  Spec a = shell("read x; echo 'x 424242' >/dev/null");
  Spec b = shell("read y");
  a.limits.wall_seconds = 1;
  b.limits.wall_seconds = 3;
  auto start = std::chrono::steady_clock::now();
  ConnectedResult r = run_connected(a, b);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.a.limit == LimitHit::Wall);
  // Once a is killed, b reads EOF and ends by itself, long before its own limit.
  CHECK(r.b.limit == LimitHit::None);
  CHECK(r.b.exit_code != 0);
  CHECK(took < 2.5);
  CHECK_FALSE(r.b_ended_first);
}

TEST_CASE("connected runs: the same uid on both sides does not wait for one slot",
          "[sandbox][connected]") {
  Spec a = shell("echo hi; read r; sleep 0.2; test \"$r\" = hi");
  Spec b = shell("read r; echo $r");
  ConnectedResult r = run_connected(a, b);
  CHECK(r.a.exit_code == 0);
  CHECK(r.b.exit_code == 0);
  CHECK(r.b_ended_first);
}

TEST_CASE("connected runs: a is stopped when b ends, if the caller says so",
          "[sandbox][connected]") {
  Spec spinner = shell("while :; do :; done");
  spinner.limits.cpu_seconds = 5;
  spinner.limits.wall_seconds = 10;
  Spec quitter = shell("exit 7");
  if (geteuid() == 0) {
    quitter.uid = 60124;
    quitter.gid = 60124;
  }
  auto start = std::chrono::steady_clock::now();
  ConnectedResult r =
      run_connected(spinner, quitter, [](const Result& b) { return b.exit_code == 7; });
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.a.stopped);
  CHECK(r.a.limit == LimitHit::None);
  CHECK(r.b.exit_code == 7);
  CHECK(r.b_ended_first);
  CHECK(took < 2);

  // Not asked to: a runs into its own limit.
  spinner.limits.cpu_seconds = 0.5;
  r = run_connected(spinner, quitter, [](const Result&) { return false; });
  CHECK_FALSE(r.a.stopped);
  CHECK(r.a.limit == LimitHit::Cpu);
}
