#!/usr/bin/env python3
"""How close `pipejudge grade` comes to the machine's judging capacity.

    bench/bench_grade.py [PIPEJUDGE] [SUBMISSIONS] [TESTS] [MS] [WORKERS]
    (defaults: build/pipejudge 100 20 10 the run slots)

Builds a problem of TESTS tests, each a run that burns MS ms of CPU, and a
class of SUBMISSIONS students who all hand in the same accepted C program
(compiled once: the cache), then times `pipejudge grade` on its own
instance. The floor is the runs' CPU time shared among the workers:
(sum of every test's CPU time) / WORKERS. Prints the wall time, the floor
and their ratio (the goal: within 1.1x), and the time per test above it.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

SOLUTION = r"""
#include <stdio.h>
#include <time.h>
int main(void) {
  long ms;
  if (scanf("%ld", &ms) != 1) return 1;
  volatile unsigned long spin = 0;
  while (clock() < (clock_t)ms * (CLOCKS_PER_SEC / 1000)) spin++;
  printf("%ld\n", ms);
  return 0;
}
"""


def main():
    args = sys.argv[1:]
    pipejudge = os.path.abspath(args[0] if args else "build/pipejudge")
    submissions = int(args[1]) if len(args) > 1 else 100
    tests = int(args[2]) if len(args) > 2 else 20
    ms = int(args[3]) if len(args) > 3 else 10
    workers = int(args[4]) if len(args) > 4 else os.cpu_count()
    root = tempfile.mkdtemp(prefix="pj-bench-grade-")
    try:
        problem = os.path.join(root, "problems", "spin")
        os.makedirs(os.path.join(problem, "data", "secret"))
        with open(os.path.join(problem, "problem.yaml"), "w") as f:
            f.write("name: Spin\nlimits:\n  time_limit: 2\n")
        for t in range(tests):
            for ext, text in ((".in", f"{ms}\n"), (".ans", f"{ms}\n")):
                with open(os.path.join(problem, "data", "secret", f"{t:02d}{ext}"), "w") as f:
                    f.write(text)
        for s in range(submissions):
            os.makedirs(os.path.join(root, "class", f"s{s:03d}"))
            with open(os.path.join(root, "class", f"s{s:03d}", "spin.c"), "w") as f:
                f.write(SOLUTION)
        argv = [pipejudge, "grade", os.path.join(root, "class"), "--problems",
                os.path.join(root, "problems"), "--out", os.path.join(root, "out"), "--jobs",
                str(workers), "--instance", f"bench-grade-{os.getpid()}", "--state-dir",
                os.path.join(root, "state"), "--cache-dir", os.path.join(root, "cache")]
        # The clock covers all of grade: its start, the one compile (the cache
        # serves the other submissions), the judging and the reports.
        start = time.monotonic()
        done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall = time.monotonic() - start
        if done.returncode != 0:
            sys.exit(f"grade exited {done.returncode}")
        with open(os.path.join(root, "out", "results.json")) as f:
            results = json.load(f)
        cpu = sum(t["time"] for s in results["submissions"] for t in s["report"]["tests"])
        verdicts = {s["report"]["verdict"] for s in results["submissions"]}
        floor = cpu / workers
        runs = submissions * tests
        print(f"grade: {submissions} submissions x {tests} tests of {ms} ms CPU, "
              f"{workers} workers, verdicts {sorted(verdicts)}")
        print(f"  wall {wall:.2f} s, runs' CPU {cpu:.2f} s, floor (CPU / workers) {floor:.2f} s")
        print(f"  ratio wall / floor {wall / floor:.2f}x (goal 1.1x); "
              f"{1000 * (wall - floor) * workers / runs:.2f} ms per test above the floor")
    finally:
        import ctypes
        libc = ctypes.CDLL(None)
        for q in (f"/pipejudge-bench-grade-{os.getpid()}",
                  f"/pipejudge-bench-grade-{os.getpid()}-submissions"):
            libc.mq_unlink(q.encode())
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
