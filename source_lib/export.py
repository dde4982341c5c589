"""Student values -> wire values, and wire values -> fresh Python/NumPy job arguments.

Everything here runs next to student code, so values are inspected through their
exact ``type`` and through unbound base-class methods (``float.hex(x)``,
``np.ndarray.view(x, np.ndarray)``): a hostile subclass cannot run its own
overrides while being exported. What cannot be exported faithfully becomes
``{"t": "other", "type": ...}``; the trusted side decides what that is worth.
"""

from __future__ import annotations

import contextlib
import random
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import sympy

from source_lib import wire

# Captured at import time, before any student cell can rebind module attributes.
_NDARRAY = np.ndarray
_SYMPY_BASIC = sympy.Basic
_SYMPY_MATRIX = sympy.MatrixBase
_SSTR = sympy.sstr
_TYPE_QUALNAME = type.__dict__["__qualname__"].__get__
_TYPE_MODULE = type.__dict__["__module__"].__get__

_NP_INTS = frozenset({np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                      np.uint64, np.intc, np.uintc, np.longlong, np.ulonglong})
_NP_FLOATS = frozenset({np.float16, np.float32, np.float64, np.longdouble})

MAX_EXPR_NODES = 20_000          # sympy tree nodes walked before giving up
MAX_EXPR_CHARS = wire.MAX_STR_CHARS
MAX_TOTAL_ITEMS = wire.MAX_ARRAY_ELEMENTS  # items across one whole nested value
_INT_BITS = int(wire.MAX_INT_DIGITS * 3.33)  # str() of bigger ints is refused anyway


def type_name(cls: type) -> str:
    """Qualified name of a class, read through ``type``'s own descriptors."""
    try:
        module, qualname = _TYPE_MODULE(cls), _TYPE_QUALNAME(cls)
    except BaseException:  # noqa: BLE001 - a hostile metaclass must not break export
        return "?"
    if type(module) is not str or type(qualname) is not str:
        return "?"
    name = qualname if module == "builtins" else f"{module}.{qualname}"
    return clean_text(name[:200])


def clean_text(text: str) -> str:
    """Make a string safe for UTF-8 JSON (lone surrogates become U+FFFD)."""
    return text.encode("utf-8", "replace").decode("utf-8")


_NP_BY_NAME = {type_name(t): t for t in _NP_INTS | _NP_FLOATS}


MAX_WARNINGS = 5
WARNING_CHARS = 200


@contextlib.contextmanager
def recorded_warnings() -> Iterator[list[str]]:
    """Collect the warnings raised inside (each distinct one once) as "Category: message" texts.

    A call of a student's function runs inside it, in the sandbox and in the self-check alike,
    so a question can ask for results without warnings (NumPy's overflow in exp, say).
    """
    texts: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield texts
    for item in caught:
        text = clean_text(f"{item.category.__name__}: {item.message}")[:WARNING_CHARS]
        if text not in texts and len(texts) < MAX_WARNINGS:
            texts.append(text)


GLOBAL_SEED = 0  # NumPy's legacy global random state and the random module's, in every job and call


def seed_global_random() -> None:
    """Seed np.random's legacy global state and the random module identically in every job.

    Done before the first cell of the solution's job and of each student's, so an unseeded
    experiment cell (np.random.rand, random.random) cannot make their runs diverge.
    """
    random.seed(GLOBAL_SEED)
    np.random.seed(GLOBAL_SEED)


@contextlib.contextmanager
def seeded_global_random() -> Iterator[None]:
    """The same global random state for every call of a student's function, restored afterwards.

    A function that draws from np.random instead of the generator it is given then returns the
    same values as the catalogued mutant that does so, and the notebook's own state is untouched.
    """
    numpy_state, random_state = np.random.get_state(), random.getstate()
    seed_global_random()
    try:
        yield
    finally:
        np.random.set_state(numpy_state)
        random.setstate(random_state)


