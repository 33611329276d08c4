"""End-to-end: custom validators, interactive problems, test groups and scoring.

Builds small problem packages in a temporary directory (validators and
submissions written inline, in C) and judges them with
`pipejudge submit --problem PKG FILE --json`, one test per case:

  * a Kattis output validator that breaks the protocol (exits 0, exits 1,
    aborts, never ends) is the judge's fault: IE, never WA or AC;
  * a validator or testlib checker that does not compile: IE naming it;
  * judgemessage.txt, teammessage.txt and score.txt reach the report;
  * testlib checker exit codes 0, 1, 2, 3 and 7 (`points X`);
  * interactive problems: a correct submission (20 tests), a submission that
    quits early, a validator that rejects while the submission spins, a
    deadlock, a validator that hangs;
  * package errors (exit 2, one stderr line naming the file);
  * a 2025-09 scoring package with two groups.
After every judged case, no process of the fixture may outlive the judge
(every fixture program names itself with a marker, looked for in /proc).

Compiled programs are cached in a cache directory private to the module
(PIPEJUDGE_CACHE_DIR).
"""
import json
import os
import shutil
import sys
import time

import pytest

import e2e_support
from e2e_support import Judged, run, short, usage_error_problems, write

TIMEOUT = 60  # seconds per submit
TIME_LIMIT = 1  # seconds, every package
# Every fixture program calls itself this (prctl PR_SET_NAME, at most 15 bytes).
MARK = f"pjpk{os.getpid() % 10000000}"

# --- fixture programs (C) ----------------------------------------------------

PRELUDE = """#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static void mark(void) { prctl(PR_SET_NAME, "@MARK@", 0, 0, 0); }
"""

# Batch submission. Input: "<validator mode> <submission mode> a b [extra]";
# prints a + b, or a + b + 1 when its mode is "off".
SUM_C = PRELUDE + r"""
int main(void) {
  mark();
  char vmode[64], smode[64];
  long long a, b;
  if (scanf("%63s %63s %lld %lld", vmode, smode, &a, &b) != 4) return 4;
  printf("%lld\n", a + b + (strcmp(smode, "off") == 0));
  return 0;
}
"""

# Kattis output validator (batch), told what to do by the test's input:
# exit0, exit1, abort, sleep: break the protocol; check: compare with the
# answer, feedback files on a wrong one; score: as check, and score.txt.
KATTIS_C = PRELUDE + r"""
static const char *feedback = "";

static void note(const char *file, const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%s%s", feedback, file);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
}

int main(int argc, char **argv) {
  mark();
  if (argc < 4) return 2;
  feedback = argv[3];
  char mode[64] = "", smode[64] = "", extra[64] = "";
  long long a = 0, b = 0, expected = 0, got = 0;
  FILE *in = fopen(argv[1], "r");
  if (!in || fscanf(in, "%63s %63s %lld %lld %63s", mode, smode, &a, &b, extra) < 4) return 2;
  if (!strcmp(mode, "exit0")) return 0;
  if (!strcmp(mode, "exit1")) return 1;
  if (!strcmp(mode, "abort")) abort();
  if (!strcmp(mode, "sleep"))
    for (;;) pause();
  FILE *ans = fopen(argv[2], "r");
  if (!ans || fscanf(ans, "%lld", &expected) != 1) return 2;
  if (scanf("%lld", &got) != 1) {
    note("judgemessage.txt", "judge: no number in the output");
    return 43;
  }
  if (got != expected) {
    char msg[256];
    snprintf(msg, sizeof msg, "judge: expected %lld got %lld", expected, got);
    note("judgemessage.txt", msg);
    note("teammessage.txt", "team: look again at the sum");
    return 43;
  }
  if (!strcmp(mode, "score")) note("score.txt", extra);
  return 42;
}
"""

# testlib checker (input output answer): exits with the code the test's input
# starts with; 7 says "points 12.5".
TESTLIB_C = PRELUDE + r"""
int main(int argc, char **argv) {
  mark();
  int code = -1;
  FILE *in = argc > 1 ? fopen(argv[1], "r") : NULL;
  if (!in || fscanf(in, "%d", &code) != 1) {
    fprintf(stderr, "FAIL cannot read the input\n");
    return 3;
  }
  switch (code) {
    case 0: fprintf(stderr, "ok fine\n"); return 0;
    case 1: fprintf(stderr, "wrong answer tl-wa\n"); return 1;
    case 2: fprintf(stderr, "wrong output format tl-pe\n"); return 2;
    case 3: fprintf(stderr, "FAIL tl-fail\n"); return 3;
    case 7: fprintf(stderr, "points 12.5\n"); return 7;
  }
  fprintf(stderr, "FAIL unknown code %d\n", code);
  return 3;
}
"""

