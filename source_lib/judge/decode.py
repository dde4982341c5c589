"""Turn what the sandbox sent back into typed observations, trusting none of it.

Every record is re-parsed with size caps and a closed schema. A record that
breaks the schema, or a second record for the same probe, makes that probe
"malformed" (it fails closed) instead of stopping the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from source_lib import wire
from source_lib.errors import WireError
from source_lib.judge import codec
from source_lib.judge.results import CellError, Status

MAX_RECORD_BYTES = 2 * 1024 * 1024

Key = tuple[str | None, str, str]


@dataclass(frozen=True)
class ErrorInfo:
    type: str
    message: str


@dataclass(frozen=True)
class Call:
    """One call of a student function. status: returned, raised, missing, absent or malformed."""

    status: str
    value: codec.Value | None = None
    error: ErrorInfo | None = None
    args_after: tuple[codec.Value, ...] = ()
    warnings: tuple[str, ...] = ()  # "Category: message" of each warning the call raised


@dataclass(frozen=True)
class Lookup:
    """One named value. status: found, missing, absent or malformed."""

    status: str
    value: codec.Value | None = None


@dataclass(frozen=True)
class Observations:
    """Everything one run reported, keyed by (variant, question, case)."""

    calls: dict[Key, Call] = field(default_factory=dict)
    lookups: dict[tuple[str | None, str], Lookup] = field(default_factory=dict)
    cell_errors: tuple[CellError, ...] = ()
    last_cell: int | None = None
    done: bool = False
    compute_seconds: float = 0.0
    problems: tuple[str, ...] = ()

    def call(self, question: str, case: str, variant: str | None = None) -> Call:
        return self.calls.get((variant, question, case), Call("absent"))

    def lookup(self, question: str, variant: str | None = None) -> Lookup:
        return self.lookups.get((variant, question), Lookup("absent"))


def observe(records: tuple[str, ...]) -> Observations:
    """Decode a run's record lines; never raises on bad input."""
    state = _State()
    for line in records:
        if not line.strip():
            continue
        try:
            state.add(wire.loads(line, MAX_RECORD_BYTES))
        except (ValueError, TypeError, KeyError, OverflowError, WireError, RecursionError) as exc:
            state.problems.append(f"ignored a malformed record: {str(exc)[:120]}")
    return state.freeze()


class _State:
    def __init__(self) -> None:
        self.calls: dict[Key, Call] = {}
        self.lookups: dict[tuple[str | None, str], Lookup] = {}
        self.cell_errors: list[CellError] = []
        self.seen: set[tuple[Any, ...]] = set()
        self.last_cell: int | None = None
        self.done = False
        self.compute_seconds = 0.0
        self.problems: list[str] = []

    def add(self, record: dict[str, Any]) -> None:
        kind = record.get("r")
        if kind == "cell":
            self._cell(record)
        elif kind == "call":
            self._call(record)
        elif kind == "value":
            self._value(record)
        elif kind == "cells_done":
            pass  # the sandbox's own marker: questions were sent only after it
        elif kind == "done" and not self.done:
            self.done = True
            seconds = record.get("compute_seconds")
            valid = isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and 0 <= seconds < 1e9
            self.compute_seconds = float(seconds) if valid and seconds is not None else 0.0
        else:
            raise WireError(f"unknown or repeated record kind {str(kind)[:20]!r}")

    def _cell(self, record: dict[str, Any]) -> None:
        index = _int(record, "index")
        if record.get("variant") is not None:
            return
        if record.get("status") == "error":
            found = record.get("error")
            error: dict[str, Any] = found if isinstance(found, dict) else {}
            self.cell_errors.append(CellError(index, _text(error, "type", 80), _text(error, "message", 500),
                                              error.get("line") if isinstance(error.get("line"), int) else None))
        self.last_cell = index

    def _call(self, record: dict[str, Any]) -> None:
        key = (_variant(record), _text(record, "question", 100), _text(record, "case", 100))
        if self._duplicate(("call",) + key):
            self.calls[key] = Call("malformed")
            return
        self.calls[key] = Call("malformed")  # until the whole record has been read
        status = record.get("status")
        if status not in ("returned", "raised", "missing"):
            raise WireError("bad call status")
        value = codec.decode(record.get("value")) if status == "returned" else None
        error = _error(record.get("error")) if status == "raised" else None
        after = record.get("args_after") or []
        if not isinstance(after, list):
            raise WireError("args_after must be a list")
        warned = record.get("warnings") or []
        if not isinstance(warned, list) or not all(isinstance(w, str) for w in warned):
            raise WireError("warnings must be a list of texts")
        self.calls[key] = Call(status, value, error, tuple(codec.decode(a) for a in after),
                               tuple(w[:200] for w in warned[:5]))

    def _value(self, record: dict[str, Any]) -> None:
        key = (_variant(record), _text(record, "question", 100))
        if self._duplicate(("value",) + key):
            self.lookups[key] = Lookup("malformed")
            return
        self.lookups[key] = Lookup("malformed")  # until the value has been read
        if record.get("found") is True and record.get("value") is not None:
            self.lookups[key] = Lookup("found", codec.decode(record["value"]))
        else:
            self.lookups[key] = Lookup("missing")

    def _duplicate(self, key: tuple[Any, ...]) -> bool:
        if key in self.seen:
            self.problems.append(f"two answers for {'/'.join(str(k) for k in key[1:] if k)}; neither counts")
            return True
        self.seen.add(key)
        return False

    def freeze(self) -> Observations:
        return Observations(self.calls, self.lookups, tuple(self.cell_errors), self.last_cell,
                            self.done, self.compute_seconds, tuple(self.problems))


