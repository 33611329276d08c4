"""End-to-end: the languages table and the choices around it.

- `.pl` is Prolog, or Perl when its first line is a #! naming perl;
- Kotlin runs the file class of the submitted file (`<File>Kt`) when other
  classes declare main too;
- a shell-script directory runs main.sh, else `run`;
- Python 3 is PyPy unless the site's configuration chooses CPython, site-wide
  or for one problem, and the report says which ran; a syntax error is CE;
- a language whose compiler is not installed is a usage error naming the
  Debian package to install;
- `pipejudge languages` lists every language with its installed version.

The accepted A plus B of every language is judged by test_submissions.py and
test_verify.py; these cases use the same compile cache, so the bundled ones
cost no compile here.
"""
import json
import os
import sys

import pytest

import e2e_support
from e2e_support import Judged, run, short, write

TIMEOUT = 120
ACCEPTED = os.path.join("problems", "aplusb", "submissions", "accepted")
APLUSB = os.path.join("problems", "aplusb")


def judge(pipejudge, repo_root, path, *extra, env=None):
    j = Judged(pipejudge, ["--problem", APLUSB, path, *extra], repo_root, TIMEOUT, env)
    assert j.report is not None, j.problem
    return j


def assert_accepted(j):
    assert j.report["verdict"] == "AC" and j.rc == 0, j.summary() + f" [stderr: {short(j.err)}]"


# .pl: Prolog by default (as Kattis), Perl when its #! line names perl.
@pytest.mark.parametrize("entry,language", [("sol.pl", "prolog"), ("sol_perl.pl", "perl")])
def test_pl_is_prolog_unless_its_shebang_names_perl(pipejudge, repo_root, entry, language):
    j = judge(pipejudge, repo_root, os.path.join(ACCEPTED, entry))
    assert_accepted(j)
    assert j.report["language"] == language


def test_pl_with_env_perl_shebang_is_perl(pipejudge, repo_root, state_dir):
    src = os.path.join(state_dir, "add.pl")
    write(src, "#!/usr/bin/env perl\nmy @t = split ' ', join '', <STDIN>;\n"
               "print $t[0] + $t[1], \"\\n\";\n")
    j = judge(pipejudge, repo_root, src)
    assert_accepted(j)
    assert j.report["language"] == "perl" and j.report["language_name"] == "Perl"


KOTLIN_TWO_MAINS = """\
// Two classes declare main: Other, and the file class Two_mainsKt. The file's wins.
object Other {
    @JvmStatic fun main(args: Array<String>) {
        println("not this one")
    }
}

fun main() {
    val (a, b) = System.`in`.bufferedReader().readText().trim().split(Regex("\\\\s+")).map { it.toLong() }
    println(a + b)
}
"""


def test_kotlin_runs_the_file_class(pipejudge, repo_root, state_dir):
    src = os.path.join(state_dir, "two_mains.kt")
    write(src, KOTLIN_TWO_MAINS)
    j = judge(pipejudge, repo_root, src)
    assert_accepted(j)
    assert j.report["language"] == "kotlin"


@pytest.mark.parametrize("entry", ["main.sh", "run"])
def test_shell_directory_entry_point(pipejudge, repo_root, state_dir, entry):
    d = os.path.join(state_dir, "shell")
    os.makedirs(d)
    write(os.path.join(d, "lib.sh"), "add() { echo $(( $1 + $2 )); }\n")
    write(os.path.join(d, entry), ". ./lib.sh\nread -r -d '' -a t\nadd \"${t[0]}\" \"${t[1]}\"\n")
    # A decoy that would be chosen as "the only other script" if the rule failed.
    write(os.path.join(d, "zz_wrong.sh"), "echo 0\n")
    j = judge(pipejudge, repo_root, d)
    assert_accepted(j)
    assert j.report["language"] == "bash"


def site_config(state_dir, text):
    path = os.path.join(state_dir, "config.yaml")
    write(path, text)
    return {"PIPEJUDGE_CONFIG": path}


PYTHON_CHOICES = [
    ("", "pypy", "Python 3 (PyPy)"),
    ("python: cpython\n", "cpython", "Python 3 (CPython)"),
    ("python: cpython\nproblems:\n  aplusb: {python: pypy}\n", "pypy", "Python 3 (PyPy)"),
    ("problems:\n  aplusb: {python: cpython}\n  circle: {python: pypy}\n", "cpython",
     "Python 3 (CPython)"),
]


@pytest.mark.parametrize("config,language,name", PYTHON_CHOICES,
                         ids=["default", "site", "problem-over-site", "problem"])
