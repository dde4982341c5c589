"""Gradescope results.json: schema, totals, visibility of student text."""

from __future__ import annotations

import json
import math

from report_samples import PRINTED, SECRET, SIGN, TRANSPOSE

from autograder.report.gradescope import MESSAGE_LIMIT, results_json
from source_lib.judge.results import Status

_NUMBER = (int, float)
_VISIBILITY = {"hidden", "after_due_date", "after_published", "visible"}
_EXTRA = {"student": str, "status": str, "reason": str, "grader_version": str,
          "isolation": str, "isolation_detail": dict, "sha256": str,
          "compute_seconds": float, "cell_errors": list, "warnings": list,
          "lateness": type(None)}  # without a due date


def _check_schema(doc: dict) -> None:
    assert isinstance(doc["score"], _NUMBER) and not isinstance(doc["score"], bool)
    assert isinstance(doc["execution_time"], int)
    assert isinstance(doc["output"], str) and doc["output"]
    assert doc["output_format"] in {"text", "md"}
    assert isinstance(doc["tests"], list)
    for test in doc["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["output"], str)
        assert test["visibility"] in _VISIBILITY
        if "score" in test:
            assert isinstance(test["score"], _NUMBER) and isinstance(test["max_score"], _NUMBER)
            assert test["status"] in {"passed", "failed"}
        else:
            assert "max_score" not in test
    assert set(doc["extra_data"]) == set(_EXTRA)
    for key, kind in _EXTRA.items():
        assert isinstance(doc["extra_data"][key], kind), key
    for error in doc["extra_data"]["cell_errors"]:
        assert isinstance(error["cell"], int) and isinstance(error["message"], str)
        assert isinstance(error["error_type"], str)
        assert error["line"] is None or isinstance(error["line"], int)


def _roundtrip(result) -> tuple[dict, str]:
    text = json.dumps(results_json(result), ensure_ascii=False, allow_nan=False)
    text.encode("utf-8")  # no lone surrogates
    return json.loads(text), text


def test_every_result_is_valid_json_with_the_schema(batch):
    for result in batch:
        doc, _ = _roundtrip(result)
        _check_schema(doc)
        auto = sum(t["score"] for t in doc["tests"] if "score" in t)
        assert math.isclose(doc["score"], auto) and math.isclose(doc["score"], result.score)
        assert doc["extra_data"]["grader_version"] == "0.1.0"
        assert "0.1.0" in doc["output"] and "isolation" in doc["output"]


def test_full_marks(full):
    doc, _ = _roundtrip(full)
    assert doc["score"] == 10 and doc["execution_time"] == 1
    assert doc["extra_data"]["isolation"] == "namespaces"
    assert "isolation: namespaces" in doc["output"]
    names = [t["name"] for t in doc["tests"]]
    assert names[1] == "q2 compute_gradient: dL/dW"
    assert all(t["status"] == "passed" for t in doc["tests"] if "score" in t)


def test_manual_question_has_no_score_and_no_answer(full):
    doc, text = _roundtrip(full)
    manual = doc["tests"][-1]
    assert "score" not in manual and "status" not in manual
    assert "instructor" in manual["output"]
    assert "same gradient" not in text


def test_partial_hides_hidden_case_values(partial):
    doc, text = _roundtrip(partial)
    q2 = doc["tests"][1]
    assert q2["status"] == "failed" and q2["score"] == 1.0 and q2["max_score"] == 3.0
    assert "2 hidden cases: 0 passed" in q2["output"]
    assert q2["output"].count(TRANSPOSE) == 1 and q2["output"].count(SIGN) == 1
    assert "Failed public case: values\n" in q2["output"]  # its message is the named mistake
    assert SECRET not in text
    for internal in ("forgot_transpose", "sign_error", "likely:", "misconception"):
        assert internal not in text


def test_student_output_never_appears(batch):
    for result in batch:
        _, text = _roundtrip(result)
        assert PRINTED not in text


def test_notebook_entry_for_broken_submissions(ungradable, crashed, grader_error, full):
    for result in (ungradable, crashed, grader_error):
        doc, _ = _roundtrip(result)
        first = doc["tests"][0]
        assert first["name"] == "Notebook" and "score" not in first
        assert result.status.value in first["output"] and result.reason in first["output"]
    assert _roundtrip(full)[0]["tests"][0]["name"] != "Notebook"
    assert grader_error.status is Status.GRADER_ERROR
    assert "not your fault" in _roundtrip(grader_error)[0]["tests"][0]["output"]


def test_error_messages_are_truncated(crashed, hostile):
    for result in (crashed, hostile):
        doc, _ = _roundtrip(result)
        for error in doc["extra_data"]["cell_errors"]:
            assert len(error["message"]) <= MESSAGE_LIMIT
    doc, _ = _roundtrip(crashed)
    assert doc["extra_data"]["cell_errors"][0] == {
        "cell": 3, "line": 2, "question": None, "where": "in a code cell, line 2",
        "error_type": "ZeroDivisionError", "message": "division by zero"}


def test_cell_errors_name_the_question_and_verdicts_are_said_once(plain):
    doc, text = _roundtrip(plain)
    where = [(e["question"], e["where"]) for e in doc["extra_data"]["cell_errors"]]
    assert where == [("f", "in f, line 2"), ("g", "in the second code cell after g, line 1"),
                     (None, "in the first code cell from the top, line 1")]
    f, g, h = doc["tests"]
    assert f["name"] == "f" and f["output"].count("raised ValueError") == 1
    assert "Failed public cases: public-1, public-2: calling f(x) raised ValueError: bad shape" in f["output"]
    assert "2 hidden cases: 1 passed." in f["output"] and SECRET not in text
    assert g["output"].endswith("1 hidden case: 0 passed (on one of them: g has shape (7, 1), expected (7,).).")
    assert h["output"] == "Result: passed, 1/1."


def test_another_assignment_scores_zero_of_the_real_maximum(other_assignment):
    doc, _ = _roundtrip(other_assignment)
    assert doc["score"] == 0 and [t.get("max_score") for t in doc["tests"]] == [None, 2.0, 3.0, None]
    assert "looks like `logistic_regression`" in doc["tests"][0]["output"]


def test_hostile_strings_are_cleaned(hostile):
    doc, text = _roundtrip(hostile)
    for bad in ("\x1b", "\x00", "\x0b", "\r", "\ud800"):
        assert bad not in text
    assert doc["extra_data"]["student"] == "=cmd|' /C calc'!A0"
    assert isinstance(doc["extra_data"]["isolation_detail"]["x"], str)
    assert len(text) < 20_000
