"""pipejudge as a normal user: the rootless mode (a user namespace of each
slot's own, memory sampled where no cgroup of the user's can limit it).

Run as root, the suite starts pipejudge as `nobody` (setpriv --reuid=nobody
--regid=nogroup --clear-groups) with a state and cache directory of its own,
the binaries and the languages table copied into a directory nobody can
read, and a copy of the aplusb package. It checks that:

  - `pipejudge doctor` says it will use the user namespace mode;
  - every bundled aplusb submission gets its category's verdict (`verify`);
  - a hostile program cannot read the answers, the judge's files or a
    secret of the user's, nor reach a socket of the host (abstract AF_UNIX,
    AF_INET to loopback) or the judge's process group, a fork bomb is
    contained, and the memory of all
    the processes of a run counts together (sampled: no cgroup);
  - no process of the run is left behind.

Hostile programs run only as submissions, inside the sandbox. Skipped when
not root (nobody cannot be become) or when this kernel refuses unprivileged
user namespaces.
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
        self.problem = os.path.join(self.root, "problems", "aplusb")
        shutil.copytree(os.path.join(repo_root, "problems", "aplusb"), self.problem)
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
        for top, dirs, files in os.walk(self.root):
            for name in dirs + files:
                path = os.path.join(top, name)
                if not path.startswith(self.home):
                    os.chmod(path, os.stat(path).st_mode | 0o444 | (0o111 if name in dirs else 0))

    def env(self):
        return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": self.home,
                "PIPEJUDGE_CACHE_DIR": self.cache, "XDG_RUNTIME_DIR": self.runtime,
                "XDG_STATE_HOME": os.path.join(self.home, "state"),
                "PIPEJUDGE_LANGUAGES": self.languages, "LANG": "C.UTF-8"}

    def run(self, *args, timeout=TIMEOUT):
        argv = as_nobody(["env", "-i", *(f"{k}={v}" for k, v in self.env().items()),
                          os.path.join(self.bin, "pipejudge"), *args])
        return e2e_support.run(argv, self.root, timeout)

    def submit(self, name, source):
        path = os.path.join(self.sources, name)
        e2e_support.write(path, source)
        os.chmod(path, 0o644)
        rc, out, err = self.run("submit", "--problem", self.problem, path, "--json")
        try:
            return rc, json.loads(out), err
        except ValueError:
            return rc, None, f"stdout {e2e_support.short(out)!r}, stderr {e2e_support.short(err)}"

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


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


def test_bundled_submissions_get_their_verdicts(rootless):
    rc, out, err = rootless.run("verify", rootless.problem, timeout=900)
    assert rc == 0, f"{out}\n{err}"
    counts = re.search(r"(\d+) of (\d+) submissions as expected", out)
    assert counts and counts.group(1) == counts.group(2), out
    lines = out.splitlines()
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
