"""Write every report of a batch to one output directory, atomically.

Layout::

    <out>/students/<student dir>/results.json    Gradescope results, per submission
    <out>/students/<student dir>/feedback.html   the student's feedback page
    <out>/students/<student dir>/record.json     the whole result, for ``grade --only`` later
    <out>/grades.csv                             the class grade sheet
    <out>/junit.xml                              one test suite per submission
    <out>/batch.json                             the batch for programs: assignment, questions, scores
    <out>/class.html, class.json, class_*.csv    the class report, when asked for (``class_report``)

Per-student folders live one level down, so no student id (a submission named
``grades.csv.ipynb``, say) can ever reach a file of the batch.

A student id becomes a directory name through ``student_dirname``: ids made only
of lowercase ASCII letters, digits, ``.``, ``_`` and ``-`` (not starting with a
dot, at most 80 characters) are used as they are; any other id is made safe and
gets ``~`` and a hash of the original id, so two different ids never share a
directory, even on a case-insensitive file system.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from autograder.report._text import clean, one_line, shorten
from autograder.report.feedback_html import feedback_html
from autograder.report.gradebook import REASON_LIMIT, write_grades_csv
from autograder.report.gradescope import results_json
from autograder.report.junit import write_junit
from autograder.report.record import RECORD, record_json
from autograder.report.write import atomic_text, write_text
from source_lib.judge.results import BatchOrigin, SubmissionResult

STUDENTS = "students"
STUDENT_FILES = ("results.json", "feedback.html", RECORD)
BATCH_SUMMARY = "batch.json"
BATCH_FILES = ("grades.csv", "junit.xml", BATCH_SUMMARY)
# Named here, not in class_report, so that telling a batch's files from strangers loads no matplotlib.
CLASS_FILES = ("class.html", "class.json", "class_questions.csv", "class_misconceptions.csv")
_PLAIN = re.compile(r"[a-z0-9_-][a-z0-9._-]{0,79}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def student_dirname(student: str) -> str:
    """A safe, readable directory name that no other student id maps to."""
    if _PLAIN.fullmatch(student):
        return student
    base = _UNSAFE.sub("_", student)[:60]
    base = re.sub(r"^\.", "_", base) or "_"
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{base}~{digest}"


def student_folder(out_dir: Path, student: str) -> Path:
    """Where one student's reports go inside a batch's output folder."""
    return Path(out_dir) / STUDENTS / student_dirname(student)


def write_submission_reports(result: SubmissionResult, out_dir: Path, durable: bool = True) -> list[Path]:
    """Write one student's ``results.json``, ``feedback.html`` and ``record.json``; return their paths.

    ``durable=False``: see ``write.write_bytes`` (a batch's staging folder is synced once, whole).
    """
    folder = student_folder(out_dir, result.student)
    document = json.dumps(results_json(result), indent=2, ensure_ascii=False, allow_nan=False)
    results, feedback, record = STUDENT_FILES
    return [write_text(folder / results, document + "\n", durable),
            write_text(folder / feedback, feedback_html(result), durable),
            write_text(folder / record, record_json(result) + "\n", durable)]


def write_batch_reports(assignment: str, results: Sequence[SubmissionResult], question_ids: Sequence[str],
                        out_dir: Path, origin: BatchOrigin | None = None) -> list[Path]:
    """Write the class-wide ``grades.csv``, ``junit.xml`` and ``batch.json``; return their paths.

    Each is written as it is built, so ``results`` may be read from disk one at a time (``StoredResults``).
    """
    paths = [Path(out_dir) / name for name in BATCH_FILES]
    sheet, tests, summary = paths
    with atomic_text(sheet) as handle:
        write_grades_csv(results, question_ids, handle)
    with atomic_text(tests) as handle:
        write_junit(results, handle)
    with atomic_text(summary) as handle:
        write_batch_json(assignment, results, origin, handle)
    return paths


def batch_json(assignment: str, results: Sequence[SubmissionResult],
               origin: BatchOrigin | None = None) -> dict[str, object]:
    """The batch as data: each student's status and scores (a manual question's score is null),
    and what graded it (``origin``: versions, seed, shard) when known."""
    return {**_batch_head(assignment, results, origin), "students": [_student_entry(r) for r in results]}


def write_batch_json(assignment: str, results: Sequence[SubmissionResult], origin: BatchOrigin | None,
                     out: TextIO) -> None:
    """Write ``batch_json``'s document to ``out``, one student per line and one in memory at a time."""
    head = json.dumps(_batch_head(assignment, results, origin), indent=1, ensure_ascii=False, allow_nan=False)
    out.write(head[:-2] + ',\n "students": [')
    for index, result in enumerate(results):
        entry = json.dumps(_student_entry(result), ensure_ascii=False, allow_nan=False)
        out.write(("," if index else "") + "\n  " + entry)
    out.write("\n ]\n}\n")


def _batch_head(assignment: str, results: Sequence[SubmissionResult],
                origin: BatchOrigin | None) -> dict[str, object]:
    questions = results[0].questions if results else ()
    return {
        "assignment": assignment,
        **(origin.as_json() if origin else {}),
        "questions": [{"id": clean(q.question_id), "points": q.max_score, "manual": q.manual} for q in questions],
    }


def _student_entry(result: SubmissionResult) -> dict[str, object]:
    r = result
    return {"student": clean(r.student), "status": r.status.value, "score": r.score,
            "max_score": r.max_score, "raw_score": r.raw_score,
            "reason": shorten(one_line(r.reason), REASON_LIMIT),
            "lateness": None if r.lateness is None else asdict(r.lateness),
            "questions": {clean(q.question_id): None if q.manual else q.score for q in r.questions},
            "overridden": {clean(q.question_id): clean(q.override) for q in r.questions
                           if q.override is not None}}


def write_reports(assignment: str, results: Sequence[SubmissionResult], question_ids: Sequence[str],
                  out_dir: Path) -> list[Path]:
    """Write every report of a batch; return the paths written, per-student files first."""
    paths: list[Path] = []
    for result in results:
        paths.extend(write_submission_reports(result, out_dir))
    return paths + write_batch_reports(assignment, results, question_ids, out_dir)
