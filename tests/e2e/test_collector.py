"""End-to-end: the results collector, workers, `enqueue`, `results` and
`submit --collector`, through real POSIX message queues and SQLite.

Each test on fresh instances (conftest's `instance`/`instances`: a private
instance name and state directory), except the four that share one running
collector and two workers (`running_instance`):
  * a collector whose database cannot be opened fails at start (exit 2, the
    path and the reason on stderr); a second collector on an instance is refused;
  * workers judge enqueued submissions; `results` lists them with the right
    verdicts, `results ID` shows the tests and the compiler output, --json too;
  * a compile error with a large compiler output (2 MB from the compiler, of
    which the judge keeps what compile.hpp's kMaxDiagnostics allows; far over
    the 8 KiB message limit) is stored whole: byte for byte what
    `submit --json` reports for the same source;
  * the collector started after the workers finished ends with every verdict;
  * malformed messages (not JSON, unknown type, too large, another uid) and a
    malformed outbox file are logged with the reason and skipped, and the
    collector keeps running;
  * a queue left by a collector killed with SIGKILL is reused and the events
    in it stored;
  * `submit --collector` stores its result in the instance's database, with the
    same report and exit status as a private run; without a running collector
    it is a usage error;
  * a worker killed mid-run (SIGSEGV) ends as IE "worker killed by SIGSEGV",
    in `submit`'s report and in the database;
  * SIGTERM stops the workers and the collector cleanly (exit 0).
"""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

import e2e_support
from e2e_support import event, mq_send, short, wait_for, write

PROBLEM = os.path.join("problems", "aplusb")
SUBS = os.path.join(PROBLEM, "submissions")
ACCEPTED = os.path.join(SUBS, "accepted", "sol.c")
WRONG = os.path.join(SUBS, "wrong_answer", "off_by_one.cpp")
SYNTAX = os.path.join(SUBS, "compile_error", "syntax.cpp")


def test_collector_with_a_database_it_cannot_open_fails_at_start(instance, state_dir):
    garbage = os.path.join(state_dir, "garbage.db")
    write(garbage, b"this is not sqlite" * 1000)
    cases = [("missing directory", os.path.join(state_dir, "no", "such", "dir", "r.db"), "no directory"),
             ("not a database", garbage, "not a database")]
    problems = []
    for what, db, reason in cases:
        rc, out, err = instance.run("collector", *instance.args(), "--db", db, timeout=30)
        if rc != 2:
            problems.append(f"{what}: exit {rc}, expected 2")
        if db not in err or reason not in err:
            problems.append(f"{what}: stderr does not name {db} and '{reason}': {short(err, 400)!r}")
        if out:
            problems.append(f"{what}: printed {short(out, 400)!r} (a 'ready' line?)")
    assert not problems, "; ".join(problems)


def test_a_second_collector_on_the_same_instance_is_refused(instance):
    instance.start_collector()
    rc, out, err = instance.run("collector", *instance.args(), timeout=30)
    assert rc == 2 and "another collector" in err, f"exit {rc}, stderr {short(err, 400)!r}"
    assert instance.collector.poll() is None, "the first collector died"


# --- one running collector and two workers, shared by the next four tests ----

def big_ce_source(tmp):
    path = os.path.join(tmp, "many_errors.cpp")
    with open(path, "w") as f:
        f.write("int main() {\n")
        for i in range(6000):
            f.write(f"  undeclared_{i} = missing_function_{i}(\"argument\");\n")
        f.write("}\n")
    return path


@pytest.fixture(scope="module")
def judged_by_workers(running_instance, module_dir):
    """Five submissions enqueued on the running instance and judged:
    (instance, {kind: id}, {id: results row}, path of the big CE source)."""
    inst = running_instance
    big = big_ce_source(module_dir)
    ids = {"AC": inst.enqueue(PROBLEM, ACCEPTED), "WA": inst.enqueue(PROBLEM, WRONG),
           "WA-all": inst.enqueue(PROBLEM, WRONG, "--all"), "CE": inst.enqueue(PROBLEM, SYNTAX),
           "CE-big": inst.enqueue(PROBLEM, big)}
    rows = inst.wait_verdicts(ids.values())
    return inst, ids, rows, big