BROKEN_C = "int main(void) { return 42 }\n"  # the missing ';'
BROKEN_CPP = "#include <cstdio>\nint main(int argc, char** argv) { std::puts(argv[0]) return 0; }\n"

# Kattis interactive validator. Input: "<mode> <n> <seed>". play: n queries
# "q v", each answered by 2v, then "end" and the submission must say no more;
# reject: rejects at once; hang: spins; listen: reads before writing anything.
INTERACTOR_C = PRELUDE + r"""
static const char *feedback = "";

static int reject(const char *text) {
  char path[4096];
  snprintf(path, sizeof path, "%sjudgemessage.txt", feedback);
  FILE *f = fopen(path, "w");
  if (f) {
    fputs(text, f);
    fclose(f);
  }
  return 43;
}

int main(int argc, char **argv) {
  mark();
  signal(SIGPIPE, SIG_IGN);  /* a vanished submission shows up as EOF */
  if (argc < 4) return 2;
  feedback = argv[3];
  char mode[64] = "", msg[256];
  int n = 0, seed = 0;
  FILE *in = fopen(argv[1], "r");
  if (!in || fscanf(in, "%63s %d %d", mode, &n, &seed) != 3) return 2;
  if (!strcmp(mode, "reject")) return reject("rejected before any query");
  if (!strcmp(mode, "hang")) {
    volatile unsigned long spin = 0;
    for (;;) spin++;
  }
  if (!strcmp(mode, "listen")) {
    long long x;
    if (scanf("%lld", &x) != 1) return reject("the submission said nothing");
    return reject("the submission spoke first");
  }
  for (int i = 0; i < n; ++i) {
    long long v = (seed * 7919LL + i * 104729LL) % 100000, r;
    printf("q %lld\n", v);
    fflush(stdout);
    if (scanf("%lld", &r) != 1) {
      snprintf(msg, sizeof msg, "the submission ended before answering query %d", i + 1);
      return reject(msg);
    }
    if (r != 2 * v) {
      snprintf(msg, sizeof msg, "query %d: expected %lld, got %lld", i + 1, 2 * v, r);
      return reject(msg);
    }
  }
  printf("end\n");
  fflush(stdout);
  char extra;
  if (scanf(" %c", &extra) == 1) return reject("output after the end");
  return 42;
}
"""

# Interactive submissions.
ANSWER_C = PRELUDE + r"""
int main(void) {
  mark();
  char word[16];
  long long v;
  while (scanf("%15s", word) == 1) {
    if (!strcmp(word, "end")) return 0;
    if (scanf("%lld", &v) != 1) return 4;
    printf("%lld\n", 2 * v);
    fflush(stdout);
  }
  return 0;
}
"""

# Reads the first query, then leaves without answering, exiting with CODE.
QUIT_C = PRELUDE + r"""
int main(void) {
  mark();
  char word[16];
  long long v;
  if (scanf("%15s %lld", word, &v) != 2) return 5;
  return @CODE@;
}
"""

SPIN_C = PRELUDE + r"""
int main(void) {
  mark();
  volatile unsigned long spin = 0;
  for (;;) spin++;
}
"""


def source(text, **subs):
    text = text.replace("@MARK@", MARK)
    for key, value in subs.items():
        text = text.replace(f"@{key}@", str(value))
    return text


# --- helpers -----------------------------------------------------------------

def problem_yaml(extra="", scoring=False, modern=False, validation_time=None, version="2025-09"):
    lines = []
    if modern:
        lines.append(f"problem_format_version: {version}")
    lines.append("name: Fixture")
    if scoring:
        lines.append("type: scoring")
    lines += ["limits:", f"  time_limit: {TIME_LIMIT}", "  memory: 256"]
    if validation_time is not None:
        lines.append(f"  validation_time: {validation_time}")
    return "\n".join(lines) + "\n" + extra


def make_package(root, name, yaml_text, tests, validator=None):
    """tests: {name under data/: (input, answer)}; validator: (relative path, source)."""
    pkg = os.path.join(root, name)
    os.makedirs(pkg)
    write(os.path.join(pkg, "problem.yaml"), yaml_text)
    for test, (inp, ans) in tests.items():
        write(os.path.join(pkg, "data", test + ".in"), inp)
        write(os.path.join(pkg, "data", test + ".ans"), ans)
    if validator:
        write(os.path.join(pkg, validator[0]), validator[1])
    return pkg


