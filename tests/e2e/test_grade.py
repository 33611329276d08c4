"""End-to-end: `pipejudge grade`, a class judged in one command.

Builds a class folder from the bundled problems' own submissions (AC, WA,
CE, RE, a scored 30 of 100, a multi-file Python directory, files that cannot
be placed) and checks grades.csv cell by cell, results.json against
`submit --json`, a second run that judges nothing again, a run SIGKILLed
halfway and resumed (nothing judged twice, nothing missing), the
problem-first layout and a CSV manifest with an extra column, a rejudge
after an answer file changed (a dry run and a real one), and the progress
bar on a terminal.
"""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import e2e_support
from e2e_support import write

TIMEOUT = 300


@pytest.fixture
def setup(repo_root, state_dir):
    problems = os.path.join(state_dir, "problems")
    for name in ("aplusb", "subtasks2025"):
        shutil.copytree(os.path.join(repo_root, "problems", name), os.path.join(problems, name))
    cache = os.path.join(state_dir, "cache")
    os.makedirs(cache)
    return problems, state_dir, cache


def sub(problems, problem, rel):
    return os.path.join(problems, problem, "submissions", rel)


def place(dst, src):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, dst)


def grade(pipejudge, root, *args, wait=True):
    argv = [pipejudge, "grade", *args, "--instance", f"grade-{os.getpid()}",
            "--state-dir", os.path.join(root, "state")]
    if not wait:
        return subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    return e2e_support.run(argv, root, TIMEOUT)


@pytest.fixture(autouse=True)
def remove_queues():
    yield
    import ctypes
    libc = ctypes.CDLL(None)
    for q in (f"/pipejudge-grade-{os.getpid()}", f"/pipejudge-grade-{os.getpid()}-submissions"):
        libc.mq_unlink(q.encode())


def check_report_page(pipejudge, repo_root, page):
    """index.html in headless Chromium (playwright-core): 6 students x 2
    problems of cells, sorting by the total, a click on bob's aplusb cell
    shows its tests; the screenshot is kept beside the binary under test
    (artifacts/grade-report.png)."""
    artifacts = os.path.join(os.path.dirname(pipejudge), "artifacts")
    os.makedirs(artifacts, exist_ok=True)
    shot = os.path.join(artifacts, "grade-report.png")
    script = os.path.join(repo_root, "tests", "browser", "grade_report.mjs")
    rc, out, err = e2e_support.run(["node", script, page, shot, "bob", "aplusb"],
                                   os.path.dirname(script), 120)
    assert rc == 0, f"the browser check: exit {rc}: {err[-800:]}"
    facts = json.loads(out.strip().splitlines()[-1])
    assert facts["errors"] == [], facts["errors"]
    assert facts["rows"] == 6 and facts["cells"] == 12, facts
    assert facts["first_by_name"] == "alice", facts
    assert facts["first_by_total_ascending"] == "bob", facts
    assert "bob / aplusb: WA" in facts["detail"] and "secret/02_negative" in facts["detail"], facts
    assert os.path.getsize(shot) > 10000


