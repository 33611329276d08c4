#!/usr/bin/env python3
"""The queue's own overhead: submissions per second through the local POSIX
queue and through Redis Streams (--broker), with 1, 2 and 4 workers.

    bench/bench_broker.py [PIPEJUDGE] [SUBMISSIONS]
    (defaults: build/pipejudge 100)

Trivial submissions (an accepted C program, compiled once: the cache; one
test), so that the figure is the queue, the events and the collector, not
the judging. For each transport and worker count: a fresh instance and its
collector, SUBMISSIONS enqueued, then the workers (`worker --jobs 1` each)
started and timed until every final is stored. Redis is a redis-server of
the bench's own on 127.0.0.1 (appendonly yes; one with appendfsync everysec,
one with always, the local queue's own durability: an fsync per write),
killed at the end. Prints submissions/s and the ratios Redis / local; then
the latency one submission at a time (enqueue to final stored, one idle
worker): the added latency per submission and per event.
"""
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

SOLUTION = "#include <stdio.h>\nint main(void) { int a, b; scanf(\"%d %d\", &a, &b);" \
           " printf(\"%d\\n\", a + b); return 0; }\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def finals(db):
    if not os.path.exists(db):
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as c:
            return c.execute("SELECT COUNT(*) FROM events WHERE type = 'final'").fetchone()[0]
    except sqlite3.Error:
        return 0


def run_once(pipejudge, root, problem, source, n, workers, broker, tag):
    name = f"bench-broker-{os.getpid()}-{tag}"
    state = os.path.join(root, name)
    args = ["--instance", name, "--state-dir", state, "--cache-dir", os.path.join(root, "cache")]
    inst = args[:4] + (["--broker", broker] if broker else [])
    procs = []
    try:
        collector = subprocess.Popen([pipejudge, "collector", *inst], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        procs.append(collector)
        collector.stdout.readline()

        def enqueue(_):
            r = subprocess.run([pipejudge, "enqueue", "--problem", problem, source, *inst],
                               capture_output=True)
            if r.returncode != 0:
                raise RuntimeError(f"enqueue: exit {r.returncode}: {r.stderr.decode()}")

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(enqueue, range(n)))
        db = os.path.join(state, "results.db")
        start = time.monotonic()
        for _ in range(workers):
            procs.append(subprocess.Popen([pipejudge, "worker", "--jobs", "1", *inst,
                                           "--cache-dir", os.path.join(root, "cache")],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        while finals(db) < n:
            if time.monotonic() - start > 600:
                raise RuntimeError(f"{tag}: {finals(db)} of {n} finals after 600 s")
            time.sleep(0.02)
        return n / (time.monotonic() - start)
    finally:
        stop_instance(procs, name, broker)


def stop_instance(procs, name, broker):
    """Stops the processes (last started first) and, without a broker,
    removes the instance's message queues."""
    for p in reversed(procs):
        p.terminate()
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if not broker:
        import ctypes
        libc = ctypes.CDLL(None)
        for q in (f"/pipejudge-{name}", f"/pipejudge-{name}-submissions"):
            libc.mq_unlink(q.encode())


def latency(pipejudge, root, problem, source, broker, tag, count=20):
    """Median seconds from `enqueue` returning to the final stored, one
    submission at a time, one idle worker waiting; and the events of one."""
    name = f"bench-broker-{os.getpid()}-{tag}"
    state = os.path.join(root, name)
    inst = ["--instance", name, "--state-dir", state] + (["--broker", broker] if broker else [])
    procs = []
    try:
        collector = subprocess.Popen([pipejudge, "collector", *inst], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        procs.append(collector)
        collector.stdout.readline()
        procs.append(subprocess.Popen([pipejudge, "worker", "--jobs", "1", *inst, "--cache-dir",
                                       os.path.join(root, "cache")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        db = os.path.join(state, "results.db")
        times = []
        for i in range(count + 2):  # the first two warm up
            subprocess.run([pipejudge, "enqueue", "--problem", problem, source, *inst],
                           check=True, capture_output=True)
            start = time.monotonic()
            while finals(db) < i + 1:
                time.sleep(0.002)
            if i >= 2:
                times.append(time.monotonic() - start)
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as c:
            events = c.execute("SELECT COUNT(*) FROM events").fetchone()[0] / (count + 2)
        return sorted(times)[len(times) // 2], events
    finally:
        stop_instance(procs, name, broker)


def main():
    args = sys.argv[1:]
    pipejudge = os.path.abspath(args[0] if args else "build/pipejudge")
    n = int(args[1]) if len(args) > 1 else 100
    root = tempfile.mkdtemp(prefix="pj-bench-broker-")
    servers, brokers = [], {}
    for fsync in ("everysec", "always"):
        port = free_port()
        os.makedirs(os.path.join(root, fsync))
        servers.append(subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
             "--appendonly", "yes", "--appendfsync", fsync, "--dir", os.path.join(root, fsync)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        brokers[fsync] = f"redis://127.0.0.1:{port}/0"
    try:
        problem = os.path.join(root, "problems", "add")
        os.makedirs(os.path.join(problem, "data", "secret"))
        with open(os.path.join(problem, "problem.yaml"), "w") as f:
            f.write("name: Add\n")
        for ext, text in ((".in", "1 2\n"), (".ans", "3\n")):
            with open(os.path.join(problem, "data", "secret", f"01{ext}"), "w") as f:
                f.write(text)
        source = os.path.join(root, "add.c")
        with open(source, "w") as f:
            f.write(SOLUTION)
        time.sleep(0.5)
        run_once(pipejudge, root, problem, source, 2, 1, None, "warm")  # the compile cache
        print(f"{n} trivial submissions per row, {os.cpu_count()} cores; submissions/s "
              f"from the workers' start to the last final stored")
        print(f"{'workers':>7}  {'local':>7}  {'redis everysec':>14}  {'redis always':>12}")
        for workers in (1, 2, 4):
            local = run_once(pipejudge, root, problem, source, n, workers, None, f"l{workers}")
            row = f"{workers:>7}  {local:>7.1f}"
            for fsync, width in (("everysec", 14), ("always", 12)):
                r = run_once(pipejudge, root, problem, source, n, workers, brokers[fsync],
                             f"{fsync}{workers}")
                row += f"  {f'{r:.1f} ({r / local:.2f}x)':>{width}}"
            print(row, flush=True)
        print("latency: median from enqueue to the final stored, one submission at a time")
        local, events = latency(pipejudge, root, problem, source, None, "lat-l")
        for fsync in ("everysec", "always"):
            remote, _ = latency(pipejudge, root, problem, source, brokers[fsync], f"lat-{fsync}")
            print(f"  local {local * 1000:.1f} ms, redis {fsync} {remote * 1000:.1f} ms: "
                  f"{(remote - local) * 1000:+.1f} ms per submission, "
                  f"{(remote - local) * 1000 / events:+.2f} ms per event ({events:.0f} events each)",
                  flush=True)
    finally:
        for redis in servers:
            redis.kill()
            redis.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
