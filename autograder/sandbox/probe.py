"""Ask the executed notebook for answers: read named values, call named functions.

Every record is written to the record pipe as soon as it exists, so a later
hang or crash keeps the answers already given. Arguments are decoded afresh for
each call, and re-exported after it (``args_after``) so the trusted side can
see whether a function mutated its inputs.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from autograder.sandbox import landlock
from autograder.sandbox.confine import JOB_FD, Plan, read_line
from autograder.sandbox.execute import Notebook, adopt_stdio, error_info
from source_lib import wire
from source_lib.export import from_wire, recorded_warnings, seed_global_random, seeded_global_random, to_wire


class _CallTimeout(BaseException):
    """Raised by the soft per-call timer; reported as type ``CallTimeout``."""


class RecordWriter:
    """Writes one JSON record per line to a pipe, completely, right away."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, record: Mapping[str, Any]) -> None:
        data = memoryview(wire.dumps(record))
        while data:
            written = os.write(self.fd, data)
            data = data[written:]


def job_limits(job: dict[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The job's limits, completed from ``defaults`` and checked to be positive numbers."""
    limits = dict(defaults)
    given = job.get("limits") or {}
    for key in defaults:
        value = given.get(key, limits[key])
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise ValueError(f"limit {key} must be a positive number")
        limits[key] = value
    return limits


def check_job(job: dict[str, Any]) -> None:
    """Shape checks, so a malformed job fails here and not inside the sandbox."""
    if not isinstance(job.get("job_id"), str):
        raise ValueError("job_id must be a string")
    if job.get("wire", wire.WIRE_VERSION) != wire.WIRE_VERSION:
        raise ValueError(f"unsupported wire version {job.get('wire')!r}")
    for key in ("cells", "probes", "variants"):
        if not isinstance(job.get(key, []), list):
            raise ValueError(f"{key} must be a list")
    for cell in job.get("cells", []):
        if not (isinstance(cell, dict) and isinstance(cell.get("index"), int)
                and isinstance(cell.get("source"), str)):
            raise ValueError("each cell needs an int index and a str source")


def run_payload(envelope: dict[str, Any], record_fd: int) -> None:
    """Entry point of a confined job process (see ``confine.spawn``)."""
    adopt_stdio()
    writer = RecordWriter(record_fd)
    if envelope.get("kind") == "self_check":
        writer.write(self_check())
    else:
        run_job(envelope["job"], writer, float(envelope["limits"]["call_seconds"]), read_questions)


def self_check() -> dict[str, Any]:
    """What a confined process sees: the worker's startup probe checks this."""
    try:
        root = sorted(os.listdir("/"))[:50]
    except OSError:  # Landlock at level "process": the host's root is not listable
        root = []
    return {"r": "self_check", "pid": os.getpid(), "uid": os.getuid(), "euid": os.geteuid(),
            "network": _network_state(), "root": root, "cwd": os.getcwd()}


def isolation_report(plan: Plan, facts: dict[str, Any], reason: str) -> dict[str, Any]:
    """The isolation report attached to the ready line and every reply."""
    namespaces = plan.level == "namespaces"
    user = f"uid {facts.get('uid', plan.uid)}"
    if plan.switch_uid:
        user += " (dropped from root)"
    elif plan.userns:
        user += " (the worker's, in a user namespace, no capabilities)"
    else:
        user += " (the worker's own)"
    if plan.preloaded_only:
        user += (f"; it cannot read {', '.join(plan.unreadable[:3])}, so only modules the "
                 "worker preloaded can be imported (allowed by --allow-unreadable-python)")
    network = {"unreachable": "none", "denied": "no TCP (Landlock)"}.get(facts.get("network", ""), "loopback")
    kill = "pid namespace" if namespaces else "process group, then orphans (subreaper)"
    return {
        "level": plan.level,
        "uid": facts.get("uid", plan.uid),
        "network": network if namespaces or plan.landlock >= 4 else "host",
        "pid_namespace": namespaces and facts.get("pid") == 1,
        "filesystem": "private read-only root, tmpfs /tmp" if namespaces
        else landlock.describe(plan.landlock) if plan.landlock else "host (uid permissions only)",
        "landlock_abi": plan.landlock,
        "user": user,
        "imports": "preloaded only" if plan.preloaded_only else "all installed",
        "limits": {"rlimits": "AS CPU FSIZE NOFILE NPROC CORE",
                   "nproc_enforced": plan.uid != 0,
                   "scratch": "tmpfs /tmp" if namespaces else "temp dir (FSIZE per file only)",
                   "kill": kill},
        "reason": reason,
    }


def _network_state() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(("127.0.0.1", 9))
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EPERM):
                return "denied"
            return "unreachable" if exc.errno == errno.ENETUNREACH else "loopback"
    return "loopback"


def run_job(job: dict[str, Any], writer: RecordWriter, call_seconds: float,
            questions: Callable[[], dict[str, Any]]) -> None:
    """Cells, then (fetched only now) probes and variants, then the ``done`` record."""
    start = time.perf_counter()
    seed_global_random()
    notebook = Notebook()
    for cell in job.get("cells", []):
        writer.write(notebook.run_cell(int(cell["index"]), str(cell["source"])))
    writer.write({"r": "cells_done"})
    asked = questions()
    run_probes(notebook.ns, asked.get("probes", []), writer, call_seconds, None)
    for variant in asked.get("variants", []):
        run_variant(notebook, variant, writer, call_seconds)
    writer.write({"r": "done", "compute_seconds": round(time.perf_counter() - start, 6)})


def read_questions() -> dict[str, Any]:
    """The probes and variants, sent by the worker once the cells are over."""
    message = json.loads(read_line(JOB_FD) or b"{}")
    os.close(JOB_FD)
    return message if isinstance(message, dict) else {}


def run_variant(notebook: Notebook, variant: dict[str, Any], writer: RecordWriter,
                call_seconds: float) -> None:
    """Re-run one cell in a shallow copy of the namespace, then probe the copy."""
    variant_id = str(variant["id"])
    copy = notebook.fork()
    try:
        record = copy.run_cell(int(variant["cell_index"]), str(variant["source"]))
        if record["status"] == "error":
            writer.write({**record, "variant": variant_id})
        run_probes(copy.ns, variant.get("probes", []), writer, call_seconds, variant_id)
    finally:
        notebook.activate()


def run_probes(ns: dict[str, Any], probes: Iterable[dict[str, Any]], writer: RecordWriter,
               call_seconds: float, variant: str | None) -> None:
    for probe in probes:
        if probe.get("kind") == "value":
            writer.write(_value_record(ns, probe, variant))
        elif probe.get("kind") == "call":
            for record in _call_records(ns, probe, variant, call_seconds):
                writer.write(record)


def _value_record(ns: dict[str, Any], probe: dict[str, Any], variant: str | None) -> dict[str, Any]:
    name = str(probe["name"])
    found = name in ns
    return {"r": "value", "variant": variant, "question": str(probe["question"]),
            "found": found, "value": to_wire(ns[name]) if found else None}


CallOutcome = tuple[wire.CallStatus, wire.WireValue | None, wire.Error | None, list[wire.WireValue], list[str]]


def _call_records(ns: dict[str, Any], probe: dict[str, Any], variant: str | None,
                  call_seconds: float) -> Iterable[wire.CallRecord]:
    fn = ns.get(str(probe["name"]))
    for case in probe.get("cases", []):
        status, value, error, after, warned = (_call_case(fn, case.get("args", []), call_seconds)
                                               if fn is not None and callable(fn)
                                               else (wire.CallStatus.MISSING, None, None, [], []))
        yield {"r": "call", "variant": variant, "question": str(probe["question"]), "case": str(case["id"]),
               "status": status.value, "value": value, "error": error, "args_after": after, "warnings": warned}


def _call_case(fn: Callable[..., Any], wire_args: list[Any], call_seconds: float) -> CallOutcome:
    try:
        args = [from_wire(arg) for arg in wire_args]  # fresh objects for every call
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        return wire.CallStatus.RAISED, None, {"type": "ArgumentError", "message": str(exc)[:500],
                                             "cell": None, "line": None}, [], []
    try:
        with recorded_warnings() as warned, seeded_global_random():
            value = _timed_call(fn, args, call_seconds)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and the soft timeout included
        error = error_info(exc, None)
        if isinstance(exc, _CallTimeout):
            error["type"] = "CallTimeout"
        return wire.CallStatus.RAISED, None, error, [to_wire(arg) for arg in args], []
    return wire.CallStatus.RETURNED, to_wire(value), None, [to_wire(arg) for arg in args], warned


def _timed_call(fn: Callable[..., Any], args: list[Any], seconds: float) -> Any:
    """Call with a soft SIGALRM timer; the worker's wall-clock kill stays the hard limit."""
    def on_alarm(signum: int, frame: Any) -> None:
        raise _CallTimeout(f"call did not return within {seconds:g} s")

    # Reinstalled for every call: a cell may have replaced or ignored SIGALRM.
    signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
