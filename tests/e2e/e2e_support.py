"""Helpers of the end-to-end tests, shared by conftest.py and the test files
(not a test itself).

Everything here drives the real pipejudge binary: running a command without
hanging on a straggler, judging a submission with `submit --json`, checking a
usage error, and an `Instance` of pipejudge of our own (collector, workers,
enqueue, results) that is torn down completely.
"""
import concurrent.futures
import ctypes
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

# conftest.py's defaults: the repository this file is in, and its build/.
DEFAULT_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PIPEJUDGE_ENV = "PJ_E2E_PIPEJUDGE"
REPO_ROOT_ENV = "PJ_E2E_REPO_ROOT"


def repo_root_of(config):
    """The repository root the tests run on: --repo-root, $PJ_E2E_REPO_ROOT, or
    the repository this file is in. Usable at collection time."""
    root = config.getoption("--repo-root") or os.environ.get(REPO_ROOT_ENV) or DEFAULT_REPO_ROOT
    return os.path.abspath(root)


def pipejudge_of(config):
    """The pipejudge binary: --pipejudge, $PJ_E2E_PIPEJUDGE, or <repo>/build/pipejudge."""
    path = (config.getoption("--pipejudge") or os.environ.get(PIPEJUDGE_ENV)
            or os.path.join(repo_root_of(config), "build", "pipejudge"))
    return os.path.abspath(path)


def selected_params(request, name):
    """The values of parameter `name` of the tests of request's module that this
    session runs (after -k and node-id selection), in run order."""
    values = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        if getattr(item, "module", None) is request.module and callspec and name in callspec.params:
            if callspec.params[name] not in values:
                values.append(callspec.params[name])
    return values


def run_as_script(test_file):
    """`python3 TEST_FILE [PIPEJUDGE [REPO-ROOT]] [pytest options...]`: runs the
    file's tests with pytest, as CTest does; the exit status of pytest."""
    import pytest
    args = sys.argv[1:]
    positional = []
    while args and not args[0].startswith("-") and len(positional) < 2:
        positional.append(args.pop(0))
    options = [f"--pipejudge={positional[0]}"] if positional else []
    options += [f"--repo-root={positional[1]}"] if len(positional) > 1 else []
    return int(pytest.main(["-v", "-rfE", "-p", "no:cacheprovider", test_file, *options, *args]))


# --------------------------------------------------------------------------
# Running commands


def run(argv, cwd, timeout, env=None):
    """Runs argv; returns (exit status or None on timeout, stdout, stderr).

    Output goes to temporary files rather than pipes, so a straggling
    grandchild holding a pipe open cannot hang us; on timeout the whole
    process group is killed. `env` adds to (and overrides) os.environ.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, start_new_session=True,
                                    env=None if env is None else {**os.environ, **env})
        except OSError as e:
            return -1, "", f"cannot run {argv[0]}: {e}"
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            rc = None
        out.seek(0)
        err.seek(0)
        return (rc, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


class Judged:
    """One `pipejudge submit ... --json` run: rc (None on timeout), out, err,
    elapsed seconds, and `report` (the parsed JSON object) or `problem` (why
    there is none)."""

    def __init__(self, pipejudge, args, cwd, timeout, env=None):
        start = time.monotonic()
        self.rc, self.out, self.err = run([pipejudge, "submit", *args, "--json"], cwd, timeout, env)
        self.elapsed = time.monotonic() - start
        self.report = None
        self.problem = None
        stderr = f" [stderr: {short(self.err)}]" if self.err.strip() else ""
        if self.rc is None:
            self.problem = f"timed out after {timeout}s{stderr}"
            return
        try:
            report = json.loads(self.out)
        except ValueError as e:
            self.problem = f"stdout is not JSON ({e}), exit {self.rc}: {short(self.out)!r}{stderr}"
            return
        if not isinstance(report, dict):
            self.problem = f"stdout is JSON but not an object: {short(self.out)!r}"
            return
        self.report = report

    def tests(self):
        return [t for t in (self.report or {}).get("tests") or [] if isinstance(t, dict)]

    def test(self, name):
        return next((t for t in self.tests() if t.get("name") == name), None)

    def group(self, name):
        groups = (self.report or {}).get("groups") or []
        return next((g for g in groups if isinstance(g, dict) and g.get("name") == name), None)

    def summary(self):
        r = self.report or {}
        tests = [(t.get("name"), t.get("verdict"), t.get("message")) for t in self.tests()]
        return f"verdict {r.get('verdict')!r}, reason {r.get('reason')!r}, tests {tests}"


def usage_error_problems(rc, out, err, token, word=None, timeout=None):
    """What is wrong with a run that should be a usage error: exit 2, nothing on
    stdout, one stderr line `pipejudge: ...` naming `token` as a whole path
    component (and saying `word`, if given). [] when all holds."""
    problems = []
    if rc is None:
        problems.append(f"timed out after {timeout}s")
    elif rc != 2:
        problems.append(f"exit status {rc}, expected 2")
    if out != "":
        problems.append(f"stdout not empty: {short(out)!r}")
    lines = err.splitlines()
    if len(lines) != 1:
        problems.append(f"stderr has {len(lines)} lines, expected 1: {short(err)!r}")
    elif not lines[0].startswith("pipejudge: "):
        problems.append(f"stderr line does not start with 'pipejudge: ': {short(lines[0])!r}")
    elif not names(lines[0], token):
        problems.append(f"stderr line does not name {token!r}: {short(lines[0])!r}")
    elif word and word not in lines[0]:
        problems.append(f"stderr line does not say {word!r}: {short(lines[0])!r}")
    return problems


class Prefetch:
    """Computes fn(key) for every key ahead of time in a pool of `workers`
    threads, in order; get(key) waits for its result (or computes a key that
    was not asked for). Keeps a suite as parallel as its test cases allow."""

    def __init__(self, fn, keys, workers):
        self.fn = fn
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers)
        self.futures = {key: self.pool.submit(fn, key) for key in keys}

    def get(self, key):
        future = self.futures.get(key)
        return future.result() if future else self.fn(key)

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------
# Small things


def short(text, limit=300):
    text = str(text).replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "..."


def names(line, token):
    """True if `token` appears in `line` as a whole path component."""
    return re.search(r"(?<![\w.-])" + re.escape(token) + r"(?![\w-])", line) is not None


def write(path, content):
    """Writes str or bytes to path, making its directories."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(content, bytes) else "w") as f:
        f.write(content)


