"""judge.decode: reading sandbox records without trusting them, and how a run ended."""

from __future__ import annotations

import json

import numpy as np
import pytest

from source_lib import wire
from source_lib.judge import codec
from source_lib.judge.codec import Array, NoneValue, Scalar, Text
from source_lib.judge.decode import MAX_RECORD_BYTES, Call, Lookup, Observations, observe, run_status
from source_lib.judge.results import CellError, Status


def line(record: dict) -> str:
    return wire.dumps(record).decode()


def cell(index: int, error: dict | None = None, variant: str | None = None) -> str:
    record = {"r": "cell", "index": index, "status": "error" if error else "ok", "error": error}
    if variant is not None:
        record["variant"] = variant
    return line(record)


def call(question: str = "q", case: str = "c1", value: object = 1.5, status: str = "returned",
         variant: str | None = None, args_after: list | None = None, error: dict | None = None) -> str:
    return line({"r": "call", "variant": variant, "question": question, "case": case, "status": status,
                 "value": codec.encode(value) if status == "returned" else None, "error": error,
                 "args_after": args_after if args_after is not None else []})


def value(question: str = "v", val: object = "B", found: bool = True, variant: str | None = None) -> str:
    return line({"r": "value", "variant": variant, "question": question, "found": found,
                 "value": codec.encode(val) if found else None})


DONE = line({"r": "done", "compute_seconds": 1.25})


# ---------------------------------------------------------------- valid streams


def test_valid_stream() -> None:
    x = np.arange(4.0)
    obs = observe((
        cell(0), cell(1, {"type": "NameError", "message": "name 'z' is not defined", "cell": 1, "line": 3}),
        cell(2),
        call("cost", "public-1", 2.5, args_after=[codec.encode(x)]),
        call("cost", "public-2", status="raised", error={"type": "ValueError", "message": "shapes"}),
        call("grad", "public-1", status="missing"),
        call("grad", "public-1", (np.ones(2), 0.5), variant="grad:swapped"),
        cell(2, variant="grad:swapped"),
        value("answer", "B"), value("expr", None, found=False),
        "", "   ",
        DONE,
    ))
    assert obs.problems == ()
    assert obs.done and obs.compute_seconds == 1.25
    assert obs.last_cell == 2
    assert obs.cell_errors == (CellError(1, "NameError", "name 'z' is not defined", 3),)
    returned = obs.call("cost", "public-1")
    assert returned.status == "returned" and returned.value == Scalar(2.5, "float")
    assert isinstance(returned.args_after[0], Array)
    np.testing.assert_array_equal(returned.args_after[0].value, x)
    raised = obs.call("cost", "public-2")
    assert raised.status == "raised" and raised.value is None
    assert (raised.error.type, raised.error.message) == ("ValueError", "shapes")
    assert obs.call("grad", "public-1").status == "missing"
    assert obs.call("grad", "public-1", "grad:swapped").status == "returned"
    assert obs.call("grad", "public-2") == Call("absent")
    assert obs.lookup("answer") == Lookup("found", Text("B"))
    assert obs.lookup("expr") == Lookup("missing")
    assert obs.lookup("nothing") == Lookup("absent")


def test_raised_call_without_error_details() -> None:
    obs = observe((call(status="raised", error=None),))
    assert obs.call("q", "c1").error.type == "Exception"


def test_returned_none_is_a_none_value() -> None:
    assert observe((call(value=None),)).call("q", "c1").value == NoneValue()


def test_empty_run() -> None:
    obs = observe(())
    assert obs == Observations() and not obs.done and obs.last_cell is None


# ---------------------------------------------------------------- broken records


BIG = "x" * (MAX_RECORD_BYTES + 1)

