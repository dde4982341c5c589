"""Export of student values to wire values, and decoding of job arguments (in-process)."""

from __future__ import annotations

import base64
import json
import math

import numpy as np
import pytest
import sympy

from source_lib import wire
from source_lib.export import from_wire, to_wire


def test_scalars_keep_their_type_names() -> None:
    assert to_wire(None) == {"t": "none"}
    assert to_wire(True) == {"t": "bool", "v": True}
    assert to_wire(np.bool_(False)) == {"t": "bool", "v": False}
    assert to_wire(7) == {"t": "int", "v": "7", "type": "int"}
    assert to_wire(np.int64(-3)) == {"t": "int", "v": "-3", "type": "numpy.int64"}
    assert to_wire(0.1) == {"t": "float", "v": (0.1).hex(), "type": "float"}
    assert to_wire(np.float32(1.5))["type"] == "numpy.float32"
    assert to_wire(float("nan"))["v"] == "nan"  # hex text, so the JSON stays valid
    assert to_wire("héllo") == {"t": "str", "v": "héllo"}


def test_arrays_are_little_endian_with_shape_and_type() -> None:
    value = to_wire(np.arange(6, dtype=">i4").reshape(2, 3))
    assert (value["dtype"], value["shape"], value["type"]) == ("int32", [2, 3], "numpy.ndarray")
    assert np.frombuffer(base64.b64decode(value["data"]), "<i4").tolist() == list(range(6))
    zero_d = to_wire(np.array(2.5))
    assert zero_d["shape"] == [] and zero_d["dtype"] == "float64"
    assert to_wire(np.ones(2, dtype=complex)) == {"t": "other",
                                                  "type": "numpy.ndarray of dtype complex128"}
    assert to_wire(np.array(["a"], dtype=object))["t"] == "other"
    assert to_wire(np.zeros(wire.MAX_ARRAY_ELEMENTS + 1, dtype=np.int8))["t"] == "other"


def test_sequences_and_caps() -> None:
    assert to_wire((1, [2.0, None])) == {"t": "seq", "kind": "tuple", "items": [
        {"t": "int", "v": "1", "type": "int"},
        {"t": "seq", "kind": "list", "items": [to_wire(2.0), {"t": "none"}]}]}
    loop: list = []
    loop.append(loop)
    assert to_wire(loop)["t"] == "seq"  # cut at MAX_DEPTH, not a RecursionError
    assert "nested too deeply" in json.dumps(to_wire(loop))
    assert to_wire(list(range(wire.MAX_SEQ_ITEMS + 1)))["t"] == "other"
    assert to_wire(10 ** 400) == {"t": "other", "type": "int too large"}
    assert to_wire({"a": 1}) == {"t": "dict", "items": [["a", {"t": "int", "v": "1", "type": "int"}]]}
    assert to_wire({("a",): 1}) == {"t": "other", "type": "dict with keys that are not short strings"}
    cyclic: dict = {}
    cyclic["self"] = cyclic
    assert "nested too deeply" in json.dumps(to_wire(cyclic))
    assert to_wire(1j) == {"t": "other", "type": "complex"}


def test_sympy_expressions_become_source() -> None:
    x = sympy.Symbol("x")
    assert to_wire(x ** 2 / 2 + 1) == {"t": "expr", "src": "x**2/2 + 1"}
    assert to_wire(sympy.Matrix([[x, 1]])) == {"t": "expr", "src": "Matrix([[x, 1]])"}
    huge = sympy.Add(*sympy.symbols("a0:30000"))
    assert to_wire(huge) == {"t": "other", "type": "sympy expression too large"}


class AlwaysEqual:
    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = object.__hash__


class Sneaky(np.ndarray):
    def __array_ufunc__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return True

    def view(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return np.zeros(3)

    def tobytes(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return b"\0" * 24


class LyingFloat(float):
    def __float__(self) -> float:
        return 0.0

    def hex(self) -> str:
        return "0x0.0p+0"

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = float.__hash__


class LyingList(list):
    def __len__(self) -> int:
        return 0

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(())


class BadStr:
    def __str__(self) -> str:
        raise RuntimeError("no")


def test_hostile_values_export_their_real_data_or_other() -> None:
    assert to_wire(AlwaysEqual()) == {"t": "other", "type": f"{__name__}.AlwaysEqual"}
    sneaky = to_wire(np.arange(3.0).view(Sneaky))
    assert sneaky["type"] == f"{__name__}.Sneaky"
    assert np.frombuffer(base64.b64decode(sneaky["data"]), "<f8").tolist() == [0.0, 1.0, 2.0]
    assert to_wire(LyingFloat(2.5)) == {"t": "float", "v": (2.5).hex(),
                                        "type": f"{__name__}.LyingFloat"}
    assert [i["v"] for i in to_wire(LyingList([1, 2]))["items"]] == ["1", "2"]
    assert to_wire(BadStr())["t"] == "other"


def test_from_wire_gives_fresh_writeable_values() -> None:
    arg = to_wire(np.array([1.0, 2.0]))
    first, second = from_wire(arg), from_wire(arg)
    first *= 2
    assert second.tolist() == [1.0, 2.0] and second.flags.writeable and second.flags.owndata
    assert from_wire(to_wire(np.int64(4))) == 4 and type(from_wire(to_wire(np.int64(4)))) is np.int64
    assert from_wire(to_wire((1, [2.5, "s", None, True]))) == (1, [2.5, "s", None, True])
    assert math.isnan(from_wire(to_wire(float("nan"))))


@pytest.mark.parametrize("bad", [
    {"t": "expr", "src": "x"}, {"t": "other", "type": "x"}, {"t": "int", "v": "1e5"},
    {"t": "int", "v": "9" * 400}, {"t": "float", "v": 1.0}, {"t": "seq", "kind": "set", "items": []},
    {"t": "array", "dtype": "object", "shape": [1], "data": ""},
    {"t": "array", "dtype": "float64", "shape": [2], "data": "AAAA"}, [1], "x",
])
def test_from_wire_rejects_malformed_arguments(bad: object) -> None:
    with pytest.raises(ValueError):
        from_wire(bad)