def sum_test(vmode, smode="ok", a=1, b=2, extra=""):
    return (f"{vmode} {smode} {a} {b} {extra}".rstrip() + "\n", f"{a + b}\n")


def fixture_processes():
    """Live processes of the fixture: pid, name and state of each."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{entry}/comm", "rb") as f:
                comm = f.read().strip()
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0].decode()
        except (OSError, IndexError):
            continue
        if MARK.encode() in cmd or MARK.encode() in comm:
            found.append(f"pid {entry} ({comm.decode('utf-8', 'replace')}, state {state})")
    return found


def leftovers_problem():
    """None if no fixture process is left, else what is wrong."""
    left = fixture_processes()
    if not left:
        return None
    time.sleep(1)
    later = fixture_processes()
    return (f"fixture processes left after submit returned: {', '.join(left)}"
            + (f"; 1 s later still {', '.join(later)}" if later else "; gone 1 s later"))


def close(a, b):
    return isinstance(a, (int, float)) and not isinstance(a, bool) and abs(a - b) < 1e-6


class Context:
    """The module's work directory, cache and judge."""

    def __init__(self, pipejudge, tmp):
        self.pipejudge = pipejudge
        self.tmp = tmp
        cache = os.path.join(tmp, "cache")
        os.makedirs(cache)
        self.env = {"PIPEJUDGE_CACHE_DIR": cache}

    def file(self, name, text):
        path = os.path.join(self.tmp, "src", name)
        write(path, text)
        return path

    def package(self, name, yaml_text, tests, validator=None):
        return make_package(self.tmp, name, yaml_text, tests, validator)

    def submit(self, pkg, sol, run_all=False):
        """`pipejudge submit --problem PKG SOL --json [--all]`: a Judged run
        whose `leftover` says what fixture process outlived it (or None)."""
        judged = Judged(self.pipejudge, ["--problem", pkg, sol] + (["--all"] if run_all else []),
                        self.tmp, TIMEOUT, self.env)
        judged.leftover = leftovers_problem()
        return judged


def expect(sub, verdict, rc=None, reason_has=(), test=None, message_has=(), more=None):
    """Asserts the report's verdict (and exit status), the reason, and one test's
    verdict and message; `more(sub)` returns further problems; and that no
    fixture process outlived the judge."""
    problems = []
    if sub.problem:
        problems.append(sub.problem)
    else:
        r = sub.report
        if r.get("verdict") != verdict:
            problems.append(f"expected {verdict}, got {sub.summary()}")
        want_rc = rc if rc is not None else (0 if verdict == "AC" else 1)
        if sub.rc != want_rc:
            problems.append(f"exit status {sub.rc}, expected {want_rc}")
        reason = r.get("reason") or ""
        for piece in reason_has:
            if piece not in reason:
                problems.append(f"reason {short(reason)!r} does not contain {piece!r}")
        if test is not None:
            t = sub.test(test)
            if t is None:
                problems.append(f"no test {test!r} in the report: {sub.summary()}")
            else:
                if t.get("verdict") != verdict:
                    problems.append(f"test {test} verdict {t.get('verdict')!r}, expected {verdict}")
                message = t.get("message") or ""
                for piece in message_has:
                    if piece not in message:
                        problems.append(f"test {test} message {short(message)!r} "
                                        f"does not contain {piece!r}")
        if more and not problems:
            problems += more(sub)
    if sub.leftover:
        problems.append(sub.leftover)
    assert not problems, "; ".join(problems)


@pytest.fixture(scope="module")
def ctx(pipejudge, module_dir):
    return Context(pipejudge, module_dir)


@pytest.fixture(scope="module")
def sum_c(ctx):
    """The batch submission."""
    return ctx.file("sum.c", source(SUM_C))


# --- 1. A Kattis validator breaking the protocol is IE ------------------------

@pytest.mark.parametrize("mode, opts, pieces", [
    pytest.param("exit0", {}, ["the output validator exited with 0"], id="exits_0"),
    pytest.param("exit1", {}, ["the output validator exited with 1"], id="exits_1"),
    pytest.param("abort", {}, ["killed by SIGABRT"], id="aborts"),
    pytest.param("sleep", {"validation_time": 1}, ["exceeded its", "limit"],
                 id="sleeps_forever_validation_time_1"),
])
def test_kattis_validator_breaking_the_protocol_is_ie(ctx, sum_c, mode, opts, pieces):
    pkg = ctx.package(f"kattis_{mode}", problem_yaml("validation: custom\n", **opts),
                      {"secret/1": sum_test(mode)},
                      ("output_validators/v/validator.c", source(KATTIS_C)))
    expect(ctx.submit(pkg, sum_c), "IE", reason_has=pieces, test="secret/1", message_has=pieces)


