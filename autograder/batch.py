"""A whole batch: find submissions, start the sandbox, grade, write every report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from autograder import report
from autograder.config import GradingConfig
from autograder.errors import ConfigError
from autograder.late import LateRule
from autograder.launch import SandboxPool
from autograder.notebook import discover
from autograder.overrides import Overrides, apply_overrides
from autograder.pipeline import Runner, grade_files
from autograder.report.output import replaced_output
from autograder.report.progress import LineProgress, Progress
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
                late: LateRule | None = None, overrides: Overrides | None = None) -> BatchSummary:
    """Grade every submission under ``paths``; ``out`` then holds this batch's reports only.

    The reports are built in a staging folder that replaces ``out`` once the batch is
    done (``report.output``): a failed or interrupted batch leaves ``out`` as it was.
    ``progress`` hears of each finished submission (a stream gets one line each).
    """
    say = LineProgress(progress) if progress is not None and not callable(progress) else progress
    files, warnings = discover(paths, assignment.name)
    if not files:
        raise ConfigError("no submissions found: " + "; ".join(warnings))
    _check_out_dir(out, paths)
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

        grade_files(assignment, files, config, runner, on_result)
        results = sorted(done, key=lambda r: r.student)
        report.write_batch_reports(assignment.name, results, ids, staging)
        level = str(runner.isolation.get("level", "unknown"))
    return BatchSummary(tuple(results), report.summary_table(results, ids), level, tuple(notes))


def _check_out_dir(out: Path, inputs: Sequence[Path]) -> None:
    """Reports must never land inside the submissions, nor replace a folder that holds them."""
    resolved = out.resolve()
    for path in inputs:
        source = path.resolve()
        if resolved == source or (source.is_dir() and source in resolved.parents):
            raise ConfigError(f"--out {out} is inside the submissions folder {path}; choose another folder")
        if resolved in source.parents:
            raise ConfigError(f"--out {out} holds the submissions {path}; choose another folder")
