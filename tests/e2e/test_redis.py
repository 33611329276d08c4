"""End-to-end: the submission queue and the event stream on Redis Streams
(--broker), against a redis-server of the suite's own on 127.0.0.1 (a free
port, appendonly, in a temporary directory; killed at the end).

The local queue's tests again, through the broker:
  * workers and the collector SIGKILLed at random: every submission gets the
    verdict of its submission, exactly one final event each, nothing left;
  * the same with workers as on other machines (state directories of their
    own, no results database), and a job one of them takes over after the
    events of its first attempt were stored;
  * a job whose judging always kills its worker ends as a dead letter after
    3 attempts, IE naming them;
  * a live job goes before the queued batch jobs;
  * `cancel` of a queued and of a running submission;
and the broker's own:
  * redis-server SIGKILLed and started again mid-run (appendonly yes,
    appendfsync always): every submission still ends with one final;
  * a final published while redis-server is away waits in the outbox and
    arrives once it is back, with no later job to carry it;
  * a broker that cannot be reached, or refuses the password: a clear error;
  * a malformed job entry and a malformed event entry go to their
    dead-letter streams with the reason, and the queue moves on;
  * `grade` and `submit --collector` judge through the broker;
  * packages and submissions travel by content hash to workers that cannot
    see them, each version fetched once per worker.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import e2e_support
from test_queue import (CASES, aplusb, compiling_times, doom_a_job, finals_per_submission,
                        judging_parents, judging_workers, queue_facts)

SUBMISSIONS = int(os.environ.get("PJ_E2E_REDIS_KILL_SUBMISSIONS", "200"))
LEASE = 1  # seconds: a killed worker's job is taken over after it


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server of our own on 127.0.0.1: start(), kill(), cli()."""

    def __init__(self, *extra):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="pj-e2e-redis-")
        self.extra = extra
        self.proc = None
        self.password = None
        if "--requirepass" in extra:
            self.password = extra[extra.index("--requirepass") + 1]

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "yes", "--appendfsync", "always", "--dir", self.dir,
             "--protected-mode", "no", *self.extra],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert e2e_support.wait_for(self.answers, timeout=20), "redis-server did not start"
        return self

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(64).startswith((b"+PONG", b"-NOAUTH"))
        except OSError:
            return False

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
        if self.proc:
            self.proc.wait(timeout=30)

    def close(self):
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, lease=LEASE):
        return f"redis://127.0.0.1:{self.port}/0?lease={lease}"

    def cli(self, *argv):
        """`redis-cli ARGV...` on this server: its output, one line per value."""
        auth = ["-a", self.password, "--no-auth-warning"] if self.password else []
        out = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *auth,
                              "--raw", *argv], capture_output=True, timeout=30, check=True)
        return out.stdout.decode()


@pytest.fixture(scope="module")
def redis():
    server = RedisServer().start()
    yield server
    server.close()


@pytest.fixture
def own_redis(request):
    """A server for one test (which may kill it), started with `params`."""
    servers = []

    def make(*extra):
        servers.append(RedisServer(*extra).start())
        return servers[-1]

    yield make
    for s in servers:
        s.close()


@pytest.fixture
def broker_instance(instance, redis):
    instance.broker = redis.url()
    return instance


def prefix(instance):
    return f"pipejudge:{instance.name}"


def nothing_left(instance):
    facts = queue_facts(instance)
    return not facts["queued"] and not facts["judging"]