# --- 2. A validator or a testlib checker that does not compile is IE, named ---

def test_kattis_validator_that_does_not_compile_is_ie(ctx, sum_c):
    pkg = ctx.package("broken_kattis", problem_yaml("validation: custom\n"),
                      {"secret/1": sum_test("check")},
                      ("output_validators/brokenval/validator.c", BROKEN_C))
    expect(ctx.submit(pkg, sum_c), "IE",
           reason_has=[os.path.join(pkg, "output_validators", "brokenval"), "does not compile"])


def test_testlib_checker_that_does_not_compile_is_ie(ctx, sum_c):
    pkg = ctx.package("broken_testlib",
                      problem_yaml("validation: custom\nvalidator_protocol: testlib\n"),
                      {"secret/1": sum_test("0")},
                      ("output_validators/brokenchk/checker.cpp", BROKEN_CPP))
    expect(ctx.submit(pkg, sum_c), "IE",
           reason_has=[os.path.join(pkg, "output_validators", "brokenchk"), "does not compile"])


# --- 3. judgemessage.txt, teammessage.txt, score.txt -------------------------

def test_judgemessage_and_teammessage_reach_the_report(ctx, sum_c):
    """judgemessage.txt is the message, teammessage.txt the team_message (WA)."""
    pkg = ctx.package("feedback", problem_yaml("validation: custom\n"),
                      {"secret/1": sum_test("check", "off")},
                      ("output_validators/v/validator.c", source(KATTIS_C)))

    def team(sub):
        t = sub.test("secret/1")
        if t.get("message") != "judge: expected 3 got 4":
            return [f"message {t.get('message')!r}, expected 'judge: expected 3 got 4'"]
        if t.get("team_message") != "team: look again at the sum":
            return [f"team_message {t.get('team_message')!r}, "
                    "expected 'team: look again at the sum'"]
        return []

    expect(ctx.submit(pkg, sum_c), "WA", test="secret/1", more=team)


def test_score_txt_gives_the_test_score(ctx, sum_c):
    """score.txt gives the test score (type: scoring)."""
    pkg = ctx.package("feedback_score", problem_yaml("validation: custom\n", scoring=True),
                      {"secret/1": sum_test("score", extra="7.5")},
                      ("output_validators/v/validator.c", source(KATTIS_C)))

    def score(sub):
        t = sub.test("secret/1")
        problems = []
        if not close(t.get("score"), 7.5):
            problems.append(f"test score {t.get('score')!r}, expected 7.5")
        if not close(sub.report.get("score"), 7.5):
            problems.append(f"report score {sub.report.get('score')!r}, expected 7.5")
        return problems

    expect(ctx.submit(pkg, sum_c), "AC", test="secret/1", more=score)


# --- 4. testlib checker exit codes -------------------------------------------

@pytest.fixture(scope="module")
def testlib_codes(ctx, sum_c):
    """One --all run on a package with a test per checker exit code."""
    tests = {f"secret/c{code}": sum_test(str(code)) for code in (0, 1, 2, 3, 7)}
    pkg = ctx.package("testlib_codes",
                      problem_yaml("validation: custom\nvalidator_protocol: testlib\n"),
                      tests, ("output_validators/chk/checker.c", source(TESTLIB_C)))
    return ctx.submit(pkg, sum_c, run_all=True)


@pytest.mark.parametrize("code, verdict, piece", [
    pytest.param(0, "AC", "ok fine", id="exit0-AC"),
    pytest.param(1, "WA", "tl-wa", id="exit1-WA"),
    pytest.param(2, "PE", "tl-pe", id="exit2-PE"),
    pytest.param(3, "IE", "tl-fail", id="exit3-IE"),
    pytest.param(7, "IE", "pass-fail", id="exit7-IE-points_in_a_pass_fail_problem"),
])
def test_testlib_checker_exit_code(testlib_codes, code, verdict, piece):
    sub = testlib_codes
    problems = []
    if sub.problem:
        problems.append(sub.problem)
    else:
        t = sub.test(f"secret/c{code}")
        if t is None:
            problems.append(f"no test secret/c{code}: {sub.summary()}")
        elif t.get("verdict") != verdict:
            problems.append(f"test verdict {t.get('verdict')!r} ({t.get('message')!r}), "
                            f"expected {verdict}")
        elif piece not in (t.get("message") or ""):
            problems.append(f"message {t.get('message')!r} does not contain {piece!r}")
    if code == 0 and not sub.problem and sub.report.get("verdict") != "WA":
        problems.append(f"report verdict {sub.report.get('verdict')!r}, expected WA "
                        "(the first failing test's)")
    if sub.leftover:
        problems.append(sub.leftover)
    assert not problems, "; ".join(problems)