def test_workers_judge_enqueued_submissions_and_results_lists_them(judged_by_workers):
    inst, ids, rows, _ = judged_by_workers
    problems = []
    for kind, id_ in ids.items():
        want = kind.split("-")[0]
        got = rows.get(id_, {}).get("verdict")
        if got != want:
            problems.append(f"{kind} {id_}: verdict {got}, expected {want}")
    rc, out, err = inst.run("results", *inst.args())
    for id_ in ids.values():
        if id_ not in out:
            problems.append(f"table does not list {id_}")
    assert not problems, "; ".join(problems)


def test_results_id_shows_per_test_rows_and_compiler_output(judged_by_workers):
    """--json and text."""
    inst, ids, _, _ = judged_by_workers
    problems = []
    detail = inst.results(ids["WA-all"])
    tests = detail.get("tests", [])
    if len(tests) != detail.get("tests_total") or len(tests) < 3:
        problems.append(f"{len(tests)} test rows, tests_total {detail.get('tests_total')}")
    names = [t["name"] for t in tests]
    if names != sorted(names) or len(set(names)) != len(names):
        problems.append(f"test rows out of order: {names}")
    ce = inst.results(ids["CE"])
    if "error" not in ce.get("compile", {}).get("output", ""):
        problems.append(f"CE compiler output missing: {short(str(ce.get('compile')), 400)}")
    rc, out, err = inst.run("results", ids["CE"], *inst.args())
    if rc != 0 or "error" not in out or "CE" not in out:
        problems.append(f"text detail: exit {rc}: {short(out, 400)!r}")
    rc, out, err = inst.run("results", "nosuchid", *inst.args())
    if rc != 2 or "no submission nosuchid" not in err:
        problems.append(f"unknown id: exit {rc}, stderr {short(err, 400)!r}")
    assert not problems, "; ".join(problems)


def test_a_large_compiler_output_is_stored_whole_by_reference(judged_by_workers):
    inst, ids, _, big = judged_by_workers
    problems = []
    rc, out, err = inst.run("submit", "--problem", PROBLEM, big, "--json")
    reported = json.loads(out)["compile"]["output"] if out.startswith("{") else None
    stored = inst.results(ids["CE-big"])["compile"]["output"]
    if reported is None:
        problems.append(f"submit --json failed: exit {rc}: {short(err, 400)!r}")
    elif stored != reported:
        problems.append(f"stored {len(stored)} bytes, the judge reported {len(reported)}")
    if len(stored.encode()) <= 8192:
        problems.append(f"only {len(stored)} bytes of diagnostics: no larger than a message")
    with inst.db() as db:
        body = db.execute("SELECT body FROM events WHERE submission_id = ? AND type = 'compiled'",
                          (ids["CE-big"],)).fetchone()[0]
    if len(body) > 4096 or '"blob"' not in body:
        problems.append(f"the compiled event is not a small message with a reference: {short(body, 400)}")
    assert not problems, "; ".join(problems)


def test_sigterm_stops_the_workers_and_the_collector_cleanly(judged_by_workers):
    """Last of the four: it stops the shared instance."""
    inst, _, _, _ = judged_by_workers
    problems = []
    for w in inst.workers:
        w.send_signal(signal.SIGTERM)
        if w.wait(timeout=30) != 0:
            problems.append(f"worker exit {w.returncode}")
    rc = inst.stop_collector()
    if rc != 0:
        problems.append(f"collector exit {rc}")
    if "stopped:" not in inst.collector_log():
        problems.append(f"no 'stopped' line: {short(inst.collector_log(), 400)!r}")
    assert not problems, "; ".join(problems)


# --- each on its own instance -------------------------------------------------

