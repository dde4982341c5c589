"""The warm worker: ``python -s -P -m autograder.sandbox --preload ... --slot N``.

It imports the heavy modules once, forks a *zygote* (``zygote.py``), probes which
isolation level works, prints one ready line, then answers one job line (stdin)
with one reply line (stdout) until EOF. The zygote forks every job; it never
receives job data, so no job can find an earlier one's code, inputs or answers
in its memory: the reference solution's run included. This process sends each
job its envelope and watches it through a ``Monitor`` (``monitor.py``): deadline,
output and record caps, clean-up. Nothing a job does may crash or block it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import traceback
from typing import Any, BinaryIO

from autograder.sandbox import confine, execute, probe
from autograder.sandbox.libc import prctl
from autograder.sandbox.monitor import Monitor
from autograder.sandbox.preamble import run_preamble
from autograder.sandbox.zygote import Zygote, ZygoteLost, quiet
from source_lib import wire

MAX_JOB_BYTES = 512 * 1024 * 1024


class Worker:
    """Runs jobs through the zygote and reports what happened."""

    def __init__(self, slot: int, zygote: Zygote) -> None:
        self.slot, self.zygote = slot, zygote
        self.plan: confine.Plan = next(iter(zygote.plans.values()))
        self.isolation: dict[str, Any] = {}

    def run(self, job: dict[str, Any]) -> wire.Reply:
        """The reply for one job (the envelope adds limits and a scratch dir)."""
        limits = probe.job_limits(job, wire.DEFAULT_LIMITS)
        isolation = {**self.isolation, "limits": {**self.isolation["limits"], **limits}}
        return self.run_envelope({"kind": "job", "limits": limits, "job": job}, job["job_id"], isolation)

    def run_envelope(self, envelope: dict[str, Any], job_id: str = "",
                     isolation: dict[str, Any] | None = None) -> wire.Reply:
        scratch = None
        if self.plan.level == "process":
            scratch = envelope["scratch"] = tempfile.mkdtemp(prefix=f"sbx-{self.slot}-")
            if self.plan.switch_uid:
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
            monitor = Monitor(child, self.plan, envelope["limits"], self.zygote, questions)
            return monitor.wait(job_id, isolation or {})
        finally:
            if scratch:
                remove_tree(scratch)

    def choose_isolation(self, reason: str) -> None:
        """Use namespaces if planned and the self check passes, else level "process"."""
        for level in ("namespaces", "process"):
            if level not in self.zygote.plans:
                continue
            self.plan = self.zygote.plans[level]
            if self.plan.refused:
                raise Refused(self.plan.refused)
            facts, why = self._trial()
            if facts is not None and facts.get("uid") != 0 and (level == "process" or facts.get("pid") == 1):
                self.isolation = probe.isolation_report(self.plan, facts, reason)
                return
            reason = f"{level} unavailable: {why or 'self check failed'}"
        raise RuntimeError(f"no confined job could run: {reason}")

    def _trial(self) -> tuple[dict[str, Any] | None, str]:
        limits = {**wire.DEFAULT_LIMITS, "wall_seconds": 20.0}
        try:
            result = self.run_envelope({"kind": "self_check", "limits": limits})
        except OSError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        if result["ended"] != wire.Ending.EXITED or result["exit_code"] != 0 or not result["records"]:
            return None, (result["output"].strip() or result["ended"])[-300:]
        try:
            return wire.loads(result["records"][0], 1 << 20), ""
        except ValueError as exc:
            return None, str(exc)


# Standard modules notebooks and numpy import lazily (default_rng needs secrets, sockets idna),
# preloaded when jobs may not be able to read the installation (--allow-unreadable-python).
STANDARD_MODULES = ("secrets", "random", "statistics", "fractions", "decimal", "csv", "datetime",
                    "copy", "pprint", "textwrap", "string", "itertools", "functools", "collections",
                    "dataclasses", "encodings.idna", "numpy.random", "numpy.linalg", "sympy.abc")


class Refused(Exception):
    """The only isolation level possible here would be unsafe; the message says what to do."""


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
            quiet(os.chmod, f"/proc/self/fd/{fd}", 0o700)
            os.close(fd)
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------- startup and loop

def read_cells(path: str) -> list[str]:
    """The set-up cells the pool wrote for this worker."""
    with open(path, "rb") as f:
        cells = wire.loads(f.read(), MAX_JOB_BYTES).get("cells")
    return [c for c in cells if isinstance(c, str)] if isinstance(cells, list) else []


def claim_protocol() -> tuple[BinaryIO, int]:
    """Move the protocol off fds 0/1 so stray prints (ours or a library's) cannot corrupt it."""
    proto_in, proto_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.dup2(2, 1)
    return os.fdopen(proto_in, "rb", buffering=1 << 16), proto_out


def serve(worker: Worker, reader: BinaryIO, out: int) -> None:
    while line := reader.readline(MAX_JOB_BYTES):
        job_id = ""
        try:
            job = wire.loads(line, MAX_JOB_BYTES)
            job_id = job["job_id"] if isinstance(job.get("job_id"), str) else ""
            probe.check_job(job)
            reply = worker.run(job)
        except Exception as exc:  # noqa: BLE001 - a bad job or our bug: answer, keep serving
            reply = wire.failed_reply(job_id, wire.Ending.START_FAILED,
                                      f"[sandbox] {exc}\n{traceback.format_exc()}", worker.isolation)
            if isinstance(exc, ZygoteLost):
                _write_all(out, wire.dumps(reply))
                raise  # the pool sees the exit and starts a fresh worker
        _write_all(out, wire.dumps(reply))


def make_plans(args: argparse.Namespace, mountpoint: str) -> tuple[dict[str, confine.Plan], str]:
    """Plans per level, made before any unshare; enter the pid namespace the zygote will own."""
    def plan(level: str) -> confine.Plan:
        return confine.make_plan(level, args.slot, mountpoint,
                                 allow_unreadable=args.allow_unreadable_python)

    if args.max_isolation != "namespaces":
        return {"process": plan("process")}, f"capped at {args.max_isolation} by the caller"
    plans = {level: plan(level) for level in ("namespaces", "process")}
    try:
        confine.enter_pid_namespace(plans["namespaces"].userns)  # the zygote is its PID 1
    except OSError as exc:
        return {"process": plans["process"]}, f"namespaces unavailable: {exc}"
    return plans, ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.sandbox")
    parser.add_argument("--preload", default="numpy,sympy,matplotlib.pyplot,source_lib",
                        help="modules to import once, comma-separated (the pool sends its own list)")
    parser.add_argument("--slot", type=int, default=0)
    parser.add_argument("--max-isolation", choices=("namespaces", "process"), default="namespaces")
    parser.add_argument("--allow-unreadable-python", action="store_true",
                        help="at level process as root: run jobs even if their uid cannot read "
                             "the Python installation (preloaded modules only)")
    parser.add_argument("--preamble", help="a JSON file of the release's set-up cells, run once before "
                        "the zygote forks (the pool writes it)")
    parser.add_argument("--no-warm", action="store_true", help="skip exercising the preloaded libraries "
                        "(for a single job, where it costs more than it saves)")
    args = parser.parse_args(argv)
    reader, out = claim_protocol()
    cwd = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", cwd)]  # -P is missing before 3.11
    names = [n for n in args.preload.split(",") if n]
    if args.allow_unreadable_python:  # jobs may then import nothing else: take what notebooks use
        names += [n for n in STANDARD_MODULES if n not in names]
    loaded, missing = execute.preload(names)
    execute.warm(libraries=not args.no_warm)
    mountpoint = tempfile.mkdtemp(prefix=f"sbx-root-{args.slot}-")
    plans, reason = make_plans(args, mountpoint)
    # After the plans: what a job's root shows follows the worker's own imports, never the preamble's.
    preamble = run_preamble(read_cells(args.preamble)) if args.preamble and not args.no_warm else 0
    prctl(confine.PR_SET_DUMPABLE, 0)  # inherited by the zygote: no ptrace by a job
    try:
        worker = Worker(args.slot, Zygote(plans))
        worker.choose_isolation(reason)
        _write_all(out, wire.dumps({
            "ready": True, "isolation": worker.isolation, "versions": execute.versions(),
            "preload": {"loaded": loaded, "missing": missing, "preamble_cells": preamble}, "slot": args.slot,
            "pid": os.getpid()}))
        serve(worker, reader, out)
    except Refused as exc:
        _write_all(out, wire.dumps({"ready": False, "refused": str(exc)}))
        return 3
    except BrokenPipeError:
        pass  # the pool went away
    except ZygoteLost:
        return 1
    finally:
        quiet(os.rmdir, mountpoint)
    return 0


if __name__ == "__main__":
    status = main()
    sys.stderr.flush()
    os._exit(status)  # skip interpreter teardown: nothing is buffered, and closing is faster
