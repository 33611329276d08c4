"""End-to-end: nothing is lost when the collector is killed at random moments.

One run (a module fixture) on a private instance with a collector and two
workers: enqueues 200 submissions of problems/aplusb (accepted C, wrong answer
with and without --all, compile error) and meanwhile kills the collector with
SIGKILL 5-10 times at random moments, restarting it each time. The tests then
check that the database holds exactly 200 final verdicts (the expected one
for each), exactly the expected per-test rows, every event of every
submission (seq 0..final with no hole), no duplicate (submission id, seq), and
that the outbox is empty.

The expected verdict and number of test rows of each kind come from a
reference `submit --json` run.
"""
import json
import os
import random
import re
import signal
import sqlite3
import sys
import threading
import time

import pytest

import e2e_support
from e2e_support import run

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


def reference(pj, root):
    """Kind -> (verdict, number of test rows), from `submit --json`."""
    expected = {}
    for kind, (path, extra) in KINDS.items():
        rc, out, err = run([pj, "submit", "--problem", PROBLEM, path, *extra, "--json"], root, 120)
        try:
            report = json.loads(out)
            expected[kind] = (report["verdict"], len(report["tests"]))
        except (ValueError, KeyError) as e:
            pytest.fail(f"reference run of submit --json for {kind}: {type(e).__name__}: {e} "
                        f"(exit {rc}, stderr {err.strip()!r})", pytrace=False)
    return expected


class Killer:
    """Kills and restarts the instance's collector `target` times at random moments."""

    def __init__(self, inst, target):
        self.inst = inst
        self.target = target
        self.kills = 0
        self.errors = []
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run)

    def run(self):
        rng = random.Random()
        try:
            while self.kills < self.target and not self.done.is_set():
                time.sleep(rng.uniform(0.3, 2.5))
                self.inst.stop_collector(signal.SIGKILL)  # no chance to finish anything
                self.kills += 1
                time.sleep(rng.uniform(0.0, 0.6))  # events pile up in the outbox meanwhile
                self.inst.start_collector()
        except Exception as e:
            self.errors.append(f"killer: {e}")


@pytest.fixture(scope="module")
def crash_run(pipejudge, repo_root, module_instances):
    """The whole run; a dict of what the checks need."""
    start = time.time()
    expected = reference(pipejudge, repo_root)  # also fills the compile cache
    print(f"reference: {expected}")
    kinds = [list(KINDS)[i % len(KINDS)] for i in range(TOTAL)]
    random.shuffle(kinds)
    inst = module_instances.new()

    def finals():
        try:
            with inst.db() as db:
                return db.execute("SELECT count(*) FROM events WHERE type = 'final'").fetchone()[0]
        except sqlite3.Error:  # no database yet
            return 0

    inst.start_collector()
    for slot in (0, 1):
        inst.start_worker("--slot", str(slot))
    killer = Killer(inst, random.randint(5, 10))
    killer.thread.start()
    ids = {}
    try:
        for kind in kinds:
            path, extra = KINDS[kind]
            ids[inst.enqueue(PROBLEM, path, *extra)] = kind
        while finals() < TOTAL and time.time() - start < DEADLINE:
            time.sleep(0.3)
    finally:
        # Let the killer finish its rounds (the last restart stays up).
        while killer.thread.is_alive() and killer.kills < killer.target and time.time() - start < DEADLINE:
            time.sleep(0.2)
        killer.done.set()
        killer.thread.join()
    # The last collector takes what the previous ones left in the outbox.
    while (finals() < TOTAL or inst.outbox_pending()) and time.time() - start < DEADLINE:
        time.sleep(0.3)
    for w in inst.workers:
        w.send_signal(signal.SIGTERM)
        w.wait(timeout=60)
    inst.collector.send_signal(signal.SIGTERM)
    inst.collector.wait(timeout=60)
    elapsed = time.time() - start

    with inst.db() as db:
        got = dict(
            finals=[r[0] for r in db.execute("SELECT submission_id FROM events WHERE type = 'final'")],
            rows={r[0]: r[1:] for r in db.execute(
                "SELECT id, verdict, tests_run FROM submissions WHERE verdict IS NOT NULL")},
            test_rows=dict(db.execute(
                "SELECT submission_id, count(*) FROM tests GROUP BY submission_id").fetchall()),
            total_test_rows=db.execute("SELECT count(*) FROM tests").fetchone()[0],
            dup_events=db.execute(
                "SELECT count(*) FROM (SELECT submission_id, seq FROM events "
                "GROUP BY submission_id, seq HAVING count(*) > 1)").fetchone()[0],
            dup_tests=db.execute(
                "SELECT count(*) FROM (SELECT submission_id, idx FROM tests "
                "GROUP BY submission_id, idx HAVING count(*) > 1)").fetchone()[0],
            seqs={},
            total_events=db.execute("SELECT count(*) FROM events").fetchone()[0])
        for sid, seq, type_ in db.execute("SELECT submission_id, seq, type FROM events"):
            got["seqs"].setdefault(sid, []).append((seq, type_))
    log = inst.collector_log()
    from_outbox = sum(int(m) for m in re.findall(r"(\d+) events taken from the outbox", log))
    want_tests = sum(expected[k][1] for k in ids.values())
    print(f"figures: {TOTAL} submissions, 2 workers, {killer.kills} SIGKILLs of the collector; "
          f"stored {len(set(got['finals']))} finals, {got['total_test_rows']} test rows "
          f"(expected {want_tests}), {got['total_events']} events, {got['dup_events']} duplicates; "
          f"{from_outbox} events recovered from the outbox at restarts; {elapsed:.1f} s")
    return dict(got, expected=expected, ids=ids, killer=killer, log=log, want_tests=want_tests,
                pending=inst.outbox_pending())


