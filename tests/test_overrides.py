"""Scores set by hand (overrides.csv) win over the automatic ones on every run, and say why."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.errors import ConfigError
from autograder.overrides import apply_overrides, read_overrides
from autograder.report.feedback_html import feedback_html
from autograder.report.question_text import question_output
from source_lib.judge.results import Outcome
from tests.conftest import NAME
from tests.conftest import Course as Subject
from tests.report.report_samples import make_partial

HEADER = "student,question,score,reason\n"


def overrides_file(tmp_path: Path, rows: str) -> Path:
    path = tmp_path / "overrides.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(("rows", "said"), [
    ("ana,no_such_question,1,x\n", "has no question 'no_such_question'"),
    ("ana,compute_cost,3,x\n", "outside 0 to 2 for compute_cost"),
    ("ana,compute_cost,-1,x\n", "outside 0 to 2"),
    ("ana,compute_cost,two,x\n", "'two' is not a number"),
    ("ana,compute_cost,nan,x\n", "outside 0 to 2"),
    ("ana,compute_cost,1,x\nana,compute_cost,2,y\n", "line 3: the same student and question appear twice"),
    (",compute_cost,1,x\n", "no student id")])
def test_a_bad_override_is_named_with_its_line(tmp_path: Path, linear: Subject, rows: str, said: str) -> None:
    with pytest.raises(ConfigError, match=said):
        read_overrides(overrides_file(tmp_path, rows), linear.assignment)


def test_an_override_replaces_the_score_and_shows_the_reason(tmp_path: Path) -> None:
    partial = make_partial()
    auto = next(q for q in partial.questions if not q.manual and q.score < q.max_score)
    manual = next(q for q in partial.questions if q.manual)
    found = {(partial.student, auto.question_id): _override(partial.student, auto.question_id, auto.max_score,
                                                             "regraded: the shape was right"),
             (partial.student, manual.question_id): _override(partial.student, manual.question_id, 1.5, "")}
    changed = apply_overrides(partial, found)
    regraded = next(q for q in changed.questions if q.question_id == auto.question_id)
    written = next(q for q in changed.questions if q.question_id == manual.question_id)
    assert regraded.score == auto.max_score and regraded.outcome is Outcome.PASSED
    assert not written.manual and written.score == 1.5 and written.override == "score set by your instructor"
    assert changed.score == pytest.approx(partial.score + auto.max_score - auto.score + 1.5)
    assert "Set by your instructor: regraded: the shape was right" in question_output(regraded)
    page = feedback_html(changed)
    assert "regraded: the shape was right" in page and page.count("set by hand") == 2
    assert apply_overrides(partial, {("someone else", auto.question_id): found[(partial.student, auto.question_id)]}) \
        is partial


def _override(student: str, question: str, score: float, reason: str):  # type: ignore[no-untyped-def]
    from autograder.overrides import Override

    return Override(student, question, score, reason)


@pytest.mark.slow
def test_overrides_survive_every_regrade(linear: Subject, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for student in ("ana", "ben"):
        folder = tmp_path / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(linear.notebook_with())
    path = overrides_file(tmp_path, "ana,explain_zero_init,2,clear and complete\nben,compute_cost,0,copied\n"
                                    "zed,compute_cost,1,not in this batch\n")
    for run in ("first", "again"):
        out = tmp_path / run
        assert main(["grade", NAME, str(tmp_path / "submitted"), "--out", str(out), "--overrides", str(path),
                     "--quiet", "--workers", "1"]) == 0
        with (out / "grades.csv").open(newline="") as stream:
            rows = {row["student"]: row for row in csv.DictReader(stream)}
        assert rows["ana"]["explain_zero_init"] == "2" and rows["ana"]["score"] == "16"
        assert rows["ben"]["compute_cost"] == "0" and rows["ben"]["score"] == "12"
        batch = {s["student"]: s for s in json.loads((out / "batch.json").read_text())["students"]}
        assert batch["ben"]["overridden"] == {"compute_cost": "copied"}
        assert "zed/compute_cost" in capsys.readouterr().err
