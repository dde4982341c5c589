"""``autograder report BATCH_DIR``: the class report of a graded batch, written into that folder.

Files, each written atomically (readers see the old file or the new one)::

    class.html                 the page for the instructor (``class_page``)
    class.json                 the same numbers for programs
    class_questions.csv        one row per question: shares of full, partial and zero marks, item analysis
    class_misconceptions.csv   one row per catalogued mistake named, most frequent first

The records are read one at a time, in sorted order, and folded into ``ClassStats`` as they come:
the report of a large batch needs no more memory than its students' ids and scores.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from autograder.errors import ConfigError
from autograder.report._text import clean, num, one_line
from autograder.report.bundle import BATCH_SUMMARY, CLASS_FILES, STUDENTS
from autograder.report.class_page import class_page
from autograder.report.class_stats import (
    LOW_DISCRIMINATION,
    TINY_COHORT,
    ClassStats,
    QuestionInfo,
    QuestionStats,
    class_stats,
)
from autograder.report.gradebook import csv_text, defuse
from autograder.report.record import RECORD, read_record
from autograder.report.write import write_text
from source_lib.judge.results import SubmissionResult

_QUESTION_NUMBERS = ("graded", "full", "partial", "zero", "full_share", "partial_share", "zero_share", "mean_score",
                     "no_named_mistake", "difficulty", "discrimination", "discrimination_verdict", "undefined_because")
QUESTION_COLUMNS = ("question", "title", "points", "manual", *_QUESTION_NUMBERS)
MISCONCEPTION_COLUMNS = ("rank", "question", "misconception", "count", "share", "feedback", "students")


def write_class_report(batch_dir: Path) -> list[Path]:
    """Write the class report into ``batch_dir`` (a ``grade --out`` folder); return the paths written.

    ConfigError when the folder is not a graded batch, naming what is missing.
    """
    folder = Path(batch_dir)
    assignment, questions, listed = _read_batch(folder)
    records = sorted((folder / STUDENTS).glob(f"*/{RECORD}"))
    if len(records) != listed:
        raise ConfigError(f"{folder}: {BATCH_SUMMARY} lists {listed} student(s) but {STUDENTS}/ holds "
                          f"{len(records)} {RECORD} file(s); grade the batch again (or run grade --resume)")
    return write_class_files(class_stats(assignment, _results(records), questions), folder)


def class_report_at_end(batch_dir: Path, shown_as: Path, students: int) -> list[str]:
    """The class report of a batch of ``students`` just graded (or merged), for a class of two or more.

    Returns notes for the instructor: a report that cannot be written leaves the batch's own reports
    standing, and says how to write it later (``autograder report``).
    """
    try:
        if students > 1:
            write_class_report(batch_dir)
        return []
    except Exception as exc:  # noqa: BLE001 - the batch's results matter more than its summary page
        return [f"the class report was not written ({type(exc).__name__}: {exc}); "
                f"run `autograder report {shown_as}` to try again"]


def write_class_files(stats: ClassStats, folder: Path) -> list[Path]:
    """Write the page, the JSON and the CSV files of ``stats`` into ``folder``; return their paths."""
    from autograder.report.class_figures import question_shares, score_histogram  # matplotlib: only now

    page = class_page(stats, score_histogram(stats), question_shares(stats), CLASS_FILES[1:])
    document = json.dumps(class_json(stats), indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    texts = (page, document, questions_csv(stats), misconceptions_csv(stats))
    return [write_text(Path(folder) / name, text) for name, text in zip(CLASS_FILES, texts)]


def _read_batch(folder: Path) -> tuple[str, list[QuestionInfo], int]:
    """The assignment, the questions and the number of students ``batch.json`` declares."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder; give the --out folder of `autograder grade`")
    path = folder / BATCH_SUMMARY
    if not path.is_file():
        raise ConfigError(f"{folder} is not a graded batch: it holds no {BATCH_SUMMARY} (the --out folder of "
                          f"`autograder grade` holds {BATCH_SUMMARY}, grades.csv and {STUDENTS}/)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        questions = [QuestionInfo(str(q["id"]), float(q["points"]), bool(q["manual"])) for q in data["questions"]]
        return str(data["assignment"]), questions, len(data["students"])
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigError(f"{path}: not readable as JSON ({exc}); grade the batch again") from None
    except (KeyError, TypeError) as exc:
        raise ConfigError(f"{path}: not a batch summary (missing or malformed {exc}); is {folder} the --out "
                          "folder of `autograder grade`?") from None


def _results(records: Sequence[Path]) -> Iterator[SubmissionResult]:
    for path in records:
        try:
            yield read_record(path)
        except ValueError as exc:  # read_record names the file, except in json's own errors
            said = str(exc) if str(path) in str(exc) else f"{path}: not a result record ({exc})"
            raise ConfigError(f"{said}; grade that student again (grade --only)") from None


def class_json(stats: ClassStats) -> dict[str, Any]:
    """The report's numbers as JSON-ready data (None where a number is undefined)."""
    s = stats.summary
    return {
        "assignment": clean(stats.assignment), "submissions": stats.submissions, "graded": stats.graded,
        "by_status": {status.value: count for status, count in stats.status_counts},
        "unscored": [{"student": u.student, "status": u.status.value, "reason": u.reason} for u in stats.unscored],
        "scores": {"of": "automatic points before late penalties, graded submissions only", "n": s.n,
                   "max_score": s.max_score, "mean": _r(s.mean), "median": _r(s.median), "sd": _r(s.sd),
                   "min": _r(s.min), "max": _r(s.max), "late_penalised": stats.late_penalised},
        "histogram": {"edges": list(stats.histogram.edges), "counts": list(stats.histogram.counts)},
        "questions": [_question_json(q) for q in stats.questions],
        "misconceptions": [{"rank": rank, "question": m.question, "misconception": m.misconception,
                            "count": m.count, "share": _r(m.share), "feedback": m.feedback,
                            "students": list(m.students)} for rank, m in enumerate(stats.misconceptions, 1)],
        "item_analysis": {"low_discrimination": LOW_DISCRIMINATION, "tiny_cohort": TINY_COHORT,
                          "tiny": stats.tiny, "discrimination": "Pearson r of the question's score with the "
                          "total minus that question, over the graded students; manual questions left out"},
    }


def _question_json(q: QuestionStats) -> dict[str, Any]:
    head = {"id": q.id, "title": q.title, "points": q.points, "manual": q.manual}
    if q.manual:
        return {**head, "graded_by": "instructor"}
    return {**head, "graded": q.n, "full": q.full, "partial": q.partial, "zero": q.zero,
            "full_share": _r(q.share(q.full)), "partial_share": _r(q.share(q.partial)),
            "zero_share": _r(q.share(q.zero)), "mean_score": _r(q.mean_score), "no_named_mistake": q.unexplained,
            "difficulty": _r(q.difficulty), "discrimination": _r(q.discrimination),
            "discrimination_verdict": q.verdict, "undefined_because": q.undefined_because}


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def questions_csv(stats: ClassStats) -> str:
    """One row per question, as ``class.json`` has them; a manual question's numbers are empty."""
    rows = []
    for q in stats.questions:
        data = _question_json(q)
        row = [_text(q.id), _text(q.title), num(q.points, 6), "yes" if q.manual else "no"]
        for value in (data.get(key) for key in _QUESTION_NUMBERS):
            row.append(_text(value) if isinstance(value, str) else "" if value is None else num(value, 6))
        rows.append(row)
    return _csv(QUESTION_COLUMNS, rows)


def misconceptions_csv(stats: ClassStats) -> str:
    """One row per catalogued mistake named, most frequent first; ``students`` joins their ids with "; "."""
    rows = [[str(rank), _text(m.question), _text(m.misconception), str(m.count), num(m.share, 6), _text(m.feedback),
             csv_text("; ".join(m.students))] for rank, m in enumerate(stats.misconceptions, 1)]
    return _csv(MISCONCEPTION_COLUMNS, rows)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _text(value: str) -> str:
    """A one-line text cell no spreadsheet will evaluate."""
    return defuse(one_line(value))
