"""Shared helpers of the end-to-end tests (not a test itself)."""
import os
import signal
import subprocess
import tempfile


def run(argv, cwd, timeout, env=None):
    """Runs argv; returns (exit status or None on timeout, stdout, stderr).

    Output goes to temporary files rather than pipes, so a straggling
    grandchild holding a pipe open cannot hang us; on timeout the whole
    process group is killed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=err, start_new_session=True,
                                    env=None if env is None else {**os.environ, **env})
        except OSError as e:
            return -1, "", f"cannot run {argv[0]}: {e}"
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
            rc = None
        out.seek(0)
        err.seek(0)
        return (rc, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
