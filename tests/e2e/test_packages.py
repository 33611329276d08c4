#!/usr/bin/env python3
"""End-to-end: custom validators, interactive problems, test groups and scoring.

Usage: python3 test_packages.py <path-to-pipejudge> <repo-root>

Builds small problem packages in a temporary directory (validators and
submissions written inline, in C) and judges them with
`pipejudge submit --problem PKG FILE --json`:

  * a Kattis output validator that breaks the protocol (exits 0, exits 1,
    aborts, never ends) is the judge's fault: IE, never WA or AC;
  * a validator or testlib checker that does not compile: IE naming it;
  * judgemessage.txt, teammessage.txt and score.txt reach the report;
  * testlib checker exit codes 0, 1, 2, 3 and 7 (`points X`);
  * interactive problems: a correct submission (20 tests), a submission that
    quits early, a validator that rejects while the submission spins, a
    deadlock, a validator that hangs; no process of the fixture outlives the
    judge (every fixture program names itself with a marker, looked for in
    /proc);
  * package errors (exit 2, one stderr line naming the file);
  * a 2025-09 scoring package with two groups.

Compiled programs are cached in a private cache directory
(PIPEJUDGE_CACHE_DIR). Prints one line per case and a closing
`N passed, M failed` line; exits 1 if any failed. Standard library only.
"""
import json
import os
import re
import sys
import tempfile
import time

import e2e_support  # beside this file

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

def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(content)


def problem_yaml(extra="", scoring=False, modern=False, validation_time=None):
    lines = []
    if modern:
        lines.append("problem_format_version: 2025-09")
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


def short(text, limit=300):
    text = text.replace("\n", "\\n")
    return text if len(text) <= limit else text[:limit] + "..."


def names(line, token):
    """True if `token` appears in `line` as a whole path component."""
    return re.search(r"(?<![\w.-])" + re.escape(token) + r"(?![\w-])", line) is not None


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


class Submit:
    """One `pipejudge submit --json` run: exit status, report, stderr, time, leftovers."""

    def __init__(self, ctx, pkg, sol, run_all=False):
        argv = [ctx.pipejudge, "submit", "--problem", pkg, sol, "--json"]
        if run_all:
            argv.append("--all")
        start = time.monotonic()
        self.rc, self.out, self.err = e2e_support.run(argv, ctx.tmp, TIMEOUT, ctx.env)
        self.elapsed = time.monotonic() - start
        self.leftover = leftovers_problem()
        self.report = None
        self.problem = None
        if self.rc is None:
            self.problem = f"timed out after {TIMEOUT}s"
            return
        try:
            self.report = json.loads(self.out)
        except ValueError as e:
            self.problem = (f"stdout is not JSON ({e}), exit {self.rc}: {short(self.out)!r}"
                            + (f" [stderr: {short(self.err)}]" if self.err.strip() else ""))
            return
        if not isinstance(self.report, dict):
            self.problem = f"stdout is JSON but not an object: {short(self.out)!r}"
            self.report = None

    def test(self, name):
        for t in self.report.get("tests") or []:
            if isinstance(t, dict) and t.get("name") == name:
                return t
        return None

    def group(self, name):
        for g in self.report.get("groups") or []:
            if isinstance(g, dict) and g.get("name") == name:
                return g
        return None

    def summary(self):
        r = self.report or {}
        tests = [(t.get("name"), t.get("verdict"), t.get("message"))
                 for t in r.get("tests") or [] if isinstance(t, dict)]
        return f"verdict {r.get('verdict')!r}, reason {r.get('reason')!r}, tests {tests}"


def close(a, b):
    return isinstance(a, (int, float)) and not isinstance(a, bool) and abs(a - b) < 1e-6


