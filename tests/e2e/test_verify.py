#!/usr/bin/env python3
"""End-to-end: `pipejudge verify` passes on every bundled problem, and fails
on a package whose submissions or inputs are not what it says.

Usage: python3 test_verify.py <path-to-pipejudge> <repo-root>

Prints one line per case and a closing `N passed, M failed` line; exits 1
if any failed. Standard library only.
"""
import os
import re
import shutil
import sys
import tempfile

import e2e_support  # beside this file

TIMEOUT = 900


def main():
    binary, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else ': ' + detail}", flush=True)

    with tempfile.TemporaryDirectory(prefix="pj-verify-") as tmp:
        env = {"PIPEJUDGE_CACHE_DIR": os.path.join(tmp, "cache")}
        problems_dir = os.path.join(root, "problems")
        problems = sorted(os.path.join(problems_dir, p) for p in os.listdir(problems_dir)
                          if os.path.isfile(os.path.join(problems_dir, p, "problem.yaml")))
        rc, out, err = e2e_support.run([binary, "verify", *problems], tmp, TIMEOUT, env)
        sys.stdout.write(out)
        summary = f"verify: {len(problems)} of {len(problems)} problems as their packages say"
        check("verify passes on every bundled problem", rc == 0 and summary in out,
              f"exit {rc}, stderr {err.strip()!r}")
        check("no submission failed", "FAIL" not in out, "a FAIL line above")
        counts = re.findall(r"(\d+) of (\d+) submissions as expected", out)
        check("every package has submissions and all ran",
              len(counts) == len(problems) and all(a == b and int(a) > 0 for a, b in counts),
              str(counts))
        check("the input validators ran", "input validators: 1, 8 of 8 checks passed" in out,
              "no input validator line for aplusb")

        # A package that lies: a wrong answer filed as accepted, and an input
        # its own validator rejects.
        bad = os.path.join(tmp, "aplusb")
        shutil.copytree(os.path.join(problems_dir, "aplusb"), bad)
        shutil.move(os.path.join(bad, "submissions", "wrong_answer", "wa.py"),
                    os.path.join(bad, "submissions", "accepted", "wa.py"))
        with open(os.path.join(bad, "data", "secret", "99_bad.in"), "w") as f:
            f.write("1 2 3\n")
        with open(os.path.join(bad, "data", "secret", "99_bad.ans"), "w") as f:
            f.write("3\n")
        rc, out, err = e2e_support.run([binary, "verify", bad], tmp, TIMEOUT, env)
        check("a lying package fails verify (exit 1)", rc == 1, f"exit {rc}: {out[-500:]}")
        check("the misfiled submission is named",
              re.search(r"FAIL\s+accepted/wa.py\s+WA", out) is not None, out[-800:])
        check("the rejected input is named", "range rejects secret/99_bad" in out, out[-800:])

        # A validator built by the package's own `build` script, run by `run`.
        scripted = os.path.join(tmp, "anysum")
        shutil.copytree(os.path.join(problems_dir, "anysum"), scripted)
        vdir = os.path.join(scripted, "output_validators", "anysum")
        # A source no language claims: only the build script can compile it.
        os.rename(os.path.join(vdir, "validator.cpp"), os.path.join(vdir, "validator.src"))
        with open(os.path.join(vdir, "build"), "w") as f:
            f.write("g++ -x c++ -O2 -std=gnu++20 -o built_validator validator.src\n")
        with open(os.path.join(vdir, "run"), "w") as f:
            f.write('exec ./built_validator "$@"\n')
        rc, out, err = e2e_support.run([binary, "verify", scripted], tmp, TIMEOUT, env)
        check("a validator with build/run scripts works", rc == 0 and "5 of 5" in out,
              f"exit {rc}: {out[-600:]} {err[-300:]}")

        # A package that cannot be read is a usage error naming the file.
        broken = os.path.join(tmp, "broken")
        os.makedirs(os.path.join(broken, "data", "secret", "g1"))
        with open(os.path.join(broken, "problem.yaml"), "w") as f:
            f.write("problem_format_version: 2025-09\nname: Broken\n")
        rc, out, err = e2e_support.run([binary, "verify", broken], tmp, TIMEOUT, env)
        check("an unreadable package exits 2 and names the file",
              rc == 2 and "g1" in err, f"exit {rc}, stderr {err.strip()!r}")

    failed = results.count(False)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