def test_workers_and_collector_killed_at_random_lose_nothing(broker_instance, repo_root):
    instance = broker_instance
    instance.start_collector()
    with ThreadPoolExecutor(4) as pool:
        cases = [CASES[i % len(CASES)] for i in range(SUBMISSIONS)]
        ids = list(pool.map(lambda c: instance.enqueue(aplusb(repo_root),
                                                       aplusb(repo_root, c[0])), cases))
    expected = {sid: verdict for sid, (_, verdict) in zip(ids, cases)}
    workers = [instance.start_worker() for _ in range(3)]
    rng = random.Random(20261207)
    start = time.time()
    worker_kills = collector_kills = 0
    while time.time() - start < 120:
        time.sleep(rng.uniform(0.2, 0.6))
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
    rows = instance.wait_verdicts(list(expected), timeout=90)
    elapsed = time.time() - start
    wrong = {i: (rows.get(i, {}).get("verdict"), want, rows.get(i, {}).get("reason"))
             for i, want in expected.items() if rows.get(i, {}).get("verdict") != want}
    finals = finals_per_submission(instance)
    not_once = {i: finals.get(i, 0) for i in expected if finals.get(i, 0) != 1}
    attempts = sum(rows[i]["attempts"] for i in expected if i in rows)
    print(f"\nredis kill test: {SUBMISSIONS} submissions, {worker_kills} worker kills, "
          f"{collector_kills} collector kills, {attempts} attempts, {elapsed:.1f} s")
    assert not wrong, f"{len(wrong)} submissions without their verdict: {list(wrong.items())[:5]}"
    assert not not_once, f"final events per submission, not 1: {list(not_once.items())[:5]}"
    assert worker_kills >= 3, "the workers were not killed"
    assert e2e_support.wait_for(lambda: nothing_left(instance), timeout=30), queue_facts(instance)
    assert not queue_facts(instance)["dead"]


def start_remote_worker(instance, number, stderr=None):
    """A worker as on another machine: a state directory of its own, with no
    results database in it (the collector's is elsewhere)."""
    state = os.path.join(instance.state, f"machine-{number}")
    p = subprocess.Popen([instance.pipejudge, "worker", "--jobs", "1", "--instance", instance.name,
                          "--state-dir", state, "--broker", instance.broker], cwd=instance.root,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr)
    instance.procs.append(p)
    return p


def test_packages_travel_by_content_hash(broker_instance, repo_root, tmp_path):
    """Three workers as on three machines (state directories of their own)
    with no access to the problems folder or the submissions: each fetches
    the package from the broker at most once; a changed package is a new
    hash, fetched again, and its changed test is what is judged."""
    instance = broker_instance
    instance.start_collector()
    here, away = tmp_path / "here", tmp_path / "away"
    shutil.copytree(aplusb(repo_root), here / "aplusb", ignore=shutil.ignore_patterns("submissions"))
    with open(aplusb(repo_root, "accepted/sol.c")) as f:
        source = f.read()
    # Unique: no compile cache has it, so the workers compile what they fetched.
    (here / "sol.c").write_text(f"{source}/* {tmp_path} */\n")

    def enqueue_then_hide(count):
        ids = [instance.enqueue(str(here / "aplusb"), str(here / "sol.c")) for _ in range(count)]
        here.rename(away)  # the workers cannot see them
        return ids

    first = enqueue_then_hide(6)
    logs = [open(tmp_path / f"worker-{m}.log", "wb") for m in (1, 2, 3)]
    for m, log in zip((1, 2, 3), logs):
        start_remote_worker(instance, m, stderr=log)
    rows = instance.wait_verdicts(first, timeout=90)
    assert all(rows.get(i, {}).get("verdict") == "AC" for i in first), \
        [(rows.get(i, {}).get("verdict"), rows.get(i, {}).get("reason")) for i in first]

    away.rename(here)
    with open(here / "aplusb" / "data" / "secret" / "01_zero.ans", "w") as f:
        f.write("1\n")  # 0 + 0 is now 1: an accepted program fails it
    second = enqueue_then_hide(6)
    rows = instance.wait_verdicts(second, timeout=90)
    assert all(rows.get(i, {}).get("verdict") == "WA" for i in second), \
        [(rows.get(i, {}).get("verdict"), rows.get(i, {}).get("reason")) for i in second]
    for log in logs:
        log.close()
    fetched = {}  # worker -> [package hash fetched]
    for m in (1, 2, 3):
        text = (tmp_path / f"worker-{m}.log").read_text(errors="replace")
        fetched[m] = [line.split("fetched package ")[1].split()[0] for line in text.splitlines()
                      if "fetched package" in line and "(aplusb," in line]
    hashes = {h for hs in fetched.values() for h in hs}
    assert len(hashes) == 2, f"package versions fetched: {fetched}"
    assert all(len(hs) == len(set(hs)) for hs in fetched.values()), \
        f"a worker fetched a package twice: {fetched}"
    assert sum(1 for hs in fetched.values() if hs) >= 2, f"fetched by: {fetched}"


