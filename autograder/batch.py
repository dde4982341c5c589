"""A whole batch: find submissions, start the sandbox, grade, write every report."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TextIO

from autograder import __version__, report
from autograder.config import GradingConfig
from autograder.declarations import assignment_digest
from autograder.errors import ConfigError, OutputError
from autograder.late import LateRule
from autograder.launch import SandboxPool
from autograder.notebook import SubmissionFile, Submissions, file_digest
from autograder.overrides import Overrides, apply_overrides
from autograder.pipeline import SANDBOX_RETRIED, Runner, grade_files
from autograder.report._text import some_names
from autograder.report.bundle import BATCH_SUMMARY, STUDENTS
from autograder.report.class_report import class_report_at_end
from autograder.report.output import partial_folder, replaced_output
from autograder.report.progress import LineProgress, Progress
from autograder.report.record import RECORD, read_record
from autograder.report.stored import StoredResults
from autograder.shards import Shard
from source_lib.judge.results import BatchOrigin, SubmissionResult
from source_lib.judge.spec import Assignment

FILE_CHANGED = "the file changed while it was being graded"
# what the instructor hears of at the end, from the warnings a result carries for its student
_FOR_INSTRUCTOR = {
    FILE_CHANGED: "{n} file(s) changed while being graded: the version read first was graded (its SHA-256 is "
                  "in the result); grade them again with --only to grade the new version: {names}",
    SANDBOX_RETRIED: "{n} notebook(s) were run again on a fresh sandbox worker after the first failed; their "
                     "results stand and say so: {names}",
}


@dataclass(frozen=True)
class BatchSummary:
    results: Sequence[SubmissionResult]  # read from the batch's records, one at a time (``StoredResults``)
    question_ids: tuple[str, ...]
    isolation_level: str
    warnings: tuple[str, ...]
    origin: BatchOrigin | None = None

    @property
    def table(self) -> str:
        """The terminal's table of the batch (``cli`` streams it instead: a large batch is long)."""
        return report.summary_table(self.results, self.question_ids)


@contextmanager
def running_sandbox(config: GradingConfig, release: Path | None = None) -> Iterator[SandboxPool]:
    """A started sandbox pool, closed (every worker killed) on exit (``release``: see ``for_config``)."""
    pool = SandboxPool.for_config(config, release=release)
    try:
        pool.start()
        yield pool
    finally:
        pool.close()


def grade_batch(assignment: Assignment, paths: Sequence[Path] | Submissions, out: Path, config: GradingConfig,
                progress: Progress | TextIO | None = None, runner: Runner | None = None,
                late: LateRule | None = None, overrides: Overrides | None = None,
                only: Collection[str] = (), shard: Shard | None = None, resume: bool = False) -> BatchSummary:
    """Grade every submission under ``paths``; ``out`` then holds this batch's reports only.

    The reports are built in a staging folder that replaces ``out`` once the batch is
    done (``report.output``): a failed or interrupted batch leaves ``out`` as it was, and
    what it had graded waits in ``partial_folder(out)`` for ``resume``, which grades only
    the submissions missing there (or changed since).
    ``progress`` hears of each finished submission (a stream gets one line each).
    ``only`` regrades those students into the batch already in ``out``: everyone else keeps
    the result it holds (``record.json``), and the class files are rebuilt from all of them.
    ``shard`` grades only that shard's students (``autograder merge`` joins the shards).
    """
    say = LineProgress(progress) if progress is not None and not callable(progress) else progress
    found = paths if isinstance(paths, Submissions) else Submissions.find(paths, assignment.name)
    _check_out_dir(out, found.inputs)
    if only and resume:
        raise ConfigError("--only and --resume do not go together: --resume carries on a whole batch")
    origin = batch_origin(assignment, config, shard, found.students)
    wanted = set(only)
    kept_records = _kept_records(out, assignment.name, found.chosen(shard), wanted) if wanted else []
    files = found.chosen(shard, wanted)
    notes = list(found.warnings)
    stamp = _settings(origin, config, late, overrides)
    with ExitStack() as stack:
        staging = stack.enter_context(replaced_output(out, notes, stamp, resume))
        if resume:
            kept = resumable_students(staging, files)
            files = [f for f in files if f.student not in kept]
        else:
            kept = set(_copy_kept(kept_records, staging))
        if runner is None and files:
            runner = stack.enter_context(running_sandbox(config, config.layout.release(assignment.name)))
        ids = [q.id for q in assignment.questions]
        done: list[str] = []  # the students graded: their results are on disk, not in memory
        flagged: dict[str, list[str]] = {}  # _FOR_INSTRUCTOR's keys -> students
        by_student = {f.student: f.path for f in files}

        def on_result(result: SubmissionResult) -> None:
            if overrides:  # hand-set scores first: the late policy applies to the total
                result = apply_overrides(result, overrides)
            if late is not None:
                result = late.apply(result)
            result = _changed_since_read(result, by_student[result.student])
            _written(lambda: report.write_submission_reports(result, staging, durable=False), out, len(done))
            done.append(result.student)
            for kind in _FOR_INSTRUCTOR:
                if any(w.startswith(kind) for w in result.warnings):
                    flagged.setdefault(kind, []).append(result.student)
            if say is not None:
                say(len(done), len(files), result)

        if files:
            assert runner is not None
            grade_files(assignment, files, config, runner, on_result)
        results = StoredResults(staging, [*done, *kept])
        _written(lambda: report.write_batch_reports(assignment.name, results, ids, staging, origin),
                 out, len(done))
        notes += class_report_at_end(staging, out, len(results))
        notes += [_FOR_INSTRUCTOR[kind].format(n=len(names), names=some_names(sorted(names)))
                  for kind, names in flagged.items()]
        notes += runner.notes if isinstance(runner, SandboxPool) else []
        level = str(runner.isolation.get("level", "unknown")) if runner else "none (nothing to grade)"
    return BatchSummary(results.moved_to(out), tuple(ids), level, tuple(notes), origin)


