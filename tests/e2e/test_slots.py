"""End-to-end: run slots are chosen, not configured.

Concurrent `pipejudge submit` runs take distinct run slots on their own (a
lock file per slot), so they run under distinct uids, each on a core of its
own; at most `run_slots` (the site configuration; default and at most: the
number of cores) at once on the machine, the others wait and say so; every
run gets its verdict and leaves no cgroup behind.

The probe submission spins ~0.3 s of CPU, then writes its uid, the wall
clock at its start and end and the CPUs it may run on to stderr and exits 3:
its RE report carries that stderr, from which the test reads the uids, the
cores and how many ran at once.
"""
import json
import os
import sys
import threading
import time

import pytest

import e2e_support
from e2e_support import Judged, short, write

TIMEOUT = 180

PROBE_C = r"""
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
  double start = now();
  volatile unsigned long spin = 0;
  while (clock() < CLOCKS_PER_SEC * 3 / 10) spin++;
  char line[256], cpus[128] = "?";
  FILE* status = fopen("/proc/self/status", "r");
  while (status && fgets(line, sizeof line, status))
    if (sscanf(line, "Cpus_allowed_list: %127s", cpus) == 1) break;
  fprintf(stderr, "uid %d start %.6f end %.6f cpus %s\n", (int)getuid(), start, now(), cpus);
  return 3;
}
"""

SPIN_C = "int main(void) { volatile unsigned long s = 0; for (;;) s++; }\n"
SUM_C = ("#include <stdio.h>\nint main(void) { long long a, b; "
         "if (scanf(\"%lld %lld\", &a, &b) != 2) return 1; printf(\"%lld\\n\", a + b); }\n")


@pytest.fixture(scope="module")
def setup(module_dir):
    pkg = os.path.join(module_dir, "slotprobe")
    write(os.path.join(pkg, "problem.yaml"), "name: Slot probe\nlimits:\n  time_limit: 1\n")
    write(os.path.join(pkg, "data", "secret", "1.in"), "1 2\n")
    write(os.path.join(pkg, "data", "secret", "1.ans"), "3\n")
    sources = {}
    for name, text in (("probe.c", PROBE_C), ("spin.c", SPIN_C), ("sum.c", SUM_C)):
        sources[name] = os.path.join(module_dir, "src", name)
        write(sources[name], text)
    cache = os.path.join(module_dir, "cache")
    os.makedirs(cache)
    return pkg, sources, {"PIPEJUDGE_CACHE_DIR": cache}


def submit_all(pipejudge, pkg, files, cwd, env, instance):
    """Starts one `submit --collector` per file at once, on the instance's
    running collector; returns their Judged runs. (Each submit without
    --collector makes a message queue of its own, and queue memory is
    counted per user: RLIMIT_MSGQUEUE, about ten queues by default.)"""
    results = [None] * len(files)
    instance.start_collector()
    judges.clear()
    done = threading.Event()

    def sample():  # the judging children of these runs, for the cgroup check
        while not done.is_set():
            judges.update(str(p) for p in e2e_support.judging_children(pkg))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()

    def one(i):
        results[i] = Judged(pipejudge, ["--problem", pkg, files[i], "--collector", *instance.args()],
                            cwd, TIMEOUT, env)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(files))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done.set()
    sampler.join()
    return results


judges = set()  # pids of the judging children of the last submit_all


def probe_facts(judged):
    """(uid, start, end, cpus) from a probe's report, or a problem string."""
    if judged.problem:
        return judged.problem
    test = judged.test("secret/1") or {}
    if judged.report.get("verdict") != "RE" or not (test.get("stderr") or "").startswith("uid "):
        return f"probe: expected RE with its uid on stderr, got {judged.summary()}"
    words = test["stderr"].split()
    return int(words[1]), float(words[3]), float(words[5]), words[7]


def most_at_once(intervals):
    points = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    running = peak = 0
    for _, step in points:
        running += step
        peak = max(peak, running)
    return peak