def test_testlib_checker_points_in_a_scoring_problem(ctx, sum_c):
    """testlib checker exit 7 'points 12.5' (scoring): AC, score 12.5."""
    pkg = ctx.package("testlib_points",
                      problem_yaml("validation: custom\nvalidator_protocol: testlib\n",
                                   scoring=True),
                      {"secret/c7": sum_test("7")},
                      ("output_validators/chk/checker.c", source(TESTLIB_C)))

    def points(sub):
        t = sub.test("secret/c7")
        return [] if close(t.get("score"), 12.5) else [f"test score {t.get('score')!r}, expected 12.5"]

    expect(ctx.submit(pkg, sum_c), "AC", test="secret/c7", more=points)


# --- 5. Interactive problems (legacy `validation: custom interactive`) --------

@pytest.fixture(scope="module")
def interactive(ctx):
    """package(name, tests) -> an interactive package; and the answering submission."""
    yaml_text = problem_yaml("validation: custom interactive\n", validation_time=1)
    validator = ("output_validators/v/interactor.c", source(INTERACTOR_C))

    def package(name, tests):
        return ctx.package(name, yaml_text, tests, validator)

    return package, ctx.file("answer.c", source(ANSWER_C))


def test_interactive_correct_submission_20_tests_ac_every_time(ctx, interactive):
    package, answer_c = interactive
    pkg = package("inter_ok", {f"secret/{i:02d}": (f"play 5 {i}\n", "0\n") for i in range(20)})

    def twenty(sub):
        verdicts = [t.get("verdict") for t in sub.tests()]
        if verdicts != ["AC"] * 20:
            return [f"expected 20 AC, got {verdicts} ({sub.summary()})"]
        return []

    expect(ctx.submit(pkg, answer_c, run_all=True), "AC", more=twenty)


@pytest.mark.parametrize("code, verdict, pieces", [
    pytest.param(0, "WA", ["ended before answering"], id="exit0-WA"),
    pytest.param(3, "RE", ["exit code 3"], id="exit3-RE"),
])
def test_interactive_submission_exits_before_answering(ctx, interactive, code, verdict, pieces):
    """The submission leaves before answering; the validator rejects after it (5 tests)."""
    package, _ = interactive
    pkg = package(f"inter_quit{code}", {f"secret/{i}": (f"play 3 {i}\n", "0\n") for i in range(5)})
    sol = ctx.file(f"quit{code}.c", source(QUIT_C, CODE=code))

    def all_same(sub):
        verdicts = [t.get("verdict") for t in sub.tests()]
        return [] if verdicts == [verdict] * 5 else [f"expected 5 x {verdict}, got {verdicts}"]

    expect(ctx.submit(pkg, sol, run_all=True), verdict, reason_has=pieces, test="secret/0",
           message_has=pieces, more=all_same)


def test_interactive_validator_rejects_early_submission_stopped_at_once(ctx, interactive):
    """The validator rejects at once while the submission spins: WA, stopped at once."""
    package, _ = interactive
    pkg = package("inter_reject", {"secret/1": ("reject 0 0\n", "0\n")})
    bound = TIME_LIMIT + 5

    def quick(sub):
        if sub.elapsed > bound:
            return [f"submit took {sub.elapsed:.1f} s, over {bound} s"]
        # The validator has decided: the submission is stopped at once, not
        # left to spin into its time limit.
        spent = max((t.get("time") or 0 for t in sub.tests()), default=0)
        return [] if spent < TIME_LIMIT / 2 else [f"the submission spun for {spent:.2f} s"]

    expect(ctx.submit(pkg, ctx.file("spin.c", source(SPIN_C))), "WA", test="secret/1",
           message_has=["rejected before any query"], more=quick)


def test_interactive_deadlock_is_tle_on_wall_time(ctx, interactive):
    """Both wait for the other."""
    package, answer_c = interactive
    pkg = package("inter_deadlock", {"secret/1": ("listen 0 0\n", "0\n")})
    expect(ctx.submit(pkg, answer_c), "TLE", test="secret/1", message_has=["wall"])


