"""pipejudge as a normal user: the rootless mode (a user namespace of each
slot's own, memory sampled where no cgroup of the user's can limit it), and
the last resort, where no namespace can be made at all.

Run as root, the suite starts pipejudge as `nobody` (setpriv --reuid=nobody
--regid=nogroup --clear-groups) with a state and cache directory of its own,
the binaries and the languages table copied into a directory nobody can
read, and a copy of every bundled package. It checks that:

  - `pipejudge doctor` says it will use the user namespace mode;
  - every bundled submission of every bundled problem gets its category's
    verdict (`verify`);
  - a hostile program cannot read the answers, the judge's files or a
    secret of the user's, nor reach a socket of the host (abstract AF_UNIX,
    AF_INET to loopback) or the judge's process group, a fork bomb is
    contained, and the memory of all
    the processes of a run counts together (sampled: no cgroup);
  - the programs of tests/hostile/programs/ whose containment rests on this
    mode (answers, the host's files, signals, the network, fork and thread
    bombs, memory, memfds included) get a verdict their header allows;
  - the last resort (pipejudge under a seccomp filter that forbids every
    namespace, as a container's default profile does: deny_namespaces.c)
    refuses to judge without --insecure, and with it judges every bundled
    submission and says so in every report;
  - no process of the run is left behind.

Hostile programs run only as submissions, inside the sandbox (the last
resort runs only the bundled submissions, under a process limit). Skipped
when not root (nobody cannot be become) or when this kernel refuses
unprivileged user namespaces.
"""
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import threading

import pytest

import e2e_support
import hostile_cage

TIMEOUT = 300
NOBODY = "nobody"


def as_nobody(argv):
    return ["setpriv", f"--reuid={NOBODY}", "--regid=nogroup", "--clear-groups", *argv]


def nobody_uid():
    return pwd.getpwnam(NOBODY).pw_uid


