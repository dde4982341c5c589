"""Dicts of arrays and random generators: exported, sent, decoded, compared key by key, and seeded alike."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from autograder.errors import WireError
from source_lib import wire
from source_lib.export import from_wire, seeded_global_random, to_wire
from source_lib.judge import checkdata, codec
from source_lib.judge.codec import Dict, Generator
from source_lib.judge.decode import Call
from source_lib.judge.diagnose import generic_diagnosis, matching_misconceptions
from source_lib.judge.numeric import Tolerance, compare_returns, compare_value, same_array
from source_lib.judge.spec import Case, FunctionQuestion
from source_lib.selfcheck import call_student

TOL = Tolerance()
PARAMS = {"W1": np.arange(6.0).reshape(3, 2), "b1": np.zeros(3), "W2": np.ones(3), "b2": 0.5}


def decoded(value: Any) -> codec.Value:
    return codec.decode(to_wire(value))


# ---------------------------------------------------------------- the wire


def test_a_dict_of_arrays_and_numbers_round_trips_in_order() -> None:
    value = decoded(PARAMS)
    assert isinstance(value, Dict) and value.keys == ("W1", "b1", "W2", "b2")
    back = codec.plain(value)
    assert list(back) == list(PARAMS) and back["b2"] == 0.5
    np.testing.assert_array_equal(back["W1"], PARAMS["W1"])
    assert isinstance(from_wire(codec.encode(PARAMS))["W1"], np.ndarray)  # a job argument, on the sandbox side
    assert codec.to_wire(codec.decode(codec.to_wire(value))) == codec.to_wire(value)


@pytest.mark.parametrize("value, kind", [
    ({1: np.zeros(2)}, "keys that are not short strings"),
    ({"k" * (wire.MAX_KEY_CHARS + 1): 1}, "keys that are not short strings"),
    ({str(k): k for k in range(wire.MAX_DICT_KEYS + 1)}, f"of {wire.MAX_DICT_KEYS + 1} keys"),
])
def test_dicts_the_wire_cannot_hold_become_other(value: dict[Any, Any], kind: str) -> None:
    exported = to_wire(value)
    assert exported["t"] == "other" and kind in exported["type"]


def test_a_dict_subclass_is_read_through_dicts_own_storage() -> None:
    class Lying(dict):  # type: ignore[type-arg]
        def items(self) -> Any:
            return [("W1", "forged")]

    assert codec.plain(decoded(Lying(a=1.0))) == {"a": 1.0}


@pytest.mark.parametrize("bad", [
    {"t": "dict", "items": [["a", {"t": "none"}], ["a", {"t": "none"}]]},
    {"t": "dict", "items": [[1, {"t": "none"}]]},
    {"t": "dict", "items": [["a"]]},
    {"t": "dict", "items": "a"},
    {"t": "rng", "seed": "-1"},
    {"t": "rng", "seed": 5},
], ids=["duplicate key", "int key", "no value", "not a list", "negative seed", "seed not text"])
def test_malformed_dicts_and_seeds_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(WireError):
        codec.decode(bad)
    with pytest.raises(ValueError):
        from_wire(bad)


def test_a_generator_crosses_as_its_seed_and_is_rebuilt_fresh_on_each_side() -> None:
    sent = codec.encode(Generator(7))
    assert sent == {"t": "rng", "seed": "7"}
    first, second = from_wire(sent), from_wire(sent)
    assert isinstance(first, np.random.Generator) and first is not second
    assert first.random() == second.random() == np.random.default_rng(7).random()
    assert codec.plain(codec.decode(sent)).random() == np.random.default_rng(7).random()
    assert to_wire(first)["t"] == "other"  # a generator never comes back as a value


# ---------------------------------------------------------------- comparing


def test_dicts_are_compared_key_by_key_and_feedback_names_the_key() -> None:
    expected = decoded({"dW1": np.ones((4, 2)), "db1": np.ones(4)})
    assert compare_value(decoded({"dW1": np.ones((4, 2)), "db1": np.ones(4), "extra": 1}), expected,
                         "grads", TOL, public=True).passed  # keys beyond the contract are the student's own
    wrong_shape = compare_value(decoded({"dW1": np.ones((4, 2)), "db1": np.ones((1, 4))}), expected,
                                "grads", TOL, public=True)
    assert wrong_shape.message == "grads['db1'] has shape (1, 4) but should have shape (4,)"
    missing = compare_value(decoded({"dW1": np.ones((4, 2))}), expected, "grads", TOL, public=True)
    assert missing.message == "grads has no key 'db1' (it should have 'dW1', 'db1')"
    not_a_dict = compare_value(decoded((np.ones((4, 2)), np.ones(4))), expected, "grads", TOL, public=False)
    assert "should be a dict with the keys 'dW1', 'db1'" in not_a_dict.message
    hidden = compare_value(decoded({"dW1": np.ones((4, 2)), "db1": np.ones(4) * 2}), expected, "grads", TOL,
                           public=False)
    assert hidden.message == "grads['db1'] has the right shape but wrong values"


def test_a_dict_inside_a_returned_tuple_and_a_ratio_in_one_key() -> None:
    expected = decoded((np.full(3, 0.5), {"Z1": np.ones((3, 2)), "A1": np.ones((3, 2))}))
    got = decoded((np.full(3, 0.5), {"Z1": np.ones((3, 2)), "A1": -np.ones((3, 2))}))
    check = compare_returns(got, expected, ("A2", "cache"), TOL, public=True)
    assert not check.passed and check.message.startswith("cache['A1'] is wrong")
    hint = generic_diagnosis(got, expected, ("A2", "cache"), {}, TOL)
    assert hint == "cache['A1'] has the wrong sign"


def test_a_modified_dict_argument_is_seen_and_matched_with_a_mutant_that_modifies_it() -> None:
    before = decoded(PARAMS)
    after = decoded({**PARAMS, "W1": PARAMS["W1"] - 1.0})
    assert same_array(before, decoded(dict(PARAMS))) and not same_array(before, after)
    assert not same_array(before, decoded({k: v for k, v in PARAMS.items() if k != "b2"}))
    value = decoded({"W1": np.zeros((3, 2))})
    student = Call("returned", value, None, (after,))
    mutants = {"in_place": Call("returned", value, None, (after,)),
               "copy": Call("returned", value, None, (before,))}
    assert matching_misconceptions(student, mutants, ("params",), (0,), TOL) == ["in_place"]


# ---------------------------------------------------------------- seeding


def draws_from_the_global_state(n: int) -> np.ndarray:
    return np.random.standard_normal(n) + random.random()


def test_every_call_sees_the_same_global_random_state_and_the_notebooks_is_restored() -> None:
    np.random.seed(123)
    random.seed(123)
    numpy_state, random_state = np.random.get_state()[1].copy(), random.getstate()
    first = call_student(draws_from_the_global_state, (4,))
    second = call_student(draws_from_the_global_state, (4,))
    assert first.status == second.status == "returned"
    np.testing.assert_array_equal(codec.plain(first.value), codec.plain(second.value))  # type: ignore[arg-type]
    assert np.array_equal(np.random.get_state()[1], numpy_state) and random.getstate() == random_state
    with seeded_global_random():
        again = draws_from_the_global_state(4)
    np.testing.assert_array_equal(codec.plain(first.value), again)  # type: ignore[arg-type]


def test_an_output_can_have_its_own_tolerance_by_the_name_feedback_uses() -> None:
    tol = Tolerance(1e-6, 1e-9, (("costs", 1e-2, 0.0), ("grads['dW1']", 1e-2, 0.0)))
    expected = decoded((np.ones(3), [0.5, 0.25]))
    close_costs = decoded((np.ones(3), [0.5 * 1.005, 0.25]))
    assert compare_returns(close_costs, expected, ("w", "costs"), tol, public=True).passed
    close_w = decoded((np.ones(3) * 1.005, [0.5, 0.25]))
    assert not compare_returns(close_w, expected, ("w", "costs"), tol, public=True).passed
    grads = decoded({"dW1": np.ones(2), "db1": np.ones(2)})
    assert compare_value(decoded({"dW1": np.ones(2) * 1.005, "db1": np.ones(2)}), grads, "grads", tol, True).passed
    assert not compare_value(decoded({"dW1": np.ones(2), "db1": np.ones(2) * 1.005}), grads, "grads", tol,
                             True).passed


def test_the_self_check_knows_the_same_tolerances_and_warning_rule() -> None:
    question = FunctionQuestion(
        id="train", title="train", points=2, function="train", params=("X",), returns=("params", "costs"),
        public_cases=(Case("public-1", (np.ones(2),)),), hidden_cases=lambda rng: (),
        forbid_warnings=True, tolerances={"costs": (1e-4, 1e-7), "params['W1']": (1e-5, 0.0)})
    rebuilt = checkdata.question_from_json("train", checkdata._declaration(question))
    assert isinstance(rebuilt, FunctionQuestion)
    assert rebuilt.tolerance == question.tolerance and rebuilt.forbid_warnings