IGNORED = {
    "not JSON": "{not json",
    "truncated JSON": call()[:30],
    "JSON list": "[1, 2]",
    "JSON string": '"call"',
    "NaN constant": '{"r": "done", "compute_seconds": NaN}',
    "oversize line": json.dumps({"r": "value", "question": "v", "found": True,
                                 "value": {"t": "str", "v": BIG}}),
    "no kind": '{"question": "q"}',
    "unknown kind": '{"r": "vote", "question": "q"}',
    "kind not text": '{"r": ["call"], "question": "q"}',
    "cell index text": '{"r": "cell", "index": "3", "status": "ok"}',
    "cell index bool": '{"r": "cell", "index": true, "status": "ok"}',
    "cell error type not text": '{"r": "cell", "index": 4, "status": "error", "error": {"type": 5}}',
    "call question not text": '{"r": "call", "question": 5, "case": "c1", "status": "missing"}',
    "call case null": '{"r": "call", "question": "q", "case": null, "status": "missing"}',
    "call variant not text": '{"r": "call", "variant": 3, "question": "q", "case": "c1", "status": "missing"}',
    "value question not text": '{"r": "value", "question": null, "found": false}',
    "value variant not text": '{"r": "value", "variant": [], "question": "v", "found": false}',
    "deeply nested": '{"r": "call", "value": ' + "[" * 100_000 + "]" * 100_000 + "}",
}


@pytest.mark.parametrize("bad", list(IGNORED.values()), ids=list(IGNORED))
def test_broken_record_is_ignored_and_noted(bad: str) -> None:
    obs = observe((cell(0), bad, call("q", "c2"), DONE))
    assert len(obs.problems) == 1 and obs.problems[0].startswith("ignored a malformed record")
    assert obs.done and obs.last_cell == 0 and obs.cell_errors == ()
    assert obs.call("q", "c1").status == "absent"          # nothing was read for that probe
    assert obs.call("q", "c2").status == "returned"        # and the records around it still count
    assert obs.lookup("v").status == "absent"


def test_oversize_line_is_named_in_the_problem() -> None:
    obs = observe((IGNORED["oversize line"],))
    assert "exceeds" in obs.problems[0] and len(obs.problems[0]) < 200


MALFORMED_CALLS = {
    "bad status": '{"r": "call", "question": "q", "case": "c1", "status": "exploded", "value": null}',
    "status not text": '{"r": "call", "question": "q", "case": "c1", "status": ["returned"]}',
    "value untagged": '{"r": "call", "question": "q", "case": "c1", "status": "returned", "value": 1.5}',
    "value bad dtype": line({"r": "call", "question": "q", "case": "c1", "status": "returned",
                             "value": {**codec.encode(np.zeros(2)), "dtype": "object"}}),
    "value tag unhashable": '{"r": "call", "question": "q", "case": "c1", "status": "returned", '
                            '"value": {"t": {"x": 1}}}',
    "value missing": '{"r": "call", "question": "q", "case": "c1", "status": "returned"}',
    "args_after not a list": '{"r": "call", "question": "q", "case": "c1", "status": "missing", '
                             '"args_after": "X"}',
    "args_after bad item": '{"r": "call", "question": "q", "case": "c1", "status": "missing", '
                           '"args_after": [{"t": "int", "v": "x"}]}',
    "error type not text": '{"r": "call", "question": "q", "case": "c1", "status": "raised", '
                           '"error": {"type": 7, "message": "m"}}',
    "warnings not a list": '{"r": "call", "question": "q", "case": "c1", "status": "missing", '
                           '"warnings": "RuntimeWarning"}',
    "warning not text": '{"r": "call", "question": "q", "case": "c1", "status": "missing", '
                        '"warnings": [{"t": "str"}]}',
}


@pytest.mark.parametrize("bad", list(MALFORMED_CALLS.values()), ids=list(MALFORMED_CALLS))
def test_call_that_breaks_the_schema_is_malformed(bad: str) -> None:
    obs = observe((bad, call("q", "c2"), DONE))
    assert obs.call("q", "c1").status == "malformed"
    assert obs.call("q", "c2").status == "returned" and obs.done
    assert len(obs.problems) == 1