def userns_works():
    if os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"):
        return False
    try:
        return subprocess.run(as_nobody(["unshare", "-Urpf", "--mount-proc", "true"]),
                              stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = pytest.mark.skipif(not userns_works(),
                                reason="needs root (to become nobody) and unprivileged user "
                                       "namespaces")


def nobody_processes():
    """Pids of live processes whose real uid is nobody's."""
    uid = str(nobody_uid())
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("Uid:"):
                        if line.split()[1] == uid:
                            found.add(int(entry))
                        break
        except OSError:
            continue
    return found


class Rootless:
    """The directory nobody's pipejudge lives in, and how to call it."""

    def __init__(self, pipejudge, repo_root):
        self.root = tempfile.mkdtemp(prefix="pj-rootless-")
        os.chmod(self.root, 0o755)
        # Binaries and table copied: the build directory's path may not be
        # traversable by nobody.
        self.bin = os.path.join(self.root, "bin")
        os.mkdir(self.bin)
        build = os.path.dirname(pipejudge)
        for name in ("pipejudge", "pipejudge-keeper"):
            shutil.copy2(os.path.join(build, name), os.path.join(self.bin, name))
        self.languages = os.path.join(self.root, "languages.yaml")
        shutil.copy2(os.path.join(repo_root, "judge", "engine", "languages.yaml"), self.languages)
        self.problems = os.path.join(self.root, "problems")
        shutil.copytree(os.path.join(repo_root, "problems"), self.problems)
        self.problem = os.path.join(self.problems, "aplusb")
        self.hostile_programs = os.path.join(repo_root, "tests", "hostile", "programs")
        # Straight under /tmp, where the hostile programs look for answers
        # (/tmp/*/data/*/*.ans).
        self.hostile_problem = tempfile.mkdtemp(prefix="pj-rootless-pkg-")
        shutil.copytree(os.path.join(repo_root, "tests", "hostile", "problem"),
                        self.hostile_problem, dirs_exist_ok=True)
        # The last resort's wrapper: no namespace can be made under it.
        self.deny_namespaces = os.path.join(self.bin, "deny_namespaces")
        subprocess.run(["cc", "-O2", "-o", self.deny_namespaces,
                        os.path.join(repo_root, "tests", "e2e", "deny_namespaces.c"), "-lseccomp"],
                       check=True, capture_output=True, timeout=120)
        # The user's own files: home (state, cache, slots) and a secret.
        self.home = os.path.join(self.root, "home")
        os.mkdir(self.home, 0o700)
        self.secret = os.path.join(self.home, "secret.txt")
        e2e_support.write(self.secret, "the user's secret\n")
        self.cache = os.path.join(self.home, "cache")
        self.runtime = os.path.join(self.home, "run")
        os.mkdir(self.runtime, 0o700)
        self.sources = os.path.join(self.root, "sources")
        os.mkdir(self.sources)
        uid = nobody_uid()
        for top, dirs, files in os.walk(self.home):
            for name in [top, *(os.path.join(top, n) for n in dirs + files)]:
                os.chown(name, uid, -1)
        for tree in (self.root, self.hostile_problem):
            os.chmod(tree, 0o755)
            for top, dirs, files in os.walk(tree):
                for name in dirs + files:
                    path = os.path.join(top, name)
                    if not path.startswith(self.home):
                        os.chmod(path,
                                 os.stat(path).st_mode | 0o444 | (0o111 if name in dirs else 0))

    def env(self):
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.home,
                "PIPEJUDGE_CACHE_DIR": self.cache, "XDG_RUNTIME_DIR": self.runtime,
                "XDG_STATE_HOME": os.path.join(self.home, "state"),
                "PIPEJUDGE_LANGUAGES": self.languages, "LANG": "C.UTF-8"}

    def run(self, *args, timeout=TIMEOUT, last_resort=False):
        """pipejudge as nobody; `last_resort`: where no namespace can be made
        (and under a process limit of nobody's: plain runs share its uid)."""
        wrapper = ["prlimit", "--nproc=1024", self.deny_namespaces] if last_resort else []
        argv = as_nobody(["env", "-i", *(f"{k}={v}" for k, v in self.env().items()), *wrapper,
                          os.path.join(self.bin, "pipejudge"), *args])
        return e2e_support.run(argv, self.root, timeout)

    def submit(self, name, source, problem=None, *options, last_resort=False):
        path = os.path.join(self.sources, name)
        e2e_support.write(path, source)
        os.chmod(path, 0o644)
        rc, out, err = self.run("submit", "--problem", problem or self.problem, path, "--json",
                                *options, last_resort=last_resort)
        try:
            return rc, json.loads(out), err
        except ValueError:
            return rc, None, f"stdout {e2e_support.short(out)!r}, stderr {e2e_support.short(err)}"

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)
        shutil.rmtree(self.hostile_problem, ignore_errors=True)


@pytest.fixture(scope="module")
def rootless(pipejudge, repo_root):
    before = nobody_processes()
    r = Rootless(pipejudge, repo_root)
    r.before = before
    yield r
    r.close()


# What a correct A+B needs; hostile programs compute it too, so that AC means
# "the attack found nothing".
APLUSB = """
static int answer(void) {
  long long a, b;
  if (scanf("%lld %lld", &a, &b) != 2) return 1;
  printf("%lld\\n", a + b);
  return 0;
}
"""


def test_doctor_says_user_namespace(rootless):
    rc, out, err = rootless.run("doctor", timeout=60)
    assert rc == 0, err
    assert "isolated (user namespace)" in out, out
    assert "memory              sampled" in out or "memory              the slot's cgroup" in out


def bundled_problems(rootless):
    return sorted(os.path.join(rootless.problems, p) for p in os.listdir(rootless.problems)
                  if os.path.isfile(os.path.join(rootless.problems, p, "problem.yaml")))


def check_verify(rc, out, err, problems):
    """Every bundled submission of every problem got its category's verdict."""
    assert rc == 0, f"{out}\n{err}"
    counts = re.findall(r"(\d+) of (\d+) submissions as expected", out)
    assert len(counts) == len(problems), out
    assert all(a == b for a, b in counts), out
    assert f"verify: {len(problems)} of {len(problems)} problems" in out, out
    return out.splitlines()


def test_bundled_submissions_get_their_verdicts(rootless):
    problems = bundled_problems(rootless)
    rc, out, err = rootless.run("verify", *problems, timeout=1200)
    lines = check_verify(rc, out, err, problems)
    for name in ("sol.c", "sol.cpp", "sol.py", "Main.java", "sol.go", "sol.js"):
        assert any(f"accepted/{name} " in l and " AC " in l for l in lines), (name, out)
    for category, verdict in (("wrong_answer", "WA"), ("time_limit_exceeded", "TLE"),
                              ("run_time_error", "RE"), ("memory_limit_exceeded", "MLE")):
        assert any(f"{category}/" in l and f" {verdict} " in l for l in lines), (category, out)


