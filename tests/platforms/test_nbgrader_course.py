"""Our grades in a real nbgrader course: its gradebook.db, formgrader's autograded/ notebooks, and
nbgrader's own generate_feedback and export reading them back (linear_regression)."""

from __future__ import annotations

import csv
import html
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.errors import ConfigError
from autograder.notebook import SubmissionFile
from autograder.pipeline import grade_files
from autograder.platforms.nbgrader_course import Course, GradebookMismatch, import_results
from autograder.report.question_text import question_output
from source_lib.judge.results import Status, SubmissionResult
from tests.conftest import NAME
from tests.conftest import Course as Subject

pytestmark = pytest.mark.slow
COURSE_ID = "zeroinit-test"
MISSING_1_OVER_M = "def compute_gradient(X, y, w, b):\n    e = X @ w + b - y\n    return X.T @ e, e.sum()"


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def gradebook(course: Path):  # type: ignore[no-untyped-def]
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory, linear: Subject) -> tuple[Path, dict[str, SubmissionResult]]:
    """A course made by nbgrader generate_assignment, four collected submissions, graded once."""
    root = tmp_path_factory.mktemp("nbgrader-course")
    (root / "nbgrader_config.py").write_text(f'c = get_config()\nc.CourseDirectory.course_id = "{COURSE_ID}"\n')
    (root / "source" / NAME).mkdir(parents=True)
    (root / "source" / NAME / f"{NAME}.ipynb").write_text(linear.solution_text)
    nbgrader(root, "generate_assignment", NAME)
    tampered = {"compute_gradient": MISSING_1_OVER_M, "test_dJ_dw": 'print("All tests passed")'}
    submissions = {"ada": linear.notebook_with(), "bo": linear.notebook_with(**tampered),
                   "cy": linear.release_text, "di": linear.notebook_with()[:2000]}
    stamps = {"ada": "2026-11-29 12:00:00.000000 UTC", "bo": "2026-11-30 09:30:00.000000 UTC", "cy": "yesterday"}
    files = []
    for student, text in submissions.items():
        folder = root / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(text, encoding="utf-8")
        if student in stamps:
            (folder / "timestamp.txt").write_text(stamps[student] + "\n")
        files.append(SubmissionFile(student, folder / f"{NAME}.ipynb"))
    results: dict[str, SubmissionResult] = {}
    grade_files(linear.prepared, files, linear.config, linear.sandbox(), lambda r: results.update({r.student: r}))
    return root, results


@pytest.fixture(scope="module")
def imported(graded: tuple[Path, dict[str, SubmissionResult]], linear: Subject) -> tuple[Path, object]:
    root, results = graded
    return root, import_results(Course.at(root), linear.assignment, list(results.values()))


def test_scores_and_feedback_land_where_nbgrader_autograde_puts_them(
        graded: tuple[Path, dict[str, SubmissionResult]], imported: tuple[Path, object], linear: Subject) -> None:
    root, results = graded
    assert results["di"].status is Status.UNGRADABLE and results["bo"].score < results["ada"].score
    with gradebook(root) as gb:
        for student, result in results.items():
            for question in result.questions:
                spec = next(q for q in linear.assignment.questions if q.id == question.question_id)
                cell = question.question_id if question.manual else f"test_{question.question_id}"
                grade = gb.find_grade(cell, NAME, NAME, student)
                comment = gb.find_comment(question.question_id if question.manual else spec.cell,  # type: ignore[union-attr]
                                          NAME, NAME, student)
                if question.manual:
                    assert grade.auto_score is None and grade.needs_manual_grade
                else:
                    assert grade.auto_score == pytest.approx(question.score) and not grade.needs_manual_grade
                    assert comment.auto_comment == question_output(question)
            assert gb.find_submission(NAME, student).score == pytest.approx(result.score)
        assert "Likely mistake" in gb.find_comment("compute_gradient", NAME, NAME, "bo").auto_comment
        assert gb.find_comment("explain_zero_init", NAME, NAME, "cy").auto_comment == "No response."
        assert gb.find_submission(NAME, "bo").timestamp == datetime(2026, 11, 30, 9, 30)
        assert gb.find_submission(NAME, "cy").timestamp is None  # "yesterday" is no date: left out, said
    assert any("cy: timestamp.txt" in w for w in imported[1].warnings)  # type: ignore[attr-defined]