def test_interactive_validator_hangs_is_ie(ctx, interactive):
    """The validator spins (validation_time: 1)."""
    package, answer_c = interactive
    pkg = package("inter_hang", {"secret/1": ("hang 0 0\n", "0\n")})
    expect(ctx.submit(pkg, answer_c), "IE", reason_has=["interactor", "limit"], test="secret/1")


# --- 6. Package errors: exit 2, one stderr line naming the file --------------

MODERN = "problem_format_version: 2025-09\nname: Fixture\n"


def unknown_test_group_key(pkg_of):
    """test_group.yaml with an unknown key"""
    pkg = pkg_of("err_group_key", MODERN)
    write(os.path.join(pkg, "data", "secret", "test_group.yaml"), "bogus_key: 1\n")
    return pkg, "test_group.yaml", "bogus_key"


def no_test_case_at_all(pkg_of):
    """only .interaction files: the package as a whole has no test case"""
    pkg = pkg_of("err_no_test_case", problem_yaml())
    shutil.rmtree(os.path.join(pkg, "data"))
    write(os.path.join(pkg, "data", "sample", "1.interaction"), ">1 2\n<3\n")
    return pkg, "data", "no test data"


def custom_validation_without_a_validator(pkg_of):
    """validation: custom without a validator"""
    return pkg_of("err_no_validator", problem_yaml("validation: custom\n")), "problem.yaml", "validator"


def multi_pass(pkg_of):
    """type: multi-pass"""
    return pkg_of("err_multipass", MODERN + "type: multi-pass\n"), "problem.yaml", "multi-pass"


def legacy_testdata_yaml_in_2025_09(pkg_of):
    """testdata.yaml in a 2025-09 package"""
    pkg = pkg_of("err_testdata", MODERN)
    write(os.path.join(pkg, "data", "secret", "testdata.yaml"), "on_reject: continue\n")
    return pkg, "testdata.yaml", None


@pytest.mark.parametrize("case", [unknown_test_group_key, no_test_case_at_all,
                                  custom_validation_without_a_validator, multi_pass,
                                  legacy_testdata_yaml_in_2025_09], ids=lambda case: case.__name__)
def test_package_error_exits_2(ctx, sum_c, case):
    pkg, token, word = case(lambda name, yaml_text: ctx.package(name, yaml_text,
                                                                {"secret/1": sum_test("-")}))
    rc, out, err = run([ctx.pipejudge, "submit", "--problem", pkg, sum_c, "--json"], ctx.tmp,
                       TIMEOUT, ctx.env)
    problems = usage_error_problems(rc, out, err, token, word, timeout=TIMEOUT)
    assert not problems, "; ".join(problems)


def test_a_group_without_test_cases_is_judged(ctx, sum_c):
    """A group may hold no test case (.interaction files alone, or nothing):
    the package is judged on the tests it has."""
    pkg = ctx.package("empty_group", problem_yaml(), {"secret/1": sum_test("-")})
    os.makedirs(os.path.join(pkg, "data", "secret", "empty_group"))
    write(os.path.join(pkg, "data", "sample", "1.interaction"), ">1 2\n<3\n")
    rc, out, err = run([ctx.pipejudge, "submit", "--problem", pkg, sum_c, "--json"], ctx.tmp,
                       TIMEOUT, ctx.env)
    assert rc == 0, f"exit {rc}: {err.strip()!r}"
    report = json.loads(out)
    assert report["verdict"] == "AC" and report["tests_total"] == 1


# A program that touches 100 MiB and prints the sum: AC under the format's
# default of 1024 MiB, MLE under a site's default of 64 MiB.
TOUCH_100_MIB_C = r"""
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2) return 1;
    volatile char *p = malloc(100 << 20);  /* volatile: every page is touched */
    for (long i = 0; i < (100 << 20); i += 4096) p[i] = 1;
    printf("%lld\n", a + b + p[12288] - 1);
    return 0;
}
"""


def test_limits_a_package_leaves_unsaid_are_the_formats_or_the_sites(ctx):
    """No limits.memory: the format's 1024 MiB (in the report's limits); a
    site configuration's `defaults: memory: 64` makes the same run MLE."""
    pkg = ctx.package("no_limits", "name: No limits\n", {"secret/1": ("1 2\n", "3\n")})
    sol = ctx.file("touch100.c", source(TOUCH_100_MIB_C))
    rc, out, err = run([ctx.pipejudge, "submit", "--problem", pkg, sol, "--json"], ctx.tmp,
                       TIMEOUT, ctx.env)
    report = json.loads(out) if out.startswith("{") else {}
    assert rc == 0 and report.get("verdict") == "AC", f"exit {rc}: {short(out + err, 400)}"
    assert report["limits"]["memory"] == 1024 << 20 and report["limits"]["output"] == 8 << 20
    site = ctx.file("site.yaml", "defaults:\n  memory: 64\n")
    rc, out, err = run([ctx.pipejudge, "submit", "--problem", pkg, sol, "--json"], ctx.tmp,
                       TIMEOUT, {**ctx.env, "PIPEJUDGE_CONFIG": site})
    report = json.loads(out) if out.startswith("{") else {}
    assert report.get("verdict") == "MLE", f"exit {rc}: {short(out + err, 400)}"
    assert report["limits"]["memory"] == 64 << 20


