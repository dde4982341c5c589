"""The warm worker: ``python -s -P -m autograder.sandbox --preload ... --slot N``.

It imports the heavy modules once, forks a *zygote*, probes which isolation
level works, prints one ready line, then answers one job line (stdin) with one
reply line (stdout) until EOF. The zygote forks every job. It was forked
before any job arrived and never receives job data (only one-byte commands),
so no job can find an earlier job's code, inputs or answers in its inherited
memory: the reference solution's run included. This process watches each job:
wall-clock deadline, output and record caps, clean-up. Nothing a job does may
crash or block it.
"""

from __future__ import annotations

import argparse
import gc
import io
import os
import select
import selectors
import shutil
import signal
import socket
import sys
import tempfile
import time
import traceback
from typing import Any, Callable

from autograder import wire
from autograder.sandbox import confine, execute, probe

# Mirrors autograder.config.Limits (not importable here); the pool always sends its own.
DEFAULT_LIMITS: dict[str, Any] = {
    "wall_seconds": 30.0, "cpu_seconds": 30, "memory_mb": 1024, "output_bytes": 64 * 1024,
    "flood_bytes": 8 * 1024 * 1024, "record_bytes": 4 * 1024 * 1024, "call_seconds": 10.0,
    "scratch_mb": 64, "max_processes": 32}
MAX_JOB_BYTES = 512 * 1024 * 1024
DRAIN_SECONDS = 1.0  # how long escaped processes may hold the pipes after the job is over
PR_SET_CHILD_SUBREAPER = 36
CELLS_DONE = wire.dumps({"r": "cells_done"}).rstrip(b"\n")


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
        confine.prctl(confine.PR_SET_PDEATHSIG, signal.SIGKILL)
        confine.prctl(PR_SET_CHILD_SUBREAPER, 1)  # orphaned job processes come back here
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
            _quiet(os.kill, pid, signal.SIGKILL)
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
    me = os.getpid()
    try:
        with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as f:
            return [int(pid) for pid in f.read().split()]
    except OSError:  # a kernel without CONFIG_PROC_CHILDREN: zombies are still reaped
        return []


def _quiet(fn: Callable[..., Any], *args: Any) -> None:
    try:
        fn(*args)
    except OSError:
        pass