def leftover_cgroups():
    """pipejudge cgroups of the last submit_all's judges, whose owner is gone
    (names: kind-PID-N...; other suites' judges are not ours to judge)."""
    left = []
    for root in ("/sys/fs/cgroup/unified/pipejudge", "/sys/fs/cgroup/pids/pipejudge",
                 "/sys/fs/cgroup/memory/pipejudge", "/sys/fs/cgroup/cpuacct/pipejudge",
                 "/sys/fs/cgroup/pipejudge"):
        if not os.path.isdir(root):
            continue
        for name in os.listdir(root):
            parts = name.split("-")
            if len(parts) >= 3 and parts[1] in judges and not os.path.exists(f"/proc/{parts[1]}"):
                left.append(os.path.join(root, name))
    return left


def test_eight_submits_never_share_a_uid_or_a_core_at_once(pipejudge, setup, module_dir,
                                                           instance):
    """run_slots: 8, capped at the cores: eight concurrent submits of the
    probe; each ran on one core, never more at once than cores, and no two
    that ran at the same time had the same uid or the same core."""
    pkg, sources, env = setup
    site = os.path.join(module_dir, "site8.yaml")
    write(site, "run_slots: 8\n")
    runs = submit_all(pipejudge, pkg, [sources["probe.c"]] * 8, module_dir,
                      {**env, "PIPEJUDGE_CONFIG": site}, instance)
    facts = [probe_facts(j) for j in runs]
    problems = [f for f in facts if isinstance(f, str)]
    assert not problems, "; ".join(problems)
    cores = len(os.sched_getaffinity(0))
    assert all(f[3].isdigit() for f in facts), f"not one core each: {[f[3] for f in facts]}"
    peak = most_at_once([(f[1], f[2]) for f in facts])
    assert peak <= cores, f"{peak} probes ran at once on {cores} cores"
    # Runs at the same time never share a core or a uid (other suites may
    # hold slots meanwhile, so some of the 8 may run one after another).
    overlap = [(a, b) for i, a in enumerate(facts) for b in facts[i + 1:]
               if a[1] < b[2] and b[1] < a[2]]
    same_core = [(a, b) for a, b in overlap if a[3] == b[3]]
    assert not same_core, f"runs at the same time on one core: {same_core}"
    if os.geteuid() == 0:
        # With the slots capped at the cores, another judge holding one may
        # leave these runs a single slot: only runs that overlapped compare.
        shared = [(a, b) for a, b in overlap if a[0] == b[0]]
        assert not shared, f"runs at the same time under one uid: {shared}"
    assert judges, "no judging child of these runs was seen"
    assert not leftover_cgroups(), f"cgroups left behind: {leftover_cgroups()}"


def test_default_maximum_is_the_cores_and_the_others_wait(pipejudge, setup, module_dir,
                                                          instance):
    """Default run_slots (the cores): 6 probes, a TLE and an accepted submit at
    once: all get their verdicts, never more probes at once than cores, the
    waiting ones say so."""
    pkg, sources, env = setup
    cores = os.cpu_count()
    site = os.path.join(module_dir, "site_default.yaml")
    write(site, "defaults:\n  time_limit: 1\n")
    files = [sources["probe.c"]] * 6 + [sources["spin.c"], sources["sum.c"]]
    runs = submit_all(pipejudge, pkg, files, module_dir, {**env, "PIPEJUDGE_CONFIG": site},
                      instance)
    facts = [probe_facts(j) for j in runs[:6]]
    problems = [f for f in facts if isinstance(f, str)]
    for judged, want in ((runs[6], "TLE"), (runs[7], "AC")):
        if judged.problem or judged.report.get("verdict") != want:
            problems.append(f"expected {want}: {judged.problem or judged.summary()}")
    assert not problems, "; ".join(problems)
    peak = most_at_once([(f[1], f[2]) for f in facts])
    assert peak <= cores, f"{peak} probes ran at once on {cores} cores"
    if os.geteuid() == 0:
        uids = {f[0] for f in facts}
        assert uids <= set(range(60000, 60000 + cores)), f"uids {sorted(uids)}"
    waited = [j.err for j in runs if "run slots of this machine are busy" in j.err]
    assert waited, "no submit said it waited for a run slot: " + \
        short(" | ".join(j.err for j in runs), 600)
    assert judges, "no judging child of these runs was seen"
    assert not leftover_cgroups(), f"cgroups left behind: {leftover_cgroups()}"


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