# --- 7. A scoring package with two groups, in 2025-09 and 2023-07-draft -----

# How each version writes a group's aggregation and maximum.
GROUP_SETTINGS = {
    "2025-09": ("test_group.yaml", "score_aggregation: {agg}\nmax_score: {score}\n"),
    "2023-07-draft": ("testdata.yaml", "scoring:\n  aggregation: {agg}\n  score: {score}\n"),
}


@pytest.mark.parametrize("version", sorted(GROUP_SETTINGS))
def test_scoring_two_groups(ctx, sum_c, version):
    """group1 pass-fail 40 + group2 sum 60 (2 of 3) = 80 of 100, in each
    version's own files and keys."""
    tests = {
        "sample/1": sum_test("-"),
        "secret/group1/01": sum_test("-", a=5, b=6),
        "secret/group1/02": sum_test("-", a=-4, b=9),
        "secret/group2/01": sum_test("-", a=10, b=20),
        "secret/group2/02": sum_test("-", "off", a=7, b=8),
        "secret/group2/03": sum_test("-", a=100, b=1),
    }
    pkg = ctx.package(f"scoring{version}", problem_yaml(scoring=True, modern=True, version=version),
                      tests)
    file, settings = GROUP_SETTINGS[version]
    write(os.path.join(pkg, "data", "secret", "group1", file),
          settings.format(agg="pass-fail", score=40))
    write(os.path.join(pkg, "data", "secret", "group2", file), settings.format(agg="sum", score=60))

    def groups(sub):
        r = sub.report
        problems = []
        if not close(r.get("score"), 80):
            problems.append(f"score {r.get('score')!r}, expected 80")
        if not close(r.get("max_score"), 100):
            problems.append(f"max_score {r.get('max_score')!r}, expected 100")
        want = [("secret/group1", "AC", 40, 40, 2, 2), ("secret/group2", "WA", 40, 60, 3, 3),
                ("secret", "WA", 80, 100, 5, 5)]
        for name, verdict, score, max_score, run_, total in want:
            g = sub.group(name)
            if g is None:
                problems.append(f"no group {name!r} in {r.get('groups')!r}")
                continue
            got = (g.get("verdict"), g.get("score"), g.get("max_score"), g.get("tests_run"),
                   g.get("tests_total"))
            if (got[0] != verdict or not close(got[1], score) or not close(got[2], max_score)
                    or got[3] != run_ or got[4] != total):
                problems.append(f"group {name}: (verdict, score, max_score, tests_run, "
                                f"tests_total) = {got}, expected "
                                f"{(verdict, score, max_score, run_, total)}")
        for name, score in (("secret/group2/01", 20), ("secret/group2/02", 0),
                            ("secret/group2/03", 20)):
            t = sub.test(name)
            if t is None:
                problems.append(f"no test {name}")
            elif t.get("score") is not None and not close(t.get("score"), score):
                problems.append(f"test {name} score {t.get('score')!r}, expected {score}")
        return problems

    expect(ctx.submit(pkg, sum_c, run_all=True), "WA", test="secret/group2/02", more=groups)


# --- 8. Multi-pass problems --------------------------------------------------

def test_multi_pass_bundled_relay(ctx, repo_root):
    """The bundled relay package (2025-09, type multi-pass): every test of the
    accepted submission takes 2 passes; a wrong word comes back in pass 2
    (WA); a submission that spins in pass 2 is TLE there, the limit per pass."""
    relay = os.path.join(repo_root, "problems", "relay")
    subs = os.path.join(relay, "submissions")

    def two_passes_each(sub):
        passes = [t.get("passes") for t in sub.tests()]
        return [] if passes == [2] * 9 else [f"passes per test {passes}, expected 9 x 2"]

    expect(ctx.submit(relay, os.path.join(subs, "accepted", "relay.cpp"), run_all=True), "AC",
           more=two_passes_each)
    expect(ctx.submit(relay, os.path.join(subs, "wrong_answer", "forget.py")), "WA",
           test="sample/1", message_has=["pass 2: expected 'hello', got 'a'"])
    expect(ctx.submit(relay, os.path.join(subs, "time_limit_exceeded", "slow_receiver.cpp")),
           "TLE", test="sample/1", message_has=["pass 2: CPU time"])


