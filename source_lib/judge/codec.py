"""Trusted conversions between Python values and wire values.

``encode`` turns the grader's own inputs (NumPy arrays, floats) into wire
values for a job. ``decode`` turns wire values that came back from the sandbox
into small typed values, strictly: a closed set of tags, whitelisted dtypes,
size caps, and no code run (``np.frombuffer``, never pickle).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from source_lib import wire
from source_lib.errors import WireError


@dataclass(frozen=True)
class NoneValue:
    """The student returned None."""


@dataclass(frozen=True)
class Scalar:
    """A bool, int or float, with the Python/NumPy type it had."""

    value: bool | int | float
    type_name: str


@dataclass(frozen=True)
class Array:
    """A NumPy array (read-only copy) with its type name (a subclass shows here)."""

    value: np.ndarray
    type_name: str


@dataclass(frozen=True)
class Seq:
    """A tuple or list of values."""

    kind: str
    items: tuple[Value, ...]


@dataclass(frozen=True)
class Dict:
    """A dict with string keys, in its order."""

    items: tuple[tuple[str, Value], ...]

    def get(self, key: str) -> Value | None:
        return next((value for k, value in self.items if k == key), None)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(k for k, _ in self.items)


@dataclass(frozen=True)
class Generator:
    """A NumPy random generator made from ``seed`` (numpy.random.default_rng) on each side of the wire."""

    seed: int


@dataclass(frozen=True)
class Text:
    value: str


@dataclass(frozen=True)
class ExprText:
    """A sympy expression as text; only ever parsed by the whitelist parser."""

    src: str


@dataclass(frozen=True)
class Other:
    """Anything the sandbox would not export, known only by its type name."""

    type_name: str


Value = NoneValue | Scalar | Array | Seq | Dict | Generator | Text | ExprText | Other


def encode(value: Any) -> dict[str, Any]:
    """A trusted input value as a wire value (arrays, scalars, strings, tuples)."""
    if value is None:
        return {"t": "none"}
    if isinstance(value, (bool, np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, (int, np.integer)):
        return wire.int_value(int(value))
    if isinstance(value, (float, np.floating)):
        return wire.float_value(float(value))
    if isinstance(value, str):
        return {"t": "str", "v": value}
    if isinstance(value, np.ndarray):
        little = value.astype(value.dtype.newbyteorder("<"), copy=False)
        return wire.array_value(value.dtype.name, value.shape, np.ascontiguousarray(little).tobytes(),
                                "numpy.ndarray")
    if isinstance(value, (tuple, list)):
        return {"t": "seq", "kind": type(value).__name__, "items": [encode(v) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"t": "dict", "items": [[k, encode(v)] for k, v in value.items()]}
    if isinstance(value, Generator):
        return {"t": "rng", "seed": str(int(value.seed))}
    raise TypeError(f"cannot encode {type(value).__name__} for a job")


def decode(obj: Any, depth: int = 0) -> Value:
    """A wire value from the sandbox as a typed value; WireError when it breaks the schema."""
    if not isinstance(obj, dict) or not isinstance(obj.get("t"), str) or obj["t"] not in wire.VALUE_TAGS:
        raise WireError("value is not a tagged object")
    if depth > wire.MAX_DEPTH:
        raise WireError("value nested too deeply")
    try:
        return _DECODERS[obj["t"]](obj, depth)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise WireError(f"malformed {obj['t']} value: {exc}") from None


def _none(obj: dict[str, Any], depth: int) -> Value:
    return NoneValue()


def _bool(obj: dict[str, Any], depth: int) -> Value:
    if not isinstance(obj["v"], bool):
        raise ValueError("not a bool")
    return Scalar(obj["v"], "bool")


def _int(obj: dict[str, Any], depth: int) -> Value:
    digits = obj["v"]
    if not isinstance(digits, str) or len(digits) > wire.MAX_INT_DIGITS:
        raise ValueError("bad integer text")
    return Scalar(int(digits, 10), _type_name(obj, "int"))


def _float(obj: dict[str, Any], depth: int) -> Value:
    text = obj["v"]
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError("bad float text")
    return Scalar(float.fromhex(text), _type_name(obj, "float"))


def _str(obj: dict[str, Any], depth: int) -> Value:
    if not isinstance(obj["v"], str) or len(obj["v"]) > wire.MAX_STR_CHARS:
        raise ValueError("bad string")
    return Text(obj["v"])


def _array(obj: dict[str, Any], depth: int) -> Value:
    dtype, shape, raw = wire.array_fields(obj)
    array = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
    array = array.astype(np.dtype(dtype))  # native byte order, and a private copy
    array.setflags(write=False)
    return Array(array, _type_name(obj, "numpy.ndarray"))


def _seq(obj: dict[str, Any], depth: int) -> Value:
    items = obj["items"]
    if obj.get("kind") not in ("tuple", "list") or not isinstance(items, list):
        raise ValueError("bad sequence")
    if len(items) > wire.MAX_SEQ_ITEMS:
        raise ValueError("sequence too long")
    return Seq(obj["kind"], tuple(decode(item, depth + 1) for item in items))


def _dict(obj: dict[str, Any], depth: int) -> Value:
    return Dict(tuple((key, decode(item, depth + 1)) for key, item in wire.dict_pairs(obj)))


def _generator(obj: dict[str, Any], depth: int) -> Value:
    return Generator(wire.generator_seed(obj))


def _expr(obj: dict[str, Any], depth: int) -> Value:
    if not isinstance(obj["src"], str) or len(obj["src"]) > wire.MAX_STR_CHARS:
        raise ValueError("bad expression text")
    return ExprText(obj["src"])


def _other(obj: dict[str, Any], depth: int) -> Value:
    return Other(_type_name(obj, "unknown"))


def _type_name(obj: dict[str, Any], default: str) -> str:
    name = obj.get("type", default)
    return name[:100] if isinstance(name, str) else default


_DECODERS = {"none": _none, "bool": _bool, "int": _int, "float": _float, "str": _str,
             "array": _array, "seq": _seq, "dict": _dict, "rng": _generator, "expr": _expr, "other": _other}


def to_wire(value: Value) -> dict[str, Any]:
    """A decoded value back as a wire value (for data files the grader writes itself)."""
    if isinstance(value, NoneValue):
        return {"t": "none"}
    if isinstance(value, Scalar):
        if isinstance(value.value, bool):
            return {"t": "bool", "v": value.value}
        if isinstance(value.value, int):
            return wire.int_value(value.value, value.type_name)
        return wire.float_value(value.value, value.type_name)
    if isinstance(value, Array):
        return {**encode(np.asarray(value.value)), "type": value.type_name}
    if isinstance(value, Seq):
        return {"t": "seq", "kind": value.kind, "items": [to_wire(v) for v in value.items]}
    if isinstance(value, Dict):
        return {"t": "dict", "items": [[k, to_wire(v)] for k, v in value.items]}
    if isinstance(value, Generator):
        return encode(value)
    if isinstance(value, Text):
        return {"t": "str", "v": value.value}
    if isinstance(value, ExprText):
        return {"t": "expr", "src": value.src}
    return {"t": "other", "type": value.type_name}


def plain(value: Value) -> Any:
    """A decoded value as an ordinary Python/NumPy object (arrays are fresh, writeable copies)."""
    if isinstance(value, Array):
        return value.value.copy()
    if isinstance(value, Scalar):
        return value.value
    if isinstance(value, Seq):
        items = [plain(v) for v in value.items]
        return tuple(items) if value.kind == "tuple" else items
    if isinstance(value, Dict):
        return {k: plain(v) for k, v in value.items}
    if isinstance(value, Generator):
        return np.random.default_rng(value.seed)
    if isinstance(value, Text):
        return value.value
    if isinstance(value, NoneValue):
        return None
    raise TypeError(f"{describe(value)} has no plain form")


def describe(value: Value, *, sizes: bool = True) -> str:
    """A short, student-facing description of a value's kind (and, with ``sizes``, its shape or
    length; never its contents)."""
    if isinstance(value, Array):
        shape = f"shape {tuple(value.value.shape)} and " if sizes else ""
        return f"an array of {shape}dtype {value.value.dtype}"
    if isinstance(value, Scalar):
        return f"a {value.type_name}"
    if isinstance(value, Seq):
        return f"a {value.kind} of {len(value.items)} values" if sizes else f"a {value.kind}"
    if isinstance(value, NoneValue):
        return "None"
    if isinstance(value, Text):
        return "a string"
    if isinstance(value, ExprText):
        return "a sympy expression"
    if isinstance(value, Dict):
        shown = ", ".join(repr(k) for k in value.keys[:6]) + (", ..." if len(value.keys) > 6 else "")
        return f"a dict with keys {shown}" if value.items else "an empty dict"
    if isinstance(value, Generator):
        return "a random generator"
    return f"an object of type {value.type_name}"