def test_autograded_notebooks_carry_the_feedback_and_no_hidden_test(
        graded: tuple[Path, dict[str, SubmissionResult]], imported: tuple[Path, object], linear: Subject) -> None:
    root, results = graded
    for student, result in results.items():
        folder = root / "autograded" / student / NAME
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            [f"{NAME}.ipynb"] + (["timestamp.txt"] if student in ("ada", "bo") else []))
        text = (folder / f"{NAME}.ipynb").read_text(encoding="utf-8")
        assert "HIDDEN TESTS" not in text and "add_hidden" not in text
        node = nbformat.reads(text, as_version=4)
        tests = {c.metadata["nbgrader"]["grade_id"]: c for c in node.cells
                 if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_")}
        assert len(tests) == len(linear.assignment.auto_questions)
        for question in (q for q in result.questions if not q.manual):
            cell = tests[f"test_{question.question_id}"]
            assert cell.source == f'check("{question.question_id}")'  # bo's edited test cell restored
            assert [" ".join(o.text.split()) for o in cell.outputs] == [" ".join(question_output(question).split())]
    first = nbformat.reads((root / "autograded" / "di" / NAME / f"{NAME}.ipynb").read_text(), as_version=4).cells[0]
    assert "could not be graded" in first.source  # the truncated file: the release, with the reason on top
    assert (root / "autograded" / "ada" / NAME / "timestamp.txt").read_text() == "2026-11-29 12:00:00.000000 UTC\n"
    assert not list(root.rglob(".zeroinit-*"))


def test_nbgraders_own_feedback_and_export_show_our_grades(
        graded: tuple[Path, dict[str, SubmissionResult]], imported: tuple[Path, object]) -> None:
    root, results = graded
    nbgrader(root, "generate_feedback", NAME)
    nbgrader(root, "export")
    with open(root / "grades.csv", newline="") as stream:
        exported = {row["student_id"]: row for row in csv.DictReader(stream)}
    assert {s: float(r["raw_score"]) for s, r in exported.items()} == pytest.approx(
        {s: r.score for s, r in results.items()})
    page = (root / "feedback" / "bo" / NAME / f"{NAME}.html").read_text(encoding="utf-8")
    mistake = next(q for q in results["bo"].questions if q.question_id == "compute_gradient")
    assert html.escape(question_output(mistake).splitlines()[1], quote=False) in page
    assert f"Score: {results['bo'].score:.1f}" in page


def test_a_manual_grade_survives_a_reimport(graded: tuple[Path, dict[str, SubmissionResult]],
                                             imported: tuple[Path, object], linear: Subject,
                                             tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(graded[0], root)
    results = {s: _moved(r, graded[0], root) for s, r in graded[1].items()}
    with gradebook(root) as gb:
        gb.find_grade("explain_zero_init", NAME, NAME, "ada").manual_score = 1.5
        gb.find_grade("test_compute_gradient", NAME, NAME, "bo").manual_score = 3.0  # a regrade by hand
        gb.db.commit()
    import_results(Course.at(root), linear.assignment, list(results.values()))
    with gradebook(root) as gb:
        assert gb.find_grade("explain_zero_init", NAME, NAME, "ada").manual_score == 1.5
        regraded = gb.find_grade("test_compute_gradient", NAME, NAME, "bo")
        assert regraded.manual_score == 3.0 and regraded.score == 3.0 and regraded.needs_manual_grade
        assert gb.find_submission(NAME, "ada").score == pytest.approx(results["ada"].score + 1.5)



def _moved(result: SubmissionResult, old: Path, new: Path) -> SubmissionResult:
    from dataclasses import replace

    return replace(result, source=str(new / Path(result.source).relative_to(old)))


def test_a_gradebook_that_differs_from_the_declaration_gets_nothing(
        graded: tuple[Path, dict[str, SubmissionResult]], linear: Subject, tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(graded[0], root, ignore=shutil.ignore_patterns("autograded", "feedback", "grades.csv"))
    with gradebook(root) as gb:
        gb.find_grade_cell("test_compute_cost", NAME, NAME).max_score = 5
        gb.db.commit()
        before = {s.name: s.score for s in gb.find_assignment(NAME).submissions}
    results = [_moved(r, graded[0], root) for r in graded[1].values()]
    with pytest.raises(GradebookMismatch, match="'test_compute_cost' is worth 5 points, the declaration says 2"):
        import_results(Course.at(root), linear.assignment, results)
    assert not (root / "autograded").exists()
    with gradebook(root) as gb:
        assert {s.name: s.score for s in gb.find_assignment(NAME).submissions} == before


def test_grade_with_a_course_grades_its_submitted_folder_into_it(
        graded: tuple[Path, dict[str, SubmissionResult]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "course"
    shutil.copytree(graded[0], root, ignore=shutil.ignore_patterns("autograded", "feedback", "grades.csv"))
    assert main(["grade", NAME, "--nbgrader-course", str(root), "--out", str(tmp_path / "out"), "--quiet",
                 "--workers", "1"]) == 0
    assert "nbgrader: 4 submission(s) written" in capsys.readouterr().err
    assert sorted(p.name for p in (root / "autograded").iterdir()) == ["ada", "bo", "cy", "di"]
    with gradebook(root) as gb:
        assert gb.find_submission(NAME, "ada").score == pytest.approx(graded[1]["ada"].score)
    with gradebook(root) as gb:  # a gradebook out of step is refused before any grading
        gb.find_grade_cell("test_dJ_dw", NAME, NAME).max_score = 1
        gb.db.commit()
    assert main(["grade", NAME, "--nbgrader-course", str(root), "--out", str(tmp_path / "out2"), "--quiet"]) != 0
    assert "'test_dJ_dw' is worth 1 points" in capsys.readouterr().err
    assert not (tmp_path / "out2").exists()


def test_a_course_without_a_gradebook_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no gradebook.db; run nbgrader generate_assignment"):
        Course.at(tmp_path)
