"""End-to-end: hostile and tricky programs against the sandbox, one test per
program of tests/hostile/programs/ (id: the program's file name), and a last
one that the judges left nothing behind.

The programs run only through pipejudge, inside an outer cage of namespaces
and cgroups (hostile_cage.py says what is checked and how). The module's
`cage` fixture starts the cage once with the cases this session selected
(-k and node ids narrow it), and each test waits for its case's result: the
suite inside runs the compile bombs in a second lane and the fork and thread
bombs alone at the end, as the cage's run_order lists them. Needs root
(skipped otherwise).
"""
import os
import sys
import warnings

import pytest

import e2e_support
import hostile_cage
from e2e_support import selected_params

CASES = hostile_cage.run_order(hostile_cage.CASES)


@pytest.fixture(scope="module")
def cage(request, pipejudge, repo_root):
    if os.geteuid() != 0:
        pytest.skip("the hostile suite needs root (an outer cage of namespaces and cgroups)")
    # Every case when none is selected: judge_left_nothing alone checks after all.
    only = [c.name for c in selected_params(request, "case")]
    cage = hostile_cage.Cage(pipejudge, repo_root, only)
    try:
        cage.start()
    except hostile_cage.CageError as e:
        pytest.fail(f"cage: {e}", pytrace=False)
    yield cage
    cage.close()
    print("\n".join(cage.log))


def check(result):
    """Fails with the case's problems; a passing case's notes (a retry on a busy
    machine) become warnings."""
    if result["ok"]:
        for note in result["notes"]:
            warnings.warn(f"{result['case']}: {note}")
    else:
        facts = f" ({result['facts']})" if result["facts"] else ""
        pytest.fail(f"verdict {result['verdict']}{facts}:\n  "
                    + "\n  ".join(result["problems"] + result["notes"])
                    + "".join(f"\n  [{r}]" for r in result["reports"]), pytrace=False)


def get(cage, name):
    try:
        return cage.result(name)
    except hostile_cage.CageError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.program)
def test_hostile_program(cage, case):
    check(get(cage, case.name))


def test_judges_left_nothing(cage):
    """No slot cgroups or POSIX queues of the judges are left in the cage."""
    check(get(cage, "judge_left_nothing"))


if __name__ == "__main__":
    sys.exit(e2e_support.run_as_script(__file__))
