"""A batch's --out folder holds that batch only: built aside and swapped in, never a mix of runs,
never a folder that is not a previous output, and nothing outside it changes."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable
from pathlib import Path

import pytest

from autograder import cli
from autograder.batch import BatchSummary, grade_batch
from autograder.config import GradingConfig
from autograder.errors import ConfigError
from autograder.report import output
from autograder.report.bundle import BATCH_FILES, CLASS_FILES, STUDENTS, student_folder
from tests.test_pipeline_fake import MINI, SOLUTION_CELLS, AllCorrect, mini_course, notebook_text


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> GradingConfig:
    return mini_course(tmp_path_factory.mktemp("course"))


def _submissions(root: Path, students: Iterable[str]) -> Path:
    folder = root / "in"
    folder.mkdir(parents=True, exist_ok=True)
    for name in students:
        (folder / f"{name}.ipynb").write_text(notebook_text(SOLUTION_CELLS), encoding="utf-8")
    return folder


def _grade(course: GradingConfig, submissions: Path, out: Path, progress: io.StringIO | None = None) -> BatchSummary:
    return grade_batch(MINI, [submissions], out, course, progress=progress, runner=AllCorrect())


def _snapshot(folder: Path, skip: Path | None = None) -> dict[str, str]:
    """Every path under ``folder`` (except under ``skip``) with its bytes' digest and mode."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        data = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"
        found[str(path.relative_to(folder))] = f"{data} {oct(path.lstat().st_mode)}"
    return found


def _students(out: Path) -> list[str]:
    return sorted(p.name for p in (out / STUDENTS).iterdir())


def test_a_second_batch_with_fewer_students_leaves_only_its_own(course: GradingConfig, tmp_path: Path) -> None:
    (tmp_path / "neighbour.txt").write_text("not the grader's", encoding="utf-8")
    out = tmp_path / "reports"
    _grade(course, _submissions(tmp_path / "first", ["ann", "ben", "cem"]), out)
    assert _students(out) == ["ann", "ben", "cem"]
    second = _submissions(tmp_path / "second", ["ann", "ben"])
    outside = _snapshot(tmp_path, skip=out)
    _grade(course, second, out)
    assert _students(out) == ["ann", "ben"] and not student_folder(out, "cem").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted([*BATCH_FILES, *CLASS_FILES, STUDENTS])
    rows = list(csv.reader((out / "grades.csv").read_text(encoding="utf-8").splitlines()))
    assert [r[0] for r in rows[1:]] == ["ann", "ben"]
    assert _snapshot(tmp_path, skip=out) == outside  # no staging folder left, nothing else touched


def test_an_interrupted_batch_leaves_the_previous_output_as_it_was_and_keeps_what_it_graded(
        course: GradingConfig, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    _grade(course, _submissions(tmp_path / "first", ["ann", "ben"]), out)
    second = _submissions(tmp_path / "second", ["dan"])
    before, outside = _snapshot(out), _snapshot(tmp_path, skip=out)

    class Interrupting(io.StringIO):
        def write(self, text: str) -> int:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _grade(course, second, out, progress=Interrupting())
    assert _snapshot(out) == before
    partial, now = output.partial_folder(out), _snapshot(tmp_path, skip=out)
    assert {k: v for k, v in now.items() if k in outside} == outside
    assert set(now) - set(outside) == {".reports.partial", *(f".reports.partial/{p}" for p in _snapshot(partial))}
    assert _students(partial) == ["dan"]  # what was graded waits for --resume


@pytest.mark.parametrize("extra", ["notes.txt", "students/ann/notes.txt", "students/loose.txt", "grades.csv/x",
                                   "sub/grades.csv", ".hidden"])
def test_a_folder_that_is_not_a_previous_output_is_refused_and_kept(
        course: GradingConfig, tmp_path: Path, extra: str) -> None:
    out = tmp_path / "reports"
    _grade(course, _submissions(tmp_path / "first", ["ann"]), out)
    if (out / extra).parent.is_file():  # a folder where the grader writes a file
        (out / extra).parent.unlink()
    (out / extra).parent.mkdir(parents=True, exist_ok=True)
    (out / extra).write_text("mine", encoding="utf-8")
    second = _submissions(tmp_path / "second", ["ben"])
    before = _snapshot(tmp_path)
    with pytest.raises(ConfigError, match="not reports of a previous batch"):
        _grade(course, second, out)
    assert _snapshot(tmp_path) == before


def test_symbolic_links_are_not_ours(course: GradingConfig, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    _grade(course, _submissions(tmp_path / "first", ["ann"]), out)
    precious = tmp_path / "precious.csv"
    precious.write_text("keep", encoding="utf-8")
    (out / "grades.csv").unlink()
    (out / "grades.csv").symlink_to(precious)
    with pytest.raises(ConfigError, match="grades.csv"):
        _grade(course, _submissions(tmp_path / "second", ["ben"]), out)
    assert precious.read_text(encoding="utf-8") == "keep" and (out / "grades.csv").is_symlink()


def test_a_file_or_the_submissions_folder_is_refused(course: GradingConfig, tmp_path: Path) -> None:
    submissions = _submissions(tmp_path, ["ann"])
    a_file = tmp_path / "report.txt"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="is a file"):
        _grade(course, submissions, a_file)
    with pytest.raises(ConfigError, match="holds the submissions"):
        _grade(course, submissions, tmp_path)
    assert a_file.read_text(encoding="utf-8") == "x" and (submissions / "ann.ipynb").is_file()


def test_new_and_empty_folders_are_used_and_keep_their_mode(course: GradingConfig, tmp_path: Path) -> None:
    submissions = _submissions(tmp_path, ["ann"])
    nested = tmp_path / "a" / "b" / "reports"
    _grade(course, submissions, nested)
    assert _students(nested) == ["ann"]
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o750)
    empty.chmod(0o750)
    _grade(course, submissions, empty)
    assert _students(empty) == ["ann"] and (empty.stat().st_mode & 0o777) == 0o750
    _grade(course, submissions, empty)  # a previous output is replaced, its mode kept
    assert (empty.stat().st_mode & 0o777) == 0o750


