"""The only contract shared by the sandbox (child) and the trusted side.

Stdlib only, so the child can import it without loading the judge. Every
message is one JSON object on one line. The shapes are defined here, once, as
TypedDicts (``Job``, the ``Record`` kinds, ``Reply``) with enums for statuses;
values travel as tagged objects from a closed set, and anything else a student
returns becomes ``{"t": "other"}``.

Job (trusted -> sandbox worker): ``Job``. The worker sends the job process the
cells first, and only once the cells are over (the ``cells_done`` record) the
probes and variants with their inputs: code run by the cells never holds them,
and the worker keeps no printed output after that point.

Records (student process -> worker), one per line, in this order: ``CellRecord``
per cell, ``CellsDone``, then ``ValueRecord`` / ``CallRecord`` per probe, ``DoneRecord``.

Reply (worker -> trusted side), one line per job: ``Reply``.

Value tags::

    {"t": "none"} | {"t": "bool", "v": bool}
    {"t": "int", "v": "<decimal digits>", "type": str}
    {"t": "float", "v": "<float.hex()>", "type": str}
    {"t": "str", "v": str}
    {"t": "array", "dtype": str, "shape": [int], "data": "<base64, little endian>", "type": str}
    {"t": "seq", "kind": "tuple" | "list", "items": [Value]}
    {"t": "dict", "items": [[str, Value]]}        (string keys, in order)
    {"t": "rng", "seed": "<decimal digits>"}       (a job argument only: numpy.random.default_rng(seed))
    {"t": "expr", "src": "<sympy sstr>"}
    {"t": "other", "type": str}
"""

from __future__ import annotations

import base64
import json
import math
import resource
from collections.abc import Mapping
from enum import Enum
from typing import Any, Final, Literal, TypedDict

WIRE_VERSION = 1

WireValue = dict[str, Any]  # one tagged value (see the table above)

VALUE_TAGS = frozenset({"none", "bool", "int", "float", "str", "array", "seq", "dict", "rng", "expr", "other"})
ARRAY_DTYPES = frozenset(
    {"bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
     "float16", "float32", "float64"}
)
ITEM_SIZES = {"bool": 1, "int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "float16": 2,
              "int32": 4, "uint32": 4, "float32": 4, "int64": 8, "uint64": 8, "float64": 8}

MAX_ARRAY_ELEMENTS = 1_000_000
MAX_INT_DIGITS = 300
MAX_STR_CHARS = 20_000
MAX_DEPTH = 8
MAX_SEQ_ITEMS = 10_000
MAX_DICT_KEYS = 256
MAX_KEY_CHARS = 100
MIB = 1024 * 1024

# Exit code of a student process whose own grading code failed after the cells ran (for
# example because a cell replaced a built-in such as isinstance): answers could not be sent.
ANSWERS_BROKEN_EXIT = 120


class Ending(str, Enum):
    """How a job's run ended, as the worker saw it."""

    EXITED = "exited"
    SIGNALED = "signaled"
    TIMEOUT = "timeout"
    OUTPUT_LIMIT = "output_limit"
    RECORD_LIMIT = "record_limit"
    MEMORY = "memory"
    START_FAILED = "start_failed"
    WORKER_FAILED = "worker_failed"  # said by the trusted pool only, never by a worker


class CellStatus(str, Enum):
    OK = "ok"
    ERROR = "error"


class CallStatus(str, Enum):
    RETURNED = "returned"
    RAISED = "raised"
    MISSING = "missing"


ENDINGS = frozenset(e.value for e in Ending)


# ---------------------------------------------------------------- limits


class Limits(TypedDict):
    """Resource limits for one run of student code."""

    wall_seconds: float    # whole notebook plus probes
    cpu_seconds: int
    memory_mb: int         # address space the student may add on top of the warm worker
    output_bytes: int      # student prints kept for the report; more is cut
    flood_bytes: int       # printing beyond this ends the run
    record_bytes: int      # answers sent back, in total
    call_seconds: float    # soft limit for one call of a student function
    scratch_mb: int        # size of the private, writable working directory
    max_processes: int


