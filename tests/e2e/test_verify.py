"""End-to-end: `pipejudge verify` passes on every bundled problem, and fails
on a package whose submissions or inputs are not what it says.

`verify` runs once on all bundled problems (one test per problem checks its
section of the output); then on a lying copy of aplusb, on anysum with a
validator built by build/run scripts, and on an unreadable package. Compiled
programs are cached in a private cache directory shared by the module.
"""
import os
import re
import shutil
import sys

import pytest

import e2e_support
from e2e_support import repo_root_of, run, write

TIMEOUT = 900


def bundled(root):
    """Names of the bundled problems (directories with a problem.yaml), sorted."""
    problems_dir = os.path.join(root, "problems")
    return sorted(p for p in os.listdir(problems_dir)
                  if os.path.isfile(os.path.join(problems_dir, p, "problem.yaml")))


def pytest_generate_tests(metafunc):
    if "problem" in metafunc.fixturenames:
        metafunc.parametrize("problem", bundled(repo_root_of(metafunc.config)))


@pytest.fixture(scope="module")
def env(module_dir):
    return {"PIPEJUDGE_CACHE_DIR": os.path.join(module_dir, "cache")}


@pytest.fixture(scope="module")
def verify(pipejudge, module_dir, env):
    """Runs `pipejudge verify DIR...` from module_dir: (rc, stdout, stderr)."""
    return lambda *dirs: run([pipejudge, "verify", *dirs], module_dir, TIMEOUT, env)


@pytest.fixture(scope="module")
def verify_all(verify, repo_root):
    """`verify` on every bundled problem: (problem names, rc, stdout, stderr)."""
    problems = bundled(repo_root)
    rc, out, err = verify(*(os.path.join(repo_root, "problems", p) for p in problems))
    print(out)
    return problems, rc, out, err


def test_verify_passes_on_every_bundled_problem(verify_all):
    problems, rc, out, err = verify_all
    summary = f"verify: {len(problems)} of {len(problems)} problems as their packages say"
    assert rc == 0 and summary in out, f"exit {rc}, stderr {err.strip()!r}, stdout tail {out[-800:]!r}"


def test_no_submission_failed(verify_all):
    _, _, out, _ = verify_all
    assert "FAIL" not in out, "a FAIL line: " + "; ".join(l for l in out.splitlines() if "FAIL" in l)


def test_every_package_has_submissions_and_all_ran(verify_all):
    problems, _, out, _ = verify_all
    counts = re.findall(r"(\d+) of (\d+) submissions as expected", out)
    assert len(counts) == len(problems) and all(a == b and int(a) > 0 for a, b in counts), str(counts)


def test_problem_section(verify_all, problem):
    """The problem's own section: every submission as expected, none failed."""
    _, _, out, _ = verify_all
    sections = re.split(r"^(?=\S.* \(\S+\): )", out, flags=re.M)
    mine = [s for s in sections if re.match(r"\S.* \(" + re.escape(problem) + r"\): ", s)]
    assert len(mine) == 1, f"{len(mine)} sections for {problem} in the output"
    section = mine[0]
    assert "FAIL" not in section, section
    m = re.search(r"^  (\d+) of (\d+) submissions as expected$", section, flags=re.M)
    assert m and m.group(1) == m.group(2) and int(m.group(1)) > 0, section


def test_input_validators_ran(verify_all):
    _, _, out, _ = verify_all
    assert "input validators: 1, 8 of 8 checks passed" in out, "no input validator line for aplusb"


@pytest.fixture(scope="module")
def lying(verify, repo_root, module_dir):
    """A package that lies: a wrong answer filed as accepted, and an input its
    own validator rejects. (rc, stdout, stderr) of verify on it."""
    bad = os.path.join(module_dir, "aplusb")
    shutil.copytree(os.path.join(repo_root, "problems", "aplusb"), bad)
    shutil.move(os.path.join(bad, "submissions", "wrong_answer", "wa.py"),
                os.path.join(bad, "submissions", "accepted", "wa.py"))
    write(os.path.join(bad, "data", "secret", "99_bad.in"), "1 2 3\n")
    write(os.path.join(bad, "data", "secret", "99_bad.ans"), "3\n")
    return verify(bad)


