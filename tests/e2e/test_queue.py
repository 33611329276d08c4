"""End-to-end: a submission queue that heals itself.

A worker takes a job under a lease (an flock on the job's file, which the
kernel drops when the worker dies), and the job leaves the queue only once
its final verdict is recorded. Real processes, killed for real:

  * 200 submissions, 3 workers; a random worker daemon is SIGKILLed every
    0.5-1.5 s and the collector every third kill, each started again: every
    submission gets the verdict of its submission, exactly one final event
    each, and the queue ends empty;
  * a job whose judging always kills its worker goes to the dead letters
    after 3 attempts, its verdict IE naming them, and the jobs behind it are
    judged;
  * a live job goes before 300 queued batch jobs;
  * a supervised pool (`worker --jobs 3`) restarts a member that dies and
    stops cleanly on SIGTERM;
  * `cancel` of a queued and of a running submission; `queue` shows them.
The figures of the kill test (submissions, kills, attempts, time) are
printed (pytest -s shows them).
"""
import json
import os
import random
import re
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import e2e_support

SUBMISSIONS = int(os.environ.get("PJ_E2E_KILL_SUBMISSIONS", "200"))

CASES = [("accepted/sol.c", "AC"), ("wrong_answer/off_by_one.cpp", "WA"),
         ("run_time_error/segfault.c", "RE"), ("compile_error/missing_header.c", "CE"),
         ("accepted/sol.cpp", "AC"), ("wrong_answer/wa.py", "WA")]


def aplusb(repo_root, rel=None):
    base = os.path.join(repo_root, "problems", "aplusb")
    return base if rel is None else os.path.join(base, "submissions", rel)


def jobs_in(instance, where):
    d = os.path.join(instance.state, "jobs", where)
    return sorted(n for n in os.listdir(d) if n.endswith(".job")) if os.path.isdir(d) else []


def finals_per_submission(instance):
    with instance.db() as db:
        return dict(db.execute("SELECT submission_id, COUNT(*) FROM events WHERE type = 'final' "
                               "GROUP BY submission_id").fetchall())


def test_workers_and_collector_killed_at_random_lose_nothing(instance, repo_root):
    instance.start_collector()
    expected = {}
    for i in range(SUBMISSIONS):
        rel, verdict = CASES[i % len(CASES)]
        expected[instance.enqueue(aplusb(repo_root), aplusb(repo_root, rel))] = verdict
    # The workers start once every job is queued: the kills fall while they judge.
    workers = [instance.start_worker() for _ in range(3)]
    rng = random.Random(20261207)
    start = time.time()
    worker_kills = collector_kills = 0
    rows = {}
    while time.time() - start < 420:
        time.sleep(rng.uniform(0.1, 0.4))  # a job takes tens of ms: kill often
        victim = rng.choice([w for w in workers if w.poll() is None])
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        workers.remove(victim)
        workers.append(instance.start_worker())
        worker_kills += 1
        if worker_kills % 3 == 0:
            instance.stop_collector(signal.SIGKILL)
            instance.start_collector()
            collector_kills += 1
        rows = {r["id"]: r for r in instance.results("--limit", "100000")}
        if all(rows.get(i, {}).get("verdict") for i in expected):
            break
    rows = instance.wait_verdicts(list(expected), timeout=120)
    elapsed = time.time() - start
    wrong = {i: (rows.get(i, {}).get("verdict"), want, rows.get(i, {}).get("reason"))
             for i, want in expected.items() if rows.get(i, {}).get("verdict") != want}
    finals = finals_per_submission(instance)
    not_once = {i: finals.get(i, 0) for i in expected if finals.get(i, 0) != 1}
    attempts = sum(rows[i]["attempts"] for i in expected if i in rows)
    print(f"\nkill test: {SUBMISSIONS} submissions, {worker_kills} worker kills, "
          f"{collector_kills} collector kills, {attempts} attempts "
          f"({attempts - SUBMISSIONS} after a worker died), {elapsed:.1f} s")
    assert not wrong, f"{len(wrong)} submissions without their verdict: {list(wrong.items())[:5]}"
    assert not not_once, f"final events per submission, not 1: {list(not_once.items())[:5]}"
    assert worker_kills >= 3, "the workers were not killed"
    assert e2e_support.wait_for(lambda: not jobs_in(instance, "queued") and
                                not jobs_in(instance, "leased"), timeout=30), \
        f"jobs left: queued {jobs_in(instance, 'queued')}, leased {jobs_in(instance, 'leased')}"
    assert not jobs_in(instance, "dead"), f"dead letters: {jobs_in(instance, 'dead')}"