def test_grade_a_class_folder(pipejudge, setup, repo_root):
    problems, root, cache = setup
    cls = os.path.join(root, "class")
    place(f"{cls}/alice/aplusb.c", sub(problems, "aplusb", "accepted/sol.c"))
    place(f"{cls}/alice/subtasks2025.cpp", sub(problems, "subtasks2025", "accepted/kadane.cpp"))
    place(f"{cls}/bob/aplusb.cpp", sub(problems, "aplusb", "wrong_answer/off_by_one.cpp"))
    place(f"{cls}/bob/subtasks2025.py", sub(problems, "subtasks2025", "wrong_answer/zero.py"))
    place(f"{cls}/carol/aplusb.cpp", sub(problems, "aplusb", "compile_error/syntax.cpp"))
    place(f"{cls}/dave/aplusb", sub(problems, "aplusb", "accepted/python_dir"))
    place(f"{cls}/dave/subtasks2025.cpp",
          sub(problems, "subtasks2025", "time_limit_exceeded/cubic.cpp"))
    place(f"{cls}/erin/aplusb.c", sub(problems, "aplusb", "run_time_error/segfault.c"))
    write(f"{cls}/carol/notes.txt", "my notes\n")
    write(f"{cls}/erin/subtasks2025.py", "")
    place(f"{cls}/erin/nosuchproblem.c", sub(problems, "aplusb", "accepted/sol.c"))
    # frank's is alice's with other comments and spacing: listed as identical.
    with open(sub(problems, "aplusb", "accepted/sol.c")) as f:
        copied = f.read().replace("\n", "\n\n").replace("{", "{ /* mine */ ")
    write(f"{cls}/frank/aplusb.c", "// my own work\n" + copied)
    out = os.path.join(root, "out")
    rc, stdout, err = grade(pipejudge, root, cls, "--problems", problems, "--out", out,
                            "--cache-dir", cache)
    assert rc == 0, f"exit {rc}: {stdout[-800:]} {err[-800:]}"
    assert "6 students, 2 problems, 9 submissions" in stdout and "3 not judged" in stdout, stdout
    assert "identical (aplusb): alice, frank" in stdout, stdout
    assert "ETA" not in stdout, "a progress bar on a pipe"

    with open(os.path.join(out, "grades.csv")) as f:
        rows = list(csv.reader(f))
    assert rows == [["student", "aplusb", "subtasks2025", "total"],
                    ["alice", "100", "100", "200"],
                    ["bob", "0", "0", "0"],
                    ["carol", "0", "", "0"],
                    ["dave", "100", "30", "130"],
                    ["erin", "0", "", "0"],
                    ["frank", "100", "", "100"]], rows

    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    why = {os.path.basename(n["path"]): n["why"] for n in results["not_judged"]}
    assert set(why) == {"notes.txt", "subtasks2025.py", "nosuchproblem.c"}, why
    assert "empty" in why["subtasks2025.py"] and "no problem named" in why["notes.txt"]
    verdicts = {(s["student"], s["problem"]): s["report"]["verdict"] for s in results["submissions"]}
    assert verdicts == {("alice", "aplusb"): "AC", ("alice", "subtasks2025"): "AC",
                        ("bob", "aplusb"): "WA", ("bob", "subtasks2025"): "WA",
                        ("carol", "aplusb"): "CE", ("dave", "aplusb"): "AC",
                        ("dave", "subtasks2025"): "TLE", ("erin", "aplusb"): "RE",
                        ("frank", "aplusb"): "AC"}, verdicts
    assert results["identical"] == [{"problem": "aplusb", "students": ["alice", "frank"]}]
    with open(os.path.join(out, "feedback", "bob.md")) as f:
        bob = f.read()
    assert "Wrong Answer" in bob and "| secret/02_negative | WA |" in bob, bob
    # A failing sample's message is theirs to see; a secret test's is not.
    assert "> sample/2: token 1 (line 1): expected '-1', got '0'" in bob, bob
    assert "'-12'" not in bob, "a secret test's message was handed to the student"
    with open(os.path.join(out, "feedback", "carol.md")) as f:
        assert "Compiler output" in f.read()

    # The same report as `submit --json` gives for the same file.
    for student, problem, file in (("bob", "aplusb", "aplusb.cpp"),
                                   ("dave", "subtasks2025", "subtasks2025.cpp")):
        mine = next(s["report"] for s in results["submissions"]
                    if s["student"] == student and s["problem"] == problem)
        judged = e2e_support.Judged(pipejudge, ["--problem", os.path.join(problems, problem),
                                                os.path.join(cls, student, file), "--all"],
                                    root, TIMEOUT, {"PIPEJUDGE_CACHE_DIR": cache})
        theirs = judged.report
        assert sorted(mine) == sorted(theirs), f"fields {sorted(mine)} vs {sorted(theirs)}"
        for field in ("verdict", "score", "max_score", "tests_total", "limits", "language"):
            assert mine[field] == theirs[field], f"{student}/{problem} {field}"
        assert [(t["name"], t["verdict"]) for t in mine["tests"]] == \
            [(t["name"], t["verdict"]) for t in theirs["tests"]]

    check_report_page(pipejudge, repo_root, os.path.join(out, "index.html"))

    rc, stdout, err = grade(pipejudge, root, cls, "--problems", problems, "--out", out)
    assert rc == 0 and "0 to judge, 9 judged by an earlier run" in stdout, stdout

    # A test's answer changes: a rejudge lists exactly the submissions whose
    # result changed, a dry run keeps the grades, a real one replaces them.
    write(os.path.join(problems, "aplusb", "data", "secret", "01_zero.ans"), "1\n")
    rc, stdout, err = grade(pipejudge, root, cls, "--problems", problems, "--out", out,
                            "--rejudge", "--dry-run")
    assert rc == 0, f"exit {rc}: {stdout[-600:]} {err[-400:]}"
    changed = [line.strip() for line in stdout.splitlines() if line.startswith("  ") and "->" in line]
    assert sorted(changed) == ["alice/aplusb.c  AC -> WA (test secret/01_zero now WA)",
                               "dave/aplusb  AC -> WA (test secret/01_zero now WA)",
                               "frank/aplusb.c  AC -> WA (test secret/01_zero now WA)"], stdout
    assert "rejudge: 3 of 9 changed (dry run" in stdout, stdout
    with open(os.path.join(out, "grades.csv")) as f:
        assert list(csv.reader(f))[1] == ["alice", "100", "100", "200"], "a dry run changed grades"
    rc, stdout, err = grade(pipejudge, root, cls, "--problems", problems, "--out", out, "--rejudge")
    assert rc == 0 and "rejudge: 3 of 9 changed" in stdout, stdout
    with open(os.path.join(out, "grades.csv")) as f:
        assert list(csv.reader(f))[1] == ["alice", "0", "100", "100"]


