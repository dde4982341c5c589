"""A whole batch: find submissions, start the sandbox, grade, write every report."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from autograder import report
from autograder.config import GradingConfig
from autograder.errors import ConfigError
from autograder.late import LateRule
from autograder.launch import SandboxPool
from autograder.notebook import SubmissionFile, discover
from autograder.overrides import Overrides, apply_overrides
from autograder.pipeline import Runner, grade_files
from autograder.report.bundle import BATCH_SUMMARY, STUDENTS
from autograder.report.output import replaced_output
from autograder.report.progress import LineProgress, Progress
from autograder.report.record import RECORD, read_record
from source_lib.judge.results import SubmissionResult
from source_lib.judge.spec import Assignment


@dataclass(frozen=True)
class BatchSummary:
    results: tuple[SubmissionResult, ...]
    table: str
    isolation_level: str
    warnings: tuple[str, ...]


@contextmanager
def running_sandbox(config: GradingConfig) -> Iterator[SandboxPool]:
    """A started sandbox pool, closed (every worker killed) on exit."""
    pool = SandboxPool.for_config(config)
    try:
        pool.start()
        yield pool
    finally:
        pool.close()


def grade_batch(assignment: Assignment, paths: Sequence[Path], out: Path, config: GradingConfig,
                progress: Progress | TextIO | None = None, runner: Runner | None = None,
                late: LateRule | None = None, overrides: Overrides | None = None,
                only: Collection[str] = ()) -> BatchSummary:
    """Grade every submission under ``paths``; ``out`` then holds this batch's reports only.

    The reports are built in a staging folder that replaces ``out`` once the batch is
    done (``report.output``): a failed or interrupted batch leaves ``out`` as it was.
    ``progress`` hears of each finished submission (a stream gets one line each).
    ``only`` regrades those students into the batch already in ``out``: everyone else keeps
    the result it holds (``record.json``), and the class files are rebuilt from all of them.
    """
    say = LineProgress(progress) if progress is not None and not callable(progress) else progress
    files, warnings = discover(paths, assignment.name)
    if not files:
        raise ConfigError("no submissions found: " + "; ".join(warnings))
    _check_out_dir(out, paths)
    wanted = set(only)
    kept = _kept_results(out, assignment.name, files, wanted) if wanted else []
    files = [f for f in files if f.student in wanted] if wanted else files
    notes = list(warnings)
    with ExitStack() as stack:
        staging = stack.enter_context(replaced_output(out, notes))
        if runner is None:
            runner = stack.enter_context(running_sandbox(config))
        ids = [q.id for q in assignment.questions]
        done: list[SubmissionResult] = []

        def on_result(result: SubmissionResult) -> None:
            if overrides:  # hand-set scores first: the late policy applies to the total
                result = apply_overrides(result, overrides)
            if late is not None:
                result = late.apply(result)
            done.append(result)
            report.write_submission_reports(result, staging)
            if say is not None:
                say(len(done), len(files), result)

        for result in kept:
            report.write_submission_reports(result, staging)
        grade_files(assignment, files, config, runner, on_result)
        results = sorted([*done, *kept], key=lambda r: r.student)
        report.write_batch_reports(assignment.name, results, ids, staging)
        level = str(runner.isolation.get("level", "unknown"))
    return BatchSummary(tuple(results), report.summary_table(results, ids), level, tuple(notes))


def _kept_results(out: Path, assignment: str, files: Sequence[SubmissionFile],
                  only: set[str]) -> list[SubmissionResult]:
    """The results of the batch in ``out`` for everyone but ``only`` (who must have submissions)."""
    missing = sorted(only - {f.student for f in files})
    if missing:
        raise ConfigError(f"--only: no submission found for {', '.join(missing)}")
    try:
        earlier = json.loads((out / BATCH_SUMMARY).read_text(encoding="utf-8"))["assignment"]
    except (OSError, ValueError, KeyError, TypeError):
        raise ConfigError(f"--only regrades students into an existing batch, and {out} holds none: "
                          "grade the whole batch first") from None
    if earlier != assignment:
        raise ConfigError(f"--only: {out} holds a batch of {earlier}, not {assignment}")
    kept = []
    for path in sorted((out / STUDENTS).glob(f"*/{RECORD}")):
        try:
            result = read_record(path)
        except ValueError as exc:
            raise ConfigError(f"--only: {exc}; grade the whole batch again") from None
        if result.student not in only:
            kept.append(result)
    return kept


def _check_out_dir(out: Path, inputs: Sequence[Path]) -> None:
    """Reports must never land inside the submissions, nor replace a folder that holds them."""
    resolved = out.resolve()
    for path in inputs:
        source = path.resolve()
        if resolved == source or (source.is_dir() and source in resolved.parents):
            raise ConfigError(f"--out {out} is inside the submissions folder {path}; choose another folder")
        if resolved in source.parents:
            raise ConfigError(f"--out {out} holds the submissions {path}; choose another folder")