def to_wire(value: Any) -> dict[str, Any]:
    """Export one value; never raises."""
    try:
        return _Exporter().value(value, 0)
    except BaseException as exc:  # noqa: BLE001 - includes RecursionError, MemoryError
        return {"t": "other", "type": f"unexportable ({type_name(type(exc))})"}


class _Exporter:
    """One export walk, with a budget shared by every nested item."""

    def __init__(self) -> None:
        self.items = 0

    def value(self, value: Any, depth: int) -> dict[str, Any]:
        cls = type(value)
        if value is None:
            return {"t": "none"}
        if cls is bool or cls is np.bool_:
            return {"t": "bool", "v": bool(value)}
        if issubclass(cls, int) or cls in _NP_INTS:
            return _export_int(value, cls)
        if issubclass(cls, float) or cls in _NP_FLOATS:
            return _export_float(value, cls)
        if issubclass(cls, str):
            return {"t": "str", "v": clean_text(str.__str__(value)[: wire.MAX_STR_CHARS])}
        if issubclass(cls, _NDARRAY):
            return _export_array(value, cls)
        if issubclass(cls, (tuple, list)):
            return self.sequence(value, cls, depth)
        if issubclass(cls, dict):
            return self.mapping(value, cls, depth)
        if issubclass(cls, (_SYMPY_BASIC, _SYMPY_MATRIX)):
            return _export_expr(value)
        return {"t": "other", "type": type_name(cls)}

    def sequence(self, value: Any, cls: type, depth: int) -> dict[str, Any]:
        base = tuple if issubclass(cls, tuple) else list
        length = base.__len__(value)
        if depth >= wire.MAX_DEPTH:
            return {"t": "other", "type": f"{type_name(cls)} nested too deeply"}
        if length > wire.MAX_SEQ_ITEMS:
            return {"t": "other", "type": f"{type_name(cls)} of {length} items"}
        self.items += length
        if self.items > MAX_TOTAL_ITEMS:
            return {"t": "other", "type": f"{type_name(cls)} too large"}
        # Unbound base __getitem__ reads the real storage, not an overridden view.
        items = [self.value(base.__getitem__(value, i), depth + 1) for i in range(length)]
        return {"t": "seq", "kind": base.__name__, "items": items}


    def mapping(self, value: Any, cls: type, depth: int) -> dict[str, Any]:
        # Unbound dict methods read the real storage, not overridden views.
        pairs = list(dict.items(value))
        if depth >= wire.MAX_DEPTH:
            return {"t": "other", "type": f"{type_name(cls)} nested too deeply"}
        if len(pairs) > wire.MAX_DICT_KEYS:
            return {"t": "other", "type": f"{type_name(cls)} of {len(pairs)} keys"}
        if not all(type(key) is str and len(key) <= wire.MAX_KEY_CHARS for key, _ in pairs):
            return {"t": "other", "type": f"{type_name(cls)} with keys that are not short strings"}
        self.items += len(pairs)
        if self.items > MAX_TOTAL_ITEMS:
            return {"t": "other", "type": f"{type_name(cls)} too large"}
        return {"t": "dict", "items": [[clean_text(key), self.value(item, depth + 1)] for key, item in pairs]}


def _export_int(value: Any, cls: type) -> dict[str, Any]:
    number = int.__int__(value) if issubclass(cls, int) else int(value)
    if number.bit_length() > _INT_BITS:
        return {"t": "other", "type": f"{type_name(cls)} too large"}
    return wire.int_value(number, type_name(cls))


def _export_float(value: Any, cls: type) -> dict[str, Any]:
    # float.hex reads the stored double directly; a subclass' __float__ is not called.
    number = float.__float__(value) if issubclass(cls, float) else float(value)
    return wire.float_value(number, type_name(cls))


