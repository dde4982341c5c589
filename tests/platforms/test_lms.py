"""export-grades: batches' scores as the file Canvas, Moodle or a spreadsheet imports, through a roster."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.errors import ConfigError
from autograder.platforms.lms import export, read_batch, read_roster
from autograder.report.bundle import write_batch_reports
from tests.report.report_samples import make_full, make_partial, make_ungradable

ROSTER = """student,name,lms_id,sis_user_id,sis_login_id,section,email
ana,"Lopez, Ana",1001,S1001,alopez,A,ana@example.edu
ben,=cmd|' /C calc'!A0,1002,S1002,bsmith,A,ben@example.edu
cy,"Young, Cy",1003,S1003,cyoung,B,cy@example.edu
"""


def graded(folder: Path, assignment: str, scores: dict[str, str]) -> Path:
    """A grade --out folder whose students got the sample results named ('full', 'partial', 'ungradable')."""
    made = {"full": make_full, "partial": make_partial, "ungradable": make_ungradable}
    results = [replace(made[kind](), student=student) for student, kind in scores.items()]
    write_batch_reports(assignment, results, [q.question_id for q in results[0].questions], folder)
    return folder


@pytest.fixture
def batches(tmp_path: Path) -> list[Path]:
    return [graded(tmp_path / "linear", "linear_regression", {"ana": "full", "ben": "partial", "dan": "full"}),
            graded(tmp_path / "logistic", "logistic_regression", {"ana": "partial", "cy": "ungradable"})]


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_canvas_gets_its_columns_the_points_possible_and_one_column_per_assignment(
        batches: list[Path], roster: Path) -> None:
    full, partial = make_full(), make_partial()
    made = export([read_batch(b) for b in batches], read_roster(roster), "canvas")
    head, points, ana, ben, cy = rows(made.text)
    assert head == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "linear_regression",
                    "logistic_regression"]
    assert points[0] == "Points Possible" and float(points[5]) == full.max_score
    assert ana[:5] == ["Lopez, Ana", "1001", "S1001", "alopez", "A"]
    assert [float(ana[5]), float(ana[6])] == [full.score, partial.score]
    assert ben[0].startswith("'=") and float(ben[5]) == partial.score and ben[6] == ""  # no submission: empty
    assert cy[5] == "" and float(cy[6]) == 0.0  # an ungradable notebook scores 0
    assert made.left_out == ("dan",)  # graded, not in the roster: named, not guessed


def test_moodle_and_csv_key_rows_by_email_and_by_student_id(batches: list[Path], roster: Path) -> None:
    moodle = rows(export([read_batch(b) for b in batches], read_roster(roster), "moodle").text)
    assert moodle[0][:3] == ["Email address", "ID number", "Full name"] and moodle[1][0] == "ana@example.edu"
    plain = rows(export([read_batch(batches[0])], read_roster(roster), "csv").text)
    assert plain[0] == ["student", "name", "section", "linear_regression"] and plain[1][0] == "ana"


def test_export_grades_writes_the_file_and_names_students_left_out(
        batches: list[Path], roster: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "canvas.csv"
    assert main(["export-grades", *map(str, batches), "--format", "canvas", "--roster", str(roster),
                 "--out", str(out)]) == 0
    assert rows(out.read_text())[2][0] == "Lopez, Ana"
    assert "dan" in capsys.readouterr().err
    assert main(["export-grades", str(batches[0]), "--format", "canvas", "--out", str(out)]) == 2  # no roster
    no_roster = tmp_path / "all.csv"
    assert main(["export-grades", str(batches[0]), "--format", "csv", "--out", str(no_roster)]) == 0
    assert [r[0] for r in rows(no_roster.read_text())[1:]] == ["ana", "ben", "dan"]


def test_bad_inputs_are_named(tmp_path: Path, batches: list[Path]) -> None:
    twice = tmp_path / "twice.csv"
    twice.write_text("student,name\nana,A\nana,B\n")
    with pytest.raises(ConfigError, match="line 3: student 'ana' is listed twice"):
        read_roster(twice)
    headless = tmp_path / "headless.csv"
    headless.write_text("name,email\nA,a@x\n")
    with pytest.raises(ConfigError, match="needs a header with a 'student' column"):
        read_roster(headless)
    with pytest.raises(ConfigError, match="not the output of autograder grade"):
        read_batch(tmp_path)
    with pytest.raises(ConfigError, match="one batch per assignment"):
        export([read_batch(batches[0])] * 2, [], "csv")
