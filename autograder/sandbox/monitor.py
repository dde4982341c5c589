"""The per-job watcher: reads a job's pipes until they close, enforcing the wall-clock
deadline and the output and record caps, then kills and sweeps what is left.

Nothing a job does may crash or block it: every pipe is non-blocking, and one selector
drives them all, so the monitor never waits on one pipe while the job waits on another.
"""

from __future__ import annotations

import os
import select
import selectors
import signal
import time
from collections.abc import Callable
from typing import Any

from autograder.sandbox import confine
from autograder.sandbox.zygote import Zygote, quiet
from source_lib import wire

DRAIN_SECONDS = 1.0  # how long escaped processes may hold the pipes after the job is over
DRAIN_BYTES = 1 << 20  # the largest pipe buffer a job can ask for (fs.pipe-max-size)
CELLS_DONE = wire.dumps({"r": "cells_done"}).rstrip(b"\n")


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
        self.pending, self.rec_total = bytearray(), 0
        self.records: list[str] = []
        self.control, self.failure = bytearray(), ""
        self.killed: wire.Ending | None = None
        self.ready, self.swept = False, False
        self.status: int | None = None   # wait status of the job process
        self.cpu: float | None = None
        self.sel = selectors.DefaultSelector()

    def wait(self, job_id: str, isolation: dict[str, Any]) -> wire.Reply:
        for fd, handler in ((self.child.output, self._on_output),
                            (self.child.records, self._on_records),
                            (self.child.control, self._on_control)):
            os.set_blocking(fd, False)
            self.sel.register(fd, selectors.EVENT_READ, handler)
        try:
            while self.sel.get_map():
                now = time.monotonic()
                if not self.killed and now >= self.deadline:
                    self.kill(wire.Ending.TIMEOUT)
                if self.drain_deadline is not None and now >= self.drain_deadline:
                    break  # escaped holders of the pipes: stop listening
                limit = min(t for t in (self.drain_deadline, self.deadline) if t is not None)
                for key, _ in self.sel.select(max(0.0, limit - now)):
                    if key.fd not in self.sel.get_map():
                        continue  # an earlier handler of this round drained and closed it
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
        return self._result(job_id, isolation)

    def _read(self, fd: int, handler: Callable[[bytes], None]) -> bool:
        """Read what the pipe holds now; False when it is empty (or at EOF, then closed)."""
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:  # readiness seen earlier in this round was consumed since
            return False
        if not data:
            self.sel.unregister(fd)
            os.close(fd)
        handler(data)
        return bool(data)

    def _on_output(self, data: bytes) -> None:
        room = int(self.limits["output_bytes"]) - len(self.output)
        if room > 0 and self.keep_output:
            self.output += data[:room]
        self.out_total += len(data)
        if self.out_total > int(self.limits["flood_bytes"]):
            self.kill(wire.Ending.OUTPUT_LIMIT)  # and keep draining: a full pipe must not block anyone

    def _on_records(self, data: bytes) -> None:
        if not data:  # EOF: a last line without newline is kept; the judge rejects it
            if self.pending and self.rec_total <= int(self.limits["record_bytes"]):
                self.records.append(self.pending.decode("utf-8", "replace"))
            return
        self.rec_total += len(data)
        if self.rec_total > int(self.limits["record_bytes"]):
            self.kill(wire.Ending.RECORD_LIMIT)
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
        output, budget = self.child.output, self.out_total + DRAIN_BYTES
        # What the cells printed is in the pipe already; a thread printing on must not hold us.
        while output in self.sel.get_map() and self.out_total < budget \
                and self._read(output, self._on_output):
            pass
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

    def kill(self, reason: wire.Ending) -> None:
        """SIGKILL the job process: with namespaces that ends everything it started."""
        if self.killed:
            return
        self.killed = reason
        pidfd = self.child.pidfd
        # While the job process lives, its pid is also its (unrecycled) process group.
        if self.plan.level == "process" and not select.select([pidfd], [], [], 0)[0]:
            quiet(os.killpg, _pidfd_pid(pidfd), signal.SIGKILL)
        quiet(signal.pidfd_send_signal, pidfd, signal.SIGKILL)
        if self.plan.level == "process":
            self._sweep(force=True)  # the daemons, reparented to the zygote
        self.drain_deadline = time.monotonic() + DRAIN_SECONDS

    def _sweep(self, force: bool = False) -> None:
        if force or not self.swept:
            self.swept = True
            self.zygote.sweep(self.plan.level)

    def _result(self, job_id: str, isolation: dict[str, Any]) -> wire.Reply:
        ended, code, sig = self._ending()
        output = bytes(self.output).decode("utf-8", "replace")
        if self.failure:
            output += f"\n[sandbox] confinement failed: {self.failure}\n"
        return {"job_id": job_id, "ended": ended.value, "exit_code": code, "signal": sig,
                "wall_seconds": round(time.monotonic() - self.start, 4), "output": output,
                "output_truncated": self.out_total > len(self.output), "records": self.records,
                "records_truncated": self.rec_total > int(self.limits["record_bytes"]),
                "isolation": isolation}

    def _ending(self) -> tuple[wire.Ending, int | None, int | None]:
        code = sig = None
        if self.status is not None:
            code = os.WEXITSTATUS(self.status) if os.WIFEXITED(self.status) else None
            sig = os.WTERMSIG(self.status) if os.WIFSIGNALED(self.status) else None
        elif self.killed:
            sig = signal.SIGKILL
        if self.killed:
            return self.killed, code, sig
        if self.failure or not self.ready:
            return wire.Ending.START_FAILED, code, sig
        cpu_spent = self.cpu is not None and self.cpu >= int(self.limits["cpu_seconds"]) - 0.05
        if sig == signal.SIGXCPU or (sig == signal.SIGKILL and cpu_spent):
            return wire.Ending.TIMEOUT, code, sig  # RLIMIT_CPU
        return (wire.Ending.EXITED if code is not None else wire.Ending.SIGNALED), code, sig


def _pidfd_pid(pidfd: int) -> int:
    with open(f"/proc/self/fdinfo/{pidfd}", encoding="ascii") as info:
        return int(next(line for line in info if line.startswith("Pid:")).split()[1])