def test_workers_on_other_machines_killed_at_random_lose_nothing(broker_instance, repo_root):
    """Workers with state directories of their own (no results database: as
    on other machines) take over the jobs of the killed ones from what the
    broker says was stored: every submission its verdict, one final each."""
    instance = broker_instance
    instance.start_collector()
    cases = [CASES[i % len(CASES)] for i in range(SUBMISSIONS // 3)]
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda c: instance.enqueue(aplusb(repo_root),
                                                       aplusb(repo_root, c[0])), cases))
    expected = {sid: verdict for sid, (_, verdict) in zip(ids, cases)}
    machines = 0
    workers = []
    for _ in range(3):
        machines += 1
        workers.append(start_remote_worker(instance, machines))
    rng = random.Random(7)
    start = time.time()
    kills = 0
    while time.time() - start < 90:
        time.sleep(rng.uniform(0.2, 0.6))
        victim = rng.choice(workers)
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        workers.remove(victim)
        machines += 1
        workers.append(start_remote_worker(instance, machines))
        kills += 1
        rows = {r["id"]: r for r in instance.results("--limit", "100000")}
        if all(rows.get(i, {}).get("verdict") for i in expected):
            break
    rows = instance.wait_verdicts(list(expected), timeout=90)
    wrong = {i: (rows.get(i, {}).get("verdict"), want, rows.get(i, {}).get("reason"))
             for i, want in expected.items() if rows.get(i, {}).get("verdict") != want}
    finals = finals_per_submission(instance)
    not_once = {i: finals.get(i, 0) for i in expected if finals.get(i, 0) != 1}
    assert not wrong, f"{len(wrong)} submissions without their verdict: {list(wrong.items())[:5]}"
    assert not not_once, f"final events per submission, not 1: {list(not_once.items())[:5]}"
    assert kills >= 3, "the workers were not killed"
    # A job judged again after its worker died: the new attempt's events
    # follow what was stored of the old one, none dropped as a duplicate seq.
    with instance.db() as db:
        compiled = {}
        for sid, body in db.execute("SELECT submission_id, body FROM events "
                                    "WHERE type = 'compiling'"):
            compiled.setdefault(sid, set()).add(json.loads(body).get("attempt"))
    again = [i for i in expected if rows[i]["attempts"] > 1]
    print(f"\nother machines: {len(expected)} submissions, {kills} kills, "
          f"{len(again)} judged again")
    lost = {i: (rows[i]["attempts"], sorted(compiled.get(i, ()))) for i in again
            if rows[i]["attempts"] not in compiled.get(i, ())}
    assert not lost, f"the last attempt's compiling event was not stored: {lost}"
    assert not any(os.path.exists(os.path.join(instance.state, f"machine-{m}", "results.db"))
                   for m in range(1, machines + 1)), "a worker made a results database"
    assert e2e_support.wait_for(lambda: nothing_left(instance), timeout=30), queue_facts(instance)


def test_a_worker_on_another_machine_takes_over_after_what_was_stored(broker_instance, repo_root,
                                                                      tmp_path):
    """A worker with no results database takes over a job whose events were
    stored already: its attempt follows them (from what the broker says was
    stored), so none of its events is dropped as a duplicate."""
    instance = broker_instance
    instance.start_collector()
    # aplusb with three tests, each a TLE of the program that spins: slow enough
    # to be killed between tests, quick enough judged again.
    problem = tmp_path / "aplusb"
    shutil.copytree(aplusb(repo_root), problem, ignore=shutil.ignore_patterns("submissions"))
    for name in os.listdir(problem / "data" / "secret"):
        if not name.startswith(("01_", "02_")):
            os.remove(problem / "data" / "secret" / name)
    for name in ("2.in", "2.ans"):
        os.remove(problem / "data" / "sample" / name)
    slow = instance.enqueue(str(problem), aplusb(repo_root, "time_limit_exceeded/spin.cpp"), "--all")
    first = start_remote_worker(instance, 1)

    def stored_tests():
        with instance.db() as db:
            return db.execute("SELECT COUNT(*) FROM events WHERE submission_id = ? AND "
                              "type = 'test'", (slow,)).fetchone()[0]

    assert e2e_support.wait_for(lambda: stored_tests() >= 1, timeout=60), "no test stored"
    judges = [judge for _, judge in judging_workers(instance, slow)]
    first.kill()
    for pid in judges:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    start_remote_worker(instance, 2)
    rows = instance.wait_verdicts([slow], timeout=90)
    assert rows.get(slow, {}).get("verdict") == "TLE", rows.get(slow)
    assert rows[slow]["attempts"] == 2, rows[slow]
    with instance.db() as db:
        attempts = [json.loads(b)["attempt"] for (b,) in db.execute(
            "SELECT body FROM events WHERE submission_id = ? AND type = 'compiling' ORDER BY seq",
            (slow,))]
    assert attempts == [1, 2], f"compiling events stored, by attempt: {attempts}"
    assert finals_per_submission(instance).get(slow) == 1


