"""Confine one job: its plan, namespaces, the job process, rlimits, fds, no privileges.

The worker enters a new pid namespace (and a user namespace when it is not
root) before forking its zygote, which is PID 1 there. For each job the
zygote unshares a fresh pid namespace for its next child only, forks the job
process (PID 1 of that namespace: when it dies the kernel kills everything in
it, daemons included) and switches back with setns. The job process then
unshares mount, net, ipc and uts, builds its private read-only root
(``rootfs``) and drops every privilege. One fork per job; the zygote reports
the exit status. Python >= 3.12 has ``os.unshare``; ctypes keeps 3.10/3.11
working.

Control pipe lines (trusted code only; the job process closes it before
student code runs): ``ready``, ``fail <reason>`` and, from the zygote,
``status <wait status> <cpu seconds>``.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from autograder.sandbox import landlock, rootfs
from autograder.sandbox.libc import check, libc, prctl
from source_lib import wire

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP = 1, 4, 24
PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 38, 47, 4
_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/etc")
SAFE_ENV = {"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
            "PYTHONHASHSEED": "0", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
            # source_lib's self-check stays silent here: the trusted judge grades, not the notebook
            "ZEROINIT_SANDBOX": "1"}
RECORD_FD, CONTROL_FD, JOB_FD = 3, 4, 5
# The job pipe carries two lines: the cells first, and only once the cells are over (the
# "cells_done" record) the probes with their inputs. Code run by the cells therefore never
# holds the hidden inputs, and the worker stops keeping printed output before they arrive.
SETUP_FAILED = 121  # exit code of a child whose confinement failed
MIB = 1024 * 1024
SANDBOX_UID = 60000  # + the worker's slot



@dataclass(frozen=True)
class Plan:
    """How a worker confines its jobs; fixed at worker start."""

    level: str                       # "namespaces" | "process"
    userns: bool                     # the worker runs in its own user namespace (not root)
    uid: int                         # the uid student code runs as: never 0
    switch_uid: bool                 # the job switches to ``uid`` (the worker is root)
    host_uid: int                    # the worker's uid outside any user namespace
    mountpoint: str                  # empty host directory to build the private root on
    binds: tuple[str, ...] = ()      # host paths a job may read (bound read-only, or Landlock)
    links: tuple[tuple[str, str], ...] = ()  # (path, target) symlinks such as /bin -> usr/bin
    landlock: int = 0                # Landlock ABI applied at level "process"; 0 = none
    unreadable: tuple[str, ...] = ()  # installation paths ``uid`` cannot read; the caller accepted it
    refused: str = ""                # why this plan must not run student code at all

    @property
    def preloaded_only(self) -> bool:
        """Jobs can import only what the worker preloaded (``--allow-unreadable-python``)."""
        return bool(self.unreadable)


@dataclass(frozen=True)
class Child:
    """The worker's handles on one job process."""

    records: int    # read ends ...
    output: int
    control: int
    job: int        # ... the write end the envelope goes into ...
    pidfd: int      # ... and a pidfd: signals can never reach a recycled pid


# ---------------------------------------------------------------- planning (worker start)

def make_plan(level: str, slot: int, mountpoint: str, *, allow_unreadable: bool = False) -> Plan:
    """Binds, links and the sandbox uid, from the modules imported so far (before any unshare)."""
    root = os.geteuid() == 0
    userns = level == "namespaces" and not root
    uid = SANDBOX_UID + slot if root else os.getuid()  # one uid per slot: its own NPROC count
    binds, links = [], []
    for path in _SYSTEM_DIRS:
        if os.path.islink(path):
            links.append((path, os.readlink(path)))
        elif os.path.isdir(path):
            binds.append(path)
    for path in (sys.base_prefix, sys.prefix, *rootfs.module_dirs()):
        for target in {os.path.realpath(path), os.path.normpath(os.path.abspath(path))}:
            binds.append(target)
    plan = Plan(level, userns, uid, root, os.getuid(), mountpoint, rootfs.outermost(binds),
                tuple(links), landlock.abi_version() if level == "process" else 0)
    hidden = rootfs.unreachable_paths() if level == "process" and root else []
    if hidden and allow_unreadable:
        return replace(plan, unreadable=tuple(hidden))
    if hidden:
        return replace(plan, refused=unreadable_message(uid, hidden))
    return plan


def unreadable_message(uid: int, hidden: list[str]) -> str:
    """Why level "process" refuses to run as root here, and what fixes it."""
    return (f"at isolation level 'process' student code runs as uid {uid}, which cannot read "
            f"{', '.join(hidden[:3])}: it could import nothing beyond the modules the worker "
            "preloaded. Install the grader into a Python that every user can read (for example "
            "a virtual environment of /usr/bin/python3 under /opt), or pass "
            "--allow-unreadable-python to grade anyway with preloaded modules only "
            "(every result records it)")


