"""A batch that stops half way (Ctrl-C, a full disk) keeps what it graded; --resume grades the rest,
and the final reports are those of a batch that never stopped."""

from __future__ import annotations

import errno
import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from autograder import report
from autograder.batch import grade_batch
from autograder.config import GradingConfig
from autograder.errors import ConfigError, OutputError
from autograder.replies import RawRun
from autograder.report.output import partial_folder
from tests.test_pipeline_fake import MINI, SOLUTION_CELLS, AllCorrect, mini_course, notebook_text

STUDENTS = ["ann", "ben", "cem", "dan", "eve"]
CLASS_FILES = (*report.BATCH_FILES, "class.json", "class_questions.csv", "class_misconceptions.csv")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> GradingConfig:
    return mini_course(tmp_path_factory.mktemp("course"))


class Counting(AllCorrect):
    """Records the students whose notebooks reached the sandbox."""

    def __init__(self) -> None:
        super().__init__()
        self.students: list[str] = []

    def _handle(self, job: dict[str, Any]) -> RawRun:
        label = job["job_id"].split("#")[0]
        if label != "reference":
            self.students.append(label)
        return super()._handle(job)


class StopAfter(io.StringIO):
    """A progress stream that presses Ctrl-C once ``count`` submissions are done."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count

    def write(self, text: str) -> int:
        self.count -= text.count("\n")
        if self.count <= 0:
            raise KeyboardInterrupt
        return len(text)


def _submissions(root: Path) -> Path:
    folder = root / "in"
    folder.mkdir(parents=True)
    for name in STUDENTS:
        cells = SOLUTION_CELLS if name != "cem" else {**SOLUTION_CELLS, "pick": 'pick = "A"'}
        (folder / f"{name}.ipynb").write_text(notebook_text(cells), encoding="utf-8")
    return folder


def _class_files(out: Path) -> dict[str, str]:
    return {name: (out / name).read_text(encoding="utf-8") for name in CLASS_FILES}


def _untimed(text: str) -> str:
    import re

    return re.sub(r'time="[^"]*"', "", text)


def test_resume_grades_only_what_is_missing_and_ends_as_an_uninterrupted_run(
        course: GradingConfig, tmp_path: Path) -> None:
    submissions = _submissions(tmp_path)
    whole = tmp_path / "whole"
    grade_batch(MINI, [submissions], whole, course, runner=AllCorrect())
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        grade_batch(MINI, [submissions], out, course, progress=StopAfter(2), runner=AllCorrect())
    assert not out.exists() and partial_folder(out).is_dir()
    runner = Counting()
    summary = grade_batch(MINI, [submissions], out, course, runner=runner, resume=True)
    assert sorted(runner.students) == ["cem", "dan", "eve"]  # ann and ben were kept
    assert [r.student for r in summary.results] == STUDENTS
    assert not partial_folder(out).exists()
    done, expected = _class_files(out), _class_files(whole)
    assert done["grades.csv"] == expected["grades.csv"] and done["batch.json"] == expected["batch.json"]
    assert _untimed(done["junit.xml"]) == _untimed(expected["junit.xml"])
    assert sorted(p.name for p in (out / "students").iterdir()) == STUDENTS
    assert sorted(p.name for p in out.iterdir()) == sorted([*CLASS_FILES, "class.html", "students"])


def test_resume_regrades_a_submission_changed_since_and_drops_a_withdrawn_one(
        course: GradingConfig, tmp_path: Path) -> None:
    submissions = _submissions(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        grade_batch(MINI, [submissions], out, course, progress=StopAfter(3), runner=AllCorrect())
    (submissions / "ann.ipynb").write_text(notebook_text({**SOLUTION_CELLS, "pick": 'pick = "C"'}), "utf-8")
    (submissions / "ben.ipynb").unlink()
    runner = Counting()
    summary = grade_batch(MINI, [submissions], out, course, runner=runner, resume=True)
    assert sorted(runner.students) == ["ann", "dan", "eve"]
    assert [r.student for r in summary.results] == ["ann", "cem", "dan", "eve"]
    assert not (out / "students" / "ben").exists()


def test_resume_refuses_a_batch_graded_with_other_settings(course: GradingConfig, tmp_path: Path) -> None:
    submissions = _submissions(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        grade_batch(MINI, [submissions], out, course, progress=StopAfter(2), runner=AllCorrect())
    with pytest.raises(ConfigError, match="other settings.*origin"):
        grade_batch(MINI, [submissions], out, replace(course, seed=5), runner=AllCorrect(), resume=True)
    assert partial_folder(out).is_dir()  # refused, nothing lost
    summary = grade_batch(MINI, [submissions], out, replace(course, seed=5), runner=AllCorrect())
    assert len(summary.results) == 5 and not partial_folder(out).exists()  # a fresh run supersedes it


def test_resume_without_an_interrupted_batch_grades_everything(course: GradingConfig, tmp_path: Path) -> None:
    runner = Counting()
    summary = grade_batch(MINI, [_submissions(tmp_path)], tmp_path / "out", course, runner=runner, resume=True)
    assert sorted(runner.students) == STUDENTS
    assert any("no interrupted batch" in w for w in summary.warnings)


def test_a_write_failure_is_a_clear_error_that_keeps_every_graded_result(
        course: GradingConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    submissions = _submissions(tmp_path)
    out = tmp_path / "out"
    real, calls = report.write_submission_reports, []

    def full_disk(result: Any, folder: Path, durable: bool = True) -> Any:
        calls.append(result.student)
        if len(calls) == 4:
            raise OSError(errno.ENOSPC, "No space left on device", str(folder))
        return real(result, folder, durable)

    monkeypatch.setattr(report, "write_submission_reports", full_disk)
    with pytest.raises(OutputError, match="No space left on device.*3 submission.*--resume"):
        grade_batch(MINI, [submissions], out, course, runner=AllCorrect())
    monkeypatch.setattr(report, "write_submission_reports", real)
    assert not out.exists()
    assert sorted(p.name for p in (partial_folder(out) / "students").iterdir()) == calls[:3]
    runner = Counting()
    grade_batch(MINI, [submissions], out, course, runner=runner, resume=True)
    assert sorted(runner.students) == sorted(set(STUDENTS) - set(calls[:3]))


def test_a_file_that_changes_while_it_is_graded_is_graded_as_read_and_flagged(
        course: GradingConfig, tmp_path: Path) -> None:
    submissions = _submissions(tmp_path)
    changed = submissions / "cem.ipynb"
    original = changed.read_bytes()

    class Rewriting(AllCorrect):
        def _handle(self, job: dict[str, Any]) -> RawRun:
            if job["job_id"].startswith("cem#"):  # the student saves again while the sandbox runs
                changed.write_text(notebook_text(SOLUTION_CELLS), encoding="utf-8")
            return super()._handle(job)

    summary = grade_batch(MINI, [submissions], tmp_path / "out", course, runner=Rewriting())
    results = {r.student: r for r in summary.results}
    import hashlib

    assert results["cem"].sha256 == hashlib.sha256(original).hexdigest()  # the bytes that were graded
    assert any("changed while it was being graded" in w for w in results["cem"].warnings)
    assert not any("changed" in w for r in results.values() if r.student != "cem" for w in r.warnings)
    [told] = [w for w in summary.warnings if "changed" in w]  # the instructor hears of it, with whom
    assert told.startswith("1 file(s) changed while being graded") and told.endswith(": cem")
