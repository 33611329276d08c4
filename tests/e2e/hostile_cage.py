"""Hostile and tricky programs against the sandbox: the cases, the outer cage
and the suite that runs inside it (not a test itself: test_hostile.py
drives it, one pytest test per case).

Every behaviour of the hostile-behaviours list has a program in
tests/hostile/programs/ whose header names the behaviour and the verdicts a
fair judge may give (its `verdicts:` line is what the suite accepts). For
each, the suite runs `pipejudge submit --problem PKG PROGRAM --json`
(PKG: tests/hostile/problem, or a package generated at run time: 64 MiB
input, 8 MiB echo, 10 MiB line, 1 MiB output limit, two tests, a package
with secrets) and checks:

  * the verdict is among the allowed ones, plus per-case facts: the signal or
    exit code, a TLE on CPU time when the program did use its CPU budget, an
    RE that names the forbidden syscall, no TLE once peak memory went over
    the limit (that is an MLE);
  * the judge returned, in time (run phase within 2x the wall limit per test
    plus slack; a CE within the compile limits), with valid, bounded JSON;
  * no process of the run is left (census of the cage's /proc);
  * no file appeared or changed outside the run's work directory (/tmp,
    /var/tmp, /dev/shm, /run/lock, known targets, the repository), and the
    judge removed its own work directory;
  * the fixtures are intact: secret files, a stand-in judge database, the
    System V queue and shared memory, a POSIX queue, a sentinel process of
    the run uid (a secret environment, a root-only secret file open, a pipe of
    "another run's" unread input), and the loopback/unix/veth servers and the
    veth host's ICMP counter saw no traffic;
  * no secret of the fixtures appears in the judge's output;
  * some cases then judge a probe as the NEXT submission (it must see nothing).
A last pseudo-case, judge_left_nothing, checks that the judges left no slot
cgroups or POSIX queues behind. A program that does not sleep but gets a
wall-time TLE under its CPU limit (a busy machine) is judged again, twice at
most, and the result says so.

Safety: hostile programs run only through pipejudge, and the whole group runs
inside an outer cage: `Cage` (in the test process, which runs no hostile
program) starts this file with `--inner` under
`unshare --pid --fork --kill-child --ipc --net --mount --mount-proc` (private
tmpfs on /tmp, /var/tmp, /dev/shm, /run/lock; fake /etc/passwd and
/etc/shadow bind-mounted; CAP_SYS_TIME/SYS_BOOT/SYS_MODULE dropped from the
bounding set) inside cgroups it creates under its own in every memory, pids,
cpu and cpuacct hierarchy (memory and pids capped; the judges' slot cgroups
nest inside; all removed afterwards). Network cases only aim at 127.0.0.1 and
at 10.231.0.1, a test host the suite creates in a network namespace of its
own behind a veth pair; the cage's network namespace has nothing else.

Needs root. The suite inside the cage prints one line per case (`ok   NAME
VERDICT` or `FAIL NAME: why`), each followed by a RESULT_TAG line (JSON) that
`Cage` hands to the case's test. A pool of two lanes: the slow compile bombs
in one, everything else one at a time in the other (so that a process, file
or fixture effect is blamed on the case that caused it), and the fork and
thread bombs alone at the end (concurrent `pipejudge submit`s share the run
uid 60000); `run_order` is the order results come in. Standard library only.
"""
import ctypes
import ctypes.util
import fcntl
import fnmatch
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import tty

TIME_LIMIT = 1.0
MEMORY_LIMIT = 256 << 20
WALL_LIMIT = max(2 * TIME_LIMIT, TIME_LIMIT + 1)  # README: 2 x CPU, at least CPU + 1 s
RUN_SLACK = 8.0  # compile of a small program + judge overhead on a busy 2-core box
COMPILE_WALL = 60.0  # README: compiler limits 30 s CPU, 60 s wall
RUN_UID = 60000  # README: as root, programs run as uid/gid 60000 (slot 0)
CAGE_MEMORY = 8 << 30
CAGE_PIDS = 4096
CAGE_TIMEOUT = 1200  # seconds for the whole suite
RESULT_TAG = "@pjh-result "  # + JSON: one case's result, for Cage
FIXTURES_TAG = "@pjh-fixtures-failed "  # + why: no case can run

FIX = "/tmp/pjh-fixtures"
# An interpreter the run uid can execute (pyenv shims under /root are not).
PLAIN_PYTHON = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
HARNESS_TMP = "/tmp/pjh-harness"
CACHE = "/tmp/pjh-cache"
CASE_PREFIX = "/tmp/pjh-case-"
WATCH_DIRS = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock"]
PRIVATE_TMPFS = [("/tmp", "3g"), ("/var/tmp", "256m"), ("/dev/shm", "1g"), ("/run/lock", "16m")]
OUTSIDE_TARGETS = ["/", "/root", "/run", "/var/mail", "/var/crash", "/work/main",
                   "/work/main/tests/hostile"]

TCP_LO, UDP_LO, TCP_VETH, UDP_VETH = 47311, 47312, 47313, 47314
VETH_HOST, VETH_CAGE = "10.231.0.1", "10.231.0.2"
MSG_KEY, SHM_KEY = 0x504A4801, 0x504A4802
MQ_NAME = b"/pjh-judge-queue"

SECRET_KINDS = ["testdata", "notes", "host", "db", "incbin", "passwd", "shadow", "cage_env",
                "judge_env", "sentinel_env", "sentinel_fd", "sentinel_stdin", "tcp", "udp",
                "unix", "veth", "msgq", "shm", "mq"]


# --------------------------------------------------------------------------
# Cases


class Case:
    def __init__(self, program, package="main", checks=(), then=None, heavy=False,
                 solo=False, timeout=None, name=None):
        self.program = program
        self.name = name or os.path.splitext(program)[0]
        self.package = package
        self.checks = list(checks)
        self.then = then  # (program, package) judged next; must be AC
        self.heavy = heavy  # slow compile bomb: runs in the second lane
        # Exhausts the run uid's processes: runs only when the other lane is
        # idle (concurrent `pipejudge submit`s share uid 60000, see README).
        self.solo = solo
        self.timeout = timeout or (150 if heavy else 60)
        self.verdicts = []


PROBE = ("fs_probe_leftovers.c", "main")