def processes():
    """Live processes: [(pid, parent pid, cmdline bytes)]."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except (OSError, IndexError, ValueError):
            continue
        found.append((int(entry), ppid, cmd))
    return found


def judging_children(marker):
    """Pids of `submit`'s judging children whose command line mentions
    `marker` (the problem's or the submission's path). `submit` forks its
    judging child: a pipejudge process with its parent's very command line."""
    table = processes()
    cmdline = {pid: cmd for pid, _, cmd in table}
    return [pid for pid, ppid, cmd in table
            if marker.encode() in cmd and b"submit" in cmd and cmdline.get(ppid) == cmd]


def descendants(pids):
    """Every live process below the given ones."""
    table = processes()
    found, frontier = set(), set(pids)
    while frontier:
        frontier = {pid for pid, ppid, _ in table if ppid in frontier and pid not in found}
        found |= frontier
    return found


def wait_for(pred, timeout=30, interval=0.1):
    """Polls pred() until it is true or `timeout` seconds passed; its last value."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


# --------------------------------------------------------------------------
# A pipejudge instance of our own: collector, workers, queues, state


O_WRONLY = 1


def mq_send(queue, data):
    """Sends raw bytes to a POSIX message queue (as a sender would)."""
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
    """One verdict event as a sender puts it on the queue (bytes)."""
    e = {"v": 1, "type": type_, "id": id_, "seq": seq, "ts": time.time(), "pid": os.getpid(),
         "uid": os.geteuid() if uid is None else uid}
    e.update(fields)
    return json.dumps(e).encode()


class Instance:
    """A pipejudge instance of our own: a private instance name and state
    directory, and every process started on it (killed by close())."""

    TIMEOUT = 120  # seconds for one pipejudge command

    def __init__(self, pipejudge, root, name, state):
        self.pipejudge = pipejudge
        self.root = root
        self.name = name
        self.state = state
        self.procs = []
        self.workers = []
        self.collector = None
        self.collector_err = None
        self.broker = None  # redis://... : the instance's jobs and events go through Redis

    def args(self):
        """The options that put a pipejudge command on this instance."""
        broker = ["--broker", self.broker] if self.broker else []
        return ["--instance", self.name, "--state-dir", self.state, *broker]

    @property
    def queue(self):
        """The instance's event queue (POSIX message queue name)."""
        return f"/pipejudge-{self.name}"

    def run(self, *argv, timeout=TIMEOUT, env=None):
        """Runs `pipejudge ARGV...` from the repository root: (rc, stdout, stderr)."""
        return run([self.pipejudge, *argv], self.root, timeout, env)

    def start_collector(self):
        """Starts `pipejudge collector` and waits for its `ready` line."""
        os.makedirs(self.state, exist_ok=True)
        if self.collector_err is None:
            self.collector_err = open(os.path.join(self.state, "collector.log"), "ab")
        self.collector = subprocess.Popen([self.pipejudge, "collector", *self.args()],
                                          cwd=self.root, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=self.collector_err)
        self.procs.append(self.collector)
        line = self.collector.stdout.readline().decode()
        if not line.startswith("ready"):
            raise RuntimeError(f"collector did not start: {line!r} {self.collector_log()}")
        return self.collector

    def collector_log(self):
        path = os.path.join(self.state, "collector.log")
        return open(path, encoding="utf-8", errors="replace").read() if os.path.exists(path) else ""

    def stop_collector(self, sig=signal.SIGTERM, timeout=30):
        """Signals the collector (SIGKILL: no chance to finish anything) and
        waits for it; its exit status."""
        self.collector.send_signal(sig)
        rc = self.collector.wait(timeout=timeout)
        self.collector.stdout.close()
        return rc

    def start_worker(self, *extra):
        """Starts `pipejudge worker` (extra options: --slot N, --max N, --jobs
        N...); one judging process (--jobs 1) unless they say otherwise."""
        if not any(x in extra for x in ("--jobs", "--slot", "--max", "--once")):
            extra = ("--jobs", "1", *extra)
        p = subprocess.Popen([self.pipejudge, "worker", *self.args(), *extra], cwd=self.root,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        self.procs.append(p)
        self.workers.append(p)
        return p

    def enqueue(self, problem, path, *extra):
        """`pipejudge enqueue --problem PROBLEM PATH EXTRA...`: the submission id."""
        rc, out, err = self.run("enqueue", "--problem", problem, path, *self.args(), *extra)
        if rc != 0:
            raise RuntimeError(f"enqueue {path}: exit {rc}: {err}")
        return out.strip()

    def results(self, *extra):
        """`pipejudge results --json EXTRA...`, parsed."""
        rc, out, err = self.run("results", *self.args(), "--json", *extra)
        if rc != 0:
            raise RuntimeError(f"results: exit {rc}: {err}")
        return json.loads(out)

    def wait_verdicts(self, ids, timeout=90):
        """{id: row} of `results` once every id has a verdict (or at the timeout)."""
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
        """The instance's results database, read-only."""
        return sqlite3.connect(f"file:{os.path.join(self.state, 'results.db')}?mode=ro", uri=True,
                               timeout=30)

    def stored_event(self, submission_id, seq, timeout=30):
        """The body of an event once the collector has stored it."""
        def body():
            with self.db() as db:
                return db.execute("SELECT body FROM events WHERE submission_id = ? AND seq = ?",
                                  (submission_id, seq)).fetchone()
        assert wait_for(body, timeout=timeout), \
            f"event {seq} of {submission_id} was not stored in {timeout} s"
        return json.loads(body()[0])

    def outbox_pending(self):
        """Event files waiting in the outbox."""
        outbox = os.path.join(self.state, "outbox")
        return [n for n in os.listdir(outbox) if n.endswith(".json")] if os.path.isdir(outbox) else []

    def close(self):
        """Kills every process started on the instance and removes its queues."""
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            p.wait()
            for stream in (p.stdout, p.stderr):
                if stream:
                    stream.close()
        self.procs = []
        self.workers = []
        if self.collector_err:
            self.collector_err.close()
            self.collector_err = None
        libc = ctypes.CDLL(None, use_errno=True)
        for q in (self.queue, f"{self.queue}-submissions"):
            libc.mq_unlink(q.encode())


class InstancePool:
    """Makes Instances with unique names under one temporary directory and
    closes them all at the end (a context manager)."""

    counter = 0

    def __init__(self, pipejudge, root, tmp):
        self.pipejudge = pipejudge
        self.root = root
        self.tmp = tmp
        self.instances = []

    def new(self):
        InstancePool.counter += 1
        name = f"e2e-{os.getpid()}-{InstancePool.counter}"
        inst = Instance(self.pipejudge, self.root, name, os.path.join(self.tmp, name))
        self.instances.append(inst)
        return inst

    def close(self):
        for inst in self.instances:
            inst.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