def test_cannot_read_answers_state_or_secrets(rootless):
    answer = os.path.join(rootless.problem, "data", "secret", "01_zero.ans")
    paths = [answer, os.path.join(rootless.problem, "problem.yaml"), rootless.secret,
             rootless.home, rootless.cache, rootless.runtime, rootless.bin]
    checks = "\n".join(f'  if (open("{p}", O_RDONLY) >= 0) return 42;' for p in paths)
    source = f"""#include <fcntl.h>
#include <stdio.h>
{APLUSB}
int main(void) {{
{checks}
  if (open("/etc/passwd", O_RDONLY) >= 0) return 43;
  if (open("/box", O_RDONLY) < 0) return 44;
  return answer();
}}
"""
    rc, report, err = rootless.submit("read_outside.c", source)
    assert report is not None, err
    assert report["verdict"] == "AC", report


def test_no_socket_to_the_host(rootless):
    # A server on loopback and one on an abstract AF_UNIX name, in the host's
    # network namespace: neither may hear from the program.
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    tcp.listen(8)
    tcp.settimeout(0.2)
    port = tcp.getsockname()[1]
    name = f"pj-rootless-{os.getpid()}"
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0" + name)
    unix.listen(8)
    unix.settimeout(0.2)
    heard = []

    def listen():
        for s in (tcp, unix):
            try:
                heard.append(s.accept())
            except OSError:
                pass

    source = f"""#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
{APLUSB}
int main(void) {{
  struct sockaddr_un un = {{0}};
  un.sun_family = AF_UNIX;
  memcpy(un.sun_path + 1, "{name}", {len(name)});
  int u = socket(AF_UNIX, SOCK_STREAM, 0);
  if (u >= 0 && connect(u, (struct sockaddr*)&un,
                        sizeof(sa_family_t) + 1 + {len(name)}) == 0) return 42;
  struct sockaddr_in in = {{0}};
  in.sin_family = AF_INET;
  in.sin_port = htons({port});
  in.sin_addr.s_addr = htonl(0x7f000001);
  int t = socket(AF_INET, SOCK_STREAM, 0);
  if (t >= 0 && connect(t, (struct sockaddr*)&in, sizeof in) == 0) return 43;
  return answer();
}}
"""
    try:
        rc, report, err = rootless.submit("net.c", source)
        listen()
    finally:
        tcp.close()
        unix.close()
    assert report is not None, err
    assert not heard, f"the program reached the host: {heard}"
    assert report["verdict"] == "RE", report
    assert "forbidden syscall socket" in str(report), report


def test_fork_bomb_is_contained(rootless):
    source = f"""#include <stdio.h>
#include <unistd.h>
{APLUSB}
int main(void) {{
  for (;;) fork();
}}
"""
    rc, report, err = rootless.submit("forkbomb.c", source)
    assert report is not None, err
    assert report["verdict"] in ("TLE", "RE"), report
    assert e2e_support.wait_for(lambda: not (nobody_processes() - rootless.before), timeout=10)


def test_cannot_signal_the_judge_through_its_process_group(rootless):
    # The program has the judge's uid: its process group must not be the judge's.
    source = f"""#include <signal.h>
#include <stdio.h>
{APLUSB}
int main(void) {{
  answer();
  fflush(stdout);
  kill(0, SIGKILL);
  return 0;
}}
"""
    rc, report, err = rootless.submit("kill_group.c", source)
    assert report is not None, f"the judge did not report (exit {rc}): {err}"
    assert report["verdict"] == "RE" and "SIGKILL" in str(report), report


def test_memory_of_all_processes_is_summed(rootless):
    # Two processes of 160 MiB each: each alone is under aplusb's 256 MiB, the
    # run is not. No cgroup here: the keeper's sampling must see the sum.
    source = f"""#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
{APLUSB}
int main(void) {{
  if (fork() < 0) return 1;
  size_t n = 160u << 20;
  volatile char* p = malloc(n);
  if (!p) return 1;
  for (size_t i = 0; i < n; i += 4096) p[i] = 1;  /* volatile: not optimised away */
  sleep(3);
  wait(NULL);
  return answer();
}}
"""
    rc, report, err = rootless.submit("two_halves.c", source)
    assert report is not None, err
    assert report["verdict"] == "MLE", report