# ---------------------------------------------------------------- spawning (in the zygote)

Payload = Callable[[dict[str, Any], int], None]


def enter_pid_namespace(userns: bool) -> None:
    """Make the caller's next child PID 1 of a new pid namespace (worker start; OSError)."""
    uid, gid = os.getuid(), os.getgid()
    check(libc.unshare(ctypes.c_int(CLONE_NEWPID | (CLONE_NEWUSER if userns else 0))),
           "unshare")
    if userns:  # keep our own ids inside (never 0); the capabilities last until the job drops them
        _write_file("/proc/self/setgroups", "deny")
        _write_file("/proc/self/uid_map", f"{uid} {uid} 1")
        _write_file("/proc/self/gid_map", f"{gid} {gid} 1")


def spawn(plan: Plan, payload: Payload, home_ns: int | None) -> tuple[Child, int, int]:
    """Fork one job process (zygote side): (worker's handles, pid, control fd to report on)."""
    pipes = [os.pipe() for _ in range(4)]  # records, output, control, job
    (rec_r, rec_w), (out_r, out_w), (ctl_r, ctl_w), (job_r, job_w) = pipes
    fresh, pid = plan.level == "namespaces" and home_ns is not None, -1
    try:
        if fresh:
            check(libc.unshare(ctypes.c_int(CLONE_NEWPID)), "unshare pid")
        pid = os.fork()
    except OSError:
        _close(*sum(pipes, ()))
        raise
    finally:
        if fresh and pid != 0:  # in the zygote: its later children must not join this namespace
            check(libc.setns(home_ns, CLONE_NEWPID), "setns pid")
    if pid == 0:  # never returns: every path ends in os._exit
        try:
            _close(rec_r, out_r, ctl_r, job_w, *([home_ns] if home_ns is not None else []))
            _job_process(plan, payload, (rec_w, out_w, ctl_w), job_r)
        finally:
            os._exit(SETUP_FAILED)
    _close(rec_w, out_w, job_r)
    try:
        pidfd = os.pidfd_open(pid)  # Linux >= 5.3
    except OSError:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        _close(rec_r, out_r, ctl_r, job_w, ctl_w)
        raise
    return Child(rec_r, out_r, ctl_r, job_w, pidfd), pid, ctl_w


def _close(*fds: int) -> None:
    for fd in fds:
        os.close(fd)


def report_exit(pid: int, control: int) -> None:
    """Zygote side: wait for the job process, send its status, close the control pipe."""
    _, status, usage = os.wait4(pid, 0)
    _say(control, f"status {status} {usage.ru_utime + usage.ru_stime:.3f}")
    os.close(control)


def read_line(fd: int) -> bytes:
    """The next message on the job pipe. The worker writes one line and then waits for the
    job's answer, so every byte available belongs to this line: bulk reads are safe."""
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        data += chunk
    return bytes(data[:-1] if data.endswith(b"\n") else data)


def _read_envelope(fd: int) -> dict[str, Any]:
    envelope = json.loads(read_line(fd))
    if not isinstance(envelope, dict) or not isinstance(envelope.get("limits"), dict):
        raise ValueError("malformed job envelope")
    return envelope


def _job_process(plan: Plan, payload: Payload, fds: tuple[int, int, int], job_r: int) -> None:
    """Confine this process, then run the payload on the envelope the worker sends."""
    rec_w, out_w, ctl_w = fds
    control = ctl_w  # where to report; it moves to CONTROL_FD once the fds are arranged
    try:
        zygote = os.getppid()
        envelope = _read_envelope(job_r)
        limits = envelope["limits"]
        ruleset = None
        if plan.level == "namespaces":
            _enter_namespaces()
            rootfs.build_root(plan, _scratch_bytes(limits))
            home = "/tmp"
        else:
            os.setsid()  # its own process group, so the worker can kill the group
            home = envelope["scratch"]
            if plan.landlock:  # prepared while every path can still be opened
                ruleset = landlock.prepare(plan.landlock, (*plan.binds, "/proc/self"),
                                           (home, *rootfs.DEVICES))
        os.chdir(home)
        set_rlimits(limits)
        _drop_privileges(plan)
        if ruleset is not None:
            landlock.enforce(ruleset)
        # A uid change clears the death signal, so it is armed only now, then checked.
        # (PID 1 of a namespace always sees getppid() == 0; its namespace dies with the zygote's.)
        _die_with(zygote if plan.level == "process" else None)
        _arrange_fds(out_w, rec_w, ctl_w, job_r)
        control = CONTROL_FD
        _clean_environment(home)
    except BaseException as exc:  # noqa: BLE001 - report, never fall into the zygote's loop
        _say(control, f"fail {type(exc).__name__}: {exc}")
        os._exit(SETUP_FAILED)
    _say(CONTROL_FD, "ready")
    os.close(CONTROL_FD)
    try:
        payload(envelope, RECORD_FD)
    except BaseException:  # noqa: BLE001 - an internal error goes to the job's output
        traceback.print_exc()
        os._exit(wire.ANSWERS_BROKEN_EXIT)
    os._exit(0)


