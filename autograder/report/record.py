"""A submission's whole result as JSON (``students/<student>/record.json``), and back.

Written beside the student's reports so that a later ``grade --only`` can regrade a few students
and rebuild the class files from everyone else's results as they were. Only the batch's own
output is read back, as plain JSON into the result dataclasses: nothing is evaluated.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from source_lib.judge.results import (
    CaseResult,
    CellError,
    Lateness,
    Outcome,
    QuestionResult,
    Status,
    SubmissionResult,
)

RECORD = "record.json"
VERSION = 1


def record_json(result: SubmissionResult) -> str:
    """The result as JSON text (enums by value, tuples as lists)."""
    return json.dumps({"version": VERSION, "result": asdict(result)}, allow_nan=False,
                      default=str)


def read_record(path: Path) -> SubmissionResult:
    """The result a ``record.json`` holds; ValueError when the file is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != VERSION:
            raise ValueError(f"record version {data.get('version')!r}")
        return _submission(data["result"])
    except (OSError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a result record ({exc})") from None


def _submission(data: dict[str, Any]) -> SubmissionResult:
    fields = dict(data)
    fields["status"] = Status(data["status"])
    fields["questions"] = tuple(_question(q) for q in data["questions"])
    fields["cell_errors"] = tuple(CellError(**e) for e in data.get("cell_errors", ()))
    fields["warnings"] = tuple(data.get("warnings", ()))
    fields["lateness"] = Lateness(**data["lateness"]) if data.get("lateness") else None
    return SubmissionResult(**fields)


def _question(data: dict[str, Any]) -> QuestionResult:
    fields = dict(data)
    fields["outcome"] = Outcome(data["outcome"])
    fields["cases"] = tuple(CaseResult(**c) for c in data.get("cases", ()))
    fields["misconceptions"] = tuple(data.get("misconceptions", ()))
    fields["fix_first"] = tuple(data.get("fix_first", ()))
    return QuestionResult(**fields)