def kill_its_judges_until_final(instance, doomed, workers, seconds):
    """SIGKILLs every worker daemon seen judging `doomed` until it has a
    verdict (or `seconds` pass), starting a worker for each that died;
    returns how many kills there were."""
    kills = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        rows = {r["id"]: r for r in instance.results("--limit", "1000")}
        if rows.get(doomed, {}).get("verdict"):
            break
        for pid in judging_parents(instance, doomed):
            try:
                os.kill(pid, signal.SIGKILL)
                kills += 1
            except ProcessLookupError:
                pass
        for w in list(workers):
            if w.poll() is not None:
                workers.remove(w)
                workers.append(instance.start_worker())
        time.sleep(0.05)
    return kills


def doom_a_job(instance, repo_root, behind_cases, kill_seconds, wait_seconds):
    """A job whose judging process is killed each time it judges it, with jobs
    queued behind it, on either transport: it ends as IE after 3 attempts and
    as one dead letter naming 3 deaths, and the jobs behind it get their
    verdicts. Returns its id."""
    instance.start_collector()
    workers = [instance.start_worker() for _ in range(2)]
    doomed = instance.enqueue(aplusb(repo_root), aplusb(repo_root, "time_limit_exceeded/spin.cpp"))
    behind = {instance.enqueue(aplusb(repo_root), aplusb(repo_root, rel)): verdict
              for rel, verdict in behind_cases}
    kills = kill_its_judges_until_final(instance, doomed, workers, kill_seconds)
    rows = instance.wait_verdicts([doomed, *behind], timeout=wait_seconds)
    row = rows.get(doomed, {})
    assert row.get("verdict") == "IE", f"the doomed job: {row}"
    assert "judging it failed 3 times" in row.get("reason", ""), row.get("reason")
    assert row.get("attempts") == 3, f"attempts {row.get('attempts')}"
    assert kills >= 3, f"{kills} kills"
    dead = queue_facts(instance)["dead"]
    assert [d["id"] for d in dead] == [doomed] and len(dead[0]["failures"]) == 3, dead
    assert all("died while judging it" in f for f in dead[0]["failures"]), dead
    wrong = {i: rows.get(i, {}).get("verdict") for i, want in behind.items()
             if rows.get(i, {}).get("verdict") != want}
    assert not wrong, f"jobs behind the dead letter: {wrong}"
    return doomed


def test_a_job_that_always_kills_its_worker_ends_as_a_dead_letter(instance, repo_root):
    doomed = doom_a_job(instance, repo_root, CASES[:4], 240, 120)
    assert jobs_in(instance, "dead") == [f"{doomed}.job"], jobs_in(instance, "dead")
    with open(os.path.join(instance.state, "jobs", "dead", f"{doomed}.job")) as f:
        failures = json.load(f)["failures"]
    assert len(failures) == 3 and all("died while judging it" in x for x in failures), failures


def compiling_times(instance):
    """{submission id: Unix time of its first compiling event}."""
    with instance.db() as db:
        rows = db.execute("SELECT submission_id, body FROM events WHERE type = 'compiling' "
                          "ORDER BY seq").fetchall()
    times = {}
    for sid, body in rows:
        times.setdefault(sid, json.loads(body)["ts"])
    return times