def test_a_symlinked_out_keeps_pointing_at_the_new_output(course: GradingConfig, tmp_path: Path) -> None:
    real, link = tmp_path / "real", tmp_path / "link"
    _grade(course, _submissions(tmp_path / "first", ["ann", "ben"]), real)
    link.symlink_to(real)
    _grade(course, _submissions(tmp_path / "second", ["ben"]), link)
    assert link.is_symlink() and _students(link) == ["ben"] and _students(real) == ["ben"]


def test_an_out_folder_that_cannot_move_is_refilled_in_place(
        course: GradingConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "mounted"
    _grade(course, _submissions(tmp_path / "first", ["ann", "ben"]), out)
    inode = out.stat().st_ino
    monkeypatch.setattr(output.os.path, "ismount", lambda path: Path(path) == out)
    leftover = out / ".autograder-new-0123456789ab"  # a staging folder of a killed run
    leftover.mkdir()
    second = _submissions(tmp_path / "second", ["ben"])
    outside = _snapshot(tmp_path, skip=out)
    _grade(course, second, out)
    assert out.stat().st_ino == inode  # the same folder, its entries replaced
    # one student has no class report: the first batch's is gone with the rest of it
    assert sorted(p.name for p in out.iterdir()) == sorted([*BATCH_FILES, STUDENTS])
    assert _students(out) == ["ben"] and _snapshot(tmp_path, skip=out) == outside


def test_the_help_says_what_happens_to_the_out_folder(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["grade", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "replaces it once the batch is done" in text and "refused, never deleted" in text


def test_foreign_entry_reports_the_first_stranger(tmp_path: Path) -> None:
    assert output.foreign_entry(tmp_path) is None
    (tmp_path / STUDENTS / "ann").mkdir(parents=True)
    (tmp_path / STUDENTS / "ann" / "results.json").write_text("{}", encoding="utf-8")
    (tmp_path / STUDENTS / "ann" / ".feedback.html.ab_12.tmp").write_text("", encoding="utf-8")
    (tmp_path / ".junit.xml.x1.tmp").write_text("", encoding="utf-8")
    assert output.foreign_entry(tmp_path) is None
    (tmp_path / STUDENTS / "ann" / "submission.ipynb").write_text("{}", encoding="utf-8")
    assert output.foreign_entry(tmp_path) == tmp_path / STUDENTS / "ann" / "submission.ipynb"
    assert os.path.exists(tmp_path / STUDENTS / "ann" / "submission.ipynb")


def test_files_a_desktop_leaves_do_not_block_the_next_batch(course: GradingConfig, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    _grade(course, _submissions(tmp_path / "first", ["ann"]), out)
    for junk in (out / ".DS_Store", out / STUDENTS / "Thumbs.db", out / STUDENTS / "ann" / "desktop.ini"):
        junk.write_text("", encoding="utf-8")
    _grade(course, _submissions(tmp_path / "second", ["ben"]), out)
    assert _students(out) == ["ben"] and not (out / ".DS_Store").exists()


class _Intruder(io.StringIO):
    """A progress stream that drops a file of someone else's into ``out`` mid-batch."""

    def __init__(self, where: Path) -> None:
        super().__init__()
        self.where = where

    def write(self, text: str) -> int:
        if not self.where.exists():
            self.where.write_text("written while the batch ran", encoding="utf-8")
        return super().write(text)


@pytest.mark.parametrize("mounted", [False, True])
def test_a_stranger_arriving_mid_batch_is_kept_not_deleted(
        course: GradingConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mounted: bool) -> None:
    out = tmp_path / "reports"
    _grade(course, _submissions(tmp_path / "first", ["ann"]), out)
    if mounted:
        monkeypatch.setattr(output.os.path, "ismount", lambda path: Path(path) == out)
    stranger = out / STUDENTS / "ann" / "notes.txt"
    summary = _grade(course, _submissions(tmp_path / "second", ["ben"]), out, progress=_Intruder(stranger))
    assert _students(out) == ["ben"]
    (kept,) = [p for p in (out if mounted else tmp_path).iterdir() if ".kept-" in p.name]
    found = kept / "ann" / "notes.txt" if mounted else kept / STUDENTS / "ann" / "notes.txt"
    assert found.read_text(encoding="utf-8") == "written while the batch ran"
    assert any(str(kept) in note and "kept" in note for note in summary.warnings)


def test_only_regrades_the_named_students_and_keeps_the_others_results(course: GradingConfig,
                                                                       tmp_path: Path) -> None:
    out = tmp_path / "reports"
    first = _submissions(tmp_path / "in1", ["ann", "ben", "cem"])
    _grade(course, first, out)
    kept = (student_folder(out, "ann") / "results.json").read_bytes()
    before = (student_folder(out, "ben") / "results.json").read_text(encoding="utf-8")
    (first / "ben.ipynb").write_text(notebook_text(SOLUTION_CELLS) + "\n", encoding="utf-8")  # resubmitted
    summary = grade_batch(MINI, [first], out, course, runner=AllCorrect(), only=["ben"])
    assert [r.student for r in summary.results] == ["ann", "ben", "cem"] and _students(out) == ["ann", "ben", "cem"]
    assert (student_folder(out, "ann") / "results.json").read_bytes() == kept  # from its record, as it was
    after = (student_folder(out, "ben") / "results.json").read_text(encoding="utf-8")
    assert after != before and '"sha256"' in after  # graded again: another file, another digest
    rows = list(csv.reader((out / "grades.csv").read_text(encoding="utf-8").splitlines()))
    assert [r[0] for r in rows[1:]] == ["ann", "ben", "cem"]


@pytest.mark.parametrize(("only", "said"), [(["zed"], "no submission found for zed")])
def test_only_refuses_what_it_cannot_do(course: GradingConfig, tmp_path: Path, only: list[str], said: str) -> None:
    first = _submissions(tmp_path / "in1", ["ann", "ben"])
    with pytest.raises(ConfigError, match="holds none: grade the whole batch first"):
        grade_batch(MINI, [first], tmp_path / "empty", course, runner=AllCorrect(), only=["ann"])
    out = tmp_path / "reports"
    _grade(course, first, out)
    with pytest.raises(ConfigError, match=said):
        grade_batch(MINI, [first], out, course, runner=AllCorrect(), only=only)
    (student_folder(out, "ann") / "record.json").write_text("{not json")
    with pytest.raises(ConfigError, match="not a result record|grade the whole batch again"):
        grade_batch(MINI, [first], out, course, runner=AllCorrect(), only=["ben"])


def test_a_class_report_that_fails_leaves_the_batch_standing(
        course: GradingConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from autograder.report import class_report

    def broken(folder: Path) -> list[Path]:
        raise ValueError("a figure could not be drawn")

    monkeypatch.setattr(class_report, "write_class_report", broken)
    out = tmp_path / "out"
    summary = _grade(course, _submissions(tmp_path, ["ann", "ben"]), out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*BATCH_FILES, STUDENTS])
    assert _students(out) == ["ann", "ben"]
    assert [w for w in summary.warnings if "class report" in w] == [
        f"the class report was not written (ValueError: a figure could not be drawn); "
        f"run `autograder report {out}` to try again"]
