"""End-to-end: bad packages and bad submissions are usage errors (exit 2).

One test per bad input, each built in its own temporary directory: `pipejudge
submit ... --json` must exit 2, print nothing on stdout and exactly one line
`pipejudge: <file>: <what>` on stderr that names the offending file or
directory. Also checks that `--lang python` overrides the extension.
"""
import os
import sys

import pytest

import e2e_support
from e2e_support import Judged, run, usage_error_problems, write

TIMEOUT = 60

GOOD_YAML = """name: Tiny
limits:
  time_limit: 1
  memory: 256
validation: default
"""

GOOD_PY = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"


def make_package(root, name, yaml_text=GOOD_YAML, data=True):
    """A small valid package (unless told otherwise); returns its path."""
    pkg = os.path.join(root, name)
    os.makedirs(pkg)
    if yaml_text is not None:
        write(os.path.join(pkg, "problem.yaml"), yaml_text)
    if data:
        write(os.path.join(pkg, "data", "sample", "1.in"), "1 2\n")
        write(os.path.join(pkg, "data", "sample", "1.ans"), "3\n")
        write(os.path.join(pkg, "data", "secret", "1.in"), "-5 7\n")
        write(os.path.join(pkg, "data", "secret", "1.ans"), "2\n")
    return pkg


# Each case builds its input in `tmp` (where sol.py, a good submission, and
# good_pkg, a good package, already are) and returns (argv tail, the token
# the error line must name, extra environment).

def missing_problem_directory(tmp, good, sol):
    """missing problem directory"""
    return ["--problem", os.path.join(tmp, "missing_pkg_dir"), sol], "missing_pkg_dir", None


def malformed_problem_yaml(tmp, good, sol):
    """malformed problem.yaml"""
    pkg = make_package(tmp, "bad_yaml_pkg", yaml_text="name: [unclosed\nlimits: {time_limit: 1\n")
    return ["--problem", pkg, sol], "problem.yaml", None


def time_limit_fast(tmp, good, sol):
    """problem.yaml with time_limit: fast"""
    pkg = make_package(tmp, "wrong_type_pkg",
                       yaml_text="name: Tiny\nlimits:\n  time_limit: fast\n  memory: 256\n")
    return ["--problem", pkg, sol], "problem.yaml", None


def in_without_ans(tmp, good, sol):
    """.in without its .ans"""
    pkg = make_package(tmp, "lonely_in_pkg")
    write(os.path.join(pkg, "data", "secret", "lonely.in"), "4 5\n")
    return ["--problem", pkg, sol], "lonely", None


def no_test_data(tmp, good, sol):
    """package without any test data"""
    pkg = make_package(tmp, "no_data_pkg", data=False)
    return ["--problem", pkg, sol], "no_data_pkg", None


def empty_data_directories(tmp, good, sol):
    """package with empty data/sample and data/secret"""
    pkg = make_package(tmp, "empty_data_pkg", data=False)
    os.makedirs(os.path.join(pkg, "data", "sample"))
    os.makedirs(os.path.join(pkg, "data", "secret"))
    return ["--problem", pkg, sol], "empty_data_pkg", None


def unknown_extension(tmp, good, sol):
    """submission with unknown extension"""
    xyz = os.path.join(tmp, "sol.xyz")
    write(xyz, GOOD_PY)
    return ["--problem", good, xyz], "sol.xyz", None


def missing_submission(tmp, good, sol):
    """submission file that does not exist"""
    return ["--problem", good, os.path.join(tmp, "nosuch.cpp")], "nosuch.cpp", None


def empty_submission(tmp, good, sol):
    """empty submission file"""
    empty = os.path.join(tmp, "empty.py")
    write(empty, "")
    return ["--problem", good, empty], "empty.py", None


def binary_submission(tmp, good, sol):
    """binary submission (NUL bytes)"""
    binary = os.path.join(tmp, "x.cpp")
    write(binary, b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    return ["--problem", good, binary], "x.cpp", None


def compiler_not_installed(tmp, good, sol):
    """compiler not installed: the submission is named."""
    langs = os.path.join(tmp, "languages.yaml")
    write(langs, "c:\n  name: C (missing)\n  extensions: [c]\n"
                 "  compile: [no-such-compiler-pj, -o, '{binary}', '{sources}']\n"
                 "  run: ['./{binary}']\n")
    csol = os.path.join(tmp, "needs_compiler.c")
    write(csol, "int main(void) { return 0; }\n")
    return ["--problem", good, csol], "needs_compiler.c", {"PIPEJUDGE_LANGUAGES": langs}


def python_directory_without_entry_point(tmp, good, sol):
    """a Python directory of two files, neither __main__.py nor main.py"""
    d = os.path.join(tmp, "two_modules")
    write(os.path.join(d, "a.py"), GOOD_PY)
    write(os.path.join(d, "b.py"), GOOD_PY)
    return ["--problem", good, d], "two_modules", None


def entry_point_not_in_the_directory(tmp, good, sol):
    """--entry names a file the directory does not hold"""
    d = os.path.join(tmp, "one_module")
    write(os.path.join(d, "main.py"), GOOD_PY)
    return ["--problem", good, d, "--entry", "solve.py"], "one_module", None


CASES = [missing_problem_directory, malformed_problem_yaml, time_limit_fast, in_without_ans,
         no_test_data, empty_data_directories, unknown_extension, missing_submission,
         empty_submission, binary_submission, compiler_not_installed,
         python_directory_without_entry_point, entry_point_not_in_the_directory]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_usage_error(case, pipejudge, state_dir):
    good = make_package(state_dir, "good_pkg")
    sol = os.path.join(state_dir, "sol.py")
    write(sol, GOOD_PY)
    tail, token, env = case(state_dir, good, sol)
    rc, out, err = run([pipejudge, "submit", *tail, "--json"], state_dir, TIMEOUT, env)
    problems = usage_error_problems(rc, out, err, token, timeout=TIMEOUT)
    assert not problems, "; ".join(problems)


def test_lang_python_overrides_the_extension(pipejudge, repo_root, state_dir):
    """--lang python on sol.txt is AC, judged as the site's Python (PyPy by default)."""
    txt = os.path.join(state_dir, "sol.txt")
    write(txt, GOOD_PY)
    problem = os.path.join(repo_root, "problems", "aplusb")
    run_ = Judged(pipejudge, ["--problem", problem, txt, "--lang", "python"], state_dir, TIMEOUT)
    assert run_.report is not None, run_.problem
    verdict = run_.report.get("verdict")
    assert verdict == "AC" and run_.rc == 0, \
        f"verdict {verdict}, exit {run_.rc}, expected AC and 0 [stderr: {run_.err.strip()}]"
    language = run_.report.get("language")
    assert language == "pypy", f"language is {language!r}, expected 'pypy' (the default Python)"
    assert "PyPy" in run_.report.get("language_name", ""), run_.report.get("language_name")


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