class Monitor:
    """Watch one job until its pipes close: deadline, caps, kill, clean-up."""

    def __init__(self, child: confine.Child, plan: confine.Plan, limits: dict[str, Any],
                 zygote: Zygote, questions: bytes) -> None:
        self.child, self.plan, self.limits, self.zygote = child, plan, limits, zygote
        self.questions: memoryview | None = memoryview(questions)  # sent once the cells are over
        self.keep_output = True  # printed output is kept for the report only until then
        self.start = time.monotonic()
        self.deadline = self.start + float(limits["wall_seconds"])
        self.drain_deadline: float | None = None
        self.output, self.out_total = bytearray(), 0
        self.pending, self.records, self.rec_total = bytearray(), [], 0
        self.control, self.killed, self.failure = bytearray(), "", ""
        self.ready, self.swept = False, False
        self.status: int | None = None   # wait status of the job process
        self.cpu: float | None = None
        self.sel = selectors.DefaultSelector()

    def wait(self) -> dict[str, Any]:
        for fd, handler in ((self.child.output, self._on_output),
                            (self.child.records, self._on_records),
                            (self.child.control, self._on_control)):
            self.sel.register(fd, selectors.EVENT_READ, handler)
        try:
            while self.sel.get_map():
                now = time.monotonic()
                if not self.killed and now >= self.deadline:
                    self.kill("timeout")
                if self.drain_deadline is not None and now >= self.drain_deadline:
                    break  # escaped holders of the pipes: stop listening
                limit = min(t for t in (self.drain_deadline, self.deadline) if t is not None)
                for key, _ in self.sel.select(max(0.0, limit - now)):
                    if key.fd == self.child.job:
                        self._send_questions()
                    else:
                        self._read(key.fd, key.data)
        finally:
            if self.questions is not None and self.child.job not in self.sel.get_map():
                os.close(self.child.job)  # the cells never finished: the questions never left
            for key in list(self.sel.get_map().values()):
                os.close(key.fd)
            self.sel.close()
            self._sweep()
            os.close(self.child.pidfd)
        return self._result()

    def _read(self, fd: int, handler: Callable[[bytes], None]) -> None:
        data = os.read(fd, 65536)
        if not data:
            self.sel.unregister(fd)
            os.close(fd)
        handler(data)

    def _on_output(self, data: bytes) -> None:
        room = int(self.limits["output_bytes"]) - len(self.output)
        if room > 0 and self.keep_output:
            self.output += data[:room]
        self.out_total += len(data)
        if self.out_total > int(self.limits["flood_bytes"]):
            self.kill("output_limit")  # and keep draining: a full pipe must not block anyone

    def _on_records(self, data: bytes) -> None:
        if not data:  # EOF: a last line without newline is kept; the judge rejects it
            if self.pending and self.rec_total <= int(self.limits["record_bytes"]):
                self.records.append(self.pending.decode("utf-8", "replace"))
            return
        self.rec_total += len(data)
        if self.rec_total > int(self.limits["record_bytes"]):
            self.kill("record_limit")
            return
        if b"\n" not in data:
            self.pending += data
            return
        *lines, rest = (bytes(self.pending) + data).split(b"\n")
        self.records.extend(line.decode("utf-8", "replace") for line in lines)
        self.pending = bytearray(rest)
        if self.keep_output and CELLS_DONE in lines:
            self._cells_done()

    def _cells_done(self) -> None:
        """Keep what the cells printed, nothing after; then let the questions go out."""
        output = self.child.output
        while output in self.sel.get_map() and select.select([output], [], [], 0)[0]:
            self._read(output, self._on_output)
        self.keep_output = False
        os.set_blocking(self.child.job, False)
        self.sel.register(self.child.job, selectors.EVENT_WRITE)

    def _send_questions(self) -> None:
        assert self.questions is not None
        try:
            self.questions = self.questions[os.write(self.child.job, self.questions):]
        except BlockingIOError:
            return
        except OSError:  # the job process is gone; its control pipe tells the rest
            self.questions = self.questions[len(self.questions):]
        if not self.questions:
            self.sel.unregister(self.child.job)
            os.close(self.child.job)
            self.questions = None

    def _on_control(self, data: bytes) -> None:
        if not data:  # the job process is reaped and the zygote closed its end: job over
            self._sweep()
            self.drain_deadline = min(self.drain_deadline or 1e18,
                                      time.monotonic() + DRAIN_SECONDS)
            return
        *lines, rest = (bytes(self.control) + data).split(b"\n")
        self.control = bytearray(rest)
        for line in lines:
            word, _, arg = line.decode("utf-8", "replace").partition(" ")
            if word in ("ready", "fail"):
                self.ready, self.failure = word == "ready", arg
            elif word == "status" and len(arg.split()) == 2:
                self.status, self.cpu = int(arg.split()[0]), float(arg.split()[1])

    def kill(self, reason: str) -> None:
        """SIGKILL the job process: with namespaces that ends everything it started."""
        if self.killed:
            return
        self.killed = reason
        pidfd = self.child.pidfd
        # While the job process lives, its pid is also its (unrecycled) process group.
        if self.plan.level == "process" and not select.select([pidfd], [], [], 0)[0]:
            _quiet(os.killpg, _pidfd_pid(pidfd), signal.SIGKILL)
        _quiet(signal.pidfd_send_signal, pidfd, signal.SIGKILL)
        if self.plan.level == "process":
            self._sweep(force=True)  # the daemons, reparented to the zygote
        self.drain_deadline = time.monotonic() + DRAIN_SECONDS

    def _sweep(self, force: bool = False) -> None:
        if force or not self.swept:
            self.swept = True
            self.zygote.sweep(self.plan.level)

    def _result(self) -> dict[str, Any]:
        ended, code, sig = self._ending()
        output = bytes(self.output).decode("utf-8", "replace")
        if self.failure:
            output += f"\n[sandbox] confinement failed: {self.failure}\n"
        return {"ended": ended, "exit_code": code, "signal": sig,
                "wall_seconds": round(time.monotonic() - self.start, 4), "output": output,
                "output_truncated": self.out_total > len(self.output), "records": self.records,
                "records_truncated": self.rec_total > int(self.limits["record_bytes"])}

    def _ending(self) -> tuple[str, int | None, int | None]:
        code = sig = None
        if self.status is not None:
            code = os.WEXITSTATUS(self.status) if os.WIFEXITED(self.status) else None
            sig = os.WTERMSIG(self.status) if os.WIFSIGNALED(self.status) else None
        elif self.killed:
            sig = signal.SIGKILL
        if self.killed:
            return self.killed, code, sig
        if self.failure or not self.ready:
            return "start_failed", code, sig
        cpu_spent = self.cpu is not None and self.cpu >= int(self.limits["cpu_seconds"]) - 0.05
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_spent):
            return "timeout", code, sig  # RLIMIT_CPU
        return ("exited" if code is not None else "signaled"), code, sig


