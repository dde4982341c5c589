"""codec: trusted encode, strict decode of sandbox values, to_wire/plain round trips, describe."""

from __future__ import annotations

import base64
import math

import numpy as np
import pytest

from autograder.errors import WireError
from source_lib import wire
from source_lib.judge import codec
from source_lib.judge.codec import Array, ExprText, NoneValue, Other, Scalar, Seq, Text

DTYPES = sorted(wire.ARRAY_DTYPES)
SHAPES = [(), (0,), (3,), (2, 0, 3), (2, 3, 4)]


def _sample(dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Deterministic values that exercise the dtype's range (sign, extremes, fractions)."""
    count = math.prod(shape)
    if dtype == "bool":
        return (np.arange(count) % 3 == 1).reshape(shape)
    info = np.iinfo(dtype) if dtype[0] in "iu" else np.finfo(dtype)
    if dtype[0] in "iu":
        pool = np.array([info.min, info.max, 0, 1, info.max // 3], dtype=dtype)
    else:
        pool = np.array([info.min, info.max, -0.0, 1.5, -2.25, info.tiny], dtype=dtype)
    return np.resize(pool, count).reshape(shape).astype(dtype)


def _same(a: codec.Value, b: codec.Value) -> bool:
    """Structural equality of decoded values (arrays compared by dtype, shape and bits)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, Array):
        return (a.type_name == b.type_name and a.value.dtype == b.value.dtype
                and a.value.shape == b.value.shape and a.value.tobytes() == b.value.tobytes())
    if isinstance(a, Seq):
        return a.kind == b.kind and len(a.items) == len(b.items) and all(
            _same(x, y) for x, y in zip(a.items, b.items))
    if isinstance(a, Scalar):
        if isinstance(a.value, float) and isinstance(b.value, float):
            same_bits = a.value.hex() == b.value.hex() or (math.isnan(a.value) and math.isnan(b.value))
            return same_bits and a.type_name == b.type_name
        return type(a.value) is type(b.value) and a.value == b.value and a.type_name == b.type_name
    return a == b


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", DTYPES)
def test_array_round_trip_every_dtype_and_shape(dtype: str, shape: tuple[int, ...]) -> None:
    original = _sample(dtype, shape)
    wired = codec.encode(original)
    assert wired["t"] == "array" and wired["dtype"] == dtype and wired["shape"] == list(shape)
    decoded = codec.decode(wired)
    assert isinstance(decoded, Array) and decoded.type_name == "numpy.ndarray"
    assert decoded.value.dtype == np.dtype(dtype) and decoded.value.shape == shape
    assert decoded.value.tobytes() == original.tobytes()
    # decoded -> wire -> decoded is the identity, and plain() gives back an equal array
    assert codec.to_wire(decoded) == wired
    assert _same(codec.decode(codec.to_wire(decoded)), decoded)
    back = codec.plain(decoded)
    assert back.dtype == original.dtype and back.shape == shape
    assert back.tobytes() == original.tobytes()


@pytest.mark.parametrize("dtype", ["int32", "float64", "uint16", "float32"])
def test_big_endian_and_non_contiguous_arrays_encode_by_value(dtype: str) -> None:
    base = np.arange(24, dtype=dtype).reshape(4, 6)
    for variant in (base.astype(np.dtype(dtype).newbyteorder(">")), base[:, ::2], np.asfortranarray(base)):
        decoded = codec.decode(codec.encode(variant))
        assert isinstance(decoded, Array)
        assert decoded.value.dtype.name == dtype and decoded.value.dtype.isnative
        np.testing.assert_array_equal(decoded.value, variant)


def test_decoded_arrays_are_read_only_private_copies() -> None:
    original = np.arange(6.0).reshape(2, 3)
    decoded = codec.decode(codec.encode(original))
    assert isinstance(decoded, Array)
    assert not decoded.value.flags.writeable
    with pytest.raises(ValueError):
        decoded.value[0, 0] = 99.0
    assert decoded.value.flags.owndata  # not a view of the base64 buffer
    original[0, 0] = 42.0
    assert decoded.value[0, 0] == 0.0
    fresh = codec.plain(decoded)
    assert fresh.flags.writeable and not np.shares_memory(fresh, decoded.value)
    fresh[0, 0] = 7.0
    assert decoded.value[0, 0] == 0.0


@pytest.mark.parametrize("x", [0.0, -0.0, 1.5, -2.75, 1e-310, 1.7976931348623157e308, 1 / 3,
                               math.inf, -math.inf, math.nan], ids=repr)
def test_float_round_trip_is_bit_exact(x: float) -> None:
    decoded = codec.decode(codec.encode(x))
    assert isinstance(decoded, Scalar) and isinstance(decoded.value, float)
    if math.isnan(x):
        assert math.isnan(decoded.value)
    else:
        assert decoded.value == x and math.copysign(1.0, decoded.value) == math.copysign(1.0, x)
    assert codec.plain(decoded) is decoded.value
    assert _same(codec.decode(codec.to_wire(decoded)), decoded)


def test_numpy_float_scalars_encode_as_floats() -> None:
    decoded = codec.decode(codec.encode(np.float32(0.5)))
    assert decoded == Scalar(0.5, "float")


@pytest.mark.parametrize("n", [0, 1, -1, 2**63, -(2**64) - 1, 10**299, -(10**298), np.int64(-5),
                               np.uint64(2**64 - 1)], ids=repr)
def test_int_round_trip_including_big_ints(n: int) -> None:
    decoded = codec.decode(codec.encode(n))
    assert isinstance(decoded, Scalar) and type(decoded.value) is int and decoded.value == int(n)
    assert _same(codec.decode(codec.to_wire(decoded)), decoded)


def test_ints_beyond_the_digit_cap_become_other() -> None:
    assert codec.decode(codec.encode(10**300)) == Other("int with 301 digits")


def test_int_type_name_survives_to_wire() -> None:
    decoded = codec.decode({"t": "int", "v": "7", "type": "numpy.int64"})
    assert decoded == Scalar(7, "numpy.int64")
    assert codec.to_wire(decoded) == {"t": "int", "v": "7", "type": "numpy.int64"}


@pytest.mark.parametrize("b", [True, False, np.bool_(True), np.bool_(False)], ids=repr)
def test_bools_stay_bools(b: bool) -> None:
    wired = codec.encode(b)
    assert wired == {"t": "bool", "v": bool(b)}
    decoded = codec.decode(wired)
    assert decoded == Scalar(bool(b), "bool") and type(decoded.value) is bool
    assert codec.to_wire(decoded) == wired
    assert codec.plain(decoded) is bool(b)


def test_nested_tuples_and_lists_round_trip() -> None:
    value = (1, [2.5, (None, "text", np.arange(3)), []], (), ([True],))
    decoded = codec.decode(codec.encode(value))
    assert isinstance(decoded, Seq) and decoded.kind == "tuple"
    inner = decoded.items[1]
    assert isinstance(inner, Seq) and inner.kind == "list"
    assert inner.items[1].items[0] == NoneValue() and inner.items[1].items[1] == Text("text")
    assert _same(codec.decode(codec.to_wire(decoded)), decoded)
    back = codec.plain(decoded)
    assert type(back) is tuple and type(back[1]) is list and type(back[1][1]) is tuple
    assert back[0] == 1 and back[1][0] == 2.5 and back[1][1][:2] == (None, "text")
    np.testing.assert_array_equal(back[1][1][2], np.arange(3))
    assert back[1][2] == [] and back[2] == () and back[3] == ([True],)


@pytest.mark.parametrize("wired, expected", [
    ({"t": "str", "v": "héllo\n"}, Text("héllo\n")),
    ({"t": "expr", "src": "w*x + b"}, ExprText("w*x + b")),
    ({"t": "other", "type": "pandas.DataFrame"}, Other("pandas.DataFrame")),
    ({"t": "other"}, Other("unknown")),
    ({"t": "none"}, NoneValue()),
])
def test_other_tags_round_trip(wired: dict, expected: codec.Value) -> None:
    decoded = codec.decode(wired)
    assert decoded == expected
    assert codec.decode(codec.to_wire(decoded)) == expected


def test_long_type_names_are_cut_and_non_text_ones_replaced() -> None:
    assert codec.decode({"t": "other", "type": "x" * 500}) == Other("x" * 100)
    assert codec.decode({"t": "float", "v": "0x1p0", "type": 17}) == Scalar(1.0, "float")


@pytest.mark.parametrize("value", [ExprText("x"), Other("thing")])
def test_plain_refuses_values_without_a_python_form(value: codec.Value) -> None:
    with pytest.raises(TypeError):
        codec.plain(value)


@pytest.mark.parametrize("value", [1 + 2j, {1: "a"}, {1}, object(), b"bytes"], ids=repr)
def test_encode_refuses_unknown_types(value: object) -> None:
    with pytest.raises(TypeError):
        codec.encode(value)


# ---------------------------------------------------------------- rejections


def _array(dtype: object = "float64", shape: object = (2,), data: object = None) -> dict:
    if data is None:
        count = math.prod(shape) if isinstance(shape, (list, tuple)) and all(
            isinstance(n, int) for n in shape) else 0
        data = base64.b64encode(b"\0" * 8 * max(count, 0)).decode()
    return {"t": "array", "dtype": dtype, "shape": list(shape) if isinstance(shape, tuple) else shape,
            "data": data, "type": "numpy.ndarray"}


def _nested(levels: int) -> dict:
    value: dict = {"t": "int", "v": "1"}
    for _ in range(levels):
        value = {"t": "seq", "kind": "list", "items": [value]}
    return value


REJECTED = {
    "unknown tag": {"t": "complex", "v": "1j"},
    "no tag": {"v": 1},
    "tag not text": {"t": ["int"], "v": "1"},
    "not a dict (list)": [{"t": "none"}],
    "not a dict (str)": "none",
    "not a dict (None)": None,
    "dtype complex128": _array("complex128"),
    "dtype object": _array("object"),
    "dtype <f8": _array("<f8"),
    "dtype float128": _array("float128"),
    "dtype missing": {"t": "array", "shape": [1], "data": "AAAAAAAAAAA="},
    "data too short": _array(shape=(3,), data=base64.b64encode(b"\0" * 16).decode()),
    "data too long": _array(shape=(1,), data=base64.b64encode(b"\0" * 16).decode()),
    "data for an empty shape": _array(shape=(0,), data=base64.b64encode(b"\0" * 8).decode()),
    "negative shape": _array(shape=[-1], data=""),
    "float shape": _array(shape=[2.0], data=base64.b64encode(b"\0" * 16).decode()),
    "text shape entry": _array(shape=["2"], data=base64.b64encode(b"\0" * 16).decode()),
    "bool shape entry": _array(shape=[True], data=base64.b64encode(b"\0" * 8).decode()),
    "shape not a list": _array(shape=2, data=base64.b64encode(b"\0" * 16).decode()),
    "nine dimensions": _array(shape=[1] * 9, data=base64.b64encode(b"\0" * 8).decode()),
    "too many elements": _array(shape=[1001, 1000], data=""),
    "data not text": _array(shape=(1,), data=[0] * 8),
    "bad base64 characters": _array(shape=(1,), data="!!!!!!!!!!!!"),
    "bad base64 padding": _array(shape=(1,), data="AAAAAAAAAAA"),
    "non-ascii base64": _array(shape=(1,), data="AAAAAAAAAAé="),
    "string too long": {"t": "str", "v": "x" * (wire.MAX_STR_CHARS + 1)},
    "string not text": {"t": "str", "v": 5},
    "expression too long": {"t": "expr", "src": "x" * (wire.MAX_STR_CHARS + 1)},
    "expression not text": {"t": "expr", "src": None},
    "int too many digits": {"t": "int", "v": "9" * (wire.MAX_INT_DIGITS + 1)},
    "int as a JSON number": {"t": "int", "v": 5},
    "int not decimal": {"t": "int", "v": "0x10"},
    "int missing": {"t": "int"},
    "bool as int": {"t": "bool", "v": 1},
    "float not hex (word)": {"t": "float", "v": "hello"},
    "float not hex (decimal exponent sign)": {"t": "float", "v": "12e+5"},
    "float not hex (empty)": {"t": "float", "v": ""},
    "float not hex (two points)": {"t": "float", "v": "1.0.0"},
    "float hex without exponent digits": {"t": "float", "v": "0x1p"},
    "float as a JSON number": {"t": "float", "v": 1.5},
    "float text too long": {"t": "float", "v": "0x1." + "0" * 40 + "p+0"},
    "float overflows": {"t": "float", "v": "0x1p99999"},
    "seq kind set": {"t": "seq", "kind": "set", "items": []},
    "seq items not a list": {"t": "seq", "kind": "list", "items": {"t": "none"}},
    "seq too long": {"t": "seq", "kind": "list", "items": [{"t": "none"}] * (wire.MAX_SEQ_ITEMS + 1)},
    "seq with a bad item": {"t": "seq", "kind": "tuple", "items": [{"t": "none"}, {"t": "what"}]},
    "nested deeper than MAX_DEPTH": _nested(wire.MAX_DEPTH + 1),
    "nested far deeper": _nested(5000),
}


@pytest.mark.parametrize("wired", list(REJECTED.values()), ids=list(REJECTED))
def test_decode_rejects(wired: object) -> None:
    with pytest.raises(WireError):
        codec.decode(wired)


@pytest.mark.parametrize("count", [1, 3])
def test_data_length_must_match_shape_and_dtype(count: int) -> None:
    wired = _array("float64", (2,), base64.b64encode(b"\0" * 8 * count).decode())
    with pytest.raises(WireError, match="does not match its shape and dtype"):
        codec.decode(wired)


def test_nesting_up_to_max_depth_is_accepted() -> None:
    value = codec.decode(_nested(wire.MAX_DEPTH))
    for _ in range(wire.MAX_DEPTH):
        assert isinstance(value, Seq)
        value = value.items[0]
    assert value == Scalar(1, "int")


def test_limits_are_inclusive() -> None:
    assert codec.decode({"t": "str", "v": "x" * wire.MAX_STR_CHARS}) == Text("x" * wire.MAX_STR_CHARS)
    digits = "9" * wire.MAX_INT_DIGITS
    assert codec.decode({"t": "int", "v": digits}) == Scalar(int(digits), "int")
    big = codec.decode(_array("uint8", [wire.MAX_ARRAY_ELEMENTS],
                              base64.b64encode(bytes(wire.MAX_ARRAY_ELEMENTS)).decode()))
    assert isinstance(big, Array) and big.value.size == wire.MAX_ARRAY_ELEMENTS
    seq = codec.decode({"t": "seq", "kind": "list", "items": [{"t": "none"}] * wire.MAX_SEQ_ITEMS})
    assert isinstance(seq, Seq) and len(seq.items) == wire.MAX_SEQ_ITEMS


def test_encoded_complex_array_is_refused_on_the_way_back() -> None:
    with pytest.raises(WireError, match="not allowed"):
        codec.decode(codec.encode(np.array([1 + 1j])))


# ---------------------------------------------------------------- describe


SECRET_VALUES = [
    Array(np.array([[123456.789, 987.125]]), "numpy.ndarray"),
    Array(np.array(31337.5), "numpy.ndarray"),
    Scalar(987654321, "int"),
    Scalar(2718.2818, "numpy.float64"),
    Scalar(True, "bool"),
    Text("secret-answer 4242"),
    ExprText("w*x**31337 + 4242"),
    Seq("tuple", (Scalar(55555.5, "float"), Text("hidden-4242"))),
    Seq("list", (Array(np.full(3, 86420.0), "numpy.ndarray"),)),
    NoneValue(),
    Other("pandas.DataFrame"),
]
SECRETS = ("123456", "987", "31337", "987654321", "2718", "True", "secret", "4242", "55555",
           "hidden", "86420")


@pytest.mark.parametrize("value", SECRET_VALUES, ids=lambda v: type(v).__name__)
def test_describe_never_includes_values(value: codec.Value) -> None:
    text = codec.describe(value)
    assert text
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("value, expected", [
    (Array(np.zeros((4, 1)), "numpy.ndarray"), "an array of shape (4, 1) and dtype float64"),
    (Scalar(1.0, "numpy.float32"), "a numpy.float32"),
    (Seq("tuple", (NoneValue(), NoneValue())), "a tuple of 2 values"),
    (NoneValue(), "None"),
    (Text("x"), "a string"),
    (ExprText("x"), "a sympy expression"),
    (Other("dict"), "an object of type dict"),
])
def test_describe_names_kind_and_shape(value: codec.Value, expected: str) -> None:
    assert codec.describe(value) == expected
