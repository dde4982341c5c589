"""The trusted side of the sandbox: a pool of warm worker processes.

Each worker is ``python -s [-P] -m autograder.sandbox`` started with a clean
environment in an empty private directory; it is named by string and never
imported here. The pool is single-threaded (selectors, no threads) because the
judge forks time-boxed children from this same process. A worker that stops
answering, dies or sends a malformed line is restarted, and its job is run once
more on another worker: a grader fault is never silently a student's 0. Only a
job that fails twice comes back as ``ended="worker_failed"``; a batch never stops on it.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.config import ISOLATION_LEVELS, GradingConfig, Limits, private_folder
from autograder.errors import SandboxError
from autograder.notebook import release_preamble
from autograder.replies import RawRun, failed_run, parse_reply
from source_lib import wire

WORKER_MODULE = "autograder.sandbox"
# What the notebooks import, loaded once per worker; never judging code (the self-check loads it lazily).
DEFAULT_PRELOAD = ("numpy", "sympy", "matplotlib.pyplot", "source_lib", "source_lib.data", "source_lib.plots")
STARTUP_SECONDS = 90.0   # importing numpy/sympy/matplotlib on a busy machine
GRACE_SECONDS = 15.0     # outer deadline = the job's wall_seconds + this
MAX_STARTS = 3           # consecutive failed starts before a slot is given up
STDERR_TAIL = 8192
_NOT_STARTED = {"level": "none", "reason": "the pool has not been started"}
PREAMBLE_GIVEN_UP = ("no sandbox worker could start after running the release's set-up cells (its code "
                     "before the first answer cell), so the workers graded without them: the same grades, slower")


class _Worker:
    """One worker process and the state of its pipes."""

    def __init__(self, slot: int, command: list[str], env: dict[str, str], cwd: str) -> None:
        self.slot = slot
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, cwd=cwd, close_fds=True,
                                     start_new_session=True)  # no terminal signals; killpg works
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr  # all three are pipes
        self.stdin, self.stdout, self.stderr = self.proc.stdin, self.proc.stdout, self.proc.stderr
        for stream in (self.stdin, self.stdout, self.stderr):
            os.set_blocking(stream.fileno(), False)
        self.state = "starting"             # starting | idle | busy | dead
        self.deadline = time.monotonic() + STARTUP_SECONDS
        self.inbuf, self.outbuf, self.errtail = bytearray(), bytearray(), bytearray()
        self.job: dict[str, Any] | None = None
        self.owner: object | None = None    # the run_many call waiting for this job
        self.sent_at = 0.0
        self.max_reply = 1 << 20
        self.ready: dict[str, Any] = {}
        self.err_open = True
        self.failure = ""                   # why it was killed, if it was

    def send(self, job: dict[str, Any], line: bytes, wall: float, max_reply: int, *,
             owner: object) -> None:
        self.state, self.job, self.owner, self.max_reply = "busy", job, owner, max_reply
        self.sent_at = time.monotonic()
        self.deadline = self.sent_at + wall + GRACE_SECONDS
        self.outbuf += line
        try:  # start now: the caller may judge a result for a while before the event loop runs again
            del self.outbuf[:os.write(self.stdin.fileno(), self.outbuf[:1 << 20])]
        except OSError:
            pass  # a full pipe is written by the event loop; a broken one is reported there

    def stderr_text(self) -> str:
        return bytes(self.errtail).decode("utf-8", "replace").strip()

    def kill(self) -> None:
        """SIGKILL the worker (its zygote and jobs follow through death signals)."""
        for fn in (os.killpg, os.kill):
            try:
                fn(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()
        try:  # what it said last is still in the pipe: keep it for the diagnostics
            while self.err_open and (data := os.read(self.stderr.fileno(), 65536)):
                self.errtail = (self.errtail + data)[-STDERR_TAIL:]
        except OSError:
            pass
        for stream in (self.stdin, self.stdout, self.stderr):
            try:
                stream.close()
            except OSError:
                pass
        self.state = "dead"


class SandboxPool:
    """Warm sandbox workers; ``run_many`` keeps all of them busy."""

    def __init__(self, workers: int, limits: Limits, *, require_isolation: str = "none",
                 preload: tuple[str, ...] = DEFAULT_PRELOAD, python: str = sys.executable,
                 max_isolation: str = "namespaces", allow_unreadable_python: bool = False,
                 warm: bool = True, font_cache: Path | None = None,
                 preamble: tuple[str, ...] = ()) -> None:
        self.size, self.limits = workers, limits
        # matplotlib's font list, kept between runs (a fresh folder makes each worker rebuild it: 0.15 s)
        self.font_cache = font_cache
        self.require_isolation, self.preload = require_isolation, tuple(preload)
        self.python, self.max_isolation = python, max_isolation
        self.allow_unreadable_python = allow_unreadable_python
        self.warm = warm  # exercise the preloaded libraries before forking: worth it from the second job on
        # The release's set-up cells (public code): run once per warm worker, so each job inherits
        # sympy's cache and assumptions for the expressions every notebook builds the same way.
        self.preamble = preamble
        self.notes: list[str] = []  # what the instructor should hear of (a warm-up given up)
        self._refused = ""  # a worker's reason not to run student code at all
        self._workers: list[_Worker] = []
        self._booting = False  # spawned, ready lines not yet awaited
        self._starts: list[int] = []
        self._tmp: str | None = None
        self._command: list[str] = []
        self._inboxes: dict[object, deque[tuple[dict[str, Any], RawRun]]] = {}
        self._retries: dict[object, deque[dict[str, Any]]] = {}  # jobs a failed worker lost
        self._lost: dict[str, tuple[float, str]] = {}  # job id -> (seconds, why) of a lost attempt

    @classmethod
    def for_config(cls, config: GradingConfig, jobs: int | None = None,
                   release: Path | None = None) -> SandboxPool:
        """The pool a grading run asks for (not started); for ``jobs`` known in advance, no more
        workers than jobs, and none warmed for a single job (warming costs more than it saves then).
        Each warm worker runs the set-up cells of the ``release`` notebook (``release_preamble``)."""
        workers = config.workers if jobs is None else max(1, min(config.workers, jobs))
        warm = jobs is None or jobs > 1
        return cls(workers, config.limits, require_isolation=config.require_isolation,
                   max_isolation=config.max_isolation, allow_unreadable_python=config.allow_unreadable_python,
                   warm=warm, font_cache=config.cache_dir / "matplotlib" if config.cache_dir is not None else None,
                   preamble=release_preamble(release) if release is not None and warm else ())

    def __enter__(self) -> SandboxPool:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start every worker in parallel and wait for their ready lines."""
        self.spawn()
        self._await_ready()

    def spawn(self) -> None:
        """Start every worker without waiting: the caller can do its own work while they boot.

        The first ``run_many`` then waits for their ready lines (and raises what ``start`` would).
        """
        if self.require_isolation not in ISOLATION_LEVELS:
            raise SandboxError(f"unknown isolation level {self.require_isolation!r}")
        self._tmp = tempfile.mkdtemp(prefix="autograder-pool-")
        os.chmod(self._tmp, 0o711)
        try:
            self._command = self._worker_command(self._tmp)
        except (OSError, subprocess.SubprocessError, ValueError) as exc:
            self.close()
            raise SandboxError(f"cannot run {self.python!r}: {exc}") from exc
        self._starts = [1] * self.size
        with self._closed_on_failure():
            for slot in range(self.size):
                self._workers.append(self._spawn(slot))
        self._booting = True

    def _await_ready(self) -> None:
        self._wait_for_ready_lines()
        if self.preamble and not self._refused and not any(w.state == "idle" for w in self._workers):
            # The warm-up is optional, grading is not: start again without the release's cells.
            self.notes.append(f"{PREAMBLE_GIVEN_UP} ({self._start_failures()})")
            self.close()
            self.preamble = ()
            self.spawn()
            self._wait_for_ready_lines()
        if self._refused:
            self.close()
            raise SandboxError(f"the sandbox refuses to grade: {self._refused}")
        if not any(w.state == "idle" for w in self._workers):
            details = self._start_failures()
            self.close()
            raise SandboxError(f"no sandbox worker started: {details}")
        achieved = self.isolation["level"]
        if ISOLATION_LEVELS.index(achieved) < ISOLATION_LEVELS.index(self.require_isolation):
            reason = self.isolation.get("reason", "")
            self.close()
            raise SandboxError(f"sandbox isolation is {achieved!r} ({reason}); "
                               f"{self.require_isolation!r} was required")

    def _wait_for_ready_lines(self) -> None:
        self._booting = False
        with self._closed_on_failure():
            while any(w.state == "starting" for w in self._workers) and not self._refused:
                self._pump(restart=False)

    def _start_failures(self) -> str:
        """Why the workers did not start, each reason once."""
        return "; ".join(dict.fromkeys(" ".join((w.failure, w.stderr_text()[-500:])).strip() for w in self._workers))

    @contextmanager
    def _closed_on_failure(self) -> Iterator[None]:
        """While workers start, any failure closes the pool; an OS error says which step failed."""
        try:
            yield
        except OSError as exc:
            self.close()
            raise SandboxError(f"cannot start a sandbox worker: {exc}") from exc
        except BaseException:
            self.close()
            raise

    @property
    def isolation(self) -> dict[str, Any]:
        """The weakest isolation report among the ready workers."""
        reports = [w.ready["isolation"] for w in self._workers if w.ready]
        if not reports:
            return dict(_NOT_STARTED)
        weakest = min(reports, key=lambda r: ISOLATION_LEVELS.index(r.get("level", "none")))
        return {**weakest, "workers": len(reports)}

    def close(self) -> None:
        """Ask idle workers to exit (EOF), kill busy ones at once (an interrupted batch stops within a
        second), then kill whatever is left; remove private dirs."""
        for worker in self._workers:
            if worker.state in ("busy", "starting"):
                worker.kill()
            elif worker.state != "dead":
                try:
                    worker.stdin.close()
                except OSError:
                    pass
        end = time.monotonic() + 2.0
        for worker in self._workers:
            if worker.state != "dead":
                try:
                    worker.proc.wait(max(0.0, end - time.monotonic()))
                except subprocess.TimeoutExpired:
                    pass
                worker.kill()
        self._workers = []
        if self._tmp:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def _worker_command(self, folder: str) -> list[str]:
        flags = ["-s"] + (["-P"] if self._python_version() >= (3, 11) else [])
        command = [self.python, *flags, "-m", WORKER_MODULE, "--preload", ",".join(self.preload)]
        if self.max_isolation != "namespaces":
            command += ["--max-isolation", self.max_isolation]
        if self.allow_unreadable_python:
            command.append("--allow-unreadable-python")
        if not self.warm:
            command.append("--no-warm")
        elif self.preamble:
            path = os.path.join(folder, "preamble.json")
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as f:
                f.write(wire.dumps({"cells": list(self.preamble)}))
            command += ["--preamble", path]
        return command

    def _python_version(self) -> tuple[int, int]:
        if self.python == sys.executable:
            return sys.version_info[:2]
        out = subprocess.run([self.python, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        major, minor = out.split()
        return int(major), int(minor)

    def _spawn(self, slot: int) -> _Worker:
        assert self._tmp is not None
        home, cwd = (os.path.join(self._tmp, f"{kind}-{slot}") for kind in ("home", "cwd"))
        for path in (home, cwd):
            shutil.rmtree(path, ignore_errors=True)
            os.mkdir(path, 0o700)  # cwd stays empty: nothing there can shadow a module
        os.chmod(home, 0o711)  # scratch dirs inside must be reachable by a dropped uid
        # TMPDIR: the worker's scratch and mount points vanish with the pool, even after a kill.
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "MPLBACKEND": "Agg",
               "MPLCONFIGDIR": private_folder(self.font_cache) or home,
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONHASHSEED": "0", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        return _Worker(slot, [*self._command, "--slot", str(slot)], env, cwd)

    # ------------------------------------------------------------ running jobs

    def run(self, job: dict[str, Any]) -> RawRun:
        """Run one job and return its reply."""
        for _, run in self.run_many([job]):
            return run
        raise SandboxError("the pool returned no result")  # unreachable: run_many yields once

    def run_many(self, jobs: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], RawRun]]:
        """Run jobs on all workers; yield (job, run) pairs in completion order."""
        if not self._workers:
            raise SandboxError("the pool is not started")
        if self._booting:
            self._await_ready()
        owner, source, exhausted = object(), iter(jobs), False
        inbox = self._inboxes[owner] = deque()  # nested calls keep each other's results apart
        retries = self._retries[owner] = deque()
        try:
            while True:
                exhausted = self._assign(source, owner, inbox) or exhausted
                while inbox:
                    yield inbox.popleft()
                if exhausted and not retries and not any(w.owner is owner for w in self._workers):
                    return
                if all(w.state == "dead" for w in self._workers):
                    for job in [*retries, *source]:  # nothing can run them; say so, job by job
                        yield job, failed_run(_job_id(job), wire.Ending.WORKER_FAILED,
                                              "[sandbox] no worker could be (re)started",
                                              self.isolation)
                    return
                self._pump(restart=True)
        finally:
            del self._inboxes[owner], self._retries[owner]
            for worker in self._workers:
                if worker.owner is owner:
                    worker.owner = None  # an abandoned job's late reply is read and dropped

    def _assign(self, source: Iterator[dict[str, Any]], owner: object,
                immediate: deque[tuple[dict[str, Any], RawRun]]) -> bool:
        """Give each idle worker a job (lost ones first); True once the source is exhausted."""
        retries = self._retries[owner]
        for worker in self._workers:
            while worker.state == "idle":
                job = retries.popleft() if retries else next(source, None)
                if job is None:
                    return True
                prepared = self._prepare(job)
                if isinstance(prepared, RawRun):
                    immediate.append((job, prepared))
                else:
                    worker.send(job, *prepared, owner=owner)
        return False

    def _prepare(self, job: dict[str, Any]) -> tuple[bytes, float, int] | RawRun:
        """(line, wall seconds, reply cap) for a job, or a RawRun saying why it cannot run."""
        if not isinstance(job, dict) or not isinstance(job.get("job_id"), str):
            return failed_run(_job_id(job), wire.Ending.START_FAILED, "[sandbox] a job needs a str job_id",
                              self.isolation)
        job.setdefault("wire", wire.WIRE_VERSION)
        job.setdefault("limits", self.limits.as_wire())
        try:
            limits = {**self.limits.as_wire(), **job["limits"]}
            wall = float(limits["wall_seconds"])
            cap = 6 * (int(limits["record_bytes"]) + int(limits["output_bytes"])) + (1 << 20)
            return wire.dumps(job), wall, cap
        except (TypeError, ValueError) as exc:
            return failed_run(job["job_id"], wire.Ending.START_FAILED,
                              f"[sandbox] the job cannot be sent: {exc}", self.isolation)

    # ------------------------------------------------------------ the event loop

    def _pump(self, restart: bool) -> None:
        """Wait for one round of pipe events; deliver finished jobs to their callers."""
        live = [w for w in self._workers if w.state != "dead"]
        deadlines = [w.deadline for w in live if w.state in ("starting", "busy")]
        timeout = max(0.0, min(deadlines) - time.monotonic()) if deadlines else 1.0
        with selectors.DefaultSelector() as sel:
            for w in live:
                sel.register(w.stdout, selectors.EVENT_READ, (w, "out"))
                if w.err_open:
                    sel.register(w.stderr, selectors.EVENT_READ, (w, "err"))
                if w.outbuf:
                    sel.register(w.stdin, selectors.EVENT_WRITE, (w, "in"))
            events = sel.select(timeout)
        for key, _ in events:
            worker, kind = key.data
            if worker.state != "dead":
                self._on_event(worker, kind, restart)
        now = time.monotonic()
        for worker in live:
            if worker.state in ("starting", "busy") and now > worker.deadline:
                what = "did not start" if worker.state == "starting" else "did not answer"
                self._fail(worker, f"{what} in time", restart)

    def _on_event(self, worker: _Worker, kind: str, restart: bool) -> None:
        try:
            if kind == "in":
                del worker.outbuf[:os.write(worker.stdin.fileno(), worker.outbuf[:1 << 20])]
            elif kind == "err":
                data = os.read(worker.stderr.fileno(), 65536)
                worker.err_open = bool(data)
                worker.errtail = (worker.errtail + data)[-STDERR_TAIL:]
            else:
                data = os.read(worker.stdout.fileno(), 1 << 20)
                if not data:
                    self._fail(worker, f"worker exited (status {_exit_status(worker.proc)})", restart)
                else:
                    self._feed(worker, data, restart)
        except BlockingIOError:
            pass
        except OSError as exc:
            self._fail(worker, f"pipe error: {exc}", restart)

    def _feed(self, worker: _Worker, data: bytes, restart: bool) -> None:
        """Split stdout into lines without rescanning what was already searched."""
        start = len(worker.inbuf)
        worker.inbuf += data
        end = worker.inbuf.find(b"\n", start)
        while end != -1 and worker.state != "dead":
            line = bytes(worker.inbuf[:end])
            del worker.inbuf[:end + 1]
            self._on_line(worker, line, restart)
            end = worker.inbuf.find(b"\n")
        if len(worker.inbuf) > worker.max_reply and worker.state != "dead":
            self._fail(worker, "reply line exceeds its size limit", restart)

    def _on_line(self, worker: _Worker, line: bytes, restart: bool) -> None:
        if worker.state == "starting":
            try:
                ready = wire.loads(line, 1 << 20)
                if ready.get("ready") is False and isinstance(ready.get("refused"), str):
                    self._refused = ready["refused"][:2000]
                    worker.kill()
                    return
                isolation = ready.get("isolation")
                if ready.get("ready") is not True or not isinstance(isolation, dict) \
                        or isolation.get("level") not in ISOLATION_LEVELS:
                    raise ValueError("not a ready line")
            except ValueError as exc:
                self._fail(worker, f"bad ready line: {exc}", restart)
                return
            worker.ready, worker.state = ready, "idle"
            self._starts[worker.slot] = 0
        elif worker.state == "busy" and worker.job is not None:
            try:
                run = parse_reply(line, worker.job["job_id"], worker.max_reply)
            except ValueError as exc:
                self._fail(worker, f"malformed reply: {exc}", restart)
                return
            self._deliver(worker.job, run, worker.owner)
            worker.state, worker.job, worker.owner = "idle", None, None
        else:
            self._fail(worker, "output while idle", restart)

    def _deliver(self, job: dict[str, Any], run: RawRun, owner: object | None) -> None:
        lost = self._lost.pop(run.job_id, None)
        if lost is not None:  # the time of the lost attempt is part of this job's time
            run = replace(run, wall_seconds=round(run.wall_seconds + lost[0], 4), retried=lost[1])
        inbox = self._inboxes.get(owner)
        if inbox is not None:
            inbox.append((job, run))

    def _fail(self, worker: _Worker, why: str, restart: bool) -> None:
        """Kill a broken worker, fail its job, and start a replacement if allowed."""
        job, owner = worker.job, worker.owner
        worker.kill()
        worker.failure = why
        tail = worker.stderr_text()[-2000:]
        message = f"[sandbox] worker {worker.slot} failed: {why}"
        if tail:
            message += f"\nworker stderr (last lines):\n{tail}"
        elapsed = time.monotonic() - worker.sent_at
        if job is not None and job["job_id"] not in self._lost and owner in self._retries:
            self._lost[job["job_id"]] = (elapsed, message.splitlines()[0])
            self._retries[owner].append(job)
        elif job is not None:
            self._deliver(job, failed_run(job["job_id"], wire.Ending.WORKER_FAILED, message + " (twice)",
                                          self.isolation, elapsed), owner)
        if restart and self._starts[worker.slot] < MAX_STARTS:
            self._starts[worker.slot] += 1
            self._workers[self._workers.index(worker)] = self._spawn(worker.slot)


def _exit_status(proc: subprocess.Popen[bytes]) -> str:
    """The status of a worker whose output just closed: it is exiting, but may not be reaped yet."""
    try:
        return str(proc.wait(0.5))
    except subprocess.TimeoutExpired:
        return "unknown: it closed its output but still runs"


def _job_id(job: Any) -> str:
    value = job.get("job_id") if isinstance(job, dict) else None
    return value if isinstance(value, str) else ""

