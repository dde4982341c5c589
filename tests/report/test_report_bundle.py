"""write_reports: the layout on disk, safe and distinct directory names, the public API."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import autograder.report as report
from autograder.report.bundle import (
    batch_json,
    student_dirname,
    student_folder,
    write_batch_reports,
    write_reports,
    write_submission_reports,
)
from autograder.report.stored import StoredResults

_IDS = ["../x", "..", ".", ".hidden", "a/b", "a_b", "a\\b", "A_b", "Alice", "alice", "",
        "x" * 300, "=cmd|' /C calc'!A0", "\ud800", "a b", "a~b", "名前"]


def test_public_api():
    assert sorted(report.__all__) == [
        "BATCH_FILES", "feedback_html", "grades_csv", "junit_xml", "progress_line", "results_json",
        "student_dirname", "student_folder", "summary_table", "write_batch_reports", "write_bytes",
        "write_reports", "write_submission_reports", "write_text"]


def test_dirnames_are_safe_and_distinct():
    names = [student_dirname(s) for s in _IDS]
    assert len({n.lower() for n in names}) == len(_IDS)
    for name in names:
        assert name and "/" not in name and "\\" not in name and "\x00" not in name
        assert not name.startswith(".") and len(name.encode()) <= 100
        name.encode("ascii")
    assert student_dirname("a_b") == "a_b" and student_dirname("alice") == "alice"
    assert student_dirname("a/b").startswith("a_b~")
    assert student_dirname(".hidden").startswith("_hidden~")


def test_dirnames_cannot_be_forged():
    forged = student_dirname("a/b")
    assert student_dirname(forged) != forged


def test_write_reports_layout(tmp_path, batch, question_ids):
    paths = write_reports("linear_regression", batch, question_ids, tmp_path)
    assert len(paths) == 3 * len(batch) + 3
    assert paths[-3:] == [tmp_path / "grades.csv", tmp_path / "junit.xml", tmp_path / "batch.json"]
    for path in paths:
        assert path.is_file() and path.resolve().is_relative_to(tmp_path.resolve())
    for result in batch:
        folder = student_folder(tmp_path, result.student)
        doc = json.loads((folder / "results.json").read_text(encoding="utf-8"))
        assert doc["extra_data"]["sha256"] == result.sha256
        assert "<!DOCTYPE html>" in (folder / "feedback.html").read_text(encoding="utf-8")
    with (tmp_path / "grades.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == len(batch) + 1
    assert len(ET.parse(tmp_path / "junit.xml").getroot()) == len(batch)
    summary = json.loads((tmp_path / "batch.json").read_text(encoding="utf-8"))
    assert summary["assignment"] == "linear_regression"
    assert [s["score"] for s in summary["students"]] == [r.score for r in batch]
    manual = {q.question_id for r in batch for q in r.questions if q.manual}
    assert manual and all(s["questions"].get(q) is None for s in summary["students"] for q in manual)
    leftovers = [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_hostile_ids_stay_inside_out_dir(tmp_path, full):
    out = tmp_path / "out"
    for student in _IDS:
        written = write_submission_reports(_with_student(full, student), out)
        for path in written:
            assert path.parent.parent == out / "students" and path.resolve().is_relative_to(out.resolve())
    assert len(list((out / "students").iterdir())) == len(_IDS)


def _with_student(result, student):
    return replace(result, student=student)


def test_class_files_from_stored_records_equal_those_from_memory(tmp_path, batch, question_ids):
    """A batch builds its class files from the records on disk, one at a time, to keep its memory flat."""
    write_reports("linear_regression", batch, question_ids, tmp_path / "memory")
    stored = StoredResults(tmp_path / "memory", reversed([r.student for r in batch]))
    assert [r.student for r in stored] == sorted(r.student for r in batch)
    assert stored[1:][0] == stored[1] == sorted(batch, key=lambda r: r.student)[1]
    write_batch_reports("linear_regression", stored, question_ids, tmp_path / "disk")
    in_order = sorted(batch, key=lambda r: r.student)
    write_batch_reports("linear_regression", in_order, question_ids, tmp_path / "sorted")
    for name in report.BATCH_FILES:
        assert (tmp_path / "disk" / name).read_bytes() == (tmp_path / "sorted" / name).read_bytes()
    assert json.loads((tmp_path / "disk" / "batch.json").read_text()) == batch_json("linear_regression", in_order)


def test_empty_class_files_are_well_formed(tmp_path, question_ids):
    write_batch_reports("linear_regression", [], question_ids, tmp_path)
    assert len(ET.parse(tmp_path / "junit.xml").getroot()) == 0
    assert json.loads((tmp_path / "batch.json").read_text())["students"] == []