def test_a_job_that_always_kills_its_worker_ends_as_a_dead_letter(broker_instance, repo_root,
                                                                   redis):
    instance = broker_instance
    doomed = doom_a_job(instance, repo_root, CASES[:3], 90, 60)
    assert doomed in redis.cli("XRANGE", f"{prefix(instance)}:jobs:dead", "-", "+")
    # The killed workers show as lost, until they are forgotten.
    lost = [w for w in queue_facts(instance)["workers"] if w["lost"]]
    assert lost, queue_facts(instance)["workers"]
    rc, out, _ = instance.run("queue", *instance.args())
    assert rc == 0 and "LOST: no heartbeat" in out, out


def test_a_live_job_goes_before_the_queued_batch_jobs(broker_instance, repo_root):
    instance = broker_instance
    instance.start_collector()
    sol = aplusb(repo_root, "accepted/sol.c")
    with ThreadPoolExecutor(4) as pool:
        batch = list(pool.map(lambda _: instance.enqueue(aplusb(repo_root), sol, "--priority",
                                                         "batch"), range(60)))
    facts = queue_facts(instance)
    assert [j["id"] for j in facts["queued"]] == batch or \
        sorted(j["id"] for j in facts["queued"]) == sorted(batch), facts["queued"][:3]
    instance.start_worker("--jobs", "1")
    assert e2e_support.wait_for(lambda: len(compiling_times(instance)) >= 3, timeout=60), \
        "the worker did not start on the batch jobs"
    live = instance.enqueue(aplusb(repo_root), sol)
    # Durable when enqueue returns; stored once the collector gets to it.
    queued_at = instance.stored_event(live, 0)["ts"]
    rows = instance.wait_verdicts([live], timeout=60)
    assert rows.get(live, {}).get("verdict") == "AC", rows.get(live)
    started = compiling_times(instance)
    overtaking = [b for b in batch if queued_at < started.get(b, 0) < started[live]]
    assert len(overtaking) <= 1, f"{len(overtaking)} batch jobs went before the live job"
    assert sum(1 for b in batch if b in started) < 60, "every batch job ran before the live one"


def test_cancel_a_queued_and_a_running_submission(broker_instance, repo_root):
    instance = broker_instance
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
    time.sleep(0.5)
    judges = [judge for _, judge in judging_workers(instance, spinning)]
    facts = queue_facts(instance)
    assert [j["id"] for j in facts["judging"]] == [spinning], facts
    assert facts["judging"][0]["worker_pid"] in [w["pid"] for w in facts["workers"]], facts
    rc, out, err = instance.run("cancel", spinning, *instance.args())
    assert rc == 0 and "its worker stopped judging it" in out, f"exit {rc}: {out} {err}"
    rows = instance.wait_verdicts([spinning, waiting], timeout=30)
    for sid in (spinning, waiting):
        assert rows[sid]["verdict"] == "CANCELLED", rows[sid]
    left = lambda: [p for p in judges if os.path.exists(f"/proc/{p}")]
    assert e2e_support.wait_for(lambda: not left(), timeout=10), f"still running: {left()}"
    assert e2e_support.wait_for(lambda: nothing_left(instance), timeout=10), queue_facts(instance)
    rc, out, err = instance.run("cancel", spinning, *instance.args())
    assert rc == 1 and "judged already (CANCELLED)" in out, f"exit {rc}: {out} {err}"


