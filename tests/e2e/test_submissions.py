#!/usr/bin/env python3
"""End-to-end: every bundled submission gets the verdict of its category.

Usage: python3 test_submissions.py <path-to-pipejudge> <repo-root>

For every file or directory directly under problems/*/submissions/<category>/
runs `pipejudge submit --problem problems/<p> <submission> --json` (from the
repository root) and checks the verdict and the exit status. Prints one line
per submission and a closing `N passed, M failed` line; exits 1 if any failed.
Standard library only.
"""
import concurrent.futures
import json
import os
import sys

import e2e_support  # beside this file

TIMEOUT = 60  # seconds per submission
WORKERS = 2

EXPECTED = {
    "accepted": "AC",
    "wrong_answer": "WA",
    "time_limit_exceeded": "TLE",
    "run_time_error": "RE",
    "memory_limit_exceeded": "MLE",
    "output_limit_exceeded": "OLE",
    "compile_error": "CE",
}




def count_tests(problem_dir):
    n = 0
    for group in ("sample", "secret"):
        d = os.path.join(problem_dir, "data", group)
        if os.path.isdir(d):
            for _, _, files in os.walk(d):  # groups are subdirectories
                n += sum(1 for f in files if f.endswith(".in"))
    return n


def short(text, limit=200):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def check(pipejudge, root, problem, category, entry):
    """Returns (ok, line) for one submission."""
    label = f"{problem}/{category}/{entry}"
    expected = EXPECTED[category]
    problem_rel = os.path.join("problems", problem)
    sub_rel = os.path.join(problem_rel, "submissions", category, entry)
    rc, out, err = e2e_support.run([pipejudge, "submit", "--problem", problem_rel, sub_rel, "--json"], root,
                       TIMEOUT)

    def fail(why):
        tail = f" [stderr: {short(err)}]" if err.strip() else ""
        return False, f"FAIL {label}: {why}{tail}"

    if rc is None:
        return fail(f"timed out after {TIMEOUT}s")
    try:
        report = json.loads(out)
    except ValueError as e:
        return fail(f"stdout is not one JSON object ({e}), exit {rc}: {short(out)!r}")
    if not isinstance(report, dict):
        return fail(f"stdout is JSON but not an object: {short(out)!r}")
    verdict = report.get("verdict")
    want_rc = 0 if expected == "AC" else 1
    if expected == "WA" and verdict == "PE":  # a presentation error is a wrong answer
        expected = "PE"
    if verdict != expected:
        return fail(f"expected {expected}, got {verdict} (exit {rc}; reason: {report.get('reason')!r})")
    if rc != want_rc:
        return fail(f"verdict {verdict} but exit status {rc}, expected {want_rc}")

    tests = report.get("tests")
    if not isinstance(tests, list):
        return fail(f"'tests' is not a list: {tests!r}")
    if expected == "CE":
        compile_info = report.get("compile")
        if not isinstance(compile_info, dict) or compile_info.get("ok") is not False:
            return fail(f"CE but compile.ok is not false: {short(repr(compile_info))}")
    else:
        if not tests:
            return fail("no test results in the report")
        verdicts = [t.get("verdict") for t in tests if isinstance(t, dict)]
        if expected == "AC":
            n = count_tests(os.path.join(root, problem_rel))
            if len(tests) != n or any(v != "AC" for v in verdicts):
                return fail(f"AC but the tests are {verdicts} ({n} expected, all AC)")
        elif expected not in verdicts:
            return fail(f"verdict {expected} but no test has it: {verdicts}")
    if expected == "RE":
        def crashed(t):
            code = t.get("exit_code")
            sig = t.get("signal")
            return (code not in (None, 0)) or (sig not in (None, 0, "", False))
        if not any(isinstance(t, dict) and t.get("verdict") == "RE" and crashed(t) for t in tests):
            return fail("RE but no RE test reports a non-zero exit_code or a signal: "
                        f"{[(t.get('name'), t.get('exit_code'), t.get('signal')) for t in tests]}")

    time = report.get("time")
    shown = f"{time:.3f}s" if isinstance(time, (int, float)) and not isinstance(time, bool) else "?s"
    return True, f"ok   {label} {verdict} {shown}"


def discover(root):
    """Yields (problem, category, entry) for every submission, sorted."""
    problems_dir = os.path.join(root, "problems")
    jobs, skipped = [], []
    for problem in sorted(os.listdir(problems_dir)):
        subs = os.path.join(problems_dir, problem, "submissions")
        if not os.path.isdir(subs):
            continue
        for category in sorted(os.listdir(subs)):
            cat_dir = os.path.join(subs, category)
            if not os.path.isdir(cat_dir) or category.startswith("."):
                continue
            for entry in sorted(os.listdir(cat_dir)):
                if entry.startswith(".") or entry == "__pycache__":
                    continue
                if category not in EXPECTED:
                    skipped.append(f"{problem}/{category}/{entry}")
                else:
                    jobs.append((problem, category, entry))
    return jobs, skipped


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} <path-to-pipejudge> <repo-root>", file=sys.stderr)
        return 2
    pipejudge = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2])
    jobs, skipped = discover(root)
    for s in skipped:
        print(f"skip {s}: unknown category")
    passed = failed = 0
    if not jobs:
        print(f"FAIL no submissions found under {root}/problems/*/submissions/")
        failed += 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = pool.map(lambda job: check(pipejudge, root, *job), jobs)
        for ok, line in results:
            print(line, flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