def test_grade_killed_halfway_resumes(pipejudge, setup):
    """SIGKILL halfway, then run again: every submission judged, none twice."""
    problems, root, cache = setup
    cls = os.path.join(root, "class")
    sources = [sub(problems, "aplusb", "accepted/sol.c"),
               sub(problems, "aplusb", "time_limit_exceeded/spin.cpp")]
    for i in range(8):
        place(f"{cls}/s{i}/aplusb{os.path.splitext(sources[i % 2])[1]}", sources[i % 2])
    out = os.path.join(root, "out")
    args = (cls, "--problem", os.path.join(problems, "aplusb"), "--out", out, "--fast",
            "--jobs", "1", "--cache-dir", cache)
    first = grade(pipejudge, root, *args, wait=False)
    seen = 0
    deadline = time.time() + 120
    while seen < 2 and time.time() < deadline:
        line = first.stdout.readline().decode()
        seen += line.startswith("[")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    first.stdout.close()
    assert seen == 2, "the first run judged nothing before it was killed"
    rc, stdout, err = grade(pipejudge, root, *args)
    assert rc == 0, f"exit {rc}: {stdout[-800:]} {err[-600:]}"
    assert "8 of 8 judged" in stdout, stdout
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    ids = [s["id"] for s in results["submissions"]]
    assert len(set(ids)) == 8, ids
    verdicts = sorted(s["report"]["verdict"] for s in results["submissions"])
    assert verdicts == ["AC"] * 4 + ["TLE"] * 4, verdicts
    import sqlite3
    db = sqlite3.connect(os.path.join(root, "state", "results.db"))
    judged = db.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    finals = db.execute("SELECT submission_id, COUNT(*) FROM events WHERE type = 'final' "
                        "GROUP BY submission_id").fetchall()
    db.close()
    assert judged == 8, f"{judged} submissions in the database: some were judged twice"
    assert all(n == 1 for _, n in finals) and len(finals) == 8, finals


