"""Fixtures of pipejudge's end-to-end tests (pytest).

Run a suite with the system Python's pytest:

    /usr/bin/python3 -m pytest -v tests/e2e/test_submissions.py --pipejudge=build/pipejudge

Each test file also runs as a script with the same pytest run:
`/usr/bin/python3 tests/e2e/test_x.py PIPEJUDGE [REPO-ROOT] [pytest options]`.

Options (each falls back to an environment variable, then to a default):
  --pipejudge PATH   the binary under test   ($PJ_E2E_PIPEJUDGE, else <repo>/build/pipejudge)
  --repo-root DIR    the repository whose problems/ and tests/ are used
                     ($PJ_E2E_REPO_ROOT, else the repository holding this file)

Fixtures:
  pipejudge         absolute path of the binary (fails the test if it is missing)
  repo_root         absolute path of the repository root
  state_dir         a fresh temporary directory, removed after the test
  module_dir        the same, shared by the tests of one module
  instances         makes Instances (e2e_support.Instance: a private instance
                    name and state directory; start_collector, start_worker,
                    enqueue, results, wait_verdicts, stop_collector, db);
                    every process they started is killed and their queues
                    removed after the test
  instance          one such Instance, nothing started yet
  module_instances  as `instances`, for the tests of one module
  running_instance  an Instance shared by a module with its collector and two
                    workers (slots 0 and 1) running; killed after the module

Helpers the test files share are in e2e_support.py (not a test).
"""
import os
import shutil
import tempfile

import pytest

import e2e_support


def pytest_addoption(parser):
    group = parser.getgroup("pipejudge", "pipejudge end-to-end tests")
    group.addoption("--pipejudge", metavar="PATH", default=None,
                    help=f"the pipejudge binary under test (or ${e2e_support.PIPEJUDGE_ENV}; "
                         "default <repo-root>/build/pipejudge)")
    group.addoption("--repo-root", metavar="DIR", default=None,
                    help=f"the pipejudge repository (or ${e2e_support.REPO_ROOT_ENV}; "
                         "default: the one holding these tests)")


@pytest.fixture(scope="session")
def repo_root(pytestconfig):
    root = e2e_support.repo_root_of(pytestconfig)
    if not os.path.isdir(os.path.join(root, "problems")):
        pytest.fail(f"--repo-root {root} has no problems/ directory", pytrace=False)
    return root


@pytest.fixture(scope="session")
def pipejudge(pytestconfig):
    path = e2e_support.pipejudge_of(pytestconfig)
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"no pipejudge binary at {path} (give --pipejudge PATH)", pytrace=False)
    return path


def _temporary_directory():
    tmp = tempfile.mkdtemp(prefix="pj-e2e-")
    try:
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def state_dir():
    yield from _temporary_directory()


@pytest.fixture(scope="module")
def module_dir():
    yield from _temporary_directory()


@pytest.fixture
def instances(pipejudge, repo_root, state_dir):
    with e2e_support.InstancePool(pipejudge, repo_root, state_dir) as pool:
        yield pool


@pytest.fixture
def instance(instances):
    return instances.new()


@pytest.fixture(scope="module")
def module_instances(pipejudge, repo_root, module_dir):
    with e2e_support.InstancePool(pipejudge, repo_root, module_dir) as pool:
        yield pool


@pytest.fixture(scope="module")
def running_instance(module_instances):
    inst = module_instances.new()
    inst.start_collector()
    for slot in (0, 1):
        inst.start_worker("--slot", str(slot))
    return inst
