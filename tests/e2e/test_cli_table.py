"""End-to-end: the human-readable table of `pipejudge submit` (no --json).

On problems/aplusb:
  * an accepted submission prints one row per test (every sample and secret
    test, in order, each naming the test and AC) and a final line with AC;
  * a wrong answer stops at the first failing test without --all (fewer rows
    than tests, the last one not AC, all earlier ones AC);
  * with --all the wrong answer has a row for every test.
A row is a line naming a test as `sample/1` or `secret/01_zero` (optionally
with `data/` before it or `.in` after it).
"""
import os
import re
import sys

import pytest

import e2e_support
from e2e_support import run

TIMEOUT = 120
PROBLEM = os.path.join("problems", "aplusb")
ACCEPTED = os.path.join(PROBLEM, "submissions", "accepted", "sol.cpp")
WRONG = os.path.join(PROBLEM, "submissions", "wrong_answer", "off_by_one.cpp")


@pytest.fixture(scope="module")
def names(repo_root):
    """Test names in judging order: data/sample/*.in, then data/secret/*.in, sorted
    (at least three, or every test errors)."""
    found = []
    for group in ("sample", "secret"):
        d = os.path.join(repo_root, PROBLEM, "data", group)
        if os.path.isdir(d):
            found += [f"{group}/{f[:-3]}" for f in sorted(os.listdir(d)) if f.endswith(".in")]
    assert len(found) >= 3, f"only {len(found)} tests found under {PROBLEM}/data"
    return found


@pytest.fixture
def submit(pipejudge, repo_root):
    """Runs `pipejudge submit --problem aplusb ARGS...` (no --json): (rc, stdout, stderr)."""
    return lambda *args: run([pipejudge, "submit", "--problem", PROBLEM, *args], repo_root, TIMEOUT)


def name_pattern(name):
    return re.compile(r"(?<![\w.-])" + re.escape(name) + r"(?:\.in)?(?![\w.-])")


def has_word(line, word):
    return re.search(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", line) is not None


def rows_of(stdout, names):
    """[(test name, line)] for the lines of stdout that start with exactly one test name
    (a summary line that mentions the failing test is not a row)."""
    patterns = [(n, name_pattern(n)) for n in names]
    rows = []
    for line in stdout.splitlines():
        first = line.split()[0] if line.split() else ""
        hits = [n for n, p in patterns if p.fullmatch(first) or p.fullmatch(first.removeprefix("data/"))]
        if len(hits) == 1:
            rows.append((hits[0], line))
        elif len(hits) > 1:
            rows.append((None, line))  # ambiguous: reported as a failure by the checks
    return rows


def final_line(stdout):
    lines = [l for l in stdout.splitlines() if l.strip()]
    return lines[-1] if lines else ""


def context_of(out, err):
    text = out if out.strip() else err
    text = text.replace("\n", "\\n")
    return "output: " + (text if len(text) <= 600 else text[:600] + "...")


def test_accepted_one_ac_row_per_test_and_a_final_ac_line(submit, names):
    rc, out, err = submit(ACCEPTED)
    problems = []
    if rc != 0:
        problems.append(f"exit status {rc}, expected 0")
    rows = rows_of(out, names)
    got = [n for n, _ in rows]
    if got != names:
        problems.append(f"rows name {got}, expected {names}")
    not_ac = [n for n, line in rows if not has_word(line, "AC")]
    if not_ac:
        problems.append(f"rows without AC: {not_ac}")
    last = final_line(out)
    if not has_word(last, "AC"):
        problems.append(f"final line has no AC: {last!r}")
    elif rows and last == rows[-1][1]:
        problems.append("no final summary line after the last row")
    assert not problems, "; ".join(problems) + f" [{context_of(out, err)}]"


def test_wrong_answer_stops_at_the_first_failing_test(submit, names):
    rc, out, err = submit(WRONG)
    problems = []
    if rc != 1:
        problems.append(f"exit status {rc}, expected 1")
    rows = rows_of(out, names)
    got = [n for n, _ in rows]
    if not rows:
        problems.append("no test rows")
    elif len(rows) >= len(names):
        problems.append(f"{len(rows)} rows for {len(names)} tests: did not stop")
    else:
        if got != names[:len(got)]:
            problems.append(f"rows name {got}, expected a prefix of {names}")
        if not has_word(rows[-1][1], "WA"):
            problems.append(f"last row is not WA: {rows[-1][1]!r}")
        early = [n for n, line in rows[:-1] if not has_word(line, "AC")]
        if early:
            problems.append(f"rows before the failing one are not AC: {early}")
    last = final_line(out)
    if not has_word(last, "WA"):
        problems.append(f"final line has no WA: {last!r}")
    assert not problems, "; ".join(problems) + f" [{context_of(out, err)}]"


def test_wrong_answer_with_all_has_a_row_for_every_test(submit, names):
    rc, out, err = submit(WRONG, "--all")
    problems = []
    if rc != 1:
        problems.append(f"exit status {rc}, expected 1")
    rows = rows_of(out, names)
    got = [n for n, _ in rows]
    if got != names:
        problems.append(f"rows name {got}, expected {names}")
    verdicts = ["AC" if has_word(l, "AC") else "WA" if has_word(l, "WA") else "?" for _, l in rows]
    if "WA" not in verdicts or "AC" not in verdicts:
        problems.append(f"expected both AC and WA rows, got {verdicts}")
    last = final_line(out)
    if not has_word(last, "WA"):
        problems.append(f"final line has no WA: {last!r}")
    assert not problems, "; ".join(problems) + f" [{context_of(out, err)}]"


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
