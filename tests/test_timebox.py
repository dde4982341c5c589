"""The time box: values come back as JSON; loops, sleeps, huge allocations and crashes are contained."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from autograder import timebox
from autograder.timebox import TimeboxResult, run, run_inline
from source_lib.judge.spec import Symbols
from source_lib.judge.symbolic import judge_answer


def _value(a: int, b: int) -> dict:
    return {"sum": a + b, "items": [a, b, None, "s", 1.5]}


def _forever() -> None:
    while True:
        pass


def _sleep_forever() -> None:
    time.sleep(3600)


def _allocate_4gb() -> int:
    block = bytearray(4 * 1024 ** 3)
    return len(block)


def _raise() -> None:
    raise KeyError("no such thing")


def _not_json() -> object:
    return object()


def _nan() -> float:
    return float("nan")


def _exit_hard() -> None:
    os._exit(3)


def _huge_output() -> str:
    return "x" * (timebox.MAX_OUTPUT_BYTES + 10)


def test_a_normal_function_returns_its_json_value() -> None:
    result = run(_value, 2, 3, seconds=5)
    assert result == TimeboxResult(True, {"sum": 5, "items": [2, 3, None, "s", 1.5]}, "")


def test_a_busy_loop_is_killed_at_the_deadline() -> None:
    start = time.monotonic()
    result = run(_forever, seconds=0.5)
    assert (result.ok, result.reason) == (False, "timeout")
    assert time.monotonic() - start < 2.0


def test_a_sleeping_child_is_killed_at_the_deadline() -> None:
    start = time.monotonic()
    assert run(_sleep_forever, seconds=0.3).reason == "timeout"
    assert time.monotonic() - start < 2.0


def test_a_4gb_allocation_is_refused() -> None:
    start = time.monotonic()
    result = run(_allocate_4gb, seconds=10, memory_mb=256)
    assert not result.ok and result.reason in ("memory", "crashed")
    assert time.monotonic() - start < 5.0


def test_an_exception_is_reported_with_its_type() -> None:
    result = run(_raise, seconds=5)
    assert (result.ok, result.reason) == (False, "crashed")
    assert result.value["type"] == "KeyError" and "no such thing" in result.value["message"]


@pytest.mark.parametrize("fn", [_not_json, _nan, _huge_output])
def test_values_that_are_not_json_are_bad_output(fn) -> None:
    result = run(fn, seconds=5)
    assert (result.ok, result.reason) == (False, "bad_output")


def test_a_child_that_exits_without_answering_crashed() -> None:
    result = run(_exit_hard, seconds=5)
    assert (result.ok, result.reason) == (False, "crashed")


def _children() -> set[int]:
    tasks = Path(f"/proc/{os.getpid()}/task")
    return {int(pid) for task in tasks.iterdir() for pid in (task / "children").read_text().split()}


def test_no_child_is_left_behind() -> None:
    before = _children()  # other tests' sandbox workers may be running
    run(_forever, seconds=0.2)
    assert _children() <= before


def test_inline_has_the_same_contract() -> None:
    assert run_inline(_value, 2, 3) == run(_value, 2, 3, seconds=5)
    crashed = run_inline(_raise)
    assert (crashed.ok, crashed.reason, crashed.value["type"]) == (False, "crashed", "KeyError")
    assert run_inline(_not_json).reason == "bad_output"
    assert run_inline(_nan).reason == "bad_output"


def test_judge_answer_runs_in_the_time_box() -> None:
    symbols = Symbols(reals=("w", "b"), size="m", index="i", indexed=("x", "y"))
    reference = "Sum(2*(b + w*x[i] - y[i])*x[i], (i, 1, m))/(2*m)"
    student = "Sum(x[i]*(b + w*x[i] - y[i]), (i, 1, m))"
    boxed = run(judge_answer, student, reference, {}, symbols, 1, 3, seconds=20)
    assert boxed.ok and boxed.value == judge_answer(student, reference, {}, symbols, 1, 3)
    assert boxed.value["diagnosis"] == "missing_1_over_m"


def _span(seconds: float) -> list[float]:
    started = time.monotonic()
    time.sleep(seconds)
    return [started, time.monotonic()]


def test_run_all_keeps_the_order_and_each_outcome() -> None:
    calls = [(_value, (1, 2)), (_raise, ()), (_sleep_forever, ()), (_exit_hard, ()), (_value, (3, 4))]
    results = timebox.run_all(calls, seconds=0.5, parallel=2)
    assert [r.reason for r in results] == ["", "crashed", "timeout", "crashed", ""]
    assert results[0].value["sum"] == 3 and results[4].value["sum"] == 7
    assert results[1].value["type"] == "KeyError"


def test_run_all_runs_children_side_by_side() -> None:
    first, second, third = (r.value for r in timebox.run_all([(_span, (0.3,))] * 3, seconds=5, parallel=2))
    assert second[0] < first[1]  # the second started before the first ended
    assert third[0] >= min(first[1], second[1])  # the third waited for a free place


def test_run_all_interrupted_leaves_no_child_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    before = _children()
    real_select = timebox.select.select

    def interrupted(*args: object) -> object:
        real_select(*args[:3], 0.2)  # type: ignore[call-overload]
        raise KeyboardInterrupt

    monkeypatch.setattr(timebox.select, "select", interrupted)
    with pytest.raises(KeyboardInterrupt):
        timebox.run_all([(_sleep_forever, ())] * 2, seconds=30)
    assert _children() <= before
