"""Through the real sandbox: what a student reads names no grader path and no cell index, and a
notebook of another assignment (or no notebook at all) scores 0 of the assignment's real maximum."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from autograder.report.feedback_html import feedback_html
from autograder.report.gradescope import results_json
from autograder.report.student_text import GRADER
from source_lib.judge.results import Status, SubmissionResult
from tests.conftest import NAME, Grade

ROOT = Path(__file__).resolve().parent.parent
FULL_MARKS = 14
PRINTS_HOST_PATHS = '''
import os, sys, traceback, warnings
print("cwd", os.getcwd(), "file", globals().get("__file__"), "argv", sys.argv)
print("numpy at", np.__file__, "prefix", sys.prefix, "path", sys.path)
try:
    np.linalg.inv(np.zeros((2, 2)))
except Exception:
    traceback.print_exc()
warnings.warn("careful here")
'''


def _with_cell(release_text: str, grade_id: str, source: str) -> str:
    node = json.loads(release_text)
    cell = next(c for c in node["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)
    cell["source"] = source
    return json.dumps(node)


def _student_texts(result: SubmissionResult) -> str:
    return feedback_html(result) + json.dumps(results_json(result))


def test_printed_output_names_no_grader_path_and_no_cell_index(
        grade: Grade, notebook_with: Callable[..., str], answers: dict[str, str]) -> None:
    text = notebook_with(compute_cost=PRINTS_HOST_PATHS + answers["compute_cost"])
    text = _with_cell(text, "experiment_inits", "raise RuntimeError('stopped in ' + os.getcwd())")
    result = grade({"paths": text})["paths"]
    assert result.status is Status.GRADED and result.score == FULL_MARKS, result.reason
    output = result.output
    assert 'File "<compute_cost>", line 6' in output and "<compute_cost>:9: UserWarning: careful here" in output
    assert f"{GRADER}/numpy/linalg/" in output and "numpy.linalg.LinAlgError" in output
    assert not re.search(r"<cell \d+>", output)
    for host in {str(ROOT), sys.prefix, sys.base_prefix, "autograder-pool-"}:
        assert host not in _student_texts(result), host
    (error,) = [e for e in result.cell_errors if e.error_type == "RuntimeError"]
    assert (error.question, error.offset) == ("gradient_descent", 2)
    assert "in the second code cell after gradient_descent, line 1" in feedback_html(result)


def _zero_of_the_real_maximum(result: SubmissionResult) -> None:
    assert result.status is Status.UNGRADABLE
    assert (result.score, result.max_score) == (0, FULL_MARKS)
    document = results_json(result)
    assert document["score"] == 0
    assert sum(t.get("max_score", 0) for t in document["tests"]) == FULL_MARKS
    page = feedback_html(result)
    assert f"<b>0 / {FULL_MARKS}</b>" in page and page.count("<tr>") == 1 + len(result.questions)


def test_a_notebook_of_another_assignment_is_told_so(grade: Grade, release_text: str) -> None:
    other = release_text.replace(f'self_check(\\"{NAME}\\")', 'self_check(\\"logistic_regression\\")')
    assert other != release_text
    result = grade({"olga": other})["olga"]
    _zero_of_the_real_maximum(result)
    assert result.reason.startswith(f"this looks like `logistic_regression`, not `{NAME}`")
    assert "<code>logistic_regression</code>, not <code>linear_regression</code>" in feedback_html(result)
    assert result.reason in results_json(result)["output"]


def test_a_notebook_whose_questions_are_all_foreign_is_told_so(grade: Grade, release_text: str) -> None:
    node = json.loads(release_text)
    for cell in node["cells"]:
        meta = cell["metadata"].get("nbgrader")
        if meta:
            meta["grade_id"] = "other_" + meta["grade_id"]
        cell["source"] = [line.replace(f'self_check("{NAME}")', "None") for line in cell["source"]] \
            if isinstance(cell["source"], list) else cell["source"].replace(f'self_check("{NAME}")', "None")
    result = grade({"pat": json.dumps(node)})["pat"]
    _zero_of_the_real_maximum(result)
    assert f"not the `{NAME}` notebook" in result.reason


def test_the_release_and_a_notebook_without_nbgrader_cells_are_graded(
        grade: Grade, release_text: str, notebook_with: Callable[..., str]) -> None:
    node = json.loads(notebook_with())
    for cell in node["cells"]:
        cell["metadata"].pop("nbgrader", None)
    by = grade({"blank": release_text, "plain": json.dumps(node)})
    assert by["blank"].status is Status.GRADED and by["blank"].score == 0
    assert by["plain"].status is Status.GRADED and by["plain"].score == FULL_MARKS  # found by name


def test_a_truncated_file_scores_zero_of_the_real_maximum(grade: Grade, release_text: str) -> None:
    result = grade({"ivan": release_text[: len(release_text) // 2]})["ivan"]
    _zero_of_the_real_maximum(result)
    assert "truncated" in result.reason and "truncated" in feedback_html(result)