def test_redis_server_killed_and_started_again_mid_run(instance, repo_root, own_redis):
    server = own_redis()
    instance.broker = server.url()
    instance.start_collector()
    cases = [CASES[i % len(CASES)] for i in range(24)]
    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda c: instance.enqueue(aplusb(repo_root),
                                                       aplusb(repo_root, c[0])), cases))
    expected = {sid: verdict for sid, (_, verdict) in zip(ids, cases)}
    workers = [instance.start_worker() for _ in range(2)]
    assert e2e_support.wait_for(lambda: len(compiling_times(instance)) >= 2, timeout=60)
    server.kill(signal.SIGKILL)
    time.sleep(1.5)  # judging goes on: events wait in the outbox
    server.start()
    rows = instance.wait_verdicts(list(expected), timeout=90)
    wrong = {i: (rows.get(i, {}).get("verdict"), want) for i, want in expected.items()
             if rows.get(i, {}).get("verdict") != want}
    assert not wrong, f"{len(wrong)} without their verdict: {list(wrong.items())[:5]}"
    finals = finals_per_submission(instance)
    assert all(finals.get(i) == 1 for i in expected), finals
    assert all(w.poll() is None for w in workers), "a worker died with the broker"
    assert instance.collector.poll() is None, "the collector died with the broker"
    assert e2e_support.wait_for(lambda: nothing_left(instance), timeout=30), queue_facts(instance)
    assert e2e_support.wait_for(lambda: not instance.outbox_pending(), timeout=10), \
        instance.outbox_pending()


def test_a_final_published_while_the_broker_is_away_arrives_when_it_is_back(instance, repo_root,
                                                                            own_redis, tmp_path):
    """The last job before an outage: its final waits in the outbox of the
    worker's machine, and is sent once Redis is back, with no other job to
    carry it."""
    server = own_redis()
    instance.broker = server.url()
    instance.start_collector()
    problem = tmp_path / "aplusb"
    shutil.copytree(aplusb(repo_root), problem, ignore=shutil.ignore_patterns("submissions"))
    for name in os.listdir(problem / "data" / "secret"):
        os.remove(problem / "data" / "secret" / name)
    slow = instance.enqueue(str(problem), aplusb(repo_root, "time_limit_exceeded/spin.cpp"), "--all")
    instance.start_worker()
    assert e2e_support.wait_for(lambda: judging_parents(instance, slow), timeout=60), "not judged"
    server.kill(signal.SIGKILL)

    def final_in_outbox():
        outbox = os.path.join(instance.state, "outbox")
        return any('"final"' in open(os.path.join(outbox, n), errors="replace").read()
                   for n in instance.outbox_pending())

    assert e2e_support.wait_for(final_in_outbox, timeout=60), instance.outbox_pending()
    server.start()
    rows = instance.wait_verdicts([slow], timeout=30)
    assert rows.get(slow, {}).get("verdict") == "TLE", rows.get(slow)
    assert e2e_support.wait_for(lambda: not instance.outbox_pending(), timeout=10)


def test_an_unreachable_broker_or_a_wrong_password_is_a_clear_error(instance, repo_root,
                                                                    own_redis):
    sol = aplusb(repo_root, "accepted/sol.c")
    nobody = f"redis://127.0.0.1:{free_port()}"
    for command in (["enqueue", "--problem", aplusb(repo_root), sol], ["worker", "--once"],
                    ["collector"], ["queue"]):
        rc, out, err = instance.run(*command, "--instance", instance.name, "--state-dir",
                                    instance.state, "--broker", nobody, timeout=30)
        assert rc == 2 and "cannot connect" in err and nobody in err, f"{command}: {rc} {err}"
    server = own_redis("--requirepass", "s3cret")
    args = ["enqueue", "--problem", aplusb(repo_root), sol, "--instance", instance.name,
            "--state-dir", instance.state, "--broker", server.url()]
    env = dict(os.environ, PIPEJUDGE_REDIS_PASSWORD="wrong")
    rc, out, err = instance.run(*args, env=env)
    assert rc == 2 and "refused the password" in err, f"{rc} {err}"
    env.pop("PIPEJUDGE_REDIS_PASSWORD")
    rc, out, err = instance.run(*args, env=env)
    assert rc == 2 and "wants a password" in err, f"{rc} {err}"
    rc, out, err = instance.run(*args, env=dict(env, PIPEJUDGE_REDIS_PASSWORD="s3cret"))
    assert rc == 0 and out.strip(), f"{rc} {err}"
    assert out.strip() in server.cli("XRANGE", f"pipejudge:{instance.name}:jobs:live", "-", "+")
    # The URL from the environment: the same broker.
    env = dict(os.environ, PIPEJUDGE_BROKER=server.url(), PIPEJUDGE_REDIS_PASSWORD="s3cret")
    rc, out, err = instance.run("queue", "--json", "--instance", instance.name, env=env)
    assert rc == 0 and len(json.loads(out)["queued"]) == 1, f"{rc} {out} {err}"
    # Or from the site configuration: the broker and its password.
    config = os.path.join(server.dir, "site.yaml")
    with open(config, "w") as f:
        f.write(f"broker: {server.url()}\nredis_password: s3cret\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPEJUDGE_")}
    rc, out, err = instance.run("queue", "--json", "--instance", instance.name,
                                env=dict(env, PIPEJUDGE_CONFIG=config))
    assert rc == 0 and len(json.loads(out)["queued"]) == 1, f"{rc} {out} {err}"
    with open(config, "w") as f:
        f.write(f"broker: {server.url()}\nredis_password: wrong\n")
    rc, out, err = instance.run("queue", "--instance", instance.name,
                                env=dict(env, PIPEJUDGE_CONFIG=config))
    assert rc == 2 and f"refused the password (redis_password in {config})" in err, f"{rc} {err}"