def test_python_is_the_sites_choice(pipejudge, repo_root, state_dir, config, language, name):
    env = site_config(state_dir, config)
    sol = os.path.join(ACCEPTED, "sol.py")
    j = judge(pipejudge, repo_root, sol, env=env)
    assert_accepted(j)
    assert (j.report["language"], j.report["language_name"]) == (language, name)
    rc, out, err = run([pipejudge, "submit", "--problem", APLUSB, sol], repo_root, TIMEOUT, env)
    assert rc == 0, short(err)
    assert f"in {name}," in out.splitlines()[0], out.splitlines()[0]


def test_python_choice_naming_no_language_is_a_usage_error(pipejudge, repo_root, state_dir):
    env = site_config(state_dir, "python: python2\n")
    rc, out, err = run([pipejudge, "submit", "--problem", APLUSB,
                        os.path.join(ACCEPTED, "sol.py"), "--json"], repo_root, TIMEOUT, env)
    assert rc == 2 and out == "", (rc, out, err)
    assert "config.yaml" in err and "python2" in err, err


@pytest.mark.parametrize("language", ["pypy", "cpython"])
def test_python_syntax_error_is_ce(pipejudge, repo_root, state_dir, language):
    src = os.path.join(state_dir, "broken.py")
    write(src, "print(1 +\n")
    j = judge(pipejudge, repo_root, src, "--lang", language)
    assert j.report["verdict"] == "CE" and j.rc == 1, j.summary()
    assert "SyntaxError" in j.report["compile"]["output"], j.report["compile"]


GHOST_TABLE = """\
ghost:
  name: Ghost
  extensions: [ghost]
  compile: [pipejudge-no-such-compiler, -o, "{binary}", "{source}"]
  run: ["./{binary}"]
  debian_package: ghost-lang
  version: [pipejudge-no-such-compiler, --version]
c:
  name: C
  extensions: [c]
  compile: [gcc, -o, "{binary}", "{sources}"]
  run: ["./{binary}"]
  debian_package: gcc
  version: [gcc, --version]
"""


def ghost_env(state_dir):
    table = os.path.join(state_dir, "languages.yaml")
    write(table, GHOST_TABLE)
    return {"PIPEJUDGE_LANGUAGES": table}


def test_missing_compiler_names_the_debian_package(pipejudge, repo_root, state_dir):
    env = ghost_env(state_dir)
    src = os.path.join(state_dir, "sol.ghost")
    write(src, "add\n")
    rc, out, err = run([pipejudge, "submit", "--problem", APLUSB, src, "--json"], repo_root,
                       TIMEOUT, env)
    assert rc == 2 and out == "", (rc, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "sol.ghost" in lines[0], err
    assert "pipejudge-no-such-compiler" in lines[0] and "ghost-lang" in lines[0], err


def test_languages_says_what_is_missing(pipejudge, repo_root, state_dir):
    rc, out, err = run([pipejudge, "languages"], repo_root, TIMEOUT, ghost_env(state_dir))
    assert rc == 0, err
    ghost = next(l for l in out.splitlines() if l.startswith("ghost "))
    assert "MISSING" in ghost and "ghost-lang" in ghost, ghost
    c = next(l for l in out.splitlines() if l.startswith("c "))
    assert "gcc" in c and "MISSING" not in c, c
    assert out.splitlines()[-1] == "2 languages, 1 installed, 1 missing", out


def test_languages_lists_every_language_installed(pipejudge, repo_root):
    rc, out, err = run([pipejudge, "languages", "--json"], repo_root, TIMEOUT)
    assert rc == 0, err
    listed = {l["id"]: l for l in json.loads(out)}
    expected = {"c", "cpp", "pypy", "cpython", "rust", "pascal", "javascript", "go", "java",
                "kotlin", "scala", "haskell", "csharp", "ocaml", "ruby", "lua", "prolog", "perl",
                "r", "php", "fortran", "ada", "bash"}
    assert expected <= set(listed), expected - set(listed)
    for id_, l in listed.items():
        # scripts/setup.sh installs every toolchain: none may be missing here.
        assert l["installed"] and l["missing"] is None, l
        assert l["version"] and any(ch.isdigit() for ch in l["version"]), l
        assert l["debian_package"], l
    assert "PyPy" in listed["pypy"]["version"], listed["pypy"]
    rc, table, err = run([pipejudge, "languages"], repo_root, TIMEOUT)
    assert rc == 0, err
    header = table.splitlines()[0].split()
    assert header == ["id", "language", "extensions", "installed"], header
    assert any(l.startswith("pypy ") and ".py .py3" in l for l in table.splitlines()), table


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