DEFAULT_LIMITS: Final[Limits] = {
    "wall_seconds": 30.0, "cpu_seconds": 30, "memory_mb": 1024, "output_bytes": 64 * 1024,
    "flood_bytes": 8 * MIB, "record_bytes": 4 * MIB, "call_seconds": 10.0, "scratch_mb": 64,
    "max_processes": 32}


def address_space_limit(extra_mb: float) -> int:
    """An RLIMIT_AS that lets this process grow by ``extra_mb`` over its present size
    (a forked child of a warm process already maps everything the parent loaded)."""
    size = 0
    with open("/proc/self/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith("VmSize:"):
                size = int(line.split()[1]) * 1024
    limit = size + int(extra_mb * MIB)
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    return limit if hard == resource.RLIM_INFINITY else min(limit, hard)


# ---------------------------------------------------------------- the job


class Cell(TypedDict):
    index: int
    source: str


class CallCase(TypedDict):
    id: str
    args: list[WireValue]


class CallProbe(TypedDict):
    question: str
    kind: Literal["call"]
    name: str
    cases: list[CallCase]


class ValueProbe(TypedDict):
    question: str
    kind: Literal["value"]
    name: str


Probe = CallProbe | ValueProbe


class Variant(TypedDict):
    """The solution cell ``cell_index`` with one misconception injected, re-run in a copy."""

    id: str
    cell_index: int
    source: str
    probes: list[Probe]


class Job(TypedDict):
    wire: int
    job_id: str
    cells: list[Cell]
    probes: list[Probe]
    variants: list[Variant]
    limits: Limits


# ---------------------------------------------------------------- records


class Error(TypedDict):
    type: str
    message: str
    cell: int | None
    line: int | None


class _CellRecord(TypedDict):
    r: Literal["cell"]
    index: int
    status: str            # a CellStatus value
    error: Error | None


class CellRecord(_CellRecord, total=False):
    variant: str           # only on a variant's cell that raised


class CellsDone(TypedDict):
    r: Literal["cells_done"]


class ValueRecord(TypedDict):
    r: Literal["value"]
    variant: str | None
    question: str
    found: bool
    value: WireValue | None


class CallRecord(TypedDict):
    r: Literal["call"]
    variant: str | None
    question: str
    case: str
    status: str            # a CallStatus value
    value: WireValue | None
    error: Error | None
    args_after: list[WireValue]
    warnings: list[str]    # "Category: message" of each distinct warning the call raised


class DoneRecord(TypedDict):
    r: Literal["done"]
    compute_seconds: float


Record = CellRecord | CellsDone | ValueRecord | CallRecord | DoneRecord


# ---------------------------------------------------------------- the reply


class Reply(TypedDict):
    """One job's reply: how its run ended, what it printed, the raw record lines."""

    job_id: str
    ended: str             # an Ending value
    exit_code: int | None
    signal: int | None
    wall_seconds: float
    output: str
    output_truncated: bool
    records: list[str]
    records_truncated: bool
    isolation: dict[str, Any]


# Run-time types of each Reply field (a test keeps it equal to the TypedDict's keys).
REPLY_TYPES: Final[dict[str, tuple[type, ...]]] = {
    "job_id": (str,), "ended": (str,), "exit_code": (int, type(None)), "signal": (int, type(None)),
    "wall_seconds": (int, float), "output": (str,), "output_truncated": (bool,), "records": (list,),
    "records_truncated": (bool,), "isolation": (dict,)}


def reply_problem(message: dict[str, Any]) -> str:
    """What makes ``message`` not a worker's Reply (empty when it is one)."""
    missing = [k for k in REPLY_TYPES if k not in message]
    if missing:
        return f"reply lacks {', '.join(missing)}"
    wrong = [k for k, types in REPLY_TYPES.items() if type(message[k]) not in types]
    if wrong or not all(type(r) is str for r in message["records"]):
        return f"reply fields of the wrong type: {wrong or ['records']}"
    if message["ended"] not in ENDINGS or message["ended"] == Ending.WORKER_FAILED:
        return f"unknown ending {message['ended']!r}"
    return ""


def failed_reply(job_id: str, ended: Ending, output: str, isolation: dict[str, Any],
                 wall_seconds: float = 0.0) -> Reply:
    """The reply for a job that could not run; ``output`` says why."""
    return {"job_id": job_id, "ended": ended.value, "exit_code": None, "signal": None,
            "wall_seconds": round(wall_seconds, 4), "output": output, "output_truncated": False,
            "records": [], "records_truncated": False, "isolation": dict(isolation)}


# ---------------------------------------------------------------- lines and values


def dumps(message: Mapping[str, Any]) -> bytes:
    """One message as one line of compact JSON (NaN is not allowed on the wire)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def loads(line: bytes | str, max_bytes: int) -> dict[str, Any]:
    """Parse one line into a JSON object, enforcing a size cap; raise ValueError otherwise
    (NaN and Infinity are refused too)."""
    if len(line) > max_bytes:
        raise ValueError(f"message of {len(line)} bytes exceeds the {max_bytes}-byte limit")
    obj = json.loads(line, parse_constant=_reject_constant)
    if not isinstance(obj, dict):
        raise ValueError("message is not a JSON object")
    return obj


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-standard JSON constant {name}")


def float_value(x: float, type_name: str = "float") -> dict[str, Any]:
    return {"t": "float", "v": float(x).hex(), "type": type_name}


def int_value(x: int, type_name: str = "int") -> dict[str, Any]:
    digits = str(int(x))
    if len(digits) > MAX_INT_DIGITS:
        return {"t": "other", "type": f"{type_name} with {len(digits)} digits"}
    return {"t": "int", "v": digits, "type": type_name}


def array_value(dtype: str, shape: tuple[int, ...], data: bytes, type_name: str) -> dict[str, Any]:
    """An array from its little-endian bytes (callers convert byte order first)."""
    return {"t": "array", "dtype": dtype, "shape": list(shape),
            "data": base64.b64encode(data).decode("ascii"), "type": type_name}


def dict_pairs(value: dict[str, Any]) -> list[tuple[str, Any]]:
    """Validate a dict value; return its (key, wire value) pairs in order, or raise ValueError."""
    pairs = value.get("items")
    if not isinstance(pairs, list) or len(pairs) > MAX_DICT_KEYS:
        raise ValueError("a dict value holds a list of at most MAX_DICT_KEYS pairs")
    if not all(isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) and len(p[0]) <= MAX_KEY_CHARS
               for p in pairs):
        raise ValueError("a dict value holds [key, value] pairs with short string keys")
    if len({p[0] for p in pairs}) != len(pairs):
        raise ValueError("a dict key appears twice")
    return [(key, item) for key, item in pairs]


def generator_seed(value: dict[str, Any]) -> int:
    """Validate a generator value; return its seed, or raise ValueError."""
    digits = value.get("seed")
    if not (isinstance(digits, str) and 0 < len(digits) <= 40 and digits.isascii() and digits.isdigit()):
        raise ValueError("a generator seed is a text of at most 40 decimal digits")
    return int(digits)


def array_fields(value: dict[str, Any]) -> tuple[str, tuple[int, ...], bytes]:
    """Validate an array value; return (dtype, shape, raw bytes) or raise ValueError."""
    dtype, shape, data = value.get("dtype"), value.get("shape"), value.get("data")
    if dtype not in ARRAY_DTYPES:
        raise ValueError(f"array dtype {dtype!r} is not allowed")
    if not isinstance(shape, list) or len(shape) > 8 or not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n for n in shape
    ):
        raise ValueError("array shape must be a list of at most 8 non-negative ints")
    count = math.prod(shape)
    if count > MAX_ARRAY_ELEMENTS:
        raise ValueError(f"array of {count} elements exceeds the limit")
    if not isinstance(data, str):
        raise ValueError("array data must be base64 text")
    raw = base64.b64decode(data.encode("ascii"), validate=True)
    if len(raw) != count * ITEM_SIZES[dtype]:
        raise ValueError("array data length does not match its shape and dtype")
    return dtype, tuple(shape), raw