@pytest.mark.parametrize("bad", [
    '{"r": "value", "question": "v", "found": true, "value": {"t": "str", "v": 5}}',
    '{"r": "value", "question": "v", "found": true, "value": "B"}',
    '{"r": "value", "question": "v", "found": true, "value": {"t": ["str"], "v": "B"}}',
], ids=["bad str", "untagged", "tag unhashable"])
def test_value_that_breaks_the_schema_is_malformed(bad: str) -> None:
    obs = observe((bad, value("w", "A")))
    assert obs.lookup("v").status == "malformed"
    assert obs.lookup("w") == Lookup("found", Text("A"))
    assert len(obs.problems) == 1


def test_found_must_be_literally_true() -> None:
    record = '{"r": "value", "question": "v", "found": "yes", "value": {"t": "str", "v": "B"}}'
    assert observe((record,)).lookup("v") == Lookup("missing")


@pytest.mark.parametrize("records, key", [
    ((call("q", "c1", 1.0), call("q", "c1", 1.0)), "q/c1"),
    ((call("q", "c1", 1.0), call("q", "c1", status="missing")), "q/c1"),
    ((call("q", "c1", status="raised"), call("q", "c1", 2.0), call("q", "c1", 3.0)), "q/c1"),
    ((call("q", "c1", 1.0, variant="q:m"), call("q", "c1", 2.0, variant="q:m")), "q:m/q/c1"),
], ids=["same twice", "returned then missing", "three times", "variant"])
def test_duplicate_calls_are_malformed(records: tuple[str, ...], key: str) -> None:
    obs = observe(records + (call("q", "c2"),))
    variant = "q:m" if key.startswith("q:m") else None
    assert obs.call("q", "c1", variant).status == "malformed"
    assert obs.call("q", "c2").status == "returned"
    assert obs.problems and all(p == f"two answers for {key}; neither counts" for p in obs.problems)


def test_duplicate_values_are_malformed() -> None:
    obs = observe((value("v", "B"), value("v", "B"), value("w", "C")))
    assert obs.lookup("v") == Lookup("malformed")
    assert obs.lookup("w") == Lookup("found", Text("C"))
    assert obs.problems == ("two answers for v; neither counts",)


def test_broken_record_then_a_good_one_for_the_same_probe_still_fails_closed() -> None:
    obs = observe((MALFORMED_CALLS["value untagged"], call("q", "c1", 1.0)))
    assert obs.call("q", "c1").status == "malformed"


def test_same_case_in_different_variants_is_not_a_duplicate() -> None:
    obs = observe((call("q", "c1", 1.0), call("q", "c1", 2.0, variant="q:m")))
    assert obs.problems == ()
    assert obs.call("q", "c1").value == Scalar(1.0, "float")
    assert obs.call("q", "c1", "q:m").value == Scalar(2.0, "float")


def test_forged_second_done_is_ignored() -> None:
    forged = line({"r": "done", "compute_seconds": 0.001})
    obs = observe((cell(0), DONE, forged))
    assert obs.done and obs.compute_seconds == 1.25
    assert len(obs.problems) == 1 and "repeated record kind 'done'" in obs.problems[0]


@pytest.mark.parametrize("seconds", ['"fast"', "null", "true", "-1", "1e999", "1" + "0" * 400],
                         ids=["text", "null", "bool", "negative", "inf", "huge int"])
def test_done_with_a_bad_duration(seconds: str) -> None:
    obs = observe(('{"r": "done", "compute_seconds": ' + seconds + "}",))
    assert obs.done
    assert 0.0 <= obs.compute_seconds < 1e9


def test_variant_cells_do_not_move_the_last_cell_or_add_errors() -> None:
    obs = observe((cell(3), cell(9, {"type": "E", "message": "m"}, variant="q:m")))
    assert obs.last_cell == 3 and obs.cell_errors == ()


def test_long_texts_are_cut() -> None:
    obs = observe((cell(0, {"type": "T" * 500, "message": "m" * 5000}),
                   call("q", "c1", status="raised", error={"type": "E" * 500, "message": "n" * 5000})))
    assert len(obs.cell_errors[0].error_type) == 80 and len(obs.cell_errors[0].message) == 500
    error = obs.call("q", "c1").error
    assert len(error.type) == 80 and len(error.message) == 500