class Context:
    def __init__(self, pipejudge, tmp):
        self.pipejudge = pipejudge
        self.tmp = tmp
        cache = os.path.join(tmp, "cache")
        os.makedirs(cache)
        self.env = {"PIPEJUDGE_CACHE_DIR": cache}
        self.results = []  # (ok, line)

    def file(self, name, text):
        path = os.path.join(self.tmp, "src", name)
        write(path, text)
        return path

    def record(self, label, problems, detail=""):
        if problems:
            self.results.append((False, f"FAIL {label}: " + "; ".join(problems)))
        else:
            self.results.append((True, f"ok   {label}" + (f": {detail}" if detail else "")))
        print(self.results[-1][1], flush=True)

    def expect(self, label, sub, verdict, rc=None, reason_has=(), test=None, message_has=(),
               check_leftovers=True, more=None):
        """Checks the report's verdict (and exit status), the reason, and one test's
        verdict and message; `more(sub)` returns further problems."""
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
        if check_leftovers and sub.leftover:
            problems.append(sub.leftover)
        r = sub.report or {}
        self.record(label, problems, short(r.get("reason") or "", 160))


# --- cases -------------------------------------------------------------------

def sum_test(vmode, smode="ok", a=1, b=2, extra=""):
    return (f"{vmode} {smode} {a} {b} {extra}".rstrip() + "\n", f"{a + b}\n")


def kattis_protocol_cases(ctx, sum_c):
    """1. A Kattis validator breaking the protocol is IE."""
    cases = [
        ("exit0", "exits 0", {}, ["the output validator exited with 0"]),
        ("exit1", "exits 1", {}, ["the output validator exited with 1"]),
        ("abort", "aborts", {}, ["killed by SIGABRT"]),
        ("sleep", "sleeps forever (validation_time: 1)", {"validation_time": 1},
         ["exceeded its", "limit"]),
    ]
    for mode, what, opts, pieces in cases:
        pkg = make_package(ctx.tmp, f"kattis_{mode}",
                           problem_yaml("validation: custom\n", **opts),
                           {"secret/1": sum_test(mode)},
                           ("output_validators/v/validator.c", source(KATTIS_C)))
        sub = Submit(ctx, pkg, sum_c)
        ctx.expect(f"kattis validator that {what}: IE", sub, "IE", reason_has=pieces,
                   test="secret/1", message_has=pieces)


def broken_validator_cases(ctx, sum_c):
    """2. A validator or a testlib checker that does not compile is IE, named."""
    pkg = make_package(ctx.tmp, "broken_kattis", problem_yaml("validation: custom\n"),
                       {"secret/1": sum_test("check")},
                       ("output_validators/brokenval/validator.c", BROKEN_C))
    sub = Submit(ctx, pkg, sum_c)
    ctx.expect("kattis validator that does not compile: IE", sub, "IE",
               reason_has=[os.path.join(pkg, "output_validators", "brokenval"), "does not compile"])

    pkg = make_package(ctx.tmp, "broken_testlib",
                       problem_yaml("validation: custom\nvalidator_protocol: testlib\n"),
                       {"secret/1": sum_test("0")},
                       ("output_validators/brokenchk/checker.cpp", BROKEN_CPP))
    sub = Submit(ctx, pkg, sum_c)
    ctx.expect("testlib checker that does not compile: IE", sub, "IE",
               reason_has=[os.path.join(pkg, "output_validators", "brokenchk"), "does not compile"])


def feedback_cases(ctx, sum_c):
    """3. judgemessage.txt, teammessage.txt, score.txt."""
    pkg = make_package(ctx.tmp, "feedback", problem_yaml("validation: custom\n"),
                       {"secret/1": sum_test("check", "off")},
                       ("output_validators/v/validator.c", source(KATTIS_C)))
    sub = Submit(ctx, pkg, sum_c)

    def team(sub):
        t = sub.test("secret/1")
        if t.get("message") != "judge: expected 3 got 4":
            return [f"message {t.get('message')!r}, expected 'judge: expected 3 got 4'"]
        if t.get("team_message") != "team: look again at the sum":
            return [f"team_message {t.get('team_message')!r}, "
                    "expected 'team: look again at the sum'"]
        return []

    ctx.expect("judgemessage.txt is the message, teammessage.txt the team_message (WA)", sub,
               "WA", test="secret/1", more=team)

    pkg = make_package(ctx.tmp, "feedback_score",
                       problem_yaml("validation: custom\n", scoring=True),
                       {"secret/1": sum_test("score", extra="7.5")},
                       ("output_validators/v/validator.c", source(KATTIS_C)))
    sub = Submit(ctx, pkg, sum_c)

    def score(sub):
        t = sub.test("secret/1")
        problems = []
        if not close(t.get("score"), 7.5):
            problems.append(f"test score {t.get('score')!r}, expected 7.5")
        if not close(sub.report.get("score"), 7.5):
            problems.append(f"report score {sub.report.get('score')!r}, expected 7.5")
        return problems

    ctx.expect("score.txt gives the test score (type: scoring)", sub, "AC", test="secret/1",
               more=score)


