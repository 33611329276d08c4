#!/usr/bin/env python3
"""End-to-end: the results collector, workers, `enqueue`, `results` and
`submit --collector`, through real POSIX message queues and SQLite.

Usage: python3 test_collector.py <path-to-pipejudge> <repo-root>

Checks, each on a fresh instance (state directory in a temporary directory,
queues named after this process):
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
  * SIGTERM stops the collector cleanly (exit 0).
Prints one line per check and a closing `N passed, M failed` line; exits 1 if
any failed. Standard library only (ctypes for mq_send).
"""
import ctypes
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

from e2e_support import run

TIMEOUT = 120
PROBLEM = os.path.join("problems", "aplusb")
SUBS = os.path.join(PROBLEM, "submissions")
ACCEPTED = os.path.join(SUBS, "accepted", "sol.c")
WRONG = os.path.join(SUBS, "wrong_answer", "off_by_one.cpp")
SYNTAX = os.path.join(SUBS, "compile_error", "syntax.cpp")

O_WRONLY = 1


class Checker:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def report(self, label, problems):
        if problems:
            self.failed += 1
            print(f"FAIL {label}: " + "; ".join(problems), flush=True)
        else:
            self.passed += 1
            print(f"ok   {label}", flush=True)


def short(text, limit=400):
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "..."


class Instance:
    """A pipejudge instance of our own: name, state directory, processes."""

    counter = 0

    def __init__(self, pipejudge, root, tmp):
        Instance.counter += 1
        self.pipejudge = pipejudge
        self.root = root
        self.name = f"e2e-col-{os.getpid()}-{Instance.counter}"
        self.state = os.path.join(tmp, self.name)
        self.procs = []
        self.collector = None
        self.collector_err = None

    def args(self):
        return ["--instance", self.name, "--state-dir", self.state]

    def run(self, *argv, timeout=TIMEOUT):
        return run([self.pipejudge, *argv], self.root, timeout)

    def start_collector(self):
        os.makedirs(self.state, exist_ok=True)
        self.collector_err = open(os.path.join(self.state, "collector.log"), "ab")
        self.collector = subprocess.Popen([self.pipejudge, "collector", *self.args()],
                                          cwd=self.root, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=self.collector_err)
        self.procs.append(self.collector)
        line = self.collector.stdout.readline().decode()
        if not line.startswith("ready"):
            raise RuntimeError(f"collector did not start: {line!r} {self.collector_log()}")

    def collector_log(self):
        path = os.path.join(self.state, "collector.log")
        return open(path, encoding="utf-8", errors="replace").read() if os.path.exists(path) else ""

    def stop_collector(self, sig=signal.SIGTERM):
        self.collector.send_signal(sig)
        rc = self.collector.wait(timeout=30)
        self.collector.stdout.close()
        return rc

    def start_worker(self, *extra):
        p = subprocess.Popen([self.pipejudge, "worker", *self.args(), *extra], cwd=self.root,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        self.procs.append(p)
        return p

    def enqueue(self, path, *extra):
        rc, out, err = self.run("enqueue", "--problem", PROBLEM, path, *self.args(), *extra)
        if rc != 0:
            raise RuntimeError(f"enqueue {path}: exit {rc}: {err}")
        return out.strip()

    def results(self, *extra):
        rc, out, err = self.run("results", *self.args(), "--json", *extra)
        if rc != 0:
            raise RuntimeError(f"results: exit {rc}: {err}")
        return json.loads(out)

    def wait_verdicts(self, ids, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                rows = {r["id"]: r for r in self.results("--limit", "100000")}
            except (RuntimeError, ValueError):
                rows = {}
            if all(i in rows and rows[i]["verdict"] for i in ids):
                return rows
            time.sleep(0.2)
        return {r["id"]: r for r in self.results("--limit", "100000")}

    def db(self):
        return sqlite3.connect(f"file:{os.path.join(self.state, 'results.db')}?mode=ro", uri=True)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if self.collector_err:
            self.collector_err.close()
        libc = ctypes.CDLL(None, use_errno=True)
        for q in (f"/pipejudge-{self.name}", f"/pipejudge-{self.name}-submissions"):
            libc.mq_unlink(q.encode())


def mq_send(queue, data):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mq_open.restype = ctypes.c_int
    libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]
    libc.mq_send.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint]
    q = libc.mq_open(queue.encode(), O_WRONLY)
    if q < 0:
        raise OSError(ctypes.get_errno(), f"mq_open {queue}")
    try:
        if libc.mq_send(q, data, len(data), 0) != 0:
            raise OSError(ctypes.get_errno(), f"mq_send {queue}")
    finally:
        libc.mq_close(q)