def _pidfd_pid(pidfd: int) -> int:
    with open(f"/proc/self/fdinfo/{pidfd}", encoding="ascii") as info:
        return int(next(line for line in info if line.startswith("Pid:")).split()[1])


class Worker:
    """Runs jobs through the zygote and reports what happened."""

    def __init__(self, slot: int, zygote: Zygote) -> None:
        self.slot, self.zygote = slot, zygote
        self.plan: confine.Plan = next(iter(zygote.plans.values()))
        self.isolation: dict[str, Any] = {}

    def run(self, job: dict[str, Any]) -> dict[str, Any]:
        """Reply fields for one job (the envelope adds limits and a scratch dir)."""
        limits = probe.job_limits(job, DEFAULT_LIMITS)
        result = self.run_envelope({"kind": "job", "limits": limits, "job": job})
        isolation = {**self.isolation, "limits": {**self.isolation["limits"], **limits}}
        return {"job_id": job["job_id"], **result, "isolation": isolation}

    def run_envelope(self, envelope: dict[str, Any]) -> dict[str, Any]:
        scratch = None
        if self.plan.level == "process":
            scratch = envelope["scratch"] = tempfile.mkdtemp(prefix=f"sbx-{self.slot}-")
            if self.plan.uid is not None:
                os.chown(scratch, self.plan.uid, self.plan.uid)
        job = envelope.get("job", {})
        questions = wire.dumps({"probes": job.get("probes", []), "variants": job.get("variants", [])})
        if "job" in envelope:
            envelope = {**envelope, "job": {k: v for k, v in job.items() if k not in ("probes", "variants")}}
        try:
            child = self.zygote.spawn(self.plan.level)
            try:
                _write_all(child.job, wire.dumps(envelope))
            except OSError:
                pass  # the job process died early; the control pipe will say so
            return Monitor(child, self.plan, envelope["limits"], self.zygote, questions).wait()
        finally:
            if scratch:
                remove_tree(scratch)

    def choose_isolation(self, reason: str) -> None:
        """Use namespaces if planned and the self check passes, else level "process"."""
        for level in ("namespaces", "process"):
            if level not in self.zygote.plans:
                continue
            self.plan = self.zygote.plans[level]
            facts, why = self._trial()
            if facts is not None and (level == "process" or facts.get("pid") == 1):
                self.isolation = probe.isolation_report(self.plan, facts, reason)
                return
            reason = f"{level} unavailable: {why or 'self check failed'}"
        raise RuntimeError(f"no confined job could run: {reason}")

    def _trial(self) -> tuple[dict[str, Any] | None, str]:
        limits = {**DEFAULT_LIMITS, "wall_seconds": 20.0}
        try:
            result = self.run_envelope({"kind": "self_check", "limits": limits})
        except OSError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        if result["ended"] != "exited" or result["exit_code"] != 0 or not result["records"]:
            return None, (result["output"].strip() or result["ended"])[-300:]
        try:
            return wire.loads(result["records"][0], 1 << 20), ""
        except ValueError as exc:
            return None, str(exc)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def remove_tree(path: str) -> None:
    """Remove a scratch directory, even one whose modes a job changed (when not root)."""
    shutil.rmtree(path, ignore_errors=True)
    for root, dirs, _ in os.walk(path):
        for name in dirs:
            try:  # never through a symlink a job planted: that could chmod a host directory
                fd = os.open(os.path.join(root, name), os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY)
            except OSError:
                continue
            _quiet(os.chmod, f"/proc/self/fd/{fd}", 0o700)
            os.close(fd)
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------- startup and loop