def test_a_collector_started_after_the_workers_finished_ends_with_every_verdict(instance):
    files = [ACCEPTED, WRONG, SYNTAX, ACCEPTED, WRONG, ACCEPTED]
    problems = []
    worker = instance.start_worker("--max", str(len(files)))
    ids = [instance.enqueue(PROBLEM, f) for f in files]
    if worker.wait(timeout=instance.TIMEOUT) != 0:
        problems.append(f"worker exit {worker.returncode}")
    if os.path.exists(os.path.join(instance.state, "results.db")):
        problems.append("a results database exists before any collector ran")
    # A file holds one event (<id>.<seq>.json) or a run (<id>.<first>-<last>.json).
    seqs = [n.rsplit(".", 2)[1].split("-") for n in instance.outbox_pending()]
    waiting = sum(int(s[-1]) - int(s[0]) + 1 for s in seqs)
    instance.start_collector()
    rows = instance.wait_verdicts(ids)
    want = ["AC", "WA", "CE", "AC", "WA", "AC"]
    got = [rows.get(i, {}).get("verdict") for i in ids]
    if got != want:
        problems.append(f"verdicts {got}, expected {want}")
    if not wait_for(lambda: not instance.outbox_pending()):
        problems.append("the outbox was not emptied")
    if waiting < 3 * len(files):
        problems.append(f"only {waiting} events waited in the outbox")
    assert not problems, "; ".join(problems)


def test_malformed_messages_and_files_are_logged_and_skipped(instance):
    """Logged with the reason and skipped; the collector keeps running."""
    instance.start_collector()
    queue = instance.queue
    mq_send(queue, b"{this is not json")
    mq_send(queue, event("bad1", 0, "teleported"))
    mq_send(queue, b" " * 6000 + event("bad2", 0, "compiling"))
    mq_send(queue, event("bad3", 0, "compiling", uid=os.geteuid() + 4242))
    write(os.path.join(instance.state, "outbox", "bad4.0000000000.json"), "garbage")
    mq_send(queue, event("good1", 0, "compiling"))
    problems = []

    def stored():
        with instance.db() as db:
            return db.execute(
                "SELECT count(*) FROM events WHERE submission_id = 'good1'").fetchone()[0] == 1

    if not wait_for(stored):
        problems.append("a good event after the bad ones was not stored")
    wait_for(lambda: "bad4" in instance.collector_log())
    log = instance.collector_log()
    for reason in ("not valid JSON", "unknown event type 'teleported'", "too large",
                   "unexpected sender", "bad4.0000000000.json"):
        if reason not in log:
            problems.append(f"log does not say {reason!r}")
    if not os.path.exists(os.path.join(instance.state, "outbox", "rejected", "bad4.0000000000.json")):
        problems.append("the bad outbox file was not moved to outbox/rejected")
    if instance.collector.poll() is not None:
        problems.append(f"the collector died (exit {instance.collector.returncode})")
    with instance.db() as db:
        n = db.execute("SELECT count(*) FROM events WHERE submission_id LIKE 'bad%'").fetchone()[0]
    if n:
        problems.append(f"{n} bad events stored")
    assert not problems, "; ".join(problems) + f"; log: {short(log, 800)!r}"


def test_a_queue_left_by_a_killed_collector_is_reused(instance):
    """... and the events in it are stored."""
    instance.start_collector()
    instance.stop_collector(signal.SIGKILL)
    # Messages with no outbox copy: only the stale queue holds them.
    for seq in range(3):
        mq_send(instance.queue, event("stale1", seq, "compiling"))
    instance.start_collector()

    def n():
        with instance.db() as db:
            return db.execute(
                "SELECT count(*) FROM events WHERE submission_id = 'stale1'").fetchone()[0]

    assert wait_for(lambda: n() == 3), f"{n()} of 3 events stored"


def test_submit_collector_stores_its_result_and_reports_as_usual(instance):
    instance.start_collector()
    problems = []
    rc_shared, out_shared, err = instance.run("submit", "--problem", PROBLEM, WRONG, "--all",
                                              "--json", "--collector", *instance.args())
    rc_private, out_private, _ = instance.run("submit", "--problem", PROBLEM, WRONG, "--all", "--json")
    try:
        shared, private = json.loads(out_shared), json.loads(out_private)
    except ValueError:
        shared = private = None
        problems.append(f"not JSON: {short(out_shared, 400)!r} / stderr {short(err, 400)!r}")
    if rc_shared != 1 or rc_private != 1:
        problems.append(f"exit {rc_shared} / {rc_private}, expected 1")
    if shared and private:
        strip = lambda r: {k: v for k, v in r.items() if k not in ("tests", "time", "memory")}
        if strip(shared) != strip(private):
            problems.append("shared and private reports differ beyond times")
        rows = instance.results()
        if not any(r["verdict"] == shared["verdict"] and r["problem"] == "aplusb" for r in rows):
            problems.append(f"not stored in the instance: {short(json.dumps(rows), 400)}")
    assert not problems, "; ".join(problems)