def test_a_live_job_goes_before_300_queued_batch_jobs(instance, repo_root):
    """300 batch jobs queued, a worker on them; then one live job: it starts
    before the next batch job (by the events' timestamps)."""
    instance.start_collector()
    sol = aplusb(repo_root, "accepted/sol.c")
    with ThreadPoolExecutor(4) as pool:
        batch = list(pool.map(lambda _: instance.enqueue(aplusb(repo_root), sol, "--priority",
                                                         "batch"), range(300)))
    instance.start_worker("--jobs", "1")
    assert e2e_support.wait_for(lambda: len(compiling_times(instance)) >= 3, timeout=60), \
        "the worker did not start on the batch jobs"
    live = instance.enqueue(aplusb(repo_root), sol)
    # Durable when enqueue returns; stored once the collector gets to it.
    queued_at = instance.stored_event(live, 0)["ts"]
    rows = instance.wait_verdicts([live], timeout=60)
    assert rows.get(live, {}).get("verdict") == "AC", rows.get(live)
    started = compiling_times(instance)
    live_start = started[live]
    overtaking = [b for b in batch if queued_at < started.get(b, 0) < live_start]
    # One batch job may have been taken in the instant the live one was queued.
    assert len(overtaking) <= 1, (f"{len(overtaking)} batch jobs started after the live job was "
                                  f"queued and before it")
    assert sum(1 for b in batch if b in started) < 300, "every batch job ran before the live one"


def judging_workers(instance, submission_id):
    """(worker pid, its judging process's pid) of the workers judging
    `submission_id`, as `queue --json` shows them."""
    found = []
    for w in queue_facts(instance)["workers"]:
        m = re.match(rf"judging {submission_id} .*judging process (\d+)\)", w["state"])
        if m:
            found.append((w["pid"], int(m.group(1))))
    return found


def judging_parents(instance, submission_id):
    """Worker daemons judging `submission_id`."""
    return [worker for worker, _ in judging_workers(instance, submission_id)]


def pool_members(supervisor):
    return sorted(pid for pid, ppid, cmd in e2e_support.processes()
                  if ppid == supervisor.pid and b"worker\0--jobs\x001" in cmd)


def test_a_supervised_pool_restarts_a_dead_worker_and_stops_cleanly(instance, repo_root):
    """`worker --jobs 3`: a member SIGKILLed is started again; SIGTERM while a
    member judges: that job still gets its own verdict, and nothing is left."""
    instance.start_collector()
    supervisor = instance.start_worker("--jobs", "3")
    assert e2e_support.wait_for(lambda: len(pool_members(supervisor)) == 3, timeout=30), \
        f"members: {pool_members(supervisor)}"
    first = pool_members(supervisor)
    os.kill(first[0], signal.SIGKILL)
    assert e2e_support.wait_for(lambda: len(pool_members(supervisor)) == 3 and
                                first[0] not in pool_members(supervisor), timeout=30), \
        f"members after a kill: {pool_members(supervisor)} (before: {first})"
    members = pool_members(supervisor)
    slow = instance.enqueue(aplusb(repo_root), aplusb(repo_root, "time_limit_exceeded/spin.cpp"))
    assert e2e_support.wait_for(lambda: judging_parents(instance, slow), timeout=30), "not judged"
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=60) == 0, "the supervisor did not exit 0"
    rows = instance.wait_verdicts([slow], timeout=30)
    assert rows.get(slow, {}).get("verdict") == "TLE", rows.get(slow)
    left = [m for m in members if os.path.exists(f"/proc/{m}")]
    assert not left, f"members left: {left}"


def queue_facts(instance):
    rc, out, err = instance.run("queue", "--json", *instance.args())
    assert rc == 0, f"queue: exit {rc}: {err}"
    return json.loads(out)