CASES = [
    # Time
    Case("time_infinite_loop.c", checks=["cpu"]),
    Case("time_sleep_forever.c"),
    Case("time_threads_spin.cpp", checks=["cpu"]),
    Case("time_child_burns_cpu.c", checks=["cpu"]),
    Case("time_main_thread_exits.c"),
    Case("time_sigstop_self.c"),
    Case("time_clock_games.c"),
    Case("time_odd_clocks_sleep.c"),
    # Processes
    Case("proc_fork_bomb.c", solo=True),
    Case("proc_double_fork_escape.c"),
    Case("proc_setpgid_sleeper.c"),
    Case("proc_thread_bomb.cpp", solo=True),
    # Memory
    Case("mem_malloc_touch.c", checks=["tle_under_limit"]),
    Case("mem_mmap_populate.c"),
    Case("mem_huge_static_array.c", checks=["tle_under_limit"]),
    Case("mem_vector_doubling.cpp", checks=["tle_under_limit"]),
    Case("mem_python_list_bomb.py", checks=["tle_under_limit"]),
    Case("mem_deep_recursion.c", checks=["tle_under_limit"]),
    Case("mem_deep_recursion_legit.c"),
    Case("mem_memfd_hidden.c"),
    Case("mem_tmpfs_hidden.c", then=PROBE),
    Case("mem_children_sum.c"),
    Case("mem_sparse_mapping_legit.c"),
    Case("mem_raise_limits.c"),
    Case("mem_legit_200m.c"),
    # Output and input
    Case("io_stdout_flood.c", checks=["quick", "judge_rss"]),
    Case("io_stderr_flood.c", checks=["judge_rss"]),
    Case("io_stderr_burst_then_answer.c"),
    Case("io_close_stdout_exit.c"),
    Case("io_close_stdout_hang.c"),
    Case("io_ignore_input_answer.c", package="bigin"),
    Case("io_ignore_input_sleep.c", package="bigin"),
    Case("io_echo_while_reading.c", package="echo"),
    Case("io_nul_bytes.c"),
    Case("io_binary_garbage.c"),
    Case("io_long_line_match.c", package="longline"),
    Case("io_long_line_last_byte.c", package="longline"),
    Case("io_output_at_limit.c", package="out1m"),
    Case("io_output_over_limit.c", package="out1m"),
    # Exit codes and signals
    Case("sig_exit_code.c", checks=["exit:42"]),
    Case("sig_abort.c", checks=["signal:SIGABRT"]),
    Case("sig_segv.c", checks=["signal:SIGSEGV"]),
    Case("sig_fpe.c", checks=["signal:SIGFPE"]),
    Case("sig_raise_sigkill.c", checks=["signal:SIGKILL"]),
    Case("sig_raise_sigxcpu.c", checks=["signal:SIGXCPU"]),
    Case("sig_raise_sigxfsz.c", checks=["signal:SIGXFSZ"]),
    # Attacks on the judge
    Case("atk_kill_all.c"),
    Case("atk_kill_parent.c"),
    Case("atk_kill_pid1.c"),
    Case("atk_kill_own_group.c", checks=["signal:SIGKILL"]),
    Case("atk_kill_visible_pids.c"),
    Case("atk_read_answer_guess.c", package="secretpkg"),
    Case("atk_walk_root.c", package="secretpkg"),
    Case("atk_read_proc_others.c", package="secretpkg"),
    Case("atk_read_host_secrets.c", package="secretpkg"),
    Case("fs_write_outside.c", then=PROBE),
    Case("fs_many_files.c", then=PROBE),
    Case("fs_fallocate_huge.c", then=PROBE),
    Case("fs_leave_traps.c", package="twotests", then=PROBE),
    Case("fs_inherited_fds.c"),
    # Network and IPC
    Case("net_tcp_loopback.c", checks=["syscall_named"]),
    Case("net_udp_loopback.c", checks=["syscall_named"]),
    Case("net_unix_socket_fs.c", checks=["syscall_named"]),
    Case("net_unix_socket_abstract.c", checks=["syscall_named"]),
    Case("net_veth_tcp.c", checks=["syscall_named"]),
    Case("net_veth_udp.c", checks=["syscall_named"]),
    Case("net_veth_icmp.c", checks=["syscall_named"]),
    Case("ipc_sysv_msgqueue.c", checks=["syscall_named"]),
    Case("ipc_sysv_shm.c", checks=["syscall_named"]),
    Case("ipc_posix_mq.c", checks=["syscall_named"]),
    # Privileges and syscalls
    Case("priv_ptrace.c", checks=["syscall_named"]),
    Case("priv_setuid.c", checks=["syscall_named"]),
    Case("priv_chroot.c", checks=["syscall_named"]),
    Case("priv_unshare.c", checks=["syscall_named"]),
    Case("priv_mount.c", checks=["syscall_named"]),
    Case("priv_exec_shell.c", checks=["syscall_named"]),
    Case("priv_int80.c", checks=["syscall_named_or_segv"]),
    Case("priv_io_uring.c", checks=["syscall_named"]),
    Case("priv_tiocsti.c", checks=["tty", "syscall_named"]),
    # Compiling
    Case("comp_include_passwd.c"),
    Case("comp_include_shadow.c"),
    Case("comp_include_proc_environ.c"),
    Case("comp_incbin_secret.c"),
    Case("comp_include_urandom.c", heavy=True),
    Case("comp_template_explosion.cpp", heavy=True),
    Case("comp_macro_explosion.c", heavy=True),
    Case("comp_diagnostics_flood.cpp", heavy=True),
    Case("comp_huge_binary.c", heavy=True),
    # Legitimate programs
    Case("legit_sol.c"),
    Case("legit_python_threads.py"),
]


def programs_dir(root):
    return os.path.join(root, "tests", "hostile", "programs")


