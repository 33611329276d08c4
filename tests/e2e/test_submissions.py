"""End-to-end: every bundled submission gets the verdict of its category.

One test per file or directory directly under problems/*/submissions/<category>/
(id `problem/category/entry`): `pipejudge submit --problem problems/<p>
<submission> --json`, run from the repository root, must give the category's
verdict and exit status. A category not listed in EXPECTED is skipped. The
submissions are judged two at a time, ahead of their tests.
"""
import json
import os
import sys

import pytest

import e2e_support
from e2e_support import Judged, Prefetch, repo_root_of, selected_params, short

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


def discover(root):
    """(problem, category, entry) of every submission, sorted."""
    problems_dir = os.path.join(root, "problems")
    found = []
    for problem in sorted(os.listdir(problems_dir)):
        subs = os.path.join(problems_dir, problem, "submissions")
        if not os.path.isdir(subs):
            continue
        for category in sorted(os.listdir(subs)):
            cat_dir = os.path.join(subs, category)
            if not os.path.isdir(cat_dir) or category.startswith("."):
                continue
            for entry in sorted(os.listdir(cat_dir)):
                if not entry.startswith(".") and entry != "__pycache__":
                    found.append((problem, category, entry))
    return found


def pytest_generate_tests(metafunc):
    if "submission" in metafunc.fixturenames:
        params = []
        for problem, category, entry in discover(repo_root_of(metafunc.config)):
            marks = () if category in EXPECTED else pytest.mark.skip(reason="unknown category")
            params.append(pytest.param((problem, category, entry), marks=marks,
                                       id=f"{problem}/{category}/{entry}"))
        metafunc.parametrize("submission", params)


def count_tests(problem_dir):
    n = 0
    for group in ("sample", "secret"):
        d = os.path.join(problem_dir, "data", group)
        if os.path.isdir(d):
            for _, _, files in os.walk(d):  # groups are subdirectories
                n += sum(1 for f in files if f.endswith(".in"))
    return n


@pytest.fixture(scope="module")
def judged(request, pipejudge, repo_root):
    """submission -> its Judged run, judged WORKERS at a time in test order."""
    def judge(submission):
        problem, category, entry = submission
        problem_rel = os.path.join("problems", problem)
        sub_rel = os.path.join(problem_rel, "submissions", category, entry)
        return Judged(pipejudge, ["--problem", problem_rel, sub_rel], repo_root, TIMEOUT)

    wanted = [s for s in selected_params(request, "submission") if s[1] in EXPECTED]
    prefetch = Prefetch(judge, wanted, WORKERS)
    yield prefetch.get
    prefetch.close()


def test_bundled_submissions_exist(repo_root):
    jobs = [s for s in discover(repo_root) if s[1] in EXPECTED]
    assert jobs, f"no submissions found under {repo_root}/problems/*/submissions/"


def test_submission(submission, judged, repo_root):
    problem, category, _ = submission
    expected = EXPECTED[category]
    run = judged(submission)
    stderr = f" [stderr: {short(run.err, 200)}]" if run.err.strip() else ""
    assert run.report is not None, run.problem
    report = run.report
    verdict = report.get("verdict")
    if expected == "WA" and verdict == "PE":  # a presentation error is a wrong answer
        expected = "PE"
    want_rc = 0 if expected == "AC" else 1
    assert verdict == expected, \
        f"expected {expected}, got {verdict} (exit {run.rc}; reason: {report.get('reason')!r}){stderr}"
    assert run.rc == want_rc, f"verdict {verdict} but exit status {run.rc}, expected {want_rc}"

    tests = report.get("tests")
    assert isinstance(tests, list), f"'tests' is not a list: {tests!r}"
    if expected == "CE":
        compile_info = report.get("compile")
        assert isinstance(compile_info, dict) and compile_info.get("ok") is False, \
            f"CE but compile.ok is not false: {short(repr(compile_info), 200)}"
    else:
        assert tests, "no test results in the report"
        verdicts = [t.get("verdict") for t in tests if isinstance(t, dict)]
        if expected == "AC":
            n = count_tests(os.path.join(repo_root, "problems", problem))
            assert len(tests) == n and all(v == "AC" for v in verdicts), \
                f"AC but the tests are {verdicts} ({n} expected, all AC)"
        else:
            assert expected in verdicts, f"verdict {expected} but no test has it: {verdicts}"
    if expected == "RE":
        def crashed(t):
            code = t.get("exit_code")
            sig = t.get("signal")
            return (code not in (None, 0)) or (sig not in (None, 0, "", False))
        assert any(isinstance(t, dict) and t.get("verdict") == "RE" and crashed(t) for t in tests), \
            ("RE but no RE test reports a non-zero exit_code or a signal: "
             f"{[(t.get('name'), t.get('exit_code'), t.get('signal')) for t in tests]}")


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))


# A run-time error says why in the program's own words: the telling line of
# its stderr in the test's message and the reason, the excerpt in the report.
RUN_TIME_ERROR_WORDS = [
    ("recursion.py", "RecursionError: maximum recursion depth exceeded", "Traceback"),
    ("java_heap", "java.lang.OutOfMemoryError: Java heap space", "Exception in thread"),
]


@pytest.mark.parametrize("entry,telling,excerpt", RUN_TIME_ERROR_WORDS,
                         ids=[w[0] for w in RUN_TIME_ERROR_WORDS])
def test_a_run_time_error_names_its_cause(pipejudge, repo_root, entry, telling, excerpt):
    path = os.path.join("problems", "aplusb", "submissions", "run_time_error", entry)
    rc, out, err = e2e_support.run([pipejudge, "submit", "--problem", "problems/aplusb", path,
                                    "--json"], repo_root, TIMEOUT)
    assert rc == 1, f"exit {rc}: {short(err, 300)}"
    report = json.loads(out)
    assert report["verdict"] == "RE"
    assert telling in report["reason"]
    failing = [t for t in report["tests"] if t["verdict"] == "RE"]
    assert failing, "no RE test"
    assert telling in failing[0]["message"]
    assert excerpt in failing[0]["stderr"]
    assert all(t["stderr"] == "" for t in report["tests"] if t["verdict"] == "AC")