def _die_with(parent: int | None) -> None:
    """SIGKILL us when our parent dies; exit now if it already has."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:
        os._exit(SETUP_FAILED)


def _say(fd: int, line: str) -> None:
    try:
        os.write(fd, (line.replace("\n", " ")[:1000] + "\n").encode("utf-8", "replace"))
    except OSError:
        pass


def _enter_namespaces() -> None:
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    check(libc.unshare(ctypes.c_int(flags)), "unshare")
    libc.sethostname(b"sandbox", 7)


def _write_file(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


# ---------------------------------------------------------------- limits and privileges

def set_rlimits(limits: dict[str, Any]) -> None:
    """Address space on top of the warm worker's, CPU, file size, fds, processes, no cores."""
    cpu = max(1, int(limits["cpu_seconds"]))
    _limit(resource.RLIMIT_AS, wire.address_space_limit(float(limits["memory_mb"])))
    _limit(resource.RLIMIT_CPU, cpu, cpu + 1)  # SIGXCPU first, SIGKILL a second later
    _limit(resource.RLIMIT_FSIZE, _scratch_bytes(limits))
    _limit(resource.RLIMIT_NOFILE, 64)
    _limit(resource.RLIMIT_NPROC, max(1, int(limits["max_processes"])))
    _limit(resource.RLIMIT_CORE, 0)


def _scratch_bytes(limits: dict[str, Any]) -> int:
    return max(4096, int(float(limits["scratch_mb"]) * MIB))  # tmpfs "size=0" means unlimited


def _limit(kind: int, soft: int, hard: int | None = None) -> None:
    _, current_hard = resource.getrlimit(kind)
    hard = soft if hard is None else hard
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(kind, (soft, hard))


def _drop_privileges(plan: Plan) -> None:
    if plan.switch_uid:
        _drop_bounding_set()
        os.setgroups([])
        os.setresgid(plan.uid, plan.uid, plan.uid)
        os.setresuid(plan.uid, plan.uid, plan.uid)  # clears every capability
    elif plan.userns:  # the worker's ids in its user namespace: lose every capability there
        _drop_bounding_set()
        _clear_capabilities()
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL)
    check(prctl(PR_SET_NO_NEW_PRIVS, 1), "no_new_privs")
    if 0 in os.getresuid():  # the one place every level passes: never run student code as root
        raise PermissionError("refusing to run student code as uid 0")
    # In a pid namespace nothing else of this uid is visible, so /proc/self may stay usable;
    # at level "process" other jobs may share the uid and must not ptrace this one.
    prctl(PR_SET_DUMPABLE, 1 if plan.level == "namespaces" else 0)


def _drop_bounding_set() -> None:
    try:
        with open("/proc/sys/kernel/cap_last_cap", encoding="ascii") as f:
            last = int(f.read())
    except (OSError, ValueError):
        last = 40
    for cap in range(last + 1):
        prctl(PR_CAPBSET_DROP, cap)


def _clear_capabilities() -> None:
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this thread
    data = (ctypes.c_uint32 * 6)()                  # 2 x {effective, permitted, inheritable}
    check(libc.capset(header, data), "capset")


# ---------------------------------------------------------------- the job's process state

def _arrange_fds(out_w: int, rec_w: int, ctl_w: int, job_r: int) -> None:
    """0 = /dev/null, 1 and 2 = output, 3 = records, 4 = control, 5 = job; close the rest."""
    devnull = os.open("/dev/null", os.O_RDWR)
    wanted = {0: devnull, 1: out_w, 2: out_w, RECORD_FD: rec_w, CONTROL_FD: ctl_w, JOB_FD: job_r}
    high = {target: os.dup(src) for target, src in wanted.items()}  # dup first: no clobbering
    for target, src in high.items():
        os.dup2(src, target, inheritable=target <= 2)
    os.closerange(JOB_FD + 1, 1 << 20)


def _clean_environment(home: str) -> None:
    os.environ.clear()
    os.environ.update({**SAFE_ENV, "HOME": home, "TMPDIR": home, "MPLCONFIGDIR": home})
    tempfile.tempdir = home  # the worker's cached choice is outside what the job may write
    for signum in (signal.SIGTERM, signal.SIGALRM):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
