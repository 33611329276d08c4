"""End-to-end: time you can trust.

A run is pinned to its slot's core: a program's four spinning threads get
no more CPU time than the wall time they run (on two or more cores they
would get about twice as much unpinned), and a run sees one allowed CPU.

A TLE near the limit (CPU time over it by less than 5 %) is judged again
once, and the report says so: a program that burns 2 % more CPU than its
limit and then answers is TLE, re-run, both runs' times in the window; a
program that spins forever is killed at the limit plus 5 % and is not
re-run; an accepted one is not re-run either. A program the wall limit
ended having used little CPU time (a sleeper, or one the rest of the
machine held off its core) is judged again once too.
"""
import json
import os
import subprocess
import sys

import pytest

import e2e_support
from e2e_support import Judged, run, write

TIMEOUT = 180
LIMIT = 0.5  # seconds of CPU, the problem's time limit

# Burns LIMIT * 1.02 s of CPU (its own, by clock()), then answers: over the
# limit, but well inside the 5 % in which the watchdog lets it finish.
NEAR_C = r"""
#include <stdio.h>
#include <time.h>
int main(void) {
  long long a, b;
  if (scanf("%lld %lld", &a, &b) != 2) return 1;
  volatile unsigned long spin = 0;
  while (clock() < (clock_t)(CLOCKS_PER_SEC * 0.51)) spin++;
  printf("%lld\n", a + b);
  return 0;
}
"""

SLEEP_C = "#include <unistd.h>\nint main(void) { sleep(30); return 0; }\n"
SPIN_C = "int main(void) { volatile unsigned long s = 0; for (;;) s++; }\n"
SUM_C = ("#include <stdio.h>\nint main(void) { long long a, b; "
         "if (scanf(\"%lld %lld\", &a, &b) != 2) return 1; printf(\"%lld\\n\", a + b); }\n")

# Four threads spin until 0.4 s of wall time have passed, then it answers.
THREADS_C = r"""
#include <pthread.h>
#include <stdio.h>
#include <time.h>
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}
static double start;
static void* spin(void* arg) {
  volatile unsigned long s = 0;
  while (now() - start < 0.4) s++;
  return arg;
}
int main(void) {
  long long a, b;
  if (scanf("%lld %lld", &a, &b) != 2) return 1;
  start = now();
  pthread_t t[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, spin, NULL);
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
  printf("%lld\n", a + b);
  return 0;
}
"""


@pytest.fixture(scope="module")
def setup(module_dir):
    pkg = os.path.join(module_dir, "nearlimit")
    write(os.path.join(pkg, "problem.yaml"), f"name: Near the limit\nlimits:\n  time_limit: {LIMIT}\n")
    write(os.path.join(pkg, "data", "secret", "1.in"), "1 2\n")
    write(os.path.join(pkg, "data", "secret", "1.ans"), "3\n")
    sources = {}
    for name, text in (("near.c", NEAR_C), ("spin.c", SPIN_C), ("sum.c", SUM_C),
                       ("threads.c", THREADS_C), ("sleep.c", SLEEP_C)):
        sources[name] = os.path.join(module_dir, "src", name)
        write(sources[name], text)
    cache = os.path.join(module_dir, "cache")
    os.makedirs(cache)
    return pkg, sources, {"PIPEJUDGE_CACHE_DIR": cache}


def judge(pipejudge, setup, module_dir, source):
    pkg, sources, env = setup
    return Judged(pipejudge, ["--problem", pkg, sources[source]], module_dir, TIMEOUT, env)


def judge_cpu_bound(pipejudge, setup, module_dir, source):
    """Judges a CPU-bound program; on a machine busy enough that its core
    gives it less than a third of its time the wall limit (1.5 s) ends it
    first, and then it is judged again (at most four times)."""
    for _ in range(4):
        judged = judge(pipejudge, setup, module_dir, source)
        assert not judged.problem, judged.problem
        test = judged.test("secret/1") or {}
        # A first run ended by the wall limit with its CPU time under the
        # limit was starved too (and so judged again).
        starved_first = (test.get("rerun_first_time") or LIMIT) < LIMIT
        if not test.get("message", "").startswith("wall time") and not starved_first:
            return judged, test
    pytest.skip("the machine is too busy: the wall limit ended every try")