def testlib_cases(ctx, sum_c):
    """4. testlib checker exit codes."""
    tests = {f"secret/c{code}": sum_test(str(code)) for code in (0, 1, 2, 3, 7)}
    pkg = make_package(ctx.tmp, "testlib_codes",
                       problem_yaml("validation: custom\nvalidator_protocol: testlib\n"),
                       tests, ("output_validators/chk/checker.c", source(TESTLIB_C)))
    sub = Submit(ctx, pkg, sum_c, run_all=True)
    expected = [(0, "AC", "ok fine"), (1, "WA", "tl-wa"), (2, "PE", "tl-pe"), (3, "IE", "tl-fail"),
                (7, "IE", "pass-fail")]
    for code, verdict, piece in expected:
        label = f"testlib checker exit {code}: {verdict}"
        if code == 7:
            label += " (points in a pass-fail problem)"
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
        ctx.record(label, problems)

    pkg = make_package(ctx.tmp, "testlib_points",
                       problem_yaml("validation: custom\nvalidator_protocol: testlib\n",
                                    scoring=True),
                       {"secret/c7": sum_test("7")},
                       ("output_validators/chk/checker.c", source(TESTLIB_C)))
    sub = Submit(ctx, pkg, sum_c)

    def points(sub):
        t = sub.test("secret/c7")
        return [] if close(t.get("score"), 12.5) else [f"test score {t.get('score')!r}, expected 12.5"]

    ctx.expect("testlib checker exit 7 'points 12.5' (scoring): AC, score 12.5", sub, "AC",
               test="secret/c7", more=points)


