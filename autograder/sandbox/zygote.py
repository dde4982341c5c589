"""The zygote: a pristine fork of the warm worker that forks every job and reaps what it leaves.

It is forked before any job arrives and only ever receives one-byte commands, so no
job can find an earlier job's code, inputs or answers in its inherited memory.
"""

from __future__ import annotations

import gc
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

from autograder.sandbox import confine, probe
from autograder.sandbox.libc import prctl

PR_SET_CHILD_SUBREAPER = 36


class ZygoteLost(Exception):
    """The zygote died or stopped answering; this worker cannot run jobs any more."""


class Zygote:
    """A pristine fork of the warm worker that forks jobs on command."""

    def __init__(self, plans: dict[str, confine.Plan]) -> None:
        self.plans = plans
        self.sock, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.pid = os.fork()
        if self.pid == 0:
            self.sock.close()
            _zygote_main(theirs, plans)  # never returns
        theirs.close()

    def spawn(self, level: str) -> confine.Child:
        try:
            self.sock.sendall(b"S" + level.encode())
            data, fds, _, _ = socket.recv_fds(self.sock, 1024, 5)
        except OSError as exc:
            raise ZygoteLost(str(exc)) from exc
        if not data:
            raise ZygoteLost("the zygote is gone")
        if len(fds) != 5 or data != b"ok":
            for fd in fds:
                os.close(fd)
            raise OSError(f"the zygote could not fork a job: {data.decode(errors='replace')}")
        return confine.Child(*fds)

    def sweep(self, level: str) -> None:
        """Kill and reap whatever the last job left behind."""
        try:
            self.sock.sendall(b"K" + level.encode())
            if self.sock.recv(16) == b"k":
                return
        except OSError as exc:
            raise ZygoteLost(str(exc)) from exc
        raise ZygoteLost("the zygote did not confirm its clean-up")


def _zygote_main(sock: socket.socket, plans: dict[str, confine.Plan]) -> None:
    try:
        keep = sock.fileno()
        os.closerange(3, keep)  # the worker's protocol pipes must not live on in here
        os.closerange(keep + 1, 1 << 20)
        # No parent check possible as PID 1; if the worker is already gone, recv() sees EOF.
        prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
        prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphaned job processes come back here
        gc.freeze()  # a job's garbage collector must not touch (and so copy) every page
        home_ns = os.open("/proc/self/ns/pid", os.O_RDONLY) if "namespaces" in plans else None
        while msg := sock.recv(64):
            plan = plans[msg[1:].decode()]
            if msg[:1] == b"S":
                _zygote_spawn(sock, plan, home_ns)
            else:
                reap_orphans()
                sock.sendall(b"k")
    finally:
        os._exit(0)


def _zygote_spawn(sock: socket.socket, plan: confine.Plan, home_ns: int | None) -> None:
    try:
        child, pid, control = confine.spawn(plan, probe.run_payload, home_ns)
    except OSError as exc:
        sock.sendall(f"E{exc}".encode()[:1000])
        return
    fds = [child.records, child.output, child.control, child.job, child.pidfd]
    socket.send_fds(sock, [b"ok"], fds)
    for fd in fds:
        os.close(fd)
    confine.report_exit(pid, control)  # the worker sends nothing until the job is over


def reap_orphans() -> None:
    """Kill and reap every child of this process (the zygote, a child subreaper)."""
    for _ in range(100):  # killing a daemon may orphan its own children onto us
        children = _children()
        for pid in children:
            quiet(os.kill, pid, signal.SIGKILL)
        while True:
            try:
                if os.waitpid(-1, os.WNOHANG)[0] == 0:
                    break
            except ChildProcessError:
                break
        if not children:
            return
        time.sleep(0.002)


def _children() -> list[int]:
    """This process's children, or none when /proc cannot name them in our pid namespace.

    The zygote is PID 1 of its own pid namespace while /proc is the host's: there
    ``/proc/1`` is the host's init, whose children are not ours (and their numbers mean
    nothing to kill() here). Jobs then run as PID 1 of pid namespaces of their own, so
    their daemons die with them and nothing is left to sweep but zombies.
    """
    me = os.getpid()
    try:
        if os.readlink("/proc/self") != str(me):
            return []
        with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as f:
            return [int(pid) for pid in f.read().split()]
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: zombies are still reaped
        return []


def quiet(fn: Callable[..., Any], *args: Any) -> None:
    """Call ``fn``, ignoring OSError: for kills and clean-ups of what may already be gone."""
    try:
        fn(*args)
    except OSError:
        pass
