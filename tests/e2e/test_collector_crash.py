#!/usr/bin/env python3
"""End-to-end: nothing is lost when the collector is killed at random moments.

Usage: python3 test_collector_crash.py <path-to-pipejudge> <repo-root>

Starts a collector and two workers on a private instance, enqueues 200
submissions of problems/aplusb (accepted C, wrong answer with and without
--all, compile error), and meanwhile kills the collector with SIGKILL 5-10
times at random moments, restarting it each time. At the end the database
must hold exactly 200 final verdicts (the expected one for each), exactly the
expected per-test rows, every event of every submission (seq 0..final with
no hole), no duplicate (submission id, seq), and an empty outbox.

The expected verdict and number of test rows of each kind come from a
reference `submit --json` run. Prints one line per check, the figures, and a
closing `N passed, M failed` line; exits 1 if any failed. Standard library only.
"""
import ctypes
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

from e2e_support import run as run_command

TOTAL = 200
PROBLEM = os.path.join("problems", "aplusb")
SUBS = os.path.join(PROBLEM, "submissions")
KINDS = {
    "AC": (os.path.join(SUBS, "accepted", "sol.c"), []),
    "WA": (os.path.join(SUBS, "wrong_answer", "off_by_one.cpp"), []),
    "WA-all": (os.path.join(SUBS, "wrong_answer", "off_by_one.cpp"), ["--all"]),
    "CE": (os.path.join(SUBS, "compile_error", "missing_header.c"), []),
}
DEADLINE = 170  # seconds for the whole run


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def report(self, label, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {label}: " + "; ".join(problems[:10]), flush=True)
        else:
            self.passed += 1
            print(f"ok   {label}", flush=True)


class Run:
    def __init__(self, pipejudge, root, state):
        self.pj = pipejudge
        self.root = root
        self.name = f"e2e-crash-{os.getpid()}"
        self.state = state
        self.collector = None
        self.log = open(os.path.join(state, "collector.log"), "ab")
        self.workers = []
        self.kills = 0
        self.lock = threading.Lock()
        self.errors = []

    def args(self):
        return ["--instance", self.name, "--state-dir", self.state]

    def start_collector(self):
        self.collector = subprocess.Popen([self.pj, "collector", *self.args()], cwd=self.root,
                                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=self.log)
        line = self.collector.stdout.readline().decode()
        if not line.startswith("ready"):
            raise RuntimeError(f"collector did not start: {line!r}")

    def kill_collector(self):
        self.collector.kill()  # SIGKILL: no chance to finish anything
        self.collector.wait()
        self.collector.stdout.close()
        self.kills += 1

    def enqueue(self, kind):
        path, extra = KINDS[kind]
        rc, out, err = run_command([self.pj, "enqueue", "--problem", PROBLEM, path, *extra,
                                    *self.args()], self.root, 120)
        if rc != 0:
            raise RuntimeError(f"enqueue: exit {rc}: {err}")
        return out.strip()

    def db(self):
        return sqlite3.connect(f"file:{os.path.join(self.state, 'results.db')}?mode=ro", uri=True,
                               timeout=30)

    def finals(self):
        try:
            with self.db() as db:
                return db.execute("SELECT count(*) FROM events WHERE type = 'final'").fetchone()[0]
        except sqlite3.Error:
            return 0

    def close(self):
        for p in self.workers + ([self.collector] if self.collector else []):
            if p.poll() is None:
                p.kill()
                p.wait()
        self.log.close()
        libc = ctypes.CDLL(None)
        for q in (f"/pipejudge-{self.name}", f"/pipejudge-{self.name}-submissions"):
            libc.mq_unlink(q.encode())


def reference(pj, root):
    """Kind -> (verdict, number of test rows), from `submit --json`."""
    expected = {}
    for kind, (path, extra) in KINDS.items():
        rc, out, err = run_command([pj, "submit", "--problem", PROBLEM, path, *extra, "--json"],
                                   root, 120)
        report = json.loads(out)
        expected[kind] = (report["verdict"], len(report["tests"]))
    return expected


def killer(run, target, done):
    """Kills and restarts the collector `target` times at random moments."""
    rng = random.Random()
    try:
        while run.kills < target and not done.is_set():
            time.sleep(rng.uniform(0.3, 2.5))
            with run.lock:
                run.kill_collector()
                time.sleep(rng.uniform(0.0, 0.6))  # events pile up in the outbox meanwhile
                run.start_collector()
    except Exception as e:
        run.errors.append(f"killer: {e}")


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} <path-to-pipejudge> <repo-root>", file=sys.stderr)
        return 2
    pj = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2])
    c = Checker()
    start = time.time()
    try:
        expected = reference(pj, root)  # also fills the compile cache
    except (ValueError, KeyError) as e:
        c.report("reference runs of submit --json", [f"{type(e).__name__}: {e}"])
        print(f"{c.passed} passed, {c.failed} failed")
        return 1
    print(f"reference: {expected}", flush=True)
    kinds = [list(KINDS)[i % len(KINDS)] for i in range(TOTAL)]
    random.shuffle(kinds)
    target_kills = random.randint(5, 10)

    with tempfile.TemporaryDirectory(prefix="pj-crash-") as state:
        run = Run(pj, root, state)
        try:
            run.start_collector()
            for slot in (0, 1):
                run.workers.append(subprocess.Popen([pj, "worker", *run.args(), "--slot", str(slot)],
                                                    cwd=root, stdin=subprocess.DEVNULL,
                                                    stdout=subprocess.DEVNULL))
            done = threading.Event()
            kill_thread = threading.Thread(target=killer, args=(run, target_kills, done))
            kill_thread.start()
            ids = {}
            try:
                for kind in kinds:
                    ids[run.enqueue(kind)] = kind
                while run.finals() < TOTAL and time.time() - start < DEADLINE:
                    time.sleep(0.3)
            finally:
                # Let the killer finish its rounds (the last restart stays up).
                while kill_thread.is_alive() and run.kills < target_kills and time.time() - start < DEADLINE:
                    time.sleep(0.2)
                done.set()
                kill_thread.join()
            # The last collector takes what the previous ones left in the outbox.
            outbox = os.path.join(state, "outbox")
            pending = lambda: [n for n in os.listdir(outbox) if n.endswith(".json")]
            while (run.finals() < TOTAL or pending()) and time.time() - start < DEADLINE:
                time.sleep(0.3)
            for w in run.workers:
                w.send_signal(signal.SIGTERM)
                w.wait(timeout=60)
            run.collector.send_signal(signal.SIGTERM)
            run.collector.wait(timeout=60)
            elapsed = time.time() - start
            log = open(os.path.join(state, "collector.log"), encoding="utf-8", errors="replace").read()

            label = f"the collector was killed with SIGKILL and restarted {target_kills} times"
            c.report(label, run.errors + ([] if run.kills == target_kills
                                          else [f"only {run.kills} kills"]))

            with run.db() as db:
                finals = db.execute("SELECT submission_id FROM events WHERE type = 'final'").fetchall()
                rows = {r[0]: r[1:] for r in db.execute(
                    "SELECT id, verdict, tests_run FROM submissions WHERE verdict IS NOT NULL")}
                test_rows = dict(db.execute(
                    "SELECT submission_id, count(*) FROM tests GROUP BY submission_id").fetchall())
                total_test_rows = db.execute("SELECT count(*) FROM tests").fetchone()[0]
                dup_events = db.execute(
                    "SELECT count(*) FROM (SELECT submission_id, seq FROM events "
                    "GROUP BY submission_id, seq HAVING count(*) > 1)").fetchone()[0]
                dup_tests = db.execute(
                    "SELECT count(*) FROM (SELECT submission_id, idx FROM tests "
                    "GROUP BY submission_id, idx HAVING count(*) > 1)").fetchone()[0]
                seqs = {}
                for sid, seq, type_ in db.execute("SELECT submission_id, seq, type FROM events"):
                    seqs.setdefault(sid, []).append((seq, type_))
                total_events = db.execute("SELECT count(*) FROM events").fetchone()[0]

            label = f"exactly {TOTAL} final verdicts, one per submission, each the expected one"
            problems = []
            final_ids = [f[0] for f in finals]
            if len(final_ids) != TOTAL or len(set(final_ids)) != TOTAL:
                problems.append(f"{len(final_ids)} final events for {len(set(final_ids))} submissions")
            if set(final_ids) != set(ids):
                problems.append(f"{len(set(ids) - set(final_ids))} submissions without a final, "
                                f"{len(set(final_ids) - set(ids))} unknown")
            wrong = [(i, ids[i], rows.get(i)) for i in ids
                     if rows.get(i, (None,))[0] != expected[ids[i]][0]]
            if wrong:
                problems.append(f"{len(wrong)} wrong verdicts, e.g. {wrong[:3]}")
            c.report(label, problems)

            want_tests = sum(expected[k][1] for k in ids.values())
            label = f"every per-test row: {total_test_rows} stored, {want_tests} expected"
            problems = []
            if total_test_rows != want_tests:
                problems.append(f"{total_test_rows} test rows, expected {want_tests}")
            off = [(i, test_rows.get(i, 0), expected[k][1]) for i, k in ids.items()
                   if test_rows.get(i, 0) != expected[k][1]]
            if off:
                problems.append(f"{len(off)} submissions with the wrong number of rows: {off[:3]}")
            c.report(label, problems)

            label = "every event of every submission, no duplicates, empty outbox"
            problems = []
            if dup_events or dup_tests:
                problems.append(f"{dup_events} duplicate events, {dup_tests} duplicate test rows")
            holes = []
            for sid in ids:
                got = sorted(seqs.get(sid, []))
                if [s for s, _ in got] != list(range(len(got))) or not got or got[-1][1] != "final":
                    holes.append((sid, got))
            if holes:
                problems.append(f"{len(holes)} submissions with missing events, e.g. {holes[:1]}")
            if pending():
                problems.append(f"{len(pending())} files left in the outbox")
            rejections = [l for l in log.splitlines() if re.search(r"\]: rejected ", l)]
            if rejections:
                problems.append("the collector rejected something: " + "; ".join(rejections)[:500])
            c.report(label, problems)

            from_outbox = sum(int(m) for m in re.findall(r"(\d+) events taken from the outbox", log))
            print(f"figures: {TOTAL} submissions, 2 workers, {run.kills} SIGKILLs of the collector; "
                  f"stored {len(set(final_ids))} finals, {total_test_rows} test rows "
                  f"(expected {want_tests}), {total_events} events, {dup_events} duplicates; "
                  f"{from_outbox} events recovered from the outbox at restarts; {elapsed:.1f} s",
                  flush=True)
        finally:
            run.close()
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