def read_verdicts(path):
    """The `verdicts:` line of a program's header comment."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"\s*(?://|#)\s*verdicts:\s*(.*)", line)
            if m:
                return [v.strip() for v in m.group(1).split(",") if v.strip()]
    return []


def load_cases(root):
    for c in CASES:
        c.verdicts = read_verdicts(os.path.join(programs_dir(root), c.program))
    return CASES


def select(cases, only):
    if not only:
        return cases
    pats = [p for o in only for p in o.split(",") if p]
    return [c for c in cases if any(fnmatch.fnmatchcase(c.name, p) for p in pats)]


def run_order(cases):
    """The cases in the order their results come: the serial lane (`heavy` ones
    run meanwhile in the other lane), the heavy ones, then the solo ones."""
    return ([c for c in cases if not c.heavy and not c.solo] + [c for c in cases if c.heavy]
            + [c for c in cases if c.solo])


# --------------------------------------------------------------------------
# Small helpers


def sh(*argv, check=True, **kw):
    r = subprocess.run(list(argv), stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if check and r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {r.stderr.decode(errors='replace').strip()}")
    return r


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_file(path, data, mode=0o644, uid=0, gid=0):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.chown(path, uid, gid)
    os.chmod(path, mode)


def short(text, limit=160):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


# --------------------------------------------------------------------------
# Outer cage: cgroups + namespaces, then re-exec as pid 1 of the new pid ns


def cgroup_paths(name):
    """[(dir, {limit file: value})]: a new cgroup named `name` in every cgroup
    hierarchy this process is in (nested under its current one), with the
    memory and pids caps. Joining every hierarchy, not only memory and pids,
    keeps the judges in the cage from sharing a directory (e.g. cpuacct's
    pipejudge/) with the judges outside it, which they would clean up."""
    out = []
    limited = set()
    for line in open("/proc/self/cgroup").read().splitlines():
        _, ctrls, path = line.split(":", 2)
        if ctrls.startswith("name="):
            continue
        if ctrls == "":  # cgroup v2: the unified hierarchy
            mount = "/sys/fs/cgroup/unified" if os.path.isdir("/sys/fs/cgroup/unified") \
                else "/sys/fs/cgroup"
            if not os.path.exists(os.path.join(mount, "cgroup.procs")):
                continue
            limits = {}
            if os.path.exists(os.path.join(mount, "cgroup.controllers")):
                enabled = open(os.path.join(mount, "cgroup.controllers")).read().split()
                if "memory" in enabled:
                    limits["memory.max"] = str(CAGE_MEMORY)
                    limited.add("memory")
                if "pids" in enabled:
                    limits["pids.max"] = str(CAGE_PIDS)
                    limited.add("pids")
        else:
            mount = "/sys/fs/cgroup/" + ctrls
            # The hierarchies a judge uses.
            if not os.path.isdir(mount) or \
                    not {"memory", "pids", "cpu", "cpuacct", "cpuset"} & set(ctrls.split(",")):
                continue
            limits = {}
            if "cpuset" in ctrls.split(","):  # a cpuset takes no task before its cpus and mems
                parent = mount + path.rstrip("/")
                for f in ("cpuset.cpus", "cpuset.mems"):
                    limits[f] = open(os.path.join(parent, f)).read().strip()
            if "memory" in ctrls.split(","):
                limits["memory.limit_in_bytes"] = str(CAGE_MEMORY)
                limited.add("memory")
            if "pids" in ctrls.split(","):
                limits["pids.max"] = str(CAGE_PIDS)
                limited.add("pids")
        out.append((os.path.join(mount + path.rstrip("/"), name), limits))
    return out if {"memory", "pids"} <= limited else []


def remove_cgroups(dirs):
    """Removes our cage cgroups and whatever the judge nested inside them
    (deepest first), killing any process still in them (all ours)."""
    nested = []
    for top in dirs:
        for dirpath, _, _ in os.walk(top):
            nested.append(dirpath)
    for d in sorted(set(nested), key=lambda p: p.count("/"), reverse=True):
        for _ in range(50):
            try:
                procs = [int(p) for p in open(os.path.join(d, "cgroup.procs")).read().split()]
            except OSError:
                break
            for p in procs:  # only processes of our own cage
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
            try:
                os.rmdir(d)
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.1)


class CageError(Exception):
    """The cage could not be made, or ended without the result asked for."""


class Cage:
    """The outer cage, from the test process: makes the cgroups, starts this
    file with --inner in new namespaces inside them, and collects the results
    the suite prints. The test process itself runs no hostile program."""

    def __init__(self, pipejudge, root, only=()):
        self.pipejudge = os.path.abspath(pipejudge)
        self.root = os.path.abspath(root)
        self.only = list(only)  # case names; none: every case
        self.proc = None
        self.made = []
        self.results = {}  # case name -> result (see Suite.report)
        self.log = []  # every other line of the cage's output
        self.fixture_error = None
        self.ended = False
        self.cond = threading.Condition()
        self.reader = None
        self.deadline = None

    def start(self):
        missing = [t for t in ("unshare", "setpriv", "ip", "setsid", "mount") if not shutil.which(t)]
        if missing:
            raise CageError(f"missing tools: {', '.join(missing)}")
        plan = cgroup_paths(f"pjh-cage-{os.getpid()}")
        try:
            if not plan:
                raise OSError("no memory and pids cgroup controllers found")
            for d, limits in plan:
                os.mkdir(d)
                self.made.append(d)
                for limit_file, value in limits.items():
                    with open(os.path.join(d, limit_file), "w") as f:
                        f.write(value)
        except OSError as e:
            remove_cgroups(self.made)
            self.made = []
            raise CageError(f"cannot create the outer cgroups ({e}); not running hostile programs")

        def join_cage():
            for d in self.made:
                with open(os.path.join(d, "cgroup.procs"), "w") as f:
                    f.write(str(os.getpid()))

        env = dict(os.environ)
        env["PJH_CAGE_SECRET"] = "PJHSECRET-cage_env-" + secrets.token_hex(12)
        argv = ["unshare", "--pid", "--fork", "--kill-child", "--ipc", "--net", "--mount",
                "--mount-proc", "--propagation", "private", "--",
                "setpriv", "--bounding-set", "-sys_time,-sys_boot,-sys_module", "--",
                sys.executable, os.path.abspath(__file__), "--inner", self.pipejudge, self.root]
        if self.only:
            argv += ["--only", ",".join(self.only)]
        try:
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         preexec_fn=join_cage, start_new_session=True)
        except BaseException:
            remove_cgroups(self.made)
            self.made = []
            raise
        self.deadline = time.monotonic() + CAGE_TIMEOUT
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                if line.startswith(RESULT_TAG):
                    result = json.loads(line[len(RESULT_TAG):])
                    self.results[result["case"]] = result
                elif line.startswith(FIXTURES_TAG):
                    self.fixture_error = line[len(FIXTURES_TAG):]
                else:
                    self.log.append(line)
                self.cond.notify_all()
        with self.cond:
            self.ended = True
            self.cond.notify_all()

    def log_tail(self, n=40):
        with self.cond:
            return "\n".join(self.log[-n:])

    def result(self, name):
        """The result of case `name` (a dict, see Suite.report), once the suite
        printed it; CageError if the cage ends or times out without it."""
        with self.cond:
            while name not in self.results and not self.ended and self.fixture_error is None:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(timeout=min(left, 5))
            if name in self.results:
                return self.results[name]
            if self.fixture_error is not None:
                raise CageError(f"fixtures: {self.fixture_error}")
        if not self.ended:
            self.kill()
            raise CageError(f"the hostile suite did not finish within {CAGE_TIMEOUT // 60} "
                            f"minutes:\n{self.log_tail()}")
        raise CageError(f"the cage ended without a result for {name}:\n{self.log_tail()}")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)  # --kill-child takes the whole cage down

    def close(self):
        """Waits for the cage to end once its last result (judge_left_nothing)
        is in, else (an interrupted session) kills it now, or at the deadline;
        removes the cgroups; the cage's exit status."""
        rc = None
        try:
            if self.proc:
                with self.cond:
                    finished = "judge_left_nothing" in self.results
                if not finished:
                    self.kill()
                try:
                    rc = self.proc.wait(timeout=max(1, self.deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    self.kill()
                    rc = self.proc.wait()
                self.reader.join(timeout=30)
                self.proc.stdout.close()
        finally:
            remove_cgroups(self.made)
            self.made = []
        return rc


def inner_init(args):
    """pid 1 of the cage: run the suite in a child, reap every orphan."""
    child = os.fork()
    if child == 0:
        code = 1
        try:
            code = Suite(args).main()
        except BaseException as e:  # noqa: BLE001 - report, never hang the cage
            import traceback
            traceback.print_exc()
            print(f"{FIXTURES_TAG}the suite crashed: {type(e).__name__}: {e}")
        sys.stdout.flush()
        os._exit(code)
    status = 1
    while True:
        try:
            pid, st = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if pid == child:
            status = os.waitstatus_to_exitcode(st)
            break
    os._exit(0 if status == 0 else 1)  # pid 1 exits: the kernel kills the rest


# --------------------------------------------------------------------------
# libc access for System V IPC and POSIX message queues (ctypes, stdlib only)

IPC_CREAT, IPC_NOWAIT, IPC_RMID = 0o1000, 0o4000, 0


class MqAttr(ctypes.Structure):
    _fields_ = [("mq_flags", ctypes.c_long), ("mq_maxmsg", ctypes.c_long),
                ("mq_msgsize", ctypes.c_long), ("mq_curmsgs", ctypes.c_long),
                ("pad", ctypes.c_long * 4)]


class Ipc:
    def __init__(self):
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        self.libc.shmat.restype = ctypes.c_void_p
        self.libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
        self.libc.shmdt.argtypes = [ctypes.c_void_p]
        self.libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_int,
                                      ctypes.POINTER(MqAttr)]

    def err(self, what):
        e = ctypes.get_errno()
        return OSError(e, f"{what}: {os.strerror(e)}")

    # System V message queue with one message
    def make_msgq(self, text):
        qid = self.libc.msgget(MSG_KEY, IPC_CREAT | 0o666)
        if qid < 0:
            raise self.err("msgget")
        self.libc.msgctl(qid, IPC_RMID, None)  # start fresh
        qid = self.libc.msgget(MSG_KEY, IPC_CREAT | 0o666)
        if qid < 0:
            raise self.err("msgget")
        body = struct.pack("l", 1) + text.encode()
        if self.libc.msgsnd(qid, body, len(text), IPC_NOWAIT) != 0:
            raise self.err("msgsnd")

    def msgq_state(self):
        for line in open("/proc/sysvipc/msg").read().splitlines()[1:]:
            f = line.split()
            if int(f[0]) == MSG_KEY:
                return {"perms": f[2], "cbytes": int(f[3]), "qnum": int(f[4])}
        return None

    # System V shared memory holding a secret
    def make_shm(self, text):
        sid = self.libc.shmget(SHM_KEY, 4096, IPC_CREAT | 0o666)
        if sid < 0:
            raise self.err("shmget")
        self.libc.shmctl(sid, IPC_RMID, None)
        sid = self.libc.shmget(SHM_KEY, 4096, IPC_CREAT | 0o666)
        if sid < 0:
            raise self.err("shmget")
        addr = self.libc.shmat(sid, None, 0)
        if addr in (None, ctypes.c_void_p(-1).value):
            raise self.err("shmat")
        data = text.encode() + b"\0"
        ctypes.memmove(addr, data, len(data))
        self.libc.shmdt(addr)

    def shm_content(self):
        sid = self.libc.shmget(SHM_KEY, 0, 0)
        if sid < 0:
            return None
        addr = self.libc.shmat(sid, None, 0o10000)  # SHM_RDONLY
        if addr in (None, ctypes.c_void_p(-1).value):
            return None
        data = ctypes.string_at(addr)
        self.libc.shmdt(addr)
        seg = [l.split() for l in open("/proc/sysvipc/shm").read().splitlines()[1:]]
        if not any(int(f[0]) == SHM_KEY and f[2] == "666" for f in seg):
            return None
        return data.decode(errors="replace")

    # POSIX message queue with one message
    def make_mq(self, text):
        self.libc.mq_unlink(MQ_NAME)
        attr = MqAttr(0, 4, 256, 0)
        old = os.umask(0)
        try:
            q = self.libc.mq_open(MQ_NAME, os.O_CREAT | os.O_RDWR, 0o666, ctypes.byref(attr))
        finally:
            os.umask(old)
        if q < 0:
            raise self.err("mq_open")
        data = text.encode()
        if self.libc.mq_send(q, data, len(data), 0) != 0:
            raise self.err("mq_send")
        self.libc.mq_close(q)

    def mq_count(self):
        q = self.libc.mq_open(MQ_NAME, os.O_RDONLY, 0, None)
        if q < 0:
            return None
        attr = MqAttr()
        r = self.libc.mq_getattr(q, ctypes.byref(attr))
        self.libc.mq_close(q)
        return attr.mq_curmsgs if r == 0 else None


# --------------------------------------------------------------------------
# Network fixtures

NETHOST_CODE = r"""
import os, socket, sys, threading
log = open(sys.argv[1], "a", buffering=1)
secret = os.environ["PJH_VETH_SECRET"].encode()  # not in argv: /proc/PID/cmdline is public
def tcp():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    s.listen(16)
    while True:
        c, a = s.accept()
        c.settimeout(0.5)
        try:
            data = c.recv(256)
        except OSError:
            data = b""
        log.write("tcp %s %r\n" % (a[0], data))
        try:
            c.sendall(secret + b"\n")
        except OSError:
            pass
        c.close()
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sys.argv[3])))
    while True:
        data, a = s.recvfrom(2048)
        log.write("udp %s %r\n" % (a[0], data))
        s.sendto(secret + b"\n", a)
threading.Thread(target=tcp, daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
print("ready", flush=True)
sys.stdin.read()
"""

SELFCHECK_CODE = r"""
import os, socket, sys
fix = sys.argv[1]
bad = []
for p in ["host-secret.txt", "incbin-secret.txt", "secretpkg/data/secret/01.in", "db/judge.db"]:
    try:
        open(os.path.join(fix, p)).read()
    except OSError as e:
        bad.append("read %s: %s" % (p, e))
try:
    open(os.path.join(fix, "world-writable.txt"), "a").close()
except OSError as e:
    bad.append("write world-writable.txt: %s" % e)
for fam, addr in [(socket.AF_UNIX, os.path.join(fix, "judge.sock")), (socket.AF_UNIX, "\0pjh-judge"),
                  (socket.AF_INET, ("127.0.0.1", int(sys.argv[2]))),
                  (socket.AF_INET, (sys.argv[4], int(sys.argv[3])))]:
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(2)
    try:
        s.connect(addr)
        s.sendall(b"selfcheck\n")
        if not s.recv(256):
            bad.append("no data from %r" % (addr,))
    except OSError as e:
        bad.append("connect %r: %s" % (addr, e))
    s.close()
print("; ".join(bad) if bad else "ok")
"""


class LocalServers:
    """TCP/UDP on 127.0.0.1 and unix sockets (file system, abstract) in the
    cage; each answers with a secret and records what it received."""

    def __init__(self, secrets_):
        self.events = []
        self.lock = threading.Lock()
        self.secrets = secrets_
        self.threads = []

    def record(self, kind, data):
        with self.lock:
            self.events.append((kind, data))

    def count(self):
        with self.lock:
            return len(self.events)

    def since(self, n):
        with self.lock:
            return list(self.events[n:])

    def start(self):
        tcp = socket.socket()
        tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        tcp.bind(("127.0.0.1", TCP_LO))
        tcp.listen(16)
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", UDP_LO))
        path = os.path.join(FIX, "judge.sock")
        ufs = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        ufs.bind(path)
        os.chmod(path, 0o777)
        ufs.listen(16)
        uab = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        uab.bind(b"\0pjh-judge")
        uab.listen(16)
        for kind, s, sec in [("tcp-loopback", tcp, "tcp"), ("unix-fs", ufs, "unix"),
                             ("unix-abstract", uab, "unix")]:
            self.spawn(self.serve_stream, kind, s, self.secrets[sec])
        self.spawn(self.serve_udp, udp)

    def spawn(self, fn, *a):
        t = threading.Thread(target=fn, args=a, daemon=True)
        t.start()
        self.threads.append(t)

    def serve_stream(self, kind, s, secret):
        while True:
            c, _ = s.accept()
            c.settimeout(0.5)
            try:
                data = c.recv(256)
            except OSError:
                data = b""
            self.record(kind, data)
            try:
                c.sendall(secret.encode() + b"\n")
            except OSError:
                pass
            c.close()

    def serve_udp(self, s):
        while True:
            data, a = s.recvfrom(2048)
            self.record("udp-loopback", data)
            s.sendto(self.secrets["udp"].encode() + b"\n", a)

    def alive(self):
        return all(t.is_alive() for t in self.threads)


def process_tree(pid):
    """pid and its descendants (through /proc/PID/task/TID/children)."""
    out, pending = set(), [pid]
    while pending:
        p = pending.pop()
        out.add(p)
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children") as f:
                    pending += [int(c) for c in f.read().split() if int(c) not in out]
        except OSError:
            pass
    return out


def slot_cgroups():
    """{dir: owner pid} of the judges' slot cgroups inside the cage."""
    out = {}
    for line in open("/proc/self/cgroup").read().splitlines():
        _, ctrls, path = line.split(":", 2)
        if ctrls.startswith("name="):
            continue
        mount = "/sys/fs/cgroup/" + ctrls if ctrls else "/sys/fs/cgroup/unified"
        base = os.path.join(mount + path.rstrip("/"), "pipejudge")
        try:
            names = os.listdir(base)
        except OSError:
            continue
        for n in names:
            m = re.match(r"slot-(\d+)-", n)
            if m and os.path.isdir(os.path.join(base, n)):
                out[os.path.join(base, n)] = int(m.group(1))
    return out


def icmp_in_echos(pid):
    lines = open(f"/proc/{pid}/net/snmp").read().splitlines()
    for head, vals in zip(lines, lines[1:]):
        if head.startswith("Icmp:") and vals.startswith("Icmp:") and "InEchos" in head:
            return int(vals.split()[head.split().index("InEchos")])
    return -1


def icmp_ping(addr):
    """One echo request from root with a raw socket; True if answered."""
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(2)
    hdr = struct.pack("!BBHHH", 8, 0, 0, 0x504A, 7)
    csum = sum(struct.unpack("!4H", hdr))
    csum = (csum >> 16) + (csum & 0xFFFF)
    csum = ~(csum + (csum >> 16)) & 0xFFFF
    s.sendto(struct.pack("!BBHHH", 8, 0, csum, 0x504A, 7), (addr, 0))
    try:
        while True:
            data, _ = s.recvfrom(1024)
            if data[20] == 0:
                return True
    except OSError:
        return False
    finally:
        s.close()


# --------------------------------------------------------------------------
# The suite (runs inside the cage)


class Result:
    def __init__(self, case):
        self.case = case
        self.problems = []
        self.verdict = "-"
        self.facts = ""
        self.notes = []
        self.reports = []  # (label, the judge's stdout, cut short) of each run

    def fail(self, why):
        self.problems.append(why)


class Suite:
    def __init__(self, args):
        self.pipejudge = os.path.abspath(args[0])
        self.root = os.path.abspath(args[1])
        self.only = []
        i = 2
        while i < len(args):
            if args[i] == "--only" and i + 1 < len(args):
                self.only.append(args[i + 1])
                i += 2
            else:
                i += 1
        self.secrets = {k: f"PJHSECRET-{k}-{secrets.token_hex(12)}" for k in SECRET_KINDS}
        self.secrets["cage_env"] = os.environ.get("PJH_CAGE_SECRET", self.secrets["cage_env"])
        self.fixture_files = {}  # path -> (kind, content or signature)
        self.out_lock = threading.Lock()
        self.check_lock = threading.Lock()
        self.running = set()
        self.leaked_cgroups = []  # (case, [slot cgroup dirs its judge left behind])
        self.passed = 0
        self.failed = 0

    # ---- output
    def report(self, res):
        """One line for people, then the result for Cage (RESULT_TAG + JSON)."""
        with self.out_lock:
            if res.problems:
                self.failed += 1
                facts = f" ({res.facts})" if res.facts else ""
                print(f"FAIL {res.case.name}: verdict {res.verdict}{facts}; "
                      + "; ".join(res.problems + res.notes), flush=True)
            else:
                self.passed += 1
                notes = f"  # {'; '.join(res.notes)}" if res.notes else ""
                print(f"ok   {res.case.name} {res.verdict}{notes}", flush=True)
            print(RESULT_TAG + json.dumps({
                "case": res.case.name, "ok": not res.problems, "verdict": res.verdict,
                "facts": res.facts, "problems": res.problems, "notes": res.notes,
                "reports": res.reports if res.problems else []}), flush=True)

    # ---- setup
    def main(self):
        try:
            os.setsid()  # no controlling terminal for anything in the cage
        except OSError:
            pass
        cases = select(load_cases(self.root), self.only)
        if not cases:
            print(f"{FIXTURES_TAG}no case matches --only {','.join(self.only)}", flush=True)
            return 1
        try:
            self.setup()
        except Exception as e:  # noqa: BLE001
            print(f"{FIXTURES_TAG}{e}", flush=True)
            return 1
        problems = self.selfcheck()
        if problems:
            print(f"{FIXTURES_TAG}self-check as uid {RUN_UID} outside the sandbox: {problems}",
                  flush=True)
            return 1
        print(f"# cage ready: {len(cases)} cases, pipejudge {self.pipejudge}", flush=True)
        heavy = [c for c in cases if c.heavy]
        light = [c for c in cases if not c.heavy and not c.solo]
        solo = [c for c in cases if c.solo]
        # (run_order lists the cases in the order this gives their results.)
        t = threading.Thread(target=lambda: [self.run_case(c) for c in heavy], daemon=True)
        started = time.monotonic()
        t.start()
        for c in light:
            self.run_case(c)
        t.join()
        for c in solo:
            self.run_case(c)
        self.final_checks()
        print(f"# total {time.monotonic() - started:.0f} s", flush=True)
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 else 1

    def setup(self):
        # The repository and the binary may live under a directory the cage
        # hides (a CI clone in /tmp): keep them visible through bind mounts.
        keep = sorted({self.root, os.path.dirname(self.pipejudge)})
        held = []
        for path, size in PRIVATE_TMPFS:
            if not os.path.isdir(path):
                continue
            inside = [k for k in keep if k.startswith(path.rstrip("/") + "/")]
            if inside and not held:
                sh("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "pjh-hold", "/mnt")
            for k in inside:
                hold = f"/mnt/hold{len(held)}"
                os.makedirs(hold)
                sh("mount", "--rbind", k, hold)
                held.append((hold, k))
            sh("mount", "-t", "tmpfs", "-o", f"size={size},mode=1777", "pjh-cage", path)
            for hold, k in held:
                if k.startswith(path.rstrip("/") + "/"):
                    os.makedirs(k, exist_ok=True)
                    sh("mount", "--rbind", hold, k)
        os.makedirs(FIX, exist_ok=True)
        os.chmod(FIX, 0o755)
        os.makedirs(HARNESS_TMP, mode=0o700, exist_ok=True)
        os.makedirs(CACHE, mode=0o700, exist_ok=True)
        sec = self.secrets

        # Files an isolated program must not see (0644/0666: only isolation protects them).
        self.fixture(f"{FIX}/host-secret.txt", sec["host"] + "\n")
        self.fixture(f"{FIX}/db/judge.db", "PJH-DB v1\n" + sec["db"] + "\n")
        os.chmod(f"{FIX}/db", 0o755)
        self.fixture(f"{FIX}/world-writable.txt", "careless host file\n", mode=0o666)
        self.fixture(f"{FIX}/victim.txt", "victim of symlink traps\n")
        self.fixture(f"{FIX}/incbin-secret.txt", sec["incbin"] + "\n")
        self.fixture(f"{FIX}/sentinel-secret", sec["sentinel_fd"] + "\n", mode=0o600)
        # Fake /etc/passwd (a marker in root's entry) and /etc/shadow, cage only.
        lines = open("/etc/passwd").read().splitlines()
        lines = [f"root:x:0:0:root {sec['passwd']}:/root:/bin/bash" if l.startswith("root:") else l
                 for l in lines]
        st = os.stat("/etc/shadow")
        self.fixture(f"{FIX}/etc/passwd", "\n".join(lines) + "\n")
        self.fixture(f"{FIX}/etc/shadow",
                     f"root:{sec['shadow']}:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n",
                     mode=0o640, gid=st.st_gid)
        sh("mount", "--bind", f"{FIX}/etc/passwd", "/etc/passwd")
        sh("mount", "--bind", f"{FIX}/etc/shadow", "/etc/shadow")
        self.fixture_files["/etc/passwd"] = self.fixture_files[f"{FIX}/etc/passwd"]
        self.fixture_files["/etc/shadow"] = self.fixture_files[f"{FIX}/etc/shadow"]

        # Problem packages.
        main = os.path.join(self.root, "tests", "hostile", "problem")
        self.packages = {"main": main}
        for dirpath, _, files in os.walk(main):
            for f in files:
                p = os.path.join(dirpath, f)
                self.fixture_files[p] = ("hash", sha256_file(p), None)
        yaml = "name: {}\nlimits:\n  time_limit: 1\n  memory: 256\n  output: {}\nvalidation: default\n"
        sp = f"{FIX}/secretpkg"
        self.fixture(f"{sp}/problem.yaml", yaml.format("Secret package", 8))
        self.fixture(f"{sp}/data/sample/1.in", "1 2\n")
        self.fixture(f"{sp}/data/sample/1.ans", "3\n")
        self.fixture(f"{sp}/data/secret/01.in", "1 2\n" + sec["testdata"] + "\n")
        self.fixture(f"{sp}/data/secret/01.ans", "3\n")
        self.fixture(f"{sp}/problem_statement/secret-notes.txt", sec["notes"] + "\n")
        self.packages["secretpkg"] = sp
        pk = f"{FIX}/pkgs"
        self.big_package(f"{pk}/bigin", yaml.format("Big input", 8),
                         [("1", b"1 2\n" + b" " * (64 << 20) + b"\n", b"3\n")])
        line = b"12345 67890 13579 24680 11111 22222 33333 44444 55555 66666 77777\n"
        echo = (line * ((8 << 20) // len(line) + 1))[: 8 << 20]
        self.big_package(f"{pk}/echo", yaml.format("Echo", 16), [("1", echo, echo)])
        letters = bytes(ord("a") + i % 26 for i in range(26)) * ((10 << 20) // 26 + 1)
        self.big_package(f"{pk}/longline", yaml.format("Long line", 32),
                         [("1", b"1 2\n", letters[: 10 << 20])])
        self.big_package(f"{pk}/out1m", yaml.format("Output limit", 1), [("1", b"1 2\n", b"3\n")])
        self.big_package(f"{pk}/twotests", yaml.format("Two tests", 8),
                         [("1", b"1 2\n", b"3\n"), ("2", b"1 2\n", b"3\n")])
        for d in (FIX, f"{FIX}/etc", pk):
            os.chmod(d, 0o755)

        # IPC objects of "the judge".
        self.ipc = Ipc()
        self.ipc.make_msgq(sec["msgq"])
        self.ipc.make_shm(sec["shm"])
        self.ipc.make_mq(sec["mq"])

        # Network: loopback up, local servers, a test host behind a veth pair.
        sh("ip", "link", "set", "lo", "up")
        self.servers = LocalServers(sec)
        self.servers.start()
        self.nethost_log = f"{HARNESS_TMP}/nethost.log"
        open(self.nethost_log, "w").close()
        self.nethost = subprocess.Popen(
            ["unshare", "--net", "--", PLAIN_PYTHON, "-c", NETHOST_CODE, self.nethost_log,
             str(TCP_VETH), str(UDP_VETH)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env={"PATH": "/usr/bin:/bin", "PJH_VETH_SECRET": sec["veth"]})
        if self.nethost.stdout.readline().strip() != b"ready":
            raise RuntimeError("the veth test host did not start")
        hp = str(self.nethost.pid)
        sh("ip", "link", "add", "pjhv0", "type", "veth", "peer", "name", "pjhv1", "netns", hp)
        sh("ip", "addr", "add", f"{VETH_CAGE}/24", "dev", "pjhv0")
        sh("ip", "link", "set", "pjhv0", "up")
        for cmd in (["ip", "addr", "add", f"{VETH_HOST}/24", "dev", "pjhv1"],
                    ["ip", "link", "set", "pjhv1", "up"], ["ip", "link", "set", "lo", "up"]):
            sh("nsenter", "-t", hp, "-n", *cmd)
        echos = icmp_in_echos(hp)
        for _ in range(20):  # the veth link needs a moment to come up
            if icmp_ping(VETH_HOST):
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"test host {VETH_HOST} does not answer pings")
        if icmp_in_echos(hp) <= echos:
            raise RuntimeError("the test host does not count echo requests")

        # A sentinel of the run uid: "another run" with a secret environment,
        # a root-only secret file open as fd, and unread input in its stdin pipe.
        self.start_sentinel()

    def fixture(self, path, content, mode=0o644, gid=0):
        write_file(path, content, mode=mode, gid=gid)
        data = content.encode() if isinstance(content, str) else content
        self.fixture_files[path] = ("content", data, (mode, gid))

    def big_package(self, d, yaml, tests):
        write_file(f"{d}/problem.yaml", yaml)
        for name, inp, ans in tests:
            for ext, data in ((".in", inp), (".ans", ans)):
                p = f"{d}/data/sample/{name}{ext}"
                write_file(p, data)
                st = os.stat(p)
                self.fixture_files[p] = ("stat", (st.st_ino, st.st_size, st.st_mtime_ns,
                                                  st.st_ctime_ns), None)
        for sub in ("", "/data", "/data/sample"):
            os.chmod(d + sub, 0o755)
        self.packages[os.path.basename(d)] = d

    def start_sentinel(self):
        r, w = os.pipe()
        self.sentinel_stdin = (self.secrets["sentinel_stdin"] + "\n").encode()
        os.write(w, self.sentinel_stdin)
        fd = os.open(f"{FIX}/sentinel-secret", os.O_RDONLY)
        self.sentinel = subprocess.Popen(
            ["setpriv", f"--reuid={RUN_UID}", f"--regid={RUN_UID}", "--clear-groups", "--",
             "/bin/sleep", "1000000"],
            stdin=r, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(fd,),
            env={"PATH": "/usr/bin:/bin", "PJH_SENTINEL_SECRET": self.secrets["sentinel_env"]})
        os.close(r)
        os.close(fd)
        self.sentinel_w = w

    def selfcheck(self):
        """Proves the fixtures are reachable for the run uid outside the sandbox,
        so that a case failing to reach them measures the sandbox, not DAC."""
        r = subprocess.run(
            ["setpriv", f"--reuid={RUN_UID}", f"--regid={RUN_UID}", "--clear-groups", "--",
             PLAIN_PYTHON, "-c", SELFCHECK_CODE, FIX, str(TCP_LO), str(TCP_VETH), VETH_HOST],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"},
            cwd="/", timeout=30)
        out = r.stdout.decode(errors="replace").strip()
        return None if out == "ok" else out

    # ---- shared-state checks (fixtures, processes, files)
    def fixture_problems(self, restore=True):
        probs = []
        for path, (kind, want, meta) in self.fixture_files.items():
            try:
                if kind == "content":
                    with open(path, "rb") as f:
                        ok = f.read() == want
                elif kind == "hash":
                    ok = sha256_file(path) == want
                else:
                    st = os.stat(path)
                    ok = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) == want
            except OSError:
                ok = False
            if not ok:
                probs.append(f"fixture {path} changed")
                if restore and kind == "content" and not path.startswith("/etc/"):
                    write_file(path, want, mode=meta[0], gid=meta[1])
        q = self.ipc.msgq_state()
        if not q or q["qnum"] != 1 or q["perms"] != "666":
            probs.append(f"System V queue damaged ({q})")
            if restore:
                self.ipc.make_msgq(self.secrets["msgq"])
        if self.ipc.shm_content() != self.secrets["shm"]:
            probs.append("System V shared memory damaged")
            if restore:
                self.ipc.make_shm(self.secrets["shm"])
        if self.ipc.mq_count() != 1:
            probs.append("POSIX message queue damaged")
            if restore:
                self.ipc.libc.mq_unlink(MQ_NAME)
                self.ipc.make_mq(self.secrets["mq"])
        if self.sentinel.poll() is not None:
            probs.append(f"sentinel process of uid {RUN_UID} killed ({self.sentinel.returncode})")
            if restore:
                os.close(self.sentinel_w)
                self.start_sentinel()
        else:
            buf = fcntl.ioctl(self.sentinel_w, termios.FIONREAD, b"\0\0\0\0")
            if struct.unpack("i", buf)[0] != len(self.sentinel_stdin):
                probs.append("sentinel's stdin pipe was read (another run's input stolen)")
                if restore:
                    self.sentinel.kill()
                    self.sentinel.wait()
                    os.close(self.sentinel_w)
                    self.start_sentinel()
        if not self.servers.alive() or self.nethost.poll() is not None:
            probs.append("a network fixture died")
        return probs

    def proc_table(self):
        table = {}
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            r = stat.rindex(")")
            fields = stat[r + 2:].split()
            table[int(d)] = (int(fields[1]), fields[0], stat[stat.index("(") + 1:r])
        return table

    def strays(self):
        """Processes in the cage that are neither pid 1 nor descendants of
        this suite: leftovers of a finished run. [(pid, comm, owner case)]"""
        table = self.proc_table()
        kids = {}
        for pid, (ppid, _, _) in table.items():
            kids.setdefault(ppid, []).append(pid)
        keep = {1, os.getpid()}
        stack = [os.getpid()]
        while stack:
            for c in kids.get(stack.pop(), []):
                if c not in keep:
                    keep.add(c)
                    stack.append(c)
        out = []
        for pid, (_, state, comm) in table.items():
            if pid in keep or state == "Z":
                continue
            owner = None
            try:
                blob = open(f"/proc/{pid}/environ", "rb").read().decode(errors="replace")
                blob += " " + os.readlink(f"/proc/{pid}/cwd")
                m = re.search(re.escape(CASE_PREFIX) + r"([A-Za-z0-9_]+?)(?:-next)?/", blob)
                owner = m.group(1) if m else None
            except OSError:
                pass
            out.append((pid, comm, owner))
        return out

    def snapshot(self):
        paths = set()
        for top in WATCH_DIRS:
            for dirpath, dirnames, filenames in os.walk(top):
                dirnames[:] = [d for d in dirnames if not self.excluded(os.path.join(dirpath, d))]
                for n in dirnames + filenames:
                    paths.add(os.path.join(dirpath, n))
        return paths

    @staticmethod
    def excluded(path):
        return path in (CACHE, HARNESS_TMP) or path.startswith(CASE_PREFIX)

    def outside_marker_files(self):
        found = []
        for d in OUTSIDE_TARGETS + [self.root, os.path.join(self.root, "tests", "hostile")]:
            p = os.path.join(d, "pjh-w-outside")
            if os.path.lexists(p):
                found.append(p)
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith("build")]
            found += [os.path.join(dirpath, n) for n in dirnames + filenames
                      if n.startswith("pjh-w-")]
        return sorted(set(found))

    # ---- running pipejudge
    def judge(self, program, package, tag, timeout, use_tty=False):
        casedir = CASE_PREFIX + tag
        shutil.rmtree(casedir, ignore_errors=True)
        os.makedirs(casedir)
        os.chmod(casedir, 0o755)
        env = dict(os.environ)
        env.update({"TMPDIR": casedir, "PIPEJUDGE_CACHE_DIR": CACHE,
                    "PJH_JUDGE_SECRET": self.secrets["judge_env"]})
        argv = [self.pipejudge, "submit", "--problem", self.packages[package],
                os.path.join(programs_dir(self.root), program), "--json"]
        tty_fds = None
        injected = b""
        with tempfile.TemporaryFile(dir=HARNESS_TMP) as out, \
                tempfile.TemporaryFile(dir=HARNESS_TMP) as err:
            if use_tty:
                master, slave = os.openpty()
                tty.setraw(slave)
                tty_fds = (master, slave)
                for fd in tty_fds:
                    os.set_blocking(fd, False)
                proc = subprocess.Popen(["setsid", "--ctty", "--wait"] + argv, stdin=slave,
                                        stdout=out, stderr=err, env=env, cwd=self.root)
            else:
                proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                        env=env, cwd=self.root, start_new_session=True)
            started = time.monotonic()
            timed_out = False
            judge_hwm = 0  # the judge's own peak RSS (VmHWM), not its children's
            tree = {proc.pid}  # the judge and its helpers (worker, collector, keepers)
            polls = 0
            while True:
                if polls % 10 == 0:
                    tree |= process_tree(proc.pid)
                polls += 1
                try:
                    for line in open(f"/proc/{proc.pid}/status"):
                        if line.startswith("VmHWM:"):
                            judge_hwm = int(line.split()[1]) * 1024
                except (OSError, ValueError):
                    pass
                injected += self.drain_tty(tty_fds)  # read now: the exit of the
                pid, status, ru = os.wait4(proc.pid, os.WNOHANG)  # session leader flushes it
                if pid:
                    break
                if time.monotonic() - started > timeout:
                    timed_out = True
                    os.kill(proc.pid, signal.SIGKILL)
                    _, status, ru = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.01)
            elapsed = time.monotonic() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if tty_fds:
            injected += self.drain_tty(tty_fds)
            for fd in tty_fds:
                os.close(fd)
        return {"rc": proc.returncode, "timed_out": timed_out, "elapsed": elapsed, "tree": tree,
                "judge_rss": judge_hwm, "stdout": stdout, "stderr": stderr,
                "casedir": casedir, "tty": injected}

    @staticmethod
    def starved(run):
        try:
            rep = json.loads(run["stdout"])
        except ValueError:
            return False
        last = (rep.get("tests") or [{}])[-1]
        return (rep.get("verdict") == "TLE" and "wall" in last.get("message", "")
                and last.get("time", 0) < 0.9 * TIME_LIMIT)

    @staticmethod
    def drain_tty(fds):
        data = b""
        for fd in fds or ():
            try:
                data += os.read(fd, 65536)
            except OSError:
                pass
        return data

    def check_run(self, res, run, verdicts, checks, label=""):
        """Checks one pipejudge run; returns the parsed report or None."""
        pre = f"{label}: " if label else ""
        res.reports.append(
            f"{label or 'run'}: judge returned in {run['elapsed']:.1f} s"
            f"{'; terminal: %r' % run['tty'] if run['tty'] else ''}; "
            f"stdout: {short(run['stdout'].decode(errors='replace'), 3000)}; "
            f"stderr: {short(run['stderr'].decode(errors='replace'), 1000)}")
        if run["timed_out"]:
            res.fail(f"{pre}judge hung: killed after {run['elapsed']:.0f} s")
            return None
        if run["rc"] not in (0, 1):
            res.fail(f"{pre}judge exit status {run['rc']}: {short(run['stderr'].decode(errors='replace'))}")
            return None
        blob = run["stdout"] + b"\n" + run["stderr"]
        for kind, token in self.secrets.items():
            if token.encode() in blob or token.split("-")[-1].encode() in blob:
                res.fail(f"{pre}secret '{kind}' appears in the judge's report")
        if len(run["stdout"]) > 1 << 20:
            res.fail(f"{pre}report of {len(run['stdout'])} bytes (unbounded)")
        try:
            rep = json.loads(run["stdout"])
        except ValueError as e:
            res.fail(f"{pre}report is not JSON ({e}): {short(run['stdout'][:300])}")
            return None
        verdict = rep.get("verdict", "?")
        tests = rep.get("tests", [])
        last = tests[-1] if tests else {}
        if tests and not label:
            res.facts = (f"time {last.get('time', 0):.2f} s, wall {last.get('wall_time', 0):.2f} s, "
                         f"memory {last.get('memory', 0) / (1 << 20):.0f} MiB")
        if (run["rc"] == 0) != (verdict == "AC"):
            res.fail(f"{pre}exit status {run['rc']} with verdict {verdict}")
        detail = last.get("message") or rep.get("compile", {}).get("reason") or rep.get("reason", "")
        verdicts = list(verdicts)
        if "tle_under_limit" in checks and verdict == "TLE":
            # A memory bomb may run out of CPU time before it reaches the memory
            # limit (first-touch page faults are slow on some VMs): TLE is fair
            # then, but not once its peak memory went over the limit.
            if last.get("memory", 0) < MEMORY_LIMIT:
                verdicts.append("TLE")
            else:
                res.fail(f"{pre}TLE although peak memory ({last['memory']} bytes) reached the "
                         f"{MEMORY_LIMIT >> 20} MiB limit (the memory limit was hit first: MLE)")
                verdicts.append("TLE")  # reported above; no second complaint
        if verdict not in verdicts:
            res.fail(f"{pre}{verdict} not in {'/'.join(verdicts)} ({short(detail)})")
        comp = rep.get("compile", {})
        if len(comp.get("output", "")) > (64 << 10) + 256:
            res.fail(f"{pre}compiler output excerpt of {len(comp['output'])} bytes (not bounded)")
        if verdict == "CE" or not tests:  # only the compiler ran
            if run["elapsed"] > COMPILE_WALL + 15:
                res.fail(f"{pre}{verdict} took {run['elapsed']:.0f} s (compile wall limit {COMPILE_WALL:.0f} s)")
        else:
            budget = max(1, len(tests)) * 2 * WALL_LIMIT + RUN_SLACK
            run_phase = run["elapsed"] - comp.get("time", 0)
            if run_phase > budget:
                res.fail(f"{pre}judge took {run_phase:.1f} s to judge {len(tests)} test(s) "
                         f"(budget {budget:.0f} s)")
            for t in tests:
                if t.get("wall_time", 0) > 2 * WALL_LIMIT:
                    res.fail(f"{pre}test {t['name']} ran {t['wall_time']:.1f} s of wall time "
                             f"(over 2x the {WALL_LIMIT:.0f} s wall limit)")
        for c in checks:
            if (c == "cpu" and verdict == "TLE" and "CPU" not in last.get("message", "")
                    and last.get("time", 0) >= TIME_LIMIT):
                # It used its whole CPU budget, yet the wall clock caught it: the
                # CPU accounting missed some of it (threads, children). A busy
                # machine that gave it less CPU than the limit is no failure.
                res.fail(f"{pre}TLE on wall time although it used {last.get('time'):.2f} s of CPU: "
                         f"'{last.get('message')}'")
            elif c.startswith("signal:") and last.get("signal") != c.split(":")[1]:
                res.fail(f"{pre}signal {last.get('signal')}, expected {c.split(':')[1]}")
            elif c.startswith("exit:") and last.get("exit_code") != int(c.split(":")[1]):
                res.fail(f"{pre}exit code {last.get('exit_code')}, expected {c.split(':')[1]}")
            elif c == "quick" and tests and last.get("wall_time", 0) > 1.0:
                res.fail(f"{pre}OLE took {last.get('wall_time'):.2f} s of wall time")
            elif c == "judge_rss" and run["judge_rss"] > 128 << 20:
                res.fail(f"{pre}judge peak RSS {run['judge_rss'] >> 20} MiB")
            elif c.startswith("syscall_named") and verdict == "RE":
                # "fail or RE with the syscall named"; int 0x80 faults (SIGSEGV)
                # on kernels without IA-32 emulation, before any filter sees it.
                msg = last.get("message", "")
                if "syscall" not in msg and not (c.endswith("_or_segv") and last.get("signal") == "SIGSEGV"):
                    res.fail(f"{pre}RE without the syscall named: '{msg}'")
            elif c == "tty" and b"PJH-INJECTED" in run["tty"]:
                res.fail(f"{pre}TIOCSTI injected input into the judge's terminal")
        leftovers = os.listdir(run["casedir"])
        if leftovers:
            res.fail(f"{pre}judge left its work directory behind: {leftovers[:3]}")
        shutil.rmtree(run["casedir"], ignore_errors=True)
        return rep

    def final_checks(self):
        """After every judge has exited: nothing of theirs may be left in the
        cage: slot cgroups, POSIX queues of their collectors."""
        res = Result(Case("legit_sol.c", name="judge_left_nothing"))
        res.verdict = "-"
        if self.leaked_cgroups:
            case, dirs = self.leaked_cgroups[0]
            res.fail(f"{len(self.leaked_cgroups)} judge run(s) left their slot cgroups behind after "
                     f"exiting (first: {case}: {', '.join(dirs)})")
        for line in open("/proc/self/cgroup").read().splitlines():
            _, ctrls, path = line.split(":", 2)
            mount = "/sys/fs/cgroup/" + ctrls if ctrls else "/sys/fs/cgroup/unified"
            base = os.path.join(mount + path.rstrip("/"), "pipejudge")
            if ctrls.startswith("name=") or not os.path.isdir(base):
                continue
            left = [d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d))]
            if left:
                res.fail(f"cgroups left in {base}: {', '.join(sorted(left)[:4])}")
        mq = os.path.join(HARNESS_TMP, "mqueue")
        os.makedirs(mq, exist_ok=True)
        if sh("mount", "-t", "mqueue", "pjh-mqueue", mq, check=False).returncode == 0:
            left = [q for q in os.listdir(mq) if q.startswith("pipejudge")]
            if left:
                res.fail(f"POSIX queues left: {', '.join(sorted(left)[:4])}")
            sh("umount", mq, check=False)
        self.report(res)

    def run_case(self, case):
        try:
            self.run_case_checked(case)
        except Exception as e:  # noqa: BLE001 - a harness error fails the case, not the suite
            res = Result(case)
            res.fail(f"harness error: {type(e).__name__}: {e}")
            self.report(res)

    def run_case_checked(self, case):
        res = Result(case)
        shared = not case.heavy  # only the serial lane owns the shared state
        before = None
        if shared:
            with self.check_lock:
                before = (self.snapshot(), self.servers.count(),
                          len(open(self.nethost_log).read().splitlines()),
                          icmp_in_echos(self.nethost.pid))
        if not case.verdicts:
            res.fail(f"no 'verdicts:' line in {case.program}")
        self.running.add(case.name)
        try:
            self.judge_case(res, case)
            with self.check_lock:
                self.after_checks(res, case, shared, before)
        finally:
            self.running.discard(case.name)
        self.report(res)

    def judge_case(self, res, case):
        res.tree = set()
        run = self.judge(case.program, case.package, case.name, case.timeout,
                         use_tty="tty" in case.checks)
        for _ in range(2):
            if "TLE" in case.verdicts or not self.starved(run):
                break
            # A wall-time TLE well under the CPU limit for a program that does
            # not sleep: the machine was too busy to give it the CPU. Again.
            res.notes.append("retried: wall-time TLE under the CPU limit (busy machine?)")
            shutil.rmtree(run["casedir"], ignore_errors=True)
            time.sleep(1)
            run = self.judge(case.program, case.package, case.name, case.timeout,
                             use_tty="tty" in case.checks)
        res.tree |= run["tree"]
        rep = self.check_run(res, run, case.verdicts, case.checks)
        if rep:
            res.verdict = rep.get("verdict", "?")
        if case.then:
            prog, pkg = case.then
            nxt = self.judge(prog, pkg, case.name + "-next", 60)
            res.tree |= nxt["tree"]
            self.check_run(res, nxt, ["AC"], [], label="next run (must see nothing)")

    def after_checks(self, res, case, shared, before):
        left = {d: p for d, p in slot_cgroups().items()
                if p in getattr(res, "tree", ()) and not os.path.exists(f"/proc/{p}")}
        if left:
            # One finding for the whole suite (see final_checks), not one per case.
            self.leaked_cgroups.append((case.name, sorted(left)))
            remove_cgroups(sorted(left))
        if shared:
            before_files, before_events, before_nethost, before_echos = before
        strays = [s for s in self.strays()
                  if s[2] == case.name or (shared and (s[2] is None or s[2] not in self.running))]
        if strays:
            time.sleep(0.3)  # grace for processes that are already dying
            alive = {p for p, _, _ in self.strays()}
            strays = [s for s in strays if s[0] in alive]
        if strays:
            res.fail(f"{len(strays)} process(es) of the run left: " +
                     ", ".join(f"{p} {c}" for p, c, _ in strays[:5]))
            for p, _, _ in strays:  # ours: started by this suite's run
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        for p in (self.outside_marker_files() if shared else []):
            res.fail(f"file left outside the work directory: {p}")
            try:
                os.unlink(p) if not os.path.isdir(p) or os.path.islink(p) else shutil.rmtree(p)
            except OSError:
                pass
        if shared:
            new = sorted(self.snapshot() - before_files)
            if new:
                res.fail(f"{len(new)} new file(s) outside the work directory: "
                         + ", ".join(new[:4]))
                for p in sorted(new, key=len, reverse=True):
                    try:
                        if os.path.isdir(p) and not os.path.islink(p):
                            shutil.rmtree(p)
                        else:
                            os.unlink(p)
                    except OSError:
                        pass
            for why in self.fixture_problems():
                res.fail(why)
            events = self.servers.since(before_events)
            if events:
                res.fail("traffic reached " + ", ".join(sorted({k for k, _ in events})))
            lines = open(self.nethost_log).read().splitlines()[before_nethost:]
            if lines:
                res.fail(f"traffic reached the veth test host {VETH_HOST}: "
                         + "; ".join(short(l, 40) for l in lines[:3]))
            if icmp_in_echos(self.nethost.pid) != before_echos:
                res.fail(f"ICMP echo requests reached the veth test host {VETH_HOST}")


# --------------------------------------------------------------------------


def main(argv):
    """`--inner PIPEJUDGE ROOT [--only NAMES]`: pid 1 of the cage (Cage starts
    it so, never run it by hand). `--list [ROOT]`: the cases, their allowed
    verdicts and packages. The suite itself runs under pytest: test_hostile.py."""
    if "--inner" in argv:
        inner_init([a for a in argv if a != "--inner"])
        return 0
    if argv[:1] == ["--list"]:
        root = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(
            os.path.abspath(__file__)), "..", "..")
        for c in load_cases(root):
            extra = f" package={c.package}" if c.package != "main" else ""
            extra += " then=" + c.then[0] if c.then else ""
            print(f"{c.name:32} {'/'.join(c.verdicts):14}{extra}")
        return 0
    print("usage: hostile_cage.py --list [REPO-ROOT]; run the suite with pytest: "
          "tests/e2e/test_hostile.py", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