def claim_protocol() -> tuple[io.BufferedReader, int]:
    """Move the protocol off fds 0/1 so stray prints (ours or a library's) cannot corrupt it."""
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return os.fdopen(proto_in, "rb", buffering=1 << 16), proto_out


def serve(worker: Worker, reader: io.BufferedReader, out: int) -> None:
    while line := reader.readline(MAX_JOB_BYTES):
        job_id = ""
        try:
            job = wire.loads(line, MAX_JOB_BYTES)
            job_id = job["job_id"] if isinstance(job.get("job_id"), str) else ""
            probe.check_job(job)
            reply = worker.run(job)
        except Exception as exc:  # noqa: BLE001 - a bad job or our bug: answer, keep serving
            reply = {"job_id": job_id, "ended": "start_failed", "exit_code": None, "signal": None,
                     "wall_seconds": 0.0, "output": f"[sandbox] {exc}\n{traceback.format_exc()}",
                     "output_truncated": False, "records": [], "records_truncated": False,
                     "isolation": worker.isolation}
            if isinstance(exc, ZygoteLost):
                _write_all(out, wire.dumps(reply))
                raise  # the pool sees the exit and starts a fresh worker
        _write_all(out, wire.dumps(reply))


def make_plans(args: argparse.Namespace, mountpoint: str) -> tuple[dict[str, confine.Plan], str]:
    """Plans per level, made before any unshare; enter the pid namespace the zygote will own."""
    userns = args.userns or os.geteuid() != 0
    if args.max_isolation != "namespaces":
        plan = confine.make_plan("process", args.slot, mountpoint, userns=False)
        return {"process": plan}, f"capped at {args.max_isolation} by the caller"
    plans = {level: confine.make_plan(level, args.slot, mountpoint, userns=userns)
             for level in ("namespaces", "process")}
    try:
        confine.enter_pid_namespace(userns)  # the zygote, our next child, is its PID 1
    except OSError as exc:
        plan = confine.make_plan("process", args.slot, mountpoint, userns=False)
        return {"process": plan}, f"namespaces unavailable: {exc}"
    return plans, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.sandbox")
    parser.add_argument("--preload", default="numpy,sympy,matplotlib.pyplot,source_lib")
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--max-isolation", choices=("namespaces", "process"), default="namespaces")
    parser.add_argument("--userns", action="store_true", help="use a user namespace even as root")
    args = parser.parse_args(argv)
    reader, out = claim_protocol()
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", cwd)]  # -P is missing before 3.11
    loaded, missing = execute.preload([n for n in args.preload.split(",") if n])
    execute.warm()
    mountpoint = tempfile.mkdtemp(prefix=f"sbx-root-{args.slot}-")
    plans, reason = make_plans(args, mountpoint)
    confine.prctl(confine.PR_SET_DUMPABLE, 0)  # inherited by the zygote: no ptrace by a job
    try:
        worker = Worker(args.slot, Zygote(plans))
        worker.choose_isolation(reason)
        _write_all(out, wire.dumps({
            "ready": True, "isolation": worker.isolation, "versions": execute.versions(),
            "preload": {"loaded": loaded, "missing": missing}, "slot": args.slot,
            "pid": os.getpid()}))
        serve(worker, reader, out)
    except BrokenPipeError:
        pass  # the pool went away
    except ZygoteLost:
        return 1
    finally:
        _quiet(os.rmdir, mountpoint)
    return 0


if __name__ == "__main__":
    status = main()
    sys.stderr.flush()
    os._exit(status)  # skip interpreter teardown: nothing is buffered, and closing is faster