def interactive_cases(ctx):
    """5. Interactive problems (legacy `validation: custom interactive`)."""
    yaml_text = problem_yaml("validation: custom interactive\n", validation_time=1)
    validator = ("output_validators/v/interactor.c", source(INTERACTOR_C))
    answer_c = ctx.file("answer.c", source(ANSWER_C))

    def package(name, tests):
        return make_package(ctx.tmp, name, yaml_text, tests, validator)

    # (a) a correct submission, 20 tests.
    pkg = package("inter_ok", {f"secret/{i:02d}": (f"play 5 {i}\n", "0\n") for i in range(20)})
    sub = Submit(ctx, pkg, answer_c, run_all=True)

    def twenty(sub):
        verdicts = [t.get("verdict") for t in sub.report.get("tests") or []]
        if verdicts != ["AC"] * 20:
            return [f"expected 20 AC, got {verdicts} ({sub.summary()})"]
        return []

    ctx.expect("interactive: a correct submission, 20 tests, AC every time", sub, "AC", more=twenty)

    # (b) the submission leaves before answering; the validator rejects after it.
    pkg = package("inter_quit", {f"secret/{i}": (f"play 3 {i}\n", "0\n") for i in range(5)})
    for code, verdict, pieces in ((0, "WA", ["ended before answering"]), (3, "RE", ["exit code 3"])):
        sol = ctx.file(f"quit{code}.c", source(QUIT_C, CODE=code))
        sub = Submit(ctx, pkg, sol, run_all=True)

        def all_same(sub, verdict=verdict):
            verdicts = [t.get("verdict") for t in sub.report.get("tests") or []]
            return [] if verdicts == [verdict] * 5 else [f"expected 5 x {verdict}, got {verdicts}"]

        ctx.expect(f"interactive: submission exits {code} before answering: {verdict} (5 tests)",
                   sub, verdict, reason_has=pieces, test="secret/0", message_has=pieces,
                   more=all_same)

    # (c) the validator rejects at once while the submission spins.
    pkg = package("inter_reject", {"secret/1": ("reject 0 0\n", "0\n")})
    sub = Submit(ctx, pkg, ctx.file("spin.c", source(SPIN_C)))
    bound = TIME_LIMIT + 5

    def quick(sub):
        if sub.elapsed > bound:
            return [f"submit took {sub.elapsed:.1f} s, over {bound} s"]
        # The validator has decided: the submission is stopped at once, not
        # left to spin into its time limit.
        spent = max((t.get("time") or 0 for t in sub.report.get("tests") or []), default=0)
        return [] if spent < TIME_LIMIT / 2 else [f"the submission spun for {spent:.2f} s"]

    ctx.expect(f"interactive: validator rejects early, submission spins: WA, stopped at once",
               sub, "WA", test="secret/1", message_has=["rejected before any query"], more=quick)

    # (d) both wait for the other.
    pkg = package("inter_deadlock", {"secret/1": ("listen 0 0\n", "0\n")})
    sub = Submit(ctx, pkg, answer_c)
    ctx.expect("interactive: deadlock (both read): TLE on wall time", sub, "TLE",
               test="secret/1", message_has=["wall"])

    # (e) the validator spins.
    pkg = package("inter_hang", {"secret/1": ("hang 0 0\n", "0\n")})
    sub = Submit(ctx, pkg, answer_c)
    ctx.expect("interactive: validator hangs (validation_time: 1): IE", sub, "IE",
               reason_has=["interactor", "limit"], test="secret/1")


def package_error_cases(ctx, sum_c):
    """6. Package errors: exit 2, one stderr line naming the file."""
    modern = "problem_format_version: 2025-09\nname: Fixture\n"
    cases = []

    pkg = make_package(ctx.tmp, "err_group_key", modern, {"secret/1": sum_test("-")})
    write(os.path.join(pkg, "data", "secret", "test_group.yaml"), "bogus_key: 1\n")
    cases.append(("test_group.yaml with an unknown key", pkg, "test_group.yaml", "bogus_key"))

    pkg = make_package(ctx.tmp, "err_empty_group", problem_yaml(), {"secret/1": sum_test("-")})
    os.makedirs(os.path.join(pkg, "data", "secret", "empty_group"))
    cases.append(("a group directory with no tests", pkg, "empty_group", None))

    pkg = make_package(ctx.tmp, "err_no_validator", problem_yaml("validation: custom\n"),
                       {"secret/1": sum_test("-")})
    cases.append(("validation: custom without a validator", pkg, "problem.yaml", "validator"))

    pkg = make_package(ctx.tmp, "err_multipass", modern + "type: multi-pass\n",
                       {"secret/1": sum_test("-")})
    cases.append(("type: multi-pass", pkg, "problem.yaml", "multi-pass"))

    pkg = make_package(ctx.tmp, "err_testdata", modern, {"secret/1": sum_test("-")})
    write(os.path.join(pkg, "data", "secret", "testdata.yaml"), "on_reject: continue\n")
    cases.append(("testdata.yaml in a 2025-09 package", pkg, "testdata.yaml", None))

    for label, pkg, token, word in cases:
        rc, out, err = e2e_support.run([ctx.pipejudge, "submit", "--problem", pkg, sum_c, "--json"],
                                       ctx.tmp, TIMEOUT, ctx.env)
        problems = []
        if rc is None:
            problems.append(f"timed out after {TIMEOUT}s")
        elif rc != 2:
            problems.append(f"exit status {rc}, expected 2")
        if out != "":
            problems.append(f"stdout not empty: {short(out)!r}")
        lines = err.splitlines()
        line = lines[0] if lines else ""
        if len(lines) != 1:
            problems.append(f"stderr has {len(lines)} lines, expected 1: {short(err)!r}")
        elif not line.startswith("pipejudge: "):
            problems.append(f"stderr line does not start with 'pipejudge: ': {short(line)!r}")
        elif not names(line, token):
            problems.append(f"stderr line does not name {token!r}: {short(line)!r}")
        elif word and word not in line:
            problems.append(f"stderr line does not say {word!r}: {short(line)!r}")
        ctx.record(f"package error: {label}: exit 2", problems, line)