def test_grade_problem_first_folder_and_a_manifest(pipejudge, setup):
    problems, root, cache = setup
    cls = os.path.join(root, "by_problem")
    place(f"{cls}/aplusb/alice.c", sub(problems, "aplusb", "accepted/sol.c"))
    place(f"{cls}/aplusb/bob.py", sub(problems, "aplusb", "wrong_answer/wa.py"))
    out = os.path.join(root, "out1")
    rc, stdout, err = grade(pipejudge, root, cls, "--problems", problems, "--out", out,
                            "--cache-dir", cache)
    assert rc == 0 and "layout <problem>/<student>.<ext>" in stdout, f"{stdout} {err[-400:]}"
    with open(os.path.join(out, "grades.csv")) as f:
        assert list(csv.reader(f)) == [["student", "aplusb", "total"], ["alice", "100", "100"],
                                       ["bob", "0", "0"]]
    manifest = os.path.join(root, "manifest.csv")
    write(manifest, "student,problem,path,section\n"
                    f"carol,aplusb,{cls}/aplusb/alice.c,B\n"
                    "dan,aplusb,missing.c,A\n")
    out = os.path.join(root, "out2")
    rc, stdout, err = grade(pipejudge, root, "--manifest", manifest, "--problems", problems,
                            "--out", out, "--cache-dir", cache)
    assert rc == 0, f"exit {rc}: {stdout} {err[-400:]}"
    with open(os.path.join(out, "results.json")) as f:
        results = json.load(f)
    assert [(s["student"], s["extra"], s["report"]["verdict"]) for s in results["submissions"]] \
        == [("carol", {"section": "B"}, "AC")], results["submissions"]
    assert [os.path.basename(n["path"]) for n in results["not_judged"]] == ["missing.c"]


def test_grade_on_a_terminal_shows_a_progress_bar(pipejudge, setup):
    """On a tty: a bar with done/total, rate and ETA under the result lines,
    redrawn in place; not on a pipe (the other tests read plain lines)."""
    problems, root, cache = setup
    cls = os.path.join(root, "class")
    for student in ("ann", "ben", "cat"):
        place(f"{cls}/{student}/aplusb.c", sub(problems, "aplusb", "accepted/sol.c"))
    master, slave = os.openpty()
    proc = subprocess.Popen([pipejudge, "grade", cls, "--problems", problems, "--out",
                             os.path.join(root, "out"), "--cache-dir", cache, "--instance",
                             f"grade-{os.getpid()}", "--state-dir", os.path.join(root, "state")],
                            cwd=root, stdin=subprocess.DEVNULL, stdout=slave,
                            stderr=subprocess.DEVNULL)
    os.close(slave)
    data = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the other end is closed
            break
        if not chunk:
            break
        data += chunk
    os.close(master)
    assert proc.wait(timeout=TIMEOUT) == 0
    text = data.decode("utf-8", "replace")
    assert "3/3" in text and "ETA" in text and "\r\x1b[K" in text, text[-600:]
    assert "3 of 3 judged" in text, text[-300:]


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))


def test_grade_next_submission_sees_nothing_of_the_last(pipejudge, setup):
    """One worker judges ann's two-file Python directory, then ben's, whose
    __main__.py imports a module he did not hand in: the judging process
    keeps its workspace from job to job, emptied, so ben's run must not find
    ann's Adder.py."""
    problems, root, cache = setup
    cls = os.path.join(root, "class")
    place(f"{cls}/ann/aplusb", sub(problems, "aplusb", "accepted/python_dir"))
    os.makedirs(f"{cls}/ben/aplusb")
    shutil.copy(sub(problems, "aplusb", "accepted/python_dir/__main__.py"), f"{cls}/ben/aplusb/")
    out = os.path.join(root, "out")
    rc, stdout, err = grade(pipejudge, root, cls, "--problem", os.path.join(problems, "aplusb"),
                            "--out", out, "--cache-dir", cache, "--jobs", "1")
    assert rc == 0, f"exit {rc}: {stdout} {err[-400:]}"
    with open(os.path.join(out, "results.json")) as f:
        verdicts = {s["student"]: s["report"]["verdict"] for s in json.load(f)["submissions"]}
    assert verdicts == {"ann": "AC", "ben": "RE"}, verdicts