def event(id_, seq, type_, uid=None, **fields):
    e = {"v": 1, "type": type_, "id": id_, "seq": seq, "ts": time.time(), "pid": os.getpid(),
         "uid": os.geteuid() if uid is None else uid}
    e.update(fields)
    return json.dumps(e).encode()


def wait_for(pred, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def check_bad_database(c, pj, root, tmp):
    label = "collector with a database it cannot open fails at start"
    inst = Instance(pj, root, tmp)
    problems = []
    try:
        cases = [("missing directory", os.path.join(tmp, "no", "such", "dir", "r.db"), "no directory")]
        garbage = os.path.join(tmp, "garbage.db")
        with open(garbage, "wb") as f:
            f.write(b"this is not sqlite" * 1000)
        cases.append(("not a database", garbage, "not a database"))
        for what, db, reason in cases:
            rc, out, err = inst.run("collector", *inst.args(), "--db", db, timeout=30)
            if rc != 2:
                problems.append(f"{what}: exit {rc}, expected 2")
            if db not in err or reason not in err:
                problems.append(f"{what}: stderr does not name {db} and '{reason}': {short(err)!r}")
            if out:
                problems.append(f"{what}: printed {short(out)!r} (a 'ready' line?)")
    finally:
        inst.close()
    c.report(label, problems)


def check_second_collector(c, pj, root, tmp):
    label = "a second collector on the same instance is refused"
    inst = Instance(pj, root, tmp)
    problems = []
    try:
        inst.start_collector()
        rc, out, err = inst.run("collector", *inst.args(), timeout=30)
        if rc != 2 or "another collector" not in err:
            problems.append(f"exit {rc}, stderr {short(err)!r}")
        if inst.collector.poll() is not None:
            problems.append("the first collector died")
    finally:
        inst.close()
    c.report(label, problems)


def big_ce_source(tmp):
    path = os.path.join(tmp, "many_errors.cpp")
    with open(path, "w") as f:
        f.write("int main() {\n")
        for i in range(6000):
            f.write(f"  undeclared_{i} = missing_function_{i}(\"argument\");\n")
        f.write("}\n")
    return path


def check_workers_and_results(c, pj, root, tmp):
    inst = Instance(pj, root, tmp)
    try:
        inst.start_collector()
        workers = [inst.start_worker("--slot", "0"), inst.start_worker("--slot", "1")]
        big = big_ce_source(tmp)
        ids = {"AC": inst.enqueue(ACCEPTED), "WA": inst.enqueue(WRONG),
               "WA-all": inst.enqueue(WRONG, "--all"), "CE": inst.enqueue(SYNTAX),
               "CE-big": inst.enqueue(big)}
        rows = inst.wait_verdicts(ids.values())

        label = "workers judge enqueued submissions; results lists them"
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
        c.report(label, problems)

        label = "results ID shows per-test rows and compiler output (--json and text)"
        problems = []
        detail = inst.results(ids["WA-all"])
        tests = detail.get("tests", [])
        if len(tests) != detail.get("tests_total") or len(tests) < 3:
            problems.append(f"{len(tests)} test rows, tests_total {detail.get('tests_total')}")
        if [t["index"] for t in tests] != list(range(len(tests))):
            problems.append("test rows out of order")
        ce = inst.results(ids["CE"])
        if "error" not in ce.get("compile", {}).get("output", ""):
            problems.append(f"CE compiler output missing: {short(str(ce.get('compile')))}")
        rc, out, err = inst.run("results", ids["CE"], *inst.args())
        if rc != 0 or "error" not in out or "CE" not in out:
            problems.append(f"text detail: exit {rc}: {short(out)!r}")
        rc, out, err = inst.run("results", "nosuchid", *inst.args())
        if rc != 2 or "no submission nosuchid" not in err:
            problems.append(f"unknown id: exit {rc}, stderr {short(err)!r}")
        c.report(label, problems)

        label = "a large compiler output is stored whole, by reference"
        problems = []
        rc, out, err = inst.run("submit", "--problem", PROBLEM, big, "--json")
        reported = json.loads(out)["compile"]["output"] if out.startswith("{") else None
        stored = inst.results(ids["CE-big"])["compile"]["output"]
        if reported is None:
            problems.append(f"submit --json failed: exit {rc}: {short(err)!r}")
        elif stored != reported:
            problems.append(f"stored {len(stored)} bytes, the judge reported {len(reported)}")
        if len(stored.encode()) <= 8192:
            problems.append(f"only {len(stored)} bytes of diagnostics: no larger than a message")
        with inst.db() as db:
            body = db.execute("SELECT body FROM events WHERE submission_id = ? AND type = 'compiled'",
                              (ids["CE-big"],)).fetchone()[0]
        if len(body) > 4096 or '"blob"' not in body:
            problems.append(f"the compiled event is not a small message with a reference: {short(body)}")
        c.report(f"{label} ({len(stored.encode())} bytes)", problems)

        label = "SIGTERM stops a worker and the collector cleanly"
        problems = []
        for w in workers:
            w.send_signal(signal.SIGTERM)
            if w.wait(timeout=30) != 0:
                problems.append(f"worker exit {w.returncode}")
        rc = inst.stop_collector()
        if rc != 0:
            problems.append(f"collector exit {rc}")
        if "stopped:" not in inst.collector_log():
            problems.append(f"no 'stopped' line: {short(inst.collector_log())!r}")
        c.report(label, problems)
    finally:
        inst.close()


def check_late_collector(c, pj, root, tmp):
    label = "the collector started after the workers finished ends with every verdict"
    inst = Instance(pj, root, tmp)
    problems = []
    try:
        files = [ACCEPTED, WRONG, SYNTAX, ACCEPTED, WRONG, ACCEPTED]
        worker = inst.start_worker("--max", str(len(files)))
        ids = [inst.enqueue(f) for f in files]
        if worker.wait(timeout=TIMEOUT) != 0:
            problems.append(f"worker exit {worker.returncode}")
        if os.path.exists(os.path.join(inst.state, "results.db")):
            problems.append("a results database exists before any collector ran")
        outbox = os.path.join(inst.state, "outbox")
        waiting = len([n for n in os.listdir(outbox) if n.endswith(".json")])
        inst.start_collector()
        rows = inst.wait_verdicts(ids)
        want = ["AC", "WA", "CE", "AC", "WA", "AC"]
        got = [rows.get(i, {}).get("verdict") for i in ids]
        if got != want:
            problems.append(f"verdicts {got}, expected {want}")
        if not wait_for(lambda: not [n for n in os.listdir(outbox) if n.endswith(".json")]):
            problems.append("the outbox was not emptied")
        if waiting < 3 * len(files):
            problems.append(f"only {waiting} events waited in the outbox")
    finally:
        inst.close()
    c.report(label, problems)


def check_malformed(c, pj, root, tmp):
    label = "malformed messages and files are logged with the reason and skipped"
    inst = Instance(pj, root, tmp)
    problems = []
    try:
        inst.start_collector()
        queue = f"/pipejudge-{inst.name}"
        mq_send(queue, b"{this is not json")
        mq_send(queue, event("bad1", 0, "teleported"))
        mq_send(queue, b" " * 6000 + event("bad2", 0, "compiling"))
        mq_send(queue, event("bad3", 0, "compiling", uid=os.geteuid() + 4242))
        with open(os.path.join(inst.state, "outbox", "bad4.0000000000.json"), "w") as f:
            f.write("garbage")
        mq_send(queue, event("good1", 0, "compiling"))
        stored = lambda: inst.db().execute(
            "SELECT count(*) FROM events WHERE submission_id = 'good1'").fetchone()[0] == 1
        if not wait_for(stored):
            problems.append("a good event after the bad ones was not stored")
        wait_for(lambda: "bad4" in inst.collector_log())
        log = inst.collector_log()
        for reason in ("not valid JSON", "unknown event type 'teleported'", "too large",
                       "unexpected sender", "bad4.0000000000.json"):
            if reason not in log:
                problems.append(f"log does not say {reason!r}")
        if not os.path.exists(os.path.join(inst.state, "outbox", "rejected", "bad4.0000000000.json")):
            problems.append("the bad outbox file was not moved to outbox/rejected")
        if inst.collector.poll() is not None:
            problems.append(f"the collector died (exit {inst.collector.returncode})")
        with inst.db() as db:
            n = db.execute("SELECT count(*) FROM events WHERE submission_id LIKE 'bad%'").fetchone()[0]
        if n:
            problems.append(f"{n} bad events stored")
        if problems:
            problems.append(f"log: {short(log, 800)!r}")
    finally:
        inst.close()
    c.report(label, problems)


def check_stale_queue(c, pj, root, tmp):
    label = "a queue left by a killed collector is reused and its events stored"
    inst = Instance(pj, root, tmp)
    problems = []
    try:
        inst.start_collector()
        inst.stop_collector(signal.SIGKILL)
        queue = f"/pipejudge-{inst.name}"
        # Messages with no outbox copy: only the stale queue holds them.
        for seq in range(3):
            mq_send(queue, event("stale1", seq, "compiling"))
        inst.start_collector()
        n = lambda: inst.db().execute(
            "SELECT count(*) FROM events WHERE submission_id = 'stale1'").fetchone()[0]
        if not wait_for(lambda: n() == 3):
            problems.append(f"{n()} of 3 events stored")
    finally:
        inst.close()
    c.report(label, problems)


def check_submit_collector(c, pj, root, tmp):
    inst = Instance(pj, root, tmp)
    try:
        inst.start_collector()
        label = "submit --collector stores its result in the instance and reports as usual"
        problems = []
        rc_shared, out_shared, err = inst.run("submit", "--problem", PROBLEM, WRONG, "--all",
                                              "--json", "--collector", *inst.args())
        rc_private, out_private, _ = inst.run("submit", "--problem", PROBLEM, WRONG, "--all", "--json")
        try:
            shared, private = json.loads(out_shared), json.loads(out_private)
        except ValueError:
            shared = private = None
            problems.append(f"not JSON: {short(out_shared)!r} / stderr {short(err)!r}")
        if rc_shared != 1 or rc_private != 1:
            problems.append(f"exit {rc_shared} / {rc_private}, expected 1")
        if shared and private:
            strip = lambda r: {k: v for k, v in r.items() if k not in ("tests", "time", "memory")}
            if strip(shared) != strip(private):
                problems.append("shared and private reports differ beyond times")
            rows = inst.results()
            if not any(r["verdict"] == shared["verdict"] and r["problem"] == "aplusb" for r in rows):
                problems.append(f"not stored in the instance: {short(json.dumps(rows))}")
        c.report(label, problems)

        label = "submit --collector without a running collector is a usage error"
        other = Instance(pj, root, tmp)
        rc, out, err = other.run("submit", "--problem", PROBLEM, ACCEPTED, "--collector",
                                 *other.args())
        other.close()
        c.report(label, [] if rc == 2 and "no collector is running" in err and not out
                 else [f"exit {rc}, stdout {short(out)!r}, stderr {short(err)!r}"])
    finally:
        inst.close()


def judging_children(marker):
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if b"--run-job" in cmd and marker.encode() in cmd:
            pids.append(int(entry))
    return pids


def check_worker_crash(c, pj, root, tmp, shared):
    label = f"a worker killed by SIGSEGV ends as IE with the reason ({'--collector' if shared else 'private'})"
    inst = Instance(pj, root, tmp)
    problems = []
    try:
        marker = f"sleeper_{os.getpid()}_{int(shared)}.py"
        path = os.path.join(tmp, marker)
        with open(path, "w") as f:
            f.write("import time\ninput()\ntime.sleep(60)\n")
        argv = [pj, "submit", "--problem", os.path.join(root, PROBLEM), path, "--json"]
        if shared:
            inst.start_collector()
            argv += ["--collector", *inst.args()]
        # A sanitizer build would catch the SIGSEGV and exit 1: let it die of it.
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "handle_segv=0"]))
        submit = subprocess.Popen(argv, cwd=root, stdin=subprocess.DEVNULL, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        inst.procs.append(submit)
        if not wait_for(lambda: judging_children(marker), timeout=30):
            problems.append("no judging child process seen")
        time.sleep(0.3)
        for pid in judging_children(marker):
            os.kill(pid, signal.SIGSEGV)
        out, err = submit.communicate(timeout=60)
        out, err = out.decode(), err.decode()
        try:
            report = json.loads(out)
        except ValueError:
            report = {}
            problems.append(f"not JSON: {short(out)!r}, stderr {short(err)!r}")
        if submit.returncode != 1:
            problems.append(f"exit {submit.returncode}, expected 1")
        if report.get("verdict") != "IE" or report.get("reason") != "worker killed by SIGSEGV":
            problems.append(f"verdict {report.get('verdict')} reason {report.get('reason')!r}")
        if shared:
            rows = inst.results()
            if not rows or rows[0]["verdict"] != "IE" or rows[0]["reason"] != "worker killed by SIGSEGV":
                problems.append(f"stored: {short(json.dumps(rows))}")
    finally:
        inst.close()
    c.report(label, problems)


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} <path-to-pipejudge> <repo-root>", file=sys.stderr)
        return 2
    pj = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2])
    c = Checker()
    with tempfile.TemporaryDirectory(prefix="pj-collector-") as tmp:
        for check in (check_bad_database, check_second_collector, check_workers_and_results,
                      check_late_collector, check_malformed, check_stale_queue,
                      check_submit_collector):
            try:
                check(c, pj, root, tmp)
            except Exception as e:  # a broken check is a failed check, not a crash
                c.report(check.__name__, [f"{type(e).__name__}: {e}"])
        for shared in (False, True):
            try:
                check_worker_crash(c, pj, root, tmp, shared)
            except Exception as e:
                c.report("check_worker_crash", [f"{type(e).__name__}: {e}"])
    print(f"{c.passed} passed, {c.failed} failed")
    return 1 if c.failed else 0


if __name__ == "__main__":
    sys.exit(main())