def scoring_cases(ctx, sum_c):
    """7. A 2025-09 scoring package with two groups."""
    yaml_text = problem_yaml(scoring=True, modern=True)
    tests = {
        "sample/1": sum_test("-"),
        "secret/group1/01": sum_test("-", a=5, b=6),
        "secret/group1/02": sum_test("-", a=-4, b=9),
        "secret/group2/01": sum_test("-", a=10, b=20),
        "secret/group2/02": sum_test("-", "off", a=7, b=8),
        "secret/group2/03": sum_test("-", a=100, b=1),
    }
    pkg = make_package(ctx.tmp, "scoring2025", yaml_text, tests)
    write(os.path.join(pkg, "data", "secret", "group1", "test_group.yaml"),
          "score_aggregation: pass-fail\nmax_score: 40\n")
    write(os.path.join(pkg, "data", "secret", "group2", "test_group.yaml"),
          "score_aggregation: sum\nmax_score: 60\n")
    sub = Submit(ctx, pkg, sum_c, run_all=True)

    def groups(sub):
        r = sub.report
        problems = []
        if not close(r.get("score"), 80):
            problems.append(f"score {r.get('score')!r}, expected 80")
        if not close(r.get("max_score"), 100):
            problems.append(f"max_score {r.get('max_score')!r}, expected 100")
        want = [("secret/group1", "AC", 40, 40, 2, 2), ("secret/group2", "WA", 40, 60, 3, 3),
                ("secret", "WA", 80, 100, 5, 5)]
        for name, verdict, score, max_score, run, total in want:
            g = sub.group(name)
            if g is None:
                problems.append(f"no group {name!r} in {r.get('groups')!r}")
                continue
            got = (g.get("verdict"), g.get("score"), g.get("max_score"), g.get("tests_run"),
                   g.get("tests_total"))
            if (got[0] != verdict or not close(got[1], score) or not close(got[2], max_score)
                    or got[3] != run or got[4] != total):
                problems.append(f"group {name}: (verdict, score, max_score, tests_run, "
                                f"tests_total) = {got}, expected "
                                f"{(verdict, score, max_score, run, total)}")
        for name, score in (("secret/group2/01", 20), ("secret/group2/02", 0),
                            ("secret/group2/03", 20)):
            t = sub.test(name)
            if t is None:
                problems.append(f"no test {name}")
            elif t.get("score") is not None and not close(t.get("score"), score):
                problems.append(f"test {name} score {t.get('score')!r}, expected {score}")
        return problems

    ctx.expect("2025-09 scoring: group1 pass-fail 40 + group2 sum 60 (2 of 3) = 80 of 100",
               sub, "WA", test="secret/group2/02", more=groups)


def main():
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} <path-to-pipejudge> <repo-root>", file=sys.stderr)
        return 2
    pipejudge = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory(prefix="pj-packages-") as tmp:
        ctx = Context(pipejudge, tmp)
        sum_c = ctx.file("sum.c", source(SUM_C))
        kattis_protocol_cases(ctx, sum_c)
        broken_validator_cases(ctx, sum_c)
        feedback_cases(ctx, sum_c)
        testlib_cases(ctx, sum_c)
        interactive_cases(ctx)
        package_error_cases(ctx, sum_c)
        scoring_cases(ctx, sum_c)
        passed = sum(1 for ok, _ in ctx.results if ok)
        failed = len(ctx.results) - passed
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
