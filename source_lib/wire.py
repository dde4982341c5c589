"""The only contract shared by the sandbox (child) and the trusted side.

Stdlib only, so the child can import it without loading the judge. Every
message is one JSON object on one line. Values travel as tagged objects from a
closed set; anything else a student returns becomes ``{"t": "other"}``.

Job (trusted -> sandbox worker)::

    {"wire": 1, "job_id": str,
     "cells": [{"index": int, "source": str}],
     "probes": [Probe], "variants": [Variant], "limits": Limits}

    Probe   = {"question": str, "kind": "call", "name": str,
               "cases": [{"id": str, "args": [Value]}]}
            | {"question": str, "kind": "value", "name": str}
    Variant = {"id": str, "cell_index": int, "source": str, "probes": [Probe]}

Records (student process -> worker), one per line, in this order::

    {"r": "cell", "index": int, "status": "ok" | "error", "error": Error | null}
    {"r": "cells_done"}   the worker keeps no printed output after this, and only now sends
                          the probes and variants (with their inputs) to the student process
    {"r": "value", "variant": str | null, "question": str, "found": bool, "value": Value | null}
    {"r": "call", "variant": str | null, "question": str, "case": str,
     "status": "returned" | "raised" | "missing", "value": Value | null,
     "error": Error | null, "args_after": [Value]}
    {"r": "done", "compute_seconds": float}

    Error = {"type": str, "message": str, "cell": int | null, "line": int | null}

Reply (worker -> trusted side), one line per job: see ``REPLY_KEYS``.

Value tags::

    {"t": "none"} | {"t": "bool", "v": bool}
    {"t": "int", "v": "<decimal digits>", "type": str}
    {"t": "float", "v": "<float.hex()>", "type": str}
    {"t": "str", "v": str}
    {"t": "array", "dtype": str, "shape": [int], "data": "<base64, little endian>", "type": str}
    {"t": "seq", "kind": "tuple" | "list", "items": [Value]}
    {"t": "expr", "src": "<sympy sstr>"}
    {"t": "other", "type": str}
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

WIRE_VERSION = 1

VALUE_TAGS = frozenset({"none", "bool", "int", "float", "str", "array", "seq", "expr", "other"})
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

# Exit code of a student process whose own grading code failed after the cells ran (for
# example because a cell replaced a built-in such as isinstance): answers could not be sent.
ANSWERS_BROKEN_EXIT = 120

REPLY_KEYS = ("job_id", "ended", "exit_code", "signal", "wall_seconds", "output",
              "output_truncated", "records", "records_truncated")
ENDINGS = frozenset({"exited", "signaled", "timeout", "output_limit", "record_limit",
                     "memory", "start_failed", "worker_failed"})


def dumps(message: dict[str, Any]) -> bytes:
    """One message as one line of compact JSON (NaN is not allowed on the wire)."""
    return json.dumps(message, separators=(",", ":"), allow_nan=False).encode() + b"\n"


def loads(line: bytes | str, max_bytes: int) -> dict[str, Any]:
    """Parse one line into a JSON object, enforcing a size cap; raise ValueError otherwise."""
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