def test_a_tle_near_the_limit_is_run_again_and_says_so(pipejudge, setup, module_dir):
    judged, test = judge_cpu_bound(pipejudge, setup, module_dir, "near.c")
    assert judged.report.get("verdict") == "TLE", judged.summary()
    first = test.get("rerun_first_time")
    assert first is not None, f"not re-run: {test}"
    # Both runs ended by themselves over the limit, within its 5 %.
    assert LIMIT < first < LIMIT * 1.05, test
    assert LIMIT < test["time"] < LIMIT * 1.05, test
    # The text report says so on the test's row.
    pkg, sources, env = setup
    rc, out, err = run([pipejudge, "submit", "--problem", pkg, sources["near.c"]], module_dir,
                       TIMEOUT, env)
    rows = [line for line in out.splitlines() if line.startswith("secret/1")]
    assert rc == 1 and len(rows) == 1, f"exit {rc}: {out!r} {err!r}"
    if "wall time" not in rows[0]:  # see judge_cpu_bound
        assert "TLE" in rows[0] and "re-run (first run TLE, " in rows[0], rows[0]


def test_a_tle_far_over_the_limit_is_not_run_again(pipejudge, setup, module_dir):
    judged, test = judge_cpu_bound(pipejudge, setup, module_dir, "spin.c")
    assert judged.report.get("verdict") == "TLE", judged.summary()
    assert test.get("rerun_first_time") is None, test
    # Killed at the limit plus its grace, not before.
    assert test["time"] >= LIMIT * 1.05, test


def test_a_tle_by_wall_time_with_little_cpu_is_run_again(pipejudge, setup, module_dir):
    judged = judge(pipejudge, setup, module_dir, "sleep.c")
    assert not judged.problem, judged.problem
    assert judged.report.get("verdict") == "TLE", judged.summary()
    test = judged.test("secret/1")
    assert test["message"].startswith("wall time"), test
    first = test.get("rerun_first_time")
    assert first is not None and first < LIMIT, f"not re-run: {test}"
    assert test["wall_time"] >= 1.5 and test["time"] < LIMIT, test


def test_an_accepted_run_is_not_run_again(pipejudge, setup, module_dir):
    judged = judge(pipejudge, setup, module_dir, "sum.c")
    assert not judged.problem, judged.problem
    assert judged.report.get("verdict") == "AC", judged.summary()
    assert judged.test("secret/1").get("rerun_first_time") is None


def test_threads_of_a_run_share_one_core(pipejudge, setup, module_dir):
    """Four spinning threads for 0.4 s of wall time: pinned, their CPU time
    is at most the wall time (unpinned on n cores it would be up to n times
    that), and the run may use exactly one CPU."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: pinning cannot be told from not pinning")
    judged = judge(pipejudge, setup, module_dir, "threads.c")
    assert not judged.problem, judged.problem
    test = judged.test("secret/1")
    assert judged.report.get("verdict") == "AC", judged.summary()
    assert test["time"] <= test["wall_time"] * 1.05 + 0.02, \
        f"CPU {test['time']} s in {test['wall_time']} s of wall time: not confined to one core"
    assert test["time"] >= 0.05, f"the threads did not spin: {test}"


def test_a_run_may_use_one_cpu_and_two_slots_get_different_ones(pipejudge, module_dir):
    """Two `pipejudge run`s at once (each takes a run slot of its own) each
    see one allowed CPU, and not the same one. Run slots are machine-wide:
    while other judges hold some, the two may run one after the other; only
    runs that overlapped are compared, up to three tries."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core")
    box = os.path.join(module_dir, "runbox")
    os.makedirs(box, exist_ok=True)
    script = ("grep Cpus_allowed_list /proc/self/status; date +%s.%N; sleep 1.5; date +%s.%N")
    for _ in range(3):
        procs = [subprocess.Popen([pipejudge, "run", "--dir", box, "--", "/bin/sh", "-c", script],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        runs = []
        for p in procs:
            out, err = p.communicate(timeout=TIMEOUT)
            assert p.returncode == 0, f"exit {p.returncode}: {out!r} {err!r}"
            lines = json.loads(out)["stdout"].splitlines()
            allowed = lines[0].split(":", 1)[1].strip()
            assert allowed.isdigit(), f"not one CPU: {lines[0]!r}"
            runs.append((int(allowed), float(lines[1]), float(lines[2])))
        (cpu_a, start_a, end_a), (cpu_b, start_b, end_b) = runs
        if start_a < end_b and start_b < end_a:
            assert cpu_a != cpu_b, f"two runs at once on CPU {cpu_a}"
            return
    pytest.skip("the two runs never overlapped (other judges held the run slots)")


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