def test_the_collector_was_killed_and_restarted(crash_run):
    killer = crash_run["killer"]
    problems = killer.errors + ([] if killer.kills == killer.target
                                else [f"only {killer.kills} of {killer.target} kills"])
    assert not problems, "; ".join(problems)


def test_one_expected_final_verdict_per_submission(crash_run):
    """Exactly TOTAL final verdicts, one per submission, each the expected one."""
    ids, expected, rows = crash_run["ids"], crash_run["expected"], crash_run["rows"]
    final_ids = crash_run["finals"]
    problems = []
    if len(final_ids) != TOTAL or len(set(final_ids)) != TOTAL:
        problems.append(f"{len(final_ids)} final events for {len(set(final_ids))} submissions")
    if set(final_ids) != set(ids):
        problems.append(f"{len(set(ids) - set(final_ids))} submissions without a final, "
                        f"{len(set(final_ids) - set(ids))} unknown")
    wrong = [(i, ids[i], rows.get(i)) for i in ids if rows.get(i, (None,))[0] != expected[ids[i]][0]]
    if wrong:
        problems.append(f"{len(wrong)} wrong verdicts, e.g. {wrong[:3]}")
    assert not problems, "; ".join(problems)


def test_every_per_test_row(crash_run):
    ids, expected, test_rows = crash_run["ids"], crash_run["expected"], crash_run["test_rows"]
    total, want = crash_run["total_test_rows"], crash_run["want_tests"]
    problems = []
    if total != want:
        problems.append(f"{total} test rows, expected {want}")
    off = [(i, test_rows.get(i, 0), expected[k][1]) for i, k in ids.items()
           if test_rows.get(i, 0) != expected[k][1]]
    if off:
        problems.append(f"{len(off)} submissions with the wrong number of rows: {off[:3]}")
    assert not problems, "; ".join(problems)


def test_every_event_no_duplicates_empty_outbox(crash_run):
    problems = []
    if crash_run["dup_events"] or crash_run["dup_tests"]:
        problems.append(f"{crash_run['dup_events']} duplicate events, "
                        f"{crash_run['dup_tests']} duplicate test rows")
    holes = []
    for sid in crash_run["ids"]:
        got = sorted(crash_run["seqs"].get(sid, []))
        if [s for s, _ in got] != list(range(len(got))) or not got or got[-1][1] != "final":
            holes.append((sid, got))
    if holes:
        problems.append(f"{len(holes)} submissions with missing events, e.g. {holes[:1]}")
    if crash_run["pending"]:
        problems.append(f"{len(crash_run['pending'])} files left in the outbox")
    rejections = [l for l in crash_run["log"].splitlines() if re.search(r"\]: rejected ", l)]
    if rejections:
        problems.append("the collector rejected something: " + "; ".join(rejections)[:500])
    assert not problems, "; ".join(problems)


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
