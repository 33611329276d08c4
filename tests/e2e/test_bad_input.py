#!/usr/bin/env python3
"""End-to-end: bad packages and bad submissions are usage errors (exit 2).

Usage: python3 test_bad_input.py <path-to-pipejudge> <repo-root>

Builds fixtures in a temporary directory. For each bad input, checks that
`pipejudge submit ... --json` exits 2, prints nothing on stdout and exactly
one line `pipejudge: <file>: <what>` on stderr that names the offending file
or directory. Also checks that `--lang python` overrides the extension.
Prints one line per case and a closing `N passed, M failed` line; exits 1 if
any failed. Standard library only.
"""
import json
import os
import re
import sys
import tempfile

import e2e_support  # beside this file

TIMEOUT = 60

GOOD_YAML = """name: Tiny
limits:
  time_limit: 1
  memory: 256
validation: default
"""

GOOD_PY = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n"


def run(argv, cwd, timeout=TIMEOUT, env=None):
    return e2e_support.run(argv, cwd, timeout, env)


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode) as f:
        f.write(content)


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


def names(line, token):
    """True if `token` appears in `line` as a whole path component."""
    return re.search(r"(?<![\w.-])" + re.escape(token) + r"(?![\w-])", line) is not None


def short(text, limit=300):
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "..."


def build_cases(tmp):
    """Returns a list of (label, argv tail, token the error line must name)."""
    good = make_package(tmp, "good_pkg")
    sol = os.path.join(tmp, "sol.py")
    write(sol, GOOD_PY)
    cases = []

    cases.append(("missing problem directory",
                  ["--problem", os.path.join(tmp, "missing_pkg_dir"), sol], "missing_pkg_dir"))

    pkg = make_package(tmp, "bad_yaml_pkg", yaml_text="name: [unclosed\nlimits: {time_limit: 1\n")
    cases.append(("malformed problem.yaml", ["--problem", pkg, sol], "problem.yaml"))

    pkg = make_package(tmp, "wrong_type_pkg",
                       yaml_text="name: Tiny\nlimits:\n  time_limit: fast\n  memory: 256\n")
    cases.append(("problem.yaml with time_limit: fast", ["--problem", pkg, sol], "problem.yaml"))

    pkg = make_package(tmp, "lonely_in_pkg")
    write(os.path.join(pkg, "data", "secret", "lonely.in"), "4 5\n")
    cases.append((".in without its .ans", ["--problem", pkg, sol], "lonely"))

    pkg = make_package(tmp, "no_data_pkg", data=False)
    cases.append(("package without any test data", ["--problem", pkg, sol], "no_data_pkg"))

    pkg = make_package(tmp, "empty_data_pkg", data=False)
    os.makedirs(os.path.join(pkg, "data", "sample"))
    os.makedirs(os.path.join(pkg, "data", "secret"))
    cases.append(("package with empty data/sample and data/secret", ["--problem", pkg, sol],
                  "empty_data_pkg"))

    xyz = os.path.join(tmp, "sol.xyz")
    write(xyz, GOOD_PY)
    cases.append(("submission with unknown extension", ["--problem", good, xyz], "sol.xyz"))

    cases.append(("submission file that does not exist",
                  ["--problem", good, os.path.join(tmp, "nosuch.cpp")], "nosuch.cpp"))

    empty = os.path.join(tmp, "empty.py")
    write(empty, "")
    cases.append(("empty submission file", ["--problem", good, empty], "empty.py"))

    binary = os.path.join(tmp, "x.cpp")
    write(binary, b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4)
    cases.append(("binary submission (NUL bytes)", ["--problem", good, binary], "x.cpp"))

    # A language whose compiler is not installed: the submission is named.
    langs = os.path.join(tmp, "languages.yaml")
    write(langs, "c:\n  name: C (missing)\n  extensions: [c]\n"
                 "  compile: [no-such-compiler-pj, -o, '{binary}', '{sources}']\n"
                 "  run: ['./{binary}']\n")
    csol = os.path.join(tmp, "needs_compiler.c")
    write(csol, "int main(void) { return 0; }\n")
    cases.append(("compiler not installed", ["--problem", good, csol], "needs_compiler.c",
                  {"PIPEJUDGE_LANGUAGES": langs}))
    return cases


def check_usage_error(pipejudge, tmp, label, tail, token, env=None):
    rc, out, err = run([pipejudge, "submit"] + tail + ["--json"], tmp, env=env)
    problems = []
    if rc is None:
        problems.append(f"timed out after {TIMEOUT}s")
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
    if problems:
        return False, f"FAIL {label}: " + "; ".join(problems)
    return True, f"ok   {label}: {lines[0]}"


def check_lang_override(pipejudge, root, tmp):
    label = "--lang python on sol.txt is AC"
    txt = os.path.join(tmp, "sol.txt")
    write(txt, GOOD_PY)
    problem = os.path.join(root, "problems", "aplusb")
    rc, out, err = run([pipejudge, "submit", "--problem", problem, txt, "--lang", "python", "--json"],
                       tmp)
    tail = f" [stderr: {short(err)}]" if err.strip() else ""
    if rc is None:
        return False, f"FAIL {label}: timed out after {TIMEOUT}s"
    try:
        report = json.loads(out)
    except ValueError as e:
        return False, f"FAIL {label}: stdout is not JSON ({e}), exit {rc}: {short(out)!r}{tail}"
    verdict = report.get("verdict") if isinstance(report, dict) else None
    if verdict != "AC" or rc != 0:
        return False, f"FAIL {label}: verdict {verdict}, exit {rc}, expected AC and 0{tail}"
    language = report.get("language")
    if language != "python":
        return False, f"FAIL {label}: language is {language!r}, expected 'python'"
    return True, f"ok   {label}"


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} <path-to-pipejudge> <repo-root>", file=sys.stderr)
        return 2
    pipejudge = os.path.abspath(sys.argv[1])
    root = os.path.abspath(sys.argv[2])
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="pj-bad-input-") as tmp:
        checks = [lambda case=case: check_usage_error(pipejudge, tmp, *case)
                  for case in build_cases(tmp)]
        checks.append(lambda: check_lang_override(pipejudge, root, tmp))
        for check in checks:
            ok, line = check()
            print(line, flush=True)
            if ok:
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