# A multi-pass validator that asks for another pass every time.
ENDLESS_PASSES_C = PRELUDE + r"""
int main(int argc, char **argv) {
  mark();
  if (argc < 4) return 2;
  char path[4096];
  snprintf(path, sizeof path, "%snextpass.in", argv[3]);
  FILE *f = fopen(path, "w");
  if (!f) return 2;
  fputs("x ok 1 2\n", f);
  fclose(f);
  return 42;
}
"""


def test_multi_pass_validator_past_validation_passes_is_ie(ctx, sum_c):
    """A validator that asks for a 4th pass of at most 3 is the judge's fault."""
    yaml_text = (MODERN + "type: multi-pass\nlimits:\n  time_limit: 1\n  validation_passes: 3\n")
    pkg = ctx.package("multipass_endless", yaml_text, {"secret/1": sum_test("x")},
                      ("output_validator/v.c", source(ENDLESS_PASSES_C)))
    expect(ctx.submit(pkg, sum_c), "IE", test="secret/1",
           message_has=["pass 3:", "asked for pass 4, past the problem's validation_passes (3)"])


# Interactive multi-pass (legacy words): pass 1's input "1 k": the interactor
# sends k and wants 2k back, keeps 2k in its feedback directory and asks for
# pass 2 with "2 2k"; pass 2 checks the kept number, sends it, wants its double.
INTERACTIVE_PASSES_C = PRELUDE + r"""
int main(int argc, char **argv) {
  mark();
  signal(SIGPIPE, SIG_IGN);
  if (argc < 4) return 2;
  char path[4096];
  int pass = 0;
  long long v = 0, r = 0, kept = -1;
  FILE *in = fopen(argv[1], "r");
  if (!in || fscanf(in, "%d %lld", &pass, &v) != 2) return 2;
  if (pass == 2) {
    snprintf(path, sizeof path, "%skept", argv[3]);
    FILE *k = fopen(path, "r");
    if (!k || fscanf(k, "%lld", &kept) != 1 || kept != v) return 3;  /* feedback lost */
  }
  printf("%lld\n", v);
  fflush(stdout);
  if (scanf("%lld", &r) != 1 || r != 2 * v) return 43;
  if (pass == 1) {
    snprintf(path, sizeof path, "%skept", argv[3]);
    FILE *k = fopen(path, "w");
    snprintf(path, sizeof path, "%snextpass.in", argv[3]);
    FILE *next = fopen(path, "w");
    if (!k || !next) return 2;
    fprintf(k, "%lld\n", r);
    fprintf(next, "2 %lld\n", r);
    fclose(k);
    fclose(next);
  }
  return 42;
}
"""

DOUBLE_C = PRELUDE + r"""
int main(void) {
  mark();
  long long v;
  if (scanf("%lld", &v) != 1) return 4;
  printf("%lld\n", 2 * v);
  return 0;
}
"""


def test_interactive_multi_pass(ctx):
    """`validation: custom interactive multi-pass`: two connected runs per test,
    the feedback directory kept between them; a submission that answers
    wrongly in pass 2 only is WA there."""
    yaml_text = problem_yaml("validation: custom interactive multi-pass\n")
    pkg = ctx.package("inter_multipass", yaml_text,
                      {f"secret/{i}": (f"1 {i + 5}\n", "0\n") for i in range(3)},
                      ("output_validators/v/interactor.c", source(INTERACTIVE_PASSES_C)))

    def two_passes_each(sub):
        passes = [t.get("passes") for t in sub.tests()]
        return [] if passes == [2] * 3 else [f"passes per test {passes}, expected 3 x 2"]

    expect(ctx.submit(pkg, ctx.file("double.c", source(DOUBLE_C)), run_all=True), "AC",
           more=two_passes_each)
    # Right in pass 1 (input 5 or more), wrong in pass 2 (a number of 10 or more).
    wrong_late = ctx.file("wrong_late.c", source(DOUBLE_C.replace(
        'printf("%lld\\n", 2 * v);', 'printf("%lld\\n", v >= 10 ? v : 2 * v);')))
    expect(ctx.submit(pkg, wrong_late), "WA", test="secret/0", message_has=["pass 2"])


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