def test_cancel_a_queued_and_a_running_submission(instance, repo_root):
    """Queued: taken off, CANCELLED. Running: its worker stops it, CANCELLED,
    nothing of it left running. `queue` shows the job being judged and its
    worker; cancelling a judged or unknown submission says so."""
    instance.start_collector()
    spinning = instance.enqueue(aplusb(repo_root), aplusb(repo_root, "time_limit_exceeded/spin.cpp"),
                                "--all")
    waiting = instance.enqueue(aplusb(repo_root), aplusb(repo_root, "accepted/sol.c"))
    rc, out, err = instance.run("cancel", waiting, *instance.args())
    assert rc == 0 and "cancelled (it was queued)" in out, f"exit {rc}: {out} {err}"
    assert [j["id"] for j in queue_facts(instance)["queued"]] == [spinning]

    instance.start_worker()
    assert e2e_support.wait_for(lambda: judging_parents(instance, spinning), timeout=60), \
        "not judged"
    time.sleep(0.5)  # the program runs in its sandbox
    judges = [judge for _, judge in judging_workers(instance, spinning)]
    below = e2e_support.descendants(judges)
    assert below, "no process below the judging process"
    facts = queue_facts(instance)
    judging = facts["judging"]
    assert [j["id"] for j in judging] == [spinning] and judging[0]["worker_pid"] > 0, facts
    assert any(w["state"].startswith(f"judging {spinning}") for w in facts["workers"]), facts
    rc, out, err = instance.run("cancel", spinning, *instance.args())
    assert rc == 0 and "its worker stopped judging it" in out, f"exit {rc}: {out} {err}"
    rows = instance.wait_verdicts([spinning, waiting], timeout=30)
    for sid in (spinning, waiting):
        assert rows[sid]["verdict"] == "CANCELLED", rows[sid]
    assert e2e_support.wait_for(lambda: not judging_parents(instance, spinning), timeout=10)
    left = lambda: [p for p in below | set(judges) if os.path.exists(f"/proc/{p}")]
    assert e2e_support.wait_for(lambda: not left(), timeout=10), f"still running: {left()}"
    # The worker lets go of a job once its final is out: just after the verdict.
    assert e2e_support.wait_for(lambda: not jobs_in(instance, "queued") and
                                not jobs_in(instance, "leased"), timeout=10), \
        f"queued {jobs_in(instance, 'queued')}, leased {jobs_in(instance, 'leased')}"

    rc, out, err = instance.run("cancel", spinning, *instance.args())
    assert rc == 1 and "judged already (CANCELLED)" in out, f"exit {rc}: {out} {err}"
    rc, out, err = instance.run("cancel", "nosuchsubmission", *instance.args())
    assert rc == 2 and "no such submission" in err, f"exit {rc}: {out} {err}"


def test_a_corrupt_job_file_is_set_aside_and_the_queue_moves_on(instance, repo_root):
    """Job files that are not jobs (torn JSON, a name without an id) go to
    jobs/rejected/ with the reason; the job behind them is judged."""
    instance.start_collector()
    good = instance.enqueue(aplusb(repo_root), aplusb(repo_root, "accepted/sol.c"))
    queued = os.path.join(instance.state, "jobs", "queued")
    write_bytes = {"0000000000000000000001-badjob1.job": b'{"job": {"id": "badjob1", "pro',
                   "0000000000000000000002-.job": b"{}"}
    for name, data in write_bytes.items():
        with open(os.path.join(queued, name), "wb") as f:
            f.write(data)
    instance.start_worker()
    rows = instance.wait_verdicts([good], timeout=60)
    assert rows.get(good, {}).get("verdict") == "AC", rows.get(good)
    rejected = os.path.join(instance.state, "jobs", "rejected")
    # The torn one was taken (moved to leased/ as badjob1.job) before it was read.
    want = {"badjob1.job", "badjob1.job.why", "0000000000000000000002-.job",
            "0000000000000000000002-.job.why"}
    assert e2e_support.wait_for(lambda: set(os.listdir(rejected)) == want, timeout=10), \
        os.listdir(rejected)
    with open(os.path.join(rejected, "badjob1.job.why")) as f:
        assert "not a job record" in f.read()
    # The worker lets go of a job once its final is out: just after the verdict.
    assert e2e_support.wait_for(lambda: not jobs_in(instance, "queued") and
                                not jobs_in(instance, "leased"), timeout=10), \
        f"queued {jobs_in(instance, 'queued')}, leased {jobs_in(instance, 'leased')}"


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