# Programs of tests/hostile/programs/ (the root suite runs every one in its
# cage) whose containment rests on this mode itself, and legitimate ones that
# sampled memory must not fail (threads, a sparse mapping: no address-space cap).
HOSTILE = ["atk_read_answer_guess.c", "atk_read_host_secrets.c", "atk_walk_root.c",
           "atk_kill_all.c", "atk_kill_parent.c", "atk_kill_visible_pids.c",
           "net_tcp_loopback.c", "net_unix_socket_abstract.c", "priv_unshare.c",
           "proc_fork_bomb.c", "proc_thread_bomb.cpp", "proc_double_fork_escape.c",
           "mem_malloc_touch.c", "mem_children_sum.c", "mem_memfd_hidden.c",
           "mem_python_list_bomb.py", "mem_vector_doubling.cpp", "mem_sparse_mapping_legit.c",
           "mem_legit_200m.c", "legit_python_threads.py", "time_threads_spin.cpp"]


@pytest.mark.parametrize("program", HOSTILE)
def test_hostile_program(rootless, program):
    path = os.path.join(rootless.hostile_programs, program)
    allowed = hostile_cage.read_verdicts(path)
    assert allowed, f"{program} names no verdicts"
    with open(path, encoding="utf-8") as f:
        source = f.read()
    rc, report, err = rootless.submit(program, source, rootless.hostile_problem)
    assert report is not None, err
    assert report["verdict"] in allowed, (allowed, report)
    assert not report["insecure"], report


def test_last_resort_refuses_without_insecure(rootless):
    rc, out, err = rootless.run("doctor", timeout=60, last_resort=True)
    assert rc == 0, err
    assert "will use            none: judging is refused" in out, out
    assert "--insecure" in out, out
    # One submission: the judge's own failure (IE), saying what to do; the
    # program never ran.
    source = f"#include <stdio.h>\n{APLUSB}\nint main(void) {{ return answer(); }}\n"
    rc, report, err = rootless.submit("refused.c", source, last_resort=True)
    assert report is not None, err
    assert report["verdict"] == "IE" and not report["tests"], report
    assert "--insecure" in json.dumps(report), report
    # A worker (a long-running judge) does not start at all.
    rc, out, err = rootless.run("worker", "--once", timeout=60, last_resort=True)
    assert rc == 2, (rc, out, err)
    assert "cannot be isolated" in err and "--insecure" in err, err


def test_last_resort_with_insecure_judges_and_says_so(rootless):
    rc, out, err = rootless.run("doctor", "--insecure", timeout=60, last_resort=True)
    assert rc == 0, err
    assert "will use            plain (--insecure)" in out, out
    problems = bundled_problems(rootless)
    rc, out, err = rootless.run("verify", "--insecure", *problems, timeout=1200,
                                last_resort=True)
    check_verify(rc, out, err, problems)
    # Every report says so: the JSON and the text.
    source = f"#include <stdio.h>\n{APLUSB}\nint main(void) {{ return answer(); }}\n"
    rc, report, err = rootless.submit("insecure.c", source, None, "--insecure", last_resort=True)
    assert report is not None, err
    assert report["verdict"] == "AC" and report["insecure"] is True, report
    path = os.path.join(rootless.sources, "insecure.c")
    rc, out, err = rootless.run("submit", "--insecure", "--problem", rootless.problem, path,
                                last_resort=True)
    assert rc == 0, f"{out}\n{err}"
    assert "INSECURE  judged without isolation (--insecure)" in out, out


def test_nothing_left_behind(rootless):
    # Last in the module: every run of every test above has ended.
    left = nobody_processes() - rootless.before
    assert not left, [open(f"/proc/{p}/cmdline", "rb").read() for p in left if
                      os.path.exists(f"/proc/{p}")]
    keepers = [pid for pid, _, cmd in e2e_support.processes() if b"pipejudge-keeper" in cmd and
               rootless.root.encode() in cmd]
    assert not keepers


if __name__ == "__main__":
    raise SystemExit(e2e_support.run_as_script(__file__))
