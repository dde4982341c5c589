"""Join the shards of one batch (``grade --shard I/N``) into the reports one unsharded run writes.

Each shard folder holds its students' ``record.json`` (their whole results) and a ``batch.json``
naming the grader version, the assignment digest, the seed, the shard and every student of the
whole batch. Shards that disagree on any of these are refused; a missing shard, a missing
student or a student graded twice is named. Each student's reports are copied from their shard
(the same grader wrote them), and the class files are written from the records by the same
writers a batch uses, so the merge holds the bytes an unsharded run writes.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import report
from autograder.errors import ConfigError
from autograder.report._text import some_names
from autograder.report.bundle import BATCH_SUMMARY, STUDENT_FILES, STUDENTS, student_folder
from autograder.report.class_report import class_report_at_end
from autograder.report.output import replaced_output
from autograder.report.record import RECORD, read_record
from autograder.report.stored import StoredResults
from autograder.shards import Shard
from source_lib.judge.results import BatchOrigin, SubmissionResult

_SAME = ("assignment", "grader_version", "assignment_digest", "seed")


@dataclass(frozen=True)
class ShardFolder:
    """One shard's folder, its ``batch.json`` and its students' records."""

    path: Path
    summary: dict[str, Any]
    shard: Shard
    records: dict[str, Path]  # student id -> record.json


@dataclass(frozen=True)
class Merged:
    assignment: str
    results: Sequence[SubmissionResult]  # read from the merged records, one at a time
    shards: int
    warnings: tuple[str, ...]
    origin: BatchOrigin
    question_ids: tuple[str, ...]


def merge_shards(folders: Sequence[Path], out: Path, allow_missing: bool = False) -> Merged:
    """Write the reports of the whole batch into ``out`` from its shard folders."""
    shards = [read_shard(folder) for folder in folders]
    if not shards:
        raise ConfigError("merge: name the shard folders to merge")
    first = shards[0].summary
    _check_same_batch(shards)
    warnings = _check_coverage(shards, allow_missing)
    records = {student: path for s in shards for student, path in s.records.items()}
    origin = BatchOrigin(first["grader_version"], first["assignment_digest"], first["seed"])
    notes: list[str] = []
    with replaced_output(out, notes) as staging:
        for student, path in records.items():
            _copy_student(student, path, staging)
        results = StoredResults(staging, records)
        ids = [q.question_id for q in results[0].questions] if results else [q["id"] for q in first["questions"]]
        report.write_batch_reports(first["assignment"], results, ids, staging, origin)
        notes += class_report_at_end(staging, out, len(results))
    return Merged(first["assignment"], results.moved_to(out), shards[0].shard.count, tuple(warnings + notes),
                  origin, tuple(ids))


def _copy_student(student: str, record: Path, staging: Path) -> None:
    """A student's reports as their shard wrote them (the same writers: copying is 5 times faster than
    writing them again); written again from the record when the shard lacks one of them."""
    target = student_folder(staging, student)
    target.mkdir(parents=True)
    try:
        for name in STUDENT_FILES:
            shutil.copyfile(record.parent / name, target / name)
    except FileNotFoundError:
        report.write_submission_reports(read_record(record), staging, durable=False)


def read_shard(folder: Path) -> ShardFolder:
    """A shard folder's summary and records; ConfigError when it is not one."""
    try:
        summary = json.loads((folder / BATCH_SUMMARY).read_text(encoding="utf-8"))
        spec = summary["shard"]
        if not all(key in summary for key in _SAME) or not isinstance(summary.get("students_seen"), list):
            raise KeyError("grader_version")
    except (OSError, ValueError):
        raise ConfigError(f"merge: {folder} holds no readable {BATCH_SUMMARY}: is it the --out of "
                          "`autograder grade --shard I/N`?") from None
    except (KeyError, TypeError):
        raise ConfigError(f"merge: {folder} is not a shard: its {BATCH_SUMMARY} names no shard, grader version "
                          "or seed (grade it with --shard I/N)") from None
    shard = Shard.parse(str(spec))
    records = {}
    for path in sorted((folder / STUDENTS).glob(f"*/{RECORD}")):
        try:
            records[read_record(path).student] = path
        except ValueError as exc:
            raise ConfigError(f"merge: {exc}; grade that shard again") from None
    strangers = [student for student in records if not shard.holds(student)]
    if strangers:
        raise ConfigError(f"merge: {folder} (shard {shard}) holds students of other shards: "
                          f"{some_names(strangers)}; was it graded with another --shard?")
    return ShardFolder(folder, summary, shard, records)


def _check_same_batch(shards: Sequence[ShardFolder]) -> None:
    """Same assignment, grader, declaration, seed, shard count and students; each shard once."""
    for key in _SAME:
        values = {str(s.summary[key]) for s in shards}
        if len(values) > 1:
            found = "; ".join(f"{s.path}: {s.summary[key]}" for s in shards)
            raise ConfigError(f"merge: the shards differ in {key.replace('_', ' ')} ({found}); grade every "
                              "shard with the same grader, course files and --seed")
    counts = {s.shard.count for s in shards}
    if len(counts) > 1:
        raise ConfigError("merge: the shards were cut in different numbers of parts: "
                          + ", ".join(f"{s.path} is {s.shard}" for s in shards))
    if len({json.dumps(s.summary["students_seen"]) for s in shards}) > 1:
        raise ConfigError("merge: the shards saw different submissions (each was graded from another set of "
                          "files); grade every shard from the same submissions")
    by_index: dict[int, list[Path]] = {}
    for s in shards:
        by_index.setdefault(s.shard.index, []).append(s.path)
    twice = {i: paths for i, paths in by_index.items() if len(paths) > 1}
    if twice:
        raise ConfigError("merge: " + "; ".join(f"shard {i}/{shards[0].shard.count} is given {len(p)} times "
                                                f"({', '.join(map(str, p))})" for i, p in sorted(twice.items())))


def _check_coverage(shards: Sequence[ShardFolder], allow_missing: bool) -> list[str]:
    """Every student of the batch graded exactly once; the missing ones refused unless allowed."""
    count = shards[0].shard.count
    seen = set(shards[0].summary["students_seen"])
    graded = Counter(student for s in shards for student in s.records)
    doubled = sorted(s for s, n in graded.items() if n > 1)
    if doubled:
        raise ConfigError(f"merge: students graded more than once: {some_names(doubled)}")
    unknown = sorted(set(graded) - seen)
    if unknown:
        raise ConfigError(f"merge: students the shards' batch.json do not list: {some_names(unknown)}")
    absent_shards = sorted(set(range(count)) - {s.shard.index for s in shards})
    missing = sorted(seen - set(graded))
    if not missing:
        return []
    problem = (f"{len(missing)} of {len(seen)} students have no result: {some_names(missing)}"
               + (f" (shards {', '.join(f'{i}/{count}' for i in absent_shards)} are missing)" if absent_shards else ""))
    if not allow_missing:
        raise ConfigError(f"merge: {problem}; give every shard's folder, or --allow-missing to merge without them")
    return [problem]