def test_observe_never_raises_on_random_garbage() -> None:
    rng = np.random.default_rng(7)
    pieces = ['{"r": "call"', '"question": "q"', '"case": 1', '"status": "returned"', '"value": {"t": "seq"}',
              '"items": [{"t": "float", "v": "zz"}]', '"r": "value"', '"found": true', "null", "[", "]", "}",
              "{", ",", ":", '"args_after": [1, [2]]', '"r": "done"', '"compute_seconds": 1e308',
              '"index": -5', '"r": "cell"', '"status": "error"', '"error": []']
    lines = []
    for _ in range(2000):
        chosen = rng.choice(pieces, size=int(rng.integers(1, 8)))
        lines.append("{" + ",".join(p.strip("{}") for p in chosen) + "}")
        lines.append("".join(chosen))
    obs = observe(tuple(lines))
    assert isinstance(obs, Observations)


# ---------------------------------------------------------------- how the run ended


RAN_TO_THE_END = observe((cell(0), cell(1), cell(4), DONE))
STOPPED_IN_CELL_4 = observe((cell(0), cell(1), cell(4)))
NOTHING_RAN = observe(())


@pytest.mark.parametrize("ended, signal, observed, status, fragments", [
    ("exited", None, RAN_TO_THE_END, Status.GRADED, ()),
    ("exited", None, STOPPED_IN_CELL_4, Status.CRASHED,
     ("ended its own process before grading finished (last cell that ran: 5)", "os._exit()")),
    ("exited", None, NOTHING_RAN, Status.CRASHED, ("ended its own process",)),
    ("timeout", None, STOPPED_IN_CELL_4, Status.TIMEOUT,
     ("did not finish within the time limit (last cell that ran: 5)", "still count")),
    ("timeout", None, RAN_TO_THE_END, Status.TIMEOUT, ("time limit (last cell that ran: 5)",)),
    ("signaled", 9, STOPPED_IN_CELL_4, Status.CRASHED, ("killed by signal 9 (last cell that ran: 5)",)),
    ("output_limit", None, STOPPED_IN_CELL_4, Status.CRASHED,
     ("printed far too much output and was stopped (last cell that ran: 5)",)),
    ("record_limit", None, STOPPED_IN_CELL_4, Status.CRASHED,
     ("answers were too large to send back (last cell that ran: 5)",)),
    ("memory", None, STOPPED_IN_CELL_4, Status.CRASHED, ("ran out of memory (last cell that ran: 5)",)),
    ("worker_failed", None, STOPPED_IN_CELL_4, Status.GRADER_ERROR, ("sandbox failed", "regrade")),
    ("start_failed", None, NOTHING_RAN, Status.GRADER_ERROR, ("sandbox failed", "regrade")),
], ids=["exited+done", "exited-no-done", "exited-nothing", "timeout", "timeout-after-done", "signaled",
        "output_limit", "record_limit", "memory", "worker_failed", "start_failed"])
def test_run_status(ended: str, signal: int | None, observed: Observations, status: Status,
                    fragments: tuple[str, ...]) -> None:
    got_status, reason = run_status(ended, 0 if ended == "exited" else None, signal, observed, 1.0)
    assert got_status is status
    if status is Status.GRADED:
        assert reason == ""
    for fragment in fragments:
        assert fragment in reason
    if observed is NOTHING_RAN:
        assert "last cell" not in reason


def test_broken_answer_channel_has_its_own_reason() -> None:
    status, reason = run_status("exited", wire.ANSWERS_BROKEN_EXIT, None, STOPPED_IN_CELL_4, 1.0)
    assert status is Status.CRASHED and "could not be read back" in reason
    status, _ = run_status("exited", wire.ANSWERS_BROKEN_EXIT, None, RAN_TO_THE_END, 1.0)
    assert status is Status.GRADED  # a "done" record means the answers did arrive


def test_every_ending_is_covered() -> None:
    for ended in wire.ENDINGS:
        status, reason = run_status(ended, None, None, STOPPED_IN_CELL_4, 1.0)
        assert status is not Status.GRADED and reason