# A problem of every kind: the default validator (WA, then every test), a
# compile error, a run-time error with its stderr, scored groups with a score per test, a custom validator
# whose messages go to the team.
SAME_REPORT_CASES = [
    ("problems/aplusb", "problems/aplusb/submissions/wrong_answer/off_by_one.cpp", ["--all"]),
    ("problems/aplusb", "problems/aplusb/submissions/compile_error/missing_header.c", []),
    ("problems/aplusb", "problems/aplusb/submissions/run_time_error/recursion.py", []),
    ("problems/subtasks", "problems/subtasks/submissions/partially_accepted/cubic.cpp", ["--all"]),
    ("problems/anysum", "problems/anysum/submissions/wrong_answer/wrong_sum.cpp", ["--all"]),
    ("problems/relay", "problems/relay/submissions/wrong_answer/forget.py", ["--all"]),
]


@pytest.mark.parametrize("problem,path,extra", SAME_REPORT_CASES,
                         ids=[c[1].split("/submissions/")[1] for c in SAME_REPORT_CASES])
def test_results_id_json_is_what_submit_json_printed(instance, problem, path, extra):
    instance.start_collector()
    rc, out, err = instance.run("submit", "--problem", problem, path, "--json", "--collector",
                                *extra, *instance.args())
    assert rc in (0, 1), f"submit: exit {rc}: {short(err, 400)}"
    submitted = json.loads(out)
    newest = instance.results("--limit", "1")[0]["id"]
    rc, out, err = instance.run("results", newest, "--json", *instance.args())
    assert rc == 0, f"results {newest}: exit {rc}: {short(err, 400)}"
    stored = json.loads(out)
    assert sorted(stored) == sorted(submitted), "different fields"
    for field in submitted:
        assert stored[field] == submitted[field], f"field {field!r} differs"


def test_submit_collector_without_a_running_collector_is_a_usage_error(instances):
    running = instances.new()
    running.start_collector()  # another instance's collector must not count
    other = instances.new()
    rc, out, err = other.run("submit", "--problem", PROBLEM, ACCEPTED, "--collector", *other.args())
    assert rc == 2 and "no collector is running" in err and not out, \
        f"exit {rc}, stdout {short(out, 400)!r}, stderr {short(err, 400)!r}"


@pytest.mark.parametrize("shared", [False, True], ids=["private", "collector"])
def test_a_worker_killed_by_sigsegv_ends_as_ie_with_the_reason(shared, instance, repo_root, state_dir):
    pj = instance.pipejudge
    marker = f"sleeper_{os.getpid()}_{int(shared)}.py"
    path = os.path.join(state_dir, marker)
    write(path, "import time\ninput()\ntime.sleep(60)\n")
    argv = [pj, "submit", "--problem", os.path.join(repo_root, PROBLEM), path, "--json"]
    if shared:
        instance.start_collector()
        argv += ["--collector", *instance.args()]
    # A sanitizer build would catch the SIGSEGV and exit 1: let it die of it.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "handle_segv=0"]))
    submit = subprocess.Popen(argv, cwd=repo_root, stdin=subprocess.DEVNULL, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    instance.procs.append(submit)
    problems = []
    if not wait_for(lambda: e2e_support.judging_children(marker), timeout=30):
        problems.append("no judging child process seen")
    time.sleep(0.3)
    for pid in e2e_support.judging_children(marker):
        os.kill(pid, signal.SIGSEGV)
    out, err = submit.communicate(timeout=60)
    out, err = out.decode(), err.decode()
    try:
        report = json.loads(out)
    except ValueError:
        report = {}
        problems.append(f"not JSON: {short(out, 400)!r}, stderr {short(err, 400)!r}")
    if submit.returncode != 1:
        problems.append(f"exit {submit.returncode}, expected 1")
    if report.get("verdict") != "IE" or report.get("reason") != "worker killed by SIGSEGV":
        problems.append(f"verdict {report.get('verdict')} reason {report.get('reason')!r}")
    if shared:
        rows = instance.results()
        if not rows or rows[0]["verdict"] != "IE" or rows[0]["reason"] != "worker killed by SIGSEGV":
            problems.append(f"stored: {short(json.dumps(rows), 400)}")
    assert not problems, "; ".join(problems)


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