def test_lying_package_fails_verify(lying):
    rc, out, _ = lying
    assert rc == 1, f"exit {rc}: {out[-500:]}"


def test_lying_package_names_the_misfiled_submission(lying):
    _, out, _ = lying
    assert re.search(r"FAIL\s+accepted/wa.py\s+WA", out) is not None, out[-800:]


def test_lying_package_names_the_rejected_input(lying):
    _, out, _ = lying
    assert "range rejects secret/99_bad" in out, out[-800:]


def test_validator_with_build_and_run_scripts(verify, repo_root, module_dir):
    """A validator built by the package's own `build` script, run by `run`."""
    scripted = os.path.join(module_dir, "anysum")
    shutil.copytree(os.path.join(repo_root, "problems", "anysum"), scripted)
    vdir = os.path.join(scripted, "output_validators", "anysum")
    # A source no language claims: only the build script can compile it.
    os.rename(os.path.join(vdir, "validator.cpp"), os.path.join(vdir, "validator.src"))
    write(os.path.join(vdir, "build"), "g++ -x c++ -O2 -std=gnu++20 -o built_validator validator.src\n")
    write(os.path.join(vdir, "run"), 'exec ./built_validator "$@"\n')
    rc, out, err = verify(scripted)
    assert rc == 0 and "5 of 5" in out, f"exit {rc}: {out[-600:]} {err[-300:]}"


def test_unreadable_package_is_a_usage_error(verify, module_dir):
    """A package that cannot be read is a usage error naming the file."""
    broken = os.path.join(module_dir, "broken")
    write(os.path.join(broken, "data", "secret", "g1", "1.in"), "1 2\n")  # and no 1.ans
    write(os.path.join(broken, "problem.yaml"), "problem_format_version: 2025-09\nname: Broken\n")
    rc, out, err = verify(broken)
    assert rc == 2 and "g1" in err, f"exit {rc}, stderr {err.strip()!r}"


def test_submissions_yaml_names_a_directory_entrypoint(verify, repo_root, module_dir):
    """submissions.yaml `entrypoint` picks a directory's main source; without
    it, a Python directory with neither __main__.py nor main.py has none."""
    pkg = os.path.join(module_dir, "entry")
    shutil.copytree(os.path.join(repo_root, "problems", "aplusb"), pkg)
    shutil.rmtree(os.path.join(pkg, "submissions"))
    sub = os.path.join(pkg, "submissions", "accepted", "two_files")
    write(os.path.join(sub, "add.py"), "print(sum(map(int, open(0).read().split())))\n")
    write(os.path.join(sub, "broken.py"), "print(0)\n")
    rc, out, err = verify(pkg)
    assert rc == 1 and "no entry point" in out, f"exit {rc}: {out[-600:]} {err[-300:]}"
    write(os.path.join(pkg, "submissions", "submissions.yaml"),
          "accepted/two_files:\n  entrypoint: add.py\n")
    rc, out, err = verify(pkg)
    assert rc == 0 and "1 of 1 submissions as expected" in out, f"exit {rc}: {out[-600:]} {err[-300:]}"


def test_domjudge_submissions_json_names_a_directory_entry_point(verify, repo_root, module_dir):
    """DOMjudge's submissions.json (at the package's root, keyed by the path
    in the package, a directory with a final '/') gives `entry_point`."""
    pkg = os.path.join(module_dir, "entry_json")
    shutil.copytree(os.path.join(repo_root, "problems", "aplusb"), pkg)
    shutil.rmtree(os.path.join(pkg, "submissions"))
    sub = os.path.join(pkg, "submissions", "accepted", "two_files")
    write(os.path.join(sub, "add.py"), "print(sum(map(int, open(0).read().split())))\n")
    write(os.path.join(sub, "broken.py"), "print(0)\n")
    write(os.path.join(pkg, "submissions.json"),
          '{"submissions/accepted/two_files/": {"entry_point": "add.py", "langid": "py3"}}\n')
    rc, out, err = verify(pkg)
    assert rc == 0 and "1 of 1 submissions as expected" in out, f"exit {rc}: {out[-600:]} {err[-300:]}"
    write(os.path.join(pkg, "submissions.json"), "[1, 2]\n")
    rc, out, err = verify(pkg)
    assert rc == 2 and "submissions.json" in err, f"exit {rc}: {err[-300:]}"


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