def _export_array(value: Any, cls: type) -> dict[str, Any]:
    arr = _NDARRAY.view(value, _NDARRAY)  # plain view: subclass hooks stay out
    name = type_name(cls)
    dtype = arr.dtype
    if dtype.name not in wire.ARRAY_DTYPES:
        return {"t": "other", "type": f"{name} of dtype {clean_text(str(dtype))[:100]}"}
    if arr.ndim > 8 or arr.size > wire.MAX_ARRAY_ELEMENTS:
        return {"t": "other", "type": f"{name} of shape {tuple(arr.shape)}"[:200]}
    little = _NDARRAY.astype(arr, dtype.newbyteorder("<"), order="C", copy=True)
    return wire.array_value(dtype.name, tuple(arr.shape), _NDARRAY.tobytes(little), name)


def _export_expr(value: Any) -> dict[str, Any]:
    nodes = 0
    for _ in sympy.preorder_traversal(value):
        nodes += 1
        if nodes > MAX_EXPR_NODES:
            return {"t": "other", "type": "sympy expression too large"}
    src = _SSTR(value)
    if type(src) is not str or len(src) > MAX_EXPR_CHARS:
        return {"t": "other", "type": "sympy expression too large"}
    return {"t": "expr", "src": clean_text(src)}


def from_wire(value: Any, depth: int = 0) -> Any:
    """Decode one job argument into a fresh Python or NumPy value; ValueError if malformed."""
    if not isinstance(value, dict):
        raise ValueError("a wire value must be an object")
    tag = value.get("t")
    if tag == "none":
        return None
    if tag == "bool" and isinstance(value.get("v"), bool):
        return value["v"]
    if tag == "int":
        return _decode_int(value)
    if tag == "float":
        return _decode_float(value)
    if tag == "str" and isinstance(value.get("v"), str):
        return value["v"]
    if tag == "array":
        return _decode_array(value)
    if tag == "seq":
        return _decode_seq(value, depth)
    if tag == "dict":
        return _decode_dict(value, depth)
    if tag == "rng":
        return np.random.default_rng(wire.generator_seed(value))
    raise ValueError(f"wire value with tag {tag!r} cannot be a job argument")


def _decode_int(value: dict[str, Any]) -> Any:
    digits = value.get("v")
    body = digits[1:] if isinstance(digits, str) and digits.startswith("-") else digits
    if not (isinstance(body, str) and 0 < len(body) <= wire.MAX_INT_DIGITS and body.isascii()
            and body.isdigit()):
        raise ValueError("malformed int value")
    number = int(body) * (-1 if digits.startswith("-") else 1)  # type: ignore[union-attr]
    numpy_type = _NP_BY_NAME.get(value.get("type", "int"))
    if numpy_type is None or numpy_type not in _NP_INTS:
        return number
    info = np.iinfo(numpy_type)  # type: ignore[type-var]
    if not info.min <= number <= info.max:
        raise ValueError("int value out of range for its numpy type")
    return numpy_type(number)


def _decode_float(value: dict[str, Any]) -> Any:
    text = value.get("v")
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError("malformed float value")
    number = float.fromhex(text)
    numpy_type = _NP_BY_NAME.get(value.get("type", "float"))
    return numpy_type(number) if numpy_type in _NP_FLOATS else number


def _decode_array(value: dict[str, Any]) -> np.ndarray:
    dtype, shape, raw = wire.array_fields(value)
    little = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).reshape(shape)
    return little.astype(np.dtype(dtype), copy=True)  # native order, writeable, owns its data


def _decode_dict(value: dict[str, Any], depth: int) -> dict[str, Any]:
    if depth >= wire.MAX_DEPTH:
        raise ValueError("dict value nested too deeply")
    return {key: from_wire(item, depth + 1) for key, item in wire.dict_pairs(value)}


def _decode_seq(value: dict[str, Any], depth: int) -> Any:
    items, kind = value.get("items"), value.get("kind")
    if depth >= wire.MAX_DEPTH or not isinstance(items, list) or len(items) > wire.MAX_SEQ_ITEMS:
        raise ValueError("malformed or oversized sequence value")
    decoded = [from_wire(item, depth + 1) for item in items]
    if kind == "tuple":
        return tuple(decoded)
    if kind == "list":
        return decoded
    raise ValueError(f"unknown sequence kind {kind!r}")
