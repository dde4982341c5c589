"""Run trusted callables in forked children (one, or several side by side) under time and memory limits.

Used for work that trusted code does on untrusted data and that might not end
(sympy on a hostile expression). The child sends its result back as JSON over a
pipe; nothing is pickled. ``os.fork`` is only safe in a single-threaded process:
the caller must not have started threads (the batch judge is single-threaded).
"""

from __future__ import annotations

import json
import math
import os
import resource
import select
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from source_lib import wire

MAX_OUTPUT_BYTES = 4 * 1024 * 1024
_REAP_GRACE = 1.0   # seconds a child that closed its pipe gets to exit before it is killed


@dataclass(frozen=True)
class TimeboxResult:
    """``ok`` with the callable's JSON value, or why not: "timeout", "memory", "crashed", "bad_output"."""

    ok: bool
    value: Any
    reason: str


def run(fn: Callable[..., Any], *args: Any, seconds: float, memory_mb: int = 1024) -> TimeboxResult:
    """Call ``fn(*args)`` in a forked child; kill it after ``seconds`` of wall-clock time.

    The child may grow by ``memory_mb`` of address space (RLIMIT_AS) and use about
    ``seconds`` of CPU (RLIMIT_CPU). Single-threaded callers only (see the module docstring).
    """
    return run_all([(fn, args)], seconds=seconds, memory_mb=memory_mb)[0]


def run_all(calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]], *, seconds: float,
            memory_mb: int = 1024, parallel: int = 2) -> list[TimeboxResult]:
    """``run`` for each ``(fn, args)``, up to ``parallel`` children at once; results in order.

    Each child has its own ``seconds`` from its own start. On any exception (Ctrl-C) every
    running child is killed and reaped before it propagates.
    """
    results: list[TimeboxResult | None] = [None] * len(calls)
    waiting = list(enumerate(calls))[::-1]
    running: dict[int, _Child] = {}  # read fd -> child
    try:
        while waiting or running:
            while waiting and len(running) < max(1, parallel):
                index, (fn, args) = waiting.pop()
                child = _start(index, fn, args, seconds, memory_mb)
                running[child.read_fd] = child
            wait = min(c.deadline for c in running.values()) - time.monotonic()
            ready, _, _ = select.select(list(running), [], [], max(0.0, wait))
            for fd in ready:
                ending = running[fd].read()
                if ending is not None:
                    child = running.pop(fd)
                    results[child.index] = child.finish(ending)
            for fd in [fd for fd, c in running.items() if c.deadline <= time.monotonic()]:
                child = running.pop(fd)
                results[child.index] = child.finish("timeout")
    except BaseException:  # e.g. KeyboardInterrupt: leave no child behind
        for child in running.values():
            child.abandon()
        raise
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


@dataclass
class _Child:
    """One running time box: its pid, the read end of its pipe and what came through it."""

    index: int
    pid: int
    read_fd: int
    deadline: float
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0

    def read(self) -> str | None:
        """Take what the pipe holds: None while the child goes on, else "" (EOF) or "bad_output" (too much)."""
        chunk = os.read(self.read_fd, 65536)
        if not chunk:
            return ""
        self.size += len(chunk)
        if self.size > MAX_OUTPUT_BYTES:
            return "bad_output"
        self.chunks.append(chunk)
        return None

    def finish(self, ending: str) -> TimeboxResult:
        """Close the pipe, reap the child (killed first if it overran), and decode its answer."""
        os.close(self.read_fd)
        if ending:
            os.kill(self.pid, signal.SIGKILL)
        status = _reap(self.pid, time.monotonic() + _REAP_GRACE)
        if ending:
            return TimeboxResult(False, None, ending)
        return _decode(b"".join(self.chunks), status)

    def abandon(self) -> None:
        os.close(self.read_fd)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def _start(index: int, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float, memory_mb: int) -> _Child:
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns
        os.close(read_fd)
        _child(write_fd, fn, args, seconds, memory_mb)
    os.close(write_fd)
    return _Child(index, pid, read_fd, time.monotonic() + seconds)