def _variant(record: dict[str, Any]) -> str | None:
    variant = record.get("variant")
    if variant is not None and not isinstance(variant, str):
        raise WireError("variant must be a string or null")
    return variant


def _text(record: dict[str, Any], key: str, limit: int) -> str:
    value = record.get(key, "")
    if not isinstance(value, str):
        raise WireError(f"{key} must be text")
    return value[:limit]


def _int(record: dict[str, Any], key: str) -> int:
    value = record.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise WireError(f"{key} must be an integer")
    return value


def _error(obj: Any) -> ErrorInfo:
    if not isinstance(obj, dict):
        return ErrorInfo("Exception", "")
    return ErrorInfo(_text(obj, "type", 80) or "Exception", _text(obj, "message", 500))


# ---------------------------------------------------------------- how the run ended


def run_status(ended: str, exit_code: int | None, signal: int | None,
               observed: Observations, wall_seconds: float,
               cell_name: Callable[[int], str] = lambda index: str(index + 1)) -> tuple[Status, str]:
    """The submission status and a human reason, from how the sandboxed run ended.

    ``cell_name`` turns the index of the last cell that ran into words a student can find.
    """
    last = observed.last_cell
    where = f" (last cell that ran: {cell_name(last)})" if last is not None else ""
    if ended in ("worker_failed", "start_failed"):
        return Status.GRADER_ERROR, "the grader's sandbox failed while running this notebook; please regrade"
    if ended == "timeout":
        return Status.TIMEOUT, (f"the notebook did not finish within the time limit{where}: look for an "
                                "endless loop or a very slow cell. Answers reported before the limit still count.")
    if ended == "output_limit":
        return Status.CRASHED, f"the notebook printed far too much output and was stopped{where}"
    if ended == "record_limit":
        return Status.CRASHED, f"the answers were too large to send back{where}"
    if ended == "memory":
        return Status.CRASHED, f"the notebook ran out of memory{where}"
    if ended == "signaled":
        return Status.CRASHED, f"the notebook's process was killed by signal {signal}{where} (memory or a crash)"
    if not observed.done and exit_code == wire.ANSWERS_BROKEN_EXIT:
        return Status.CRASHED, ("your answers could not be read back: a cell replaced part of Python "
                                "or NumPy (for example a built-in such as isinstance or float); remove that")
    if not observed.done:
        return Status.CRASHED, (f"the notebook ended its own process before grading finished{where}: "
                                "remove calls such as os._exit() or exit() from your cells")
    return Status.GRADED, ""