def batch_origin(assignment: Assignment, config: GradingConfig, shard: Shard | None,
                 students: Sequence[str]) -> BatchOrigin:
    """The versions, seed and shard that a merge checks; a shard also lists the whole batch's students."""
    seed = assignment.seed if config.seed is None else config.seed
    digest = assignment_digest(assignment.name, config.layout)
    if shard is None:
        return BatchOrigin(__version__, digest, seed)
    return BatchOrigin(__version__, digest, seed, str(shard), tuple(sorted(students)))


def _settings(origin: BatchOrigin, config: GradingConfig, late: LateRule | None,
              overrides: Overrides | None) -> dict[str, object]:
    """Everything a result depends on besides the notebook: a --resume must find the same."""
    return {"origin": {**origin.as_json(), "students_seen": None}, "limits": asdict(config.limits),
            "late": repr(late), "overrides": repr(sorted((overrides or {}).items()))}


def resumable_students(staging: Path, files: Sequence[SubmissionFile]) -> set[str]:
    """The students whose results an interrupted batch left in ``staging`` still hold: same file bytes.

    Any other student folder there (a result half written, a file changed or withdrawn since) is removed.
    """
    paths = {f.student: f.path for f in files}
    kept = set()
    for folder in sorted((staging / STUDENTS).glob("*")):
        try:
            result = read_record(folder / RECORD)
        except ValueError:
            result = None
        path = paths.get(result.student) if result else None
        if result is not None and path is not None and _holds(path, result):
            kept.add(result.student)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return kept


def _changed_since_read(result: SubmissionResult, path: Path) -> SubmissionResult:
    """Grading uses the bytes read once; say so when the file no longer holds them."""
    if _holds(path, result):
        return result
    warning = (f"{FILE_CHANGED}: the version read first was graded "
               f"(SHA-256 {result.sha256[:12]}); grade again to grade the new one")
    return replace(result, warnings=(*result.warnings, warning))


def _holds(path: Path, result: SubmissionResult) -> bool:
    """Whether the file still holds the bytes ``result`` was graded from."""
    return file_digest(path) == result.sha256


def _written(write: Callable[[], object], out: Path, graded: int) -> None:
    """Run a report write; a full or read-only disk becomes a clear error that keeps what was graded."""
    try:
        write()
    except OSError as exc:
        raise OutputError(f"cannot write the reports for {out}: {exc.strerror or exc}; "
                          f"no report was half written. The {graded} submission(s) graded so far are kept in "
                          f"{partial_folder(out)}: make room, then run the same command with --resume to "
                          "grade only the rest") from exc


def _kept_records(out: Path, assignment: str, files: Sequence[SubmissionFile], only: set[str]) -> list[Path]:
    """The records of the batch in ``out`` for everyone but ``only`` (who must have submissions)."""
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
    return [path for path in sorted((out / STUDENTS).glob(f"*/{RECORD}")) if _kept_record(path).student not in only]


def _kept_record(path: Path) -> SubmissionResult:
    try:
        return read_record(path)
    except ValueError as exc:
        raise ConfigError(f"--only: {exc}; grade the whole batch again") from None


def _copy_kept(records: Sequence[Path], staging: Path) -> list[str]:
    """Everyone else's reports, written again from their records (one in memory at a time); their ids."""
    kept = []
    for path in records:
        result = _kept_record(path)
        report.write_submission_reports(result, staging, durable=False)
        kept.append(result.student)
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