def test_malformed_entries_go_to_the_dead_letters_with_the_reason(broker_instance, repo_root,
                                                                  redis):
    instance = broker_instance
    p = prefix(instance)
    instance.start_collector()
    redis.cli("XADD", f"{p}:jobs:live", "*", "job", '{"id": "torn", "pro')
    redis.cli("XADD", f"{p}:jobs:live", "*", "something", "else")
    good = instance.enqueue(aplusb(repo_root), aplusb(repo_root, "accepted/sol.c"))
    redis.cli("XADD", f"{p}:events", "*", "garbage", "1")
    redis.cli("XADD", f"{p}:events", "*", "id", "abcdef", "first", "0", "last", "0", "events",
              "not json")
    redis.cli("XADD", f"{p}:events", "*", "id", "abcdef", "first", "1", "last", "2", "events",
              "one line only")
    instance.start_worker()
    rows = instance.wait_verdicts([good], timeout=60)
    assert rows.get(good, {}).get("verdict") == "AC", rows.get(good)
    dead = queue_facts(instance)["dead"]
    reasons = [f for d in dead for f in d["failures"]]
    assert len(dead) == 2, dead
    assert any("not a JSON object" in r and "torn" in r for r in reasons), reasons
    assert any("something" in r for r in reasons), reasons
    dead_events = lambda: redis.cli("XRANGE", f"{p}:events:dead", "-", "+")
    assert e2e_support.wait_for(lambda: dead_events().count("reason") == 3, timeout=10), \
        dead_events()
    text = dead_events()
    assert "not an event entry" in text and "garbage" in text, text
    assert "holds 1 events, its seqs say 2" in text, text
    assert "not json" in text, text
    assert int(redis.cli("XLEN", f"{p}:events").strip()) == 0
    assert e2e_support.wait_for(lambda: nothing_left(instance), timeout=10), queue_facts(instance)


def test_grade_and_submit_go_through_the_broker(broker_instance, repo_root, tmp_path):
    """`grade --broker` (its own workers) and `submit --collector --broker`:
    judged through Redis, stored by the instance's collector; no local
    submission queue is made."""
    instance = broker_instance
    instance.start_collector()
    for student, rel, ext in (("alice", "accepted/sol.c", "c"),
                              ("bob", "wrong_answer/off_by_one.cpp", "cpp")):
        os.makedirs(tmp_path / "class" / student)
        shutil.copy(aplusb(repo_root, rel), tmp_path / "class" / student / f"aplusb.{ext}")
    rc, out, err = instance.run("grade", str(tmp_path / "class"), "--problem", aplusb(repo_root),
                                "--out", str(tmp_path / "report"), "--jobs", "2",
                                *instance.args())
    assert rc == 0, f"grade: exit {rc}: {err}"
    grades = (tmp_path / "report" / "grades.csv").read_text()
    assert "alice,100" in grades and "bob,0" in grades, grades
    rc, out, err = instance.run("submit", "--collector", "--problem", aplusb(repo_root),
                                aplusb(repo_root, "accepted/sol.c"), *instance.args())
    assert rc == 0 and "AC (Accepted)" in out, f"submit: exit {rc}: {out} {err}"
    assert len(instance.results("--limit", "100")) == 3
    assert not os.path.exists(os.path.join(instance.state, "jobs")), "a local queue was made"


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