def run_inline(fn: Callable[..., Any], *args: Any) -> TimeboxResult:
    """The same contract in this process, with no limits (the student self-check in Jupyter)."""
    try:
        value = fn(*args)
    except MemoryError:
        return TimeboxResult(False, {"type": "MemoryError", "message": ""}, "memory")
    except Exception as exc:  # noqa: BLE001 - reported to the caller, as in the child
        return TimeboxResult(False, _describe(exc), "crashed")
    try:
        return TimeboxResult(True, json.loads(json.dumps(value, allow_nan=False)), "")
    except (TypeError, ValueError, RecursionError) as exc:
        return TimeboxResult(False, _describe(exc), "bad_output")


def _child(write_fd: int, fn: Callable[..., Any], args: tuple[Any, ...], seconds: float,
           memory_mb: int) -> None:
    """Limit ourselves, run, write one JSON envelope, and leave without running any cleanup."""
    code = 1
    try:
        _limit(seconds, memory_mb)
        envelope = _envelope(fn, args)
        payload = envelope.encode()
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view):]
        code = 0
    except BaseException:  # noqa: BLE001 - the parent sees the exit code
        code = 1
    finally:
        os._exit(code)  # no atexit handlers, no flushing of the parent's buffers


def _envelope(fn: Callable[..., Any], args: tuple[Any, ...]) -> str:
    try:
        value = fn(*args)
    except MemoryError:
        return '{"ok": false, "reason": "memory", "value": {"type": "MemoryError", "message": ""}}'
    except Exception as exc:  # noqa: BLE001
        return json.dumps({"ok": False, "reason": "crashed", "value": _describe(exc)})
    try:
        return json.dumps({"ok": True, "reason": "", "value": value}, allow_nan=False)
    except (TypeError, ValueError, RecursionError) as exc:
        return json.dumps({"ok": False, "reason": "bad_output", "value": _describe(exc)})


def _describe(exc: BaseException) -> dict[str, str]:
    try:
        message = str(exc)[:500]
    except Exception:  # noqa: BLE001 - a broken __str__ must not hide the type
        message = ""
    return {"type": type(exc).__name__, "message": message}


def _limit(seconds: float, memory_mb: int) -> None:
    """RLIMIT_AS = current size + memory_mb; RLIMIT_CPU a little above the wall-clock limit."""
    hard_as = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (wire.address_space_limit(memory_mb), hard_as))
    cpu = math.ceil(seconds) + 1
    _soft, hard_cpu = resource.getrlimit(resource.RLIMIT_CPU)
    if hard_cpu == resource.RLIM_INFINITY or hard_cpu > cpu:
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    try:  # let the kernel's OOM killer pick this child, never the judge
        with open("/proc/self/oom_score_adj", "w") as fh:
            fh.write("1000")
    except OSError:
        pass


def _reap(pid: int, deadline: float) -> int:
    """Wait for the child; kill it if it lingers after closing its pipe."""
    try:  # a pidfd becomes readable the moment the child exits: no polling delay
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = -1
    try:
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            if pidfd >= 0:
                select.select([pidfd], [], [], max(0.0, deadline - time.monotonic()))
            else:
                time.sleep(0.002)
    finally:
        if pidfd >= 0:
            os.close(pidfd)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]


def _decode(data: bytes, status: int) -> TimeboxResult:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        reason = "timeout" if sig == signal.SIGXCPU else "crashed"
        return TimeboxResult(False, {"type": "signal", "message": _signal_name(sig)}, reason)
    try:
        envelope = wire.loads(data, len(data))
        ok, reason, value = envelope["ok"], envelope["reason"], envelope["value"]
    except (ValueError, TypeError, KeyError, RecursionError):
        if os.WIFEXITED(status) and os.WEXITSTATUS(status) != 0:
            return TimeboxResult(False, {"type": "exit", "message": str(os.WEXITSTATUS(status))}, "crashed")
        return TimeboxResult(False, None, "bad_output")
    if ok is True:
        return TimeboxResult(True, value, "")
    known = reason if reason in ("memory", "crashed", "bad_output") else "crashed"
    return TimeboxResult(False, value, known)


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return str(sig)
