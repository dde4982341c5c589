"""Command line: ``autograder grade | report | similarity | validate | release | new-question | student-package``.

Exit codes: 0 when the command completed (whatever the scores), 1 when
``--fail-under``, ``validate`` or ``release`` found a problem, 2 for usage,
configuration or sandbox errors. No grading logic lives here.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder import __version__
from autograder.config import CourseLayout, GradingConfig, Limits, default_cache_folder, default_workers
from autograder.errors import AutograderError, ConfigError

if TYPE_CHECKING:
    from autograder.late import LateRule
    from autograder.merge import Merged
    from autograder.notebook import Submissions
    from autograder.platforms.nbgrader_course import Course
    from source_lib.judge.results import BatchOrigin, SubmissionResult
    from source_lib.judge.spec import Assignment


def run() -> None:
    """The ``autograder`` command: ``main``, then exit without tearing the interpreter down.

    Freeing sympy's and matplotlib's objects one by one costs about 0.2 s at exit, a fifth of
    grading one submission; exit handlers still run and the standard streams are flushed.
    """
    code = main()
    if threading.active_count() > 1:  # a thread may still have work to finish: the usual exit waits for it
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream is closed: nothing to keep
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``autograder`` command (returns its exit code; ``run`` exits with it)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: forks stay cheap
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except AutograderError as exc:
        print(f"autograder: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("autograder: interrupted; the --out folder of grade is left as it was, and what was graded so "
              "far is kept: run the same command with --resume to grade only the rest", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`autograder ... | head`): the reports are written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:  # a full or read-only disk outside the reports' own writes
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"autograder: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Grade zeroinit-kit notebooks safely.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help="grade submitted notebooks in a batch")
    grade.add_argument("assignment", help="assignment name, e.g. linear_regression")
    grade.add_argument("submissions", nargs="*", type=Path,
                       help=".ipynb files or folders (nbgrader's submitted/<student>/<assignment>/ is recognised; "
                            "default with --nbgrader-course: its submitted/ folder)")
    grade.add_argument("--out", type=Path, required=True,
                       help="folder for the reports. It holds this batch only: the reports are built "
                            "in a hidden folder next to it, which replaces it once the batch is done "
                            "(students of an earlier batch do not linger; a failed or interrupted batch "
                            "leaves it as it was). It must be new, empty or the output of an earlier "
                            "batch: a folder holding anything else is refused, never deleted")
    _add_common(grade)
    grade.add_argument("--course", type=Path, help="course folder holding solutions/, assignments/ and "
                       "source_lib/public/ (default: this checkout)")
    grade.add_argument("--seed", type=int, help="seed for the hidden cases (default: the assignment's)")
    grade.add_argument("--timeout", type=float, default=Limits.wall_seconds,
                       help="seconds one notebook may run (default %(default)s)")
    grade.add_argument("--memory-mb", type=int, default=Limits.memory_mb,
                       help="memory one notebook may use, in MB (default %(default)s)")
    grade.add_argument("--fail-under", type=float, metavar="PERCENT",
                       help="with one submission: exit 1 when its score is below PERCENT of the maximum")
    grade.add_argument("--nbgrader-course", type=Path, metavar="DIR",
                       help="also write the grades into this nbgrader course: each question's score and "
                            "feedback into its gradebook.db (manual scores are kept) and the notebooks "
                            "formgrader opens into autograded/; checked against the declaration first")
    grade.add_argument("--due", metavar="TIME", help="the due date, ISO 8601 (2026-12-01T23:59-08:00; UTC when "
                       "no offset): each submission's time comes from nbgrader's timestamp.txt beside it")
    grade.add_argument("--late-policy", metavar="POLICY", help="none (record only; the default with --due), zero, "
                       "percent-per-day:P (P%% of the maximum per started day) or late-days:N (N days of grace, "
                       "then 0)")
    grade.add_argument("--overrides", type=Path, metavar="CSV", help="scores set by hand (student,question,score,"
                       "reason): they win over the automatic ones on every run, manual questions included")
    grade.add_argument("--only", metavar="S1,S2", help="regrade these students into the batch already in --out; "
                       "the others keep their results and the class files are rebuilt")
    grade.add_argument("--shard", metavar="I/N", help="grade only shard I of N (0-based; a student's shard "
                       "comes from a hash of their id), with the batch.json that `autograder merge` needs")
    grade.add_argument("--resume", action="store_true", help="carry on an interrupted batch of the same --out "
                       "(Ctrl-C, a full disk, a lost machine): grade only the submissions it had not finished, "
                       "or that changed since; without an interrupted batch, grade them all")
    grade.add_argument("--cache", type=Path, metavar="DIR", help="where the solution's run is kept between "
                       "batches, keyed by grader, course files, seed and libraries (default: "
                       "$XDG_CACHE_HOME/zeroinit-kit, else ~/.cache/zeroinit-kit)")
    grade.add_argument("--no-cache", action="store_true", help="run the solution afresh and keep nothing")
    grade.add_argument("--executor", choices=("local", "dask"), default="local",
                       help="local: this machine's cores (the default); dask: shards of the batch on a Dask "
                            "cluster (pip install 'zeroinit-kit[dask]'), each graded by a grade --shard child "
                            "on a worker host, merged into --out")
    grade.add_argument("--scheduler", metavar="ADDRESS", help="with --executor dask: the scheduler, tcp://host:8786")
    grade.add_argument("--shards", type=int, metavar="N", help="with --executor dask: shards to cut the batch "
                       "into (default: one per worker thread of the cluster)")
    grade.add_argument("--submission-list", type=Path, help=argparse.SUPPRESS)  # a Dask shard task's input
    grade.add_argument("--ci", choices=("github",), help="github: a summary in $GITHUB_STEP_SUMMARY, a notice "
                       "with the points, and the result output of autograding-grading-reporter in $GITHUB_OUTPUT")
    grade.add_argument("--quiet", action="store_true", help="no progress lines")
    grade.add_argument("--progress", choices=("auto", "lines", "bar", "json"), default="auto",
                       help="on stderr: a bar on a terminal and a line per submission elsewhere (auto, the "
                            "default), or JSON lines (count, rate, time left) for programs")
    grade.add_argument("--json", action="store_true", help="print the batch summary as JSON (batch.json's "
                                                           "content) instead of the table")
    grade.set_defaults(run=_grade)

    similar = commands.add_parser("similarity", help="rank pairs of submissions by the code they share (evidence "
                                  "for a person to weigh, not proof): similarity.html and similarity.csv")
    similar.add_argument("assignment")
    similar.add_argument("submissions", nargs="+", type=Path, help=".ipynb files or folders (as for grade)")
    similar.add_argument("--out", type=Path, required=True, help="folder for similarity.html and similarity.csv "
                         "(each replaced atomically; other files there are left alone)")
    similar.add_argument("--batch", type=Path, metavar="GRADED_DIR", help="the --out folder of `autograder grade` "
                         "for these submissions: pairs who made the same rare catalogued mistake are flagged")
    similar.add_argument("--course", type=Path, help="course folder (default: this checkout)")
    similar.add_argument("--quiet", action="store_true", help="no progress lines")
    similar.set_defaults(run=_similarity)

    merge = commands.add_parser("merge", help="join the shards of one batch (grade --shard I/N) into the "
                                              "reports an unsharded run writes")
    merge.add_argument("shards", nargs="+", type=Path, metavar="SHARD_DIR", help="the --out folders of the shards")
    merge.add_argument("--out", type=Path, required=True, help="folder for the merged reports (as grade --out)")
    merge.add_argument("--allow-missing", action="store_true", help="merge even when shards or students are "
                       "missing (they are named in a warning) instead of refusing")
    merge.add_argument("--json", action="store_true", help="print batch.json's content instead of the table")
    merge.add_argument("--ci", choices=("github",), help="github: as grade --ci github, for the whole class")
    merge.set_defaults(run=_merge)

    report = commands.add_parser("report", help="write the class report (class.html, class.json, class_*.csv) "
                                                "into a graded batch's folder")
    report.add_argument("batch_dir", type=Path, metavar="BATCH_DIR", help="the --out folder of autograder grade")
    report.set_defaults(run=_report)

    init_ci = commands.add_parser("init-ci", help="write the GitHub Actions workflow that grades a course "
                                                  "repository's submissions/<assignment>/")
    init_ci.add_argument("assignment")
    init_ci.add_argument("--out", type=Path, help="default .github/workflows/grade-<assignment>.yml")
    init_ci.add_argument("--kit", default=f"zeroinit-kit=={__version__}",
                         help="the pip requirement of the grader, pinned (default %(default)s)")
    init_ci.add_argument("--course", type=Path, help="course folder (default: this checkout)")
    init_ci.add_argument("--matrix", type=int, metavar="N", help="grade in N parallel jobs (shards of a job "
                         "matrix, at most 256), each kept as an artifact, merged by a last job")
    init_ci.set_defaults(run=_init_ci)

    validate = commands.add_parser("validate", help="check an assignment's tests catch the classic mistakes")
    validate.add_argument("assignment")
    _add_common(validate)
    _add_authoring(validate)
    validate.set_defaults(run=_validate)

    release = commands.add_parser("release", help="regenerate the student notebook with nbgrader")
    release.add_argument("assignment")
    _add_common(release)
    _add_authoring(release)
    release.add_argument("--check", action="store_true",
                         help="only report authoring problems and whether the release is in sync")
    release.set_defaults(run=_release)

    new = commands.add_parser("new-question", help="add a question's cells to the source notebook and "
                              "print its declaration snippet")
    new.add_argument("assignment")
    new.add_argument("id", help="the question id: the solution cell's grade_id and the name students define")
    new.add_argument("--kind", choices=("function", "symbolic", "choice", "manual"), required=True)
    new.add_argument("--points", type=float, default=1.0, help="points (default %(default)g)")
    new.add_argument("--after", metavar="GRADE_ID", help="insert after this cell (default: before the "
                     "notebook's closing check_all() cell and the markdown introducing it, else at the end)")
    new.add_argument("--course", type=Path, help="course folder (default: this checkout)")
    new.set_defaults(run=_new_question)

    grades = commands.add_parser("export-grades", help="write batches' scores as a file an LMS gradebook imports")
    grades.add_argument("batches", nargs="+", type=Path, metavar="BATCH_DIR",
                        help="folders written by autograder grade --out, one per assignment")
    grades.add_argument("--format", choices=("canvas", "moodle", "csv"), required=True)
    grades.add_argument("--roster", type=Path, help="CSV with a student column and any of name, lms_id, "
                        "sis_user_id, sis_login_id, section, email (required for canvas and moodle)")
    grades.add_argument("--out", type=Path, required=True, help="the file to write (replaced atomically)")
    grades.set_defaults(run=_export_grades)

    export = commands.add_parser("export-gradescope", help="build the autograder zip a Gradescope course uploads")
    export.add_argument("assignment")
    export.add_argument("--out", type=Path, required=True, help="the zip to write, e.g. autograder.zip")
    export.add_argument("--course", type=Path, help="course folder (default: this checkout)")
    export.add_argument("--python", default="3.10", help="Python of the Gradescope image (default %(default)s)")
    export.add_argument("--late-policy", default="none", metavar="POLICY",
                        help="applied to Gradescope's created_at against its due date: none (record only, the "
                             "default), zero, percent-per-day:P or late-days:N")
    export.set_defaults(run=_export_gradescope)

    run = commands.add_parser("gradescope-run", help="(inside Gradescope) grade /autograder/submission into "
                                                     "/autograder/results/results.json")
    run.add_argument("--root", type=Path, default=Path("/autograder"), help="default %(default)s")
    run.add_argument("--warm", action="store_true", help="(setup.sh) run the solution once and keep its run "
                     "in the course folder, so that no grading run pays for it")
    run.set_defaults(run=_gradescope_run)

    package = commands.add_parser("student-package", help="build the wheel students install (zeroinit-student)")
    package.add_argument("--out", type=Path, required=True, help="folder for the wheel")
    package.set_defaults(run=_student_package)
    return parser


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="notebooks graded in parallel (default: one per core, %(default)s here)")
    parser.add_argument("--require-isolation", choices=("none", "process", "namespaces"), default="none",
                        help="refuse to grade if the sandbox cannot reach this isolation level")
    parser.add_argument("--max-isolation", choices=("process", "namespaces"), default="namespaces",
                        help="never use a stronger level than this one, e.g. to reproduce a host "
                             "without namespaces (a Docker-based grader) with 'process'")
    parser.add_argument("--allow-unreadable-python", action="store_true",
                        help="at level 'process' as root: grade even when the sandbox's unprivileged "
                             "uid cannot read this Python installation (student code can then import "
                             "only what the worker preloads: numpy, sympy, matplotlib and common "
                             "standard modules); every result records it")


def _add_authoring(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--course", type=Path, help="course folder holding solutions/, assignments/ and "
                        "source_lib/public/ (default: this checkout)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")


def _layout(args: argparse.Namespace) -> CourseLayout:
    if args.course is None:
        return CourseLayout.default()
    if not (args.course / "solutions").is_dir():
        raise ConfigError(f"--course {args.course}: no solutions/ folder there")
    return CourseLayout(args.course.resolve())


def _config(args: argparse.Namespace, **limits: Any) -> GradingConfig:
    return GradingConfig(limits=Limits(**limits) if limits else Limits(), workers=args.workers,
                         seed=getattr(args, "seed", None), require_isolation=args.require_isolation,
                         max_isolation=args.max_isolation, allow_unreadable_python=args.allow_unreadable_python)


def _grade(args: argparse.Namespace) -> int:
    from autograder.launch import SandboxPool

    if args.timeout <= 0 or args.memory_mb <= 0:
        raise ConfigError("--timeout and --memory-mb must be positive")
    layout = _layout(args)
    config = replace(_config(args, wall_seconds=args.timeout, cpu_seconds=max(1, int(args.timeout)),
                             memory_mb=args.memory_mb), layout=layout, cache_dir=_cache_dir(args))
    late = _late_rule(args.due, args.late_policy)
    started = time.perf_counter()
    if args.executor == "dask":
        return _grade_on_dask(args, layout, started)
    from autograder.shards import Shard

    shard, only = Shard.parse(args.shard) if args.shard else None, _students(args.only)
    submissions = _submissions(args, args.assignment, args.nbgrader_course / "submitted"
                               if args.nbgrader_course else None)
    if args.fail_under is not None and len(submissions.files) != 1:
        raise ConfigError("--fail-under needs exactly one submission")
    pool = SandboxPool.for_config(config, len(submissions.chosen(shard, only)), layout.release(args.assignment))
    pool.spawn()  # the workers boot while the judge's modules import
    try:
        from autograder.batch import grade_batch
        from autograder.declarations import load
        from autograder.overrides import read_overrides, unused
        from autograder.report.progress import reporter

        assignment = load(args.assignment, layout)
        course = _nbgrader_course(args.nbgrader_course, assignment)
        overrides = read_overrides(args.overrides, assignment) if args.overrides else {}
        summary = grade_batch(assignment, submissions, args.out, config,
                              progress=reporter("none" if args.quiet else args.progress, sys.stderr),
                              runner=pool, late=late, overrides=overrides, only=only, shard=shard,
                              resume=args.resume)
    finally:
        pool.close()
    _print_batch(args.json, assignment.name, summary.results, summary.question_ids,
                 f"graded in {time.perf_counter() - started:.1f} s (isolation: {summary.isolation_level})",
                 args.out, summary.warnings, summary.origin)
    missing = unused(overrides, {r.student for r in summary.results}) if overrides else []
    if missing:
        print(f"warning: overrides for students not in this batch: {', '.join(missing)}", file=sys.stderr)
    if course is not None:
        _import_into(course, assignment, summary.results)
    _report_to_ci(args.ci, summary.results)
    return _fail_under(args.fail_under, summary.results)


def _cache_dir(args: argparse.Namespace) -> Path | None:
    if args.no_cache and args.cache is not None:
        raise ConfigError("--cache and --no-cache contradict each other")
    return None if args.no_cache else (args.cache or default_cache_folder())


def _submissions(args: argparse.Namespace, assignment: str, default: Path | None) -> Submissions:
    from autograder.notebook import Submissions

    if args.submission_list is not None:
        from autograder.dask_executor import read_submission_list

        return read_submission_list(args.submission_list)
    paths = args.submissions or ([default] if default else [])
    if not paths:
        raise ConfigError("name the submissions to grade (files or folders)")
    return Submissions.find(paths, assignment)


def _grade_on_dask(args: argparse.Namespace, layout: CourseLayout, started: float) -> int:
    """Shards of the batch graded on a Dask cluster, merged into --out."""
    from autograder.dask_executor import grade_on_dask
    from autograder.declarations import load
    from autograder.shards import MAX_SHARDS

    if args.scheduler is None:
        raise ConfigError("--executor dask needs --scheduler ADDRESS (the Dask scheduler, tcp://host:8786)")
    alone = {"--shard": args.shard, "--only": args.only, "--resume": args.resume, "--overrides": args.overrides,
             "--nbgrader-course": args.nbgrader_course, "--fail-under": args.fail_under}
    clash = [flag for flag, value in alone.items() if value not in (None, False)]
    if clash:
        raise ConfigError(f"--executor dask does not take {', '.join(clash)}: grade on one machine for that")
    if args.shards is not None and not 1 <= args.shards <= MAX_SHARDS:
        raise ConfigError(f"--shards must be between 1 and {MAX_SHARDS}")
    assignment = load(args.assignment, layout)
    forwarded = ["--timeout", str(args.timeout), "--memory-mb", str(args.memory_mb),
                 "--require-isolation", args.require_isolation, "--max-isolation", args.max_isolation]
    for flag, value in (("--seed", args.seed), ("--due", args.due), ("--late-policy", args.late_policy),
                        ("--course", layout.root if args.course else None)):
        forwarded += [flag, str(value)] if value is not None else []
    forwarded += ["--allow-unreadable-python"] if args.allow_unreadable_python else []
    forwarded += ["--no-cache"] if args.no_cache else []  # each worker host keeps its own cache
    say = (lambda line: None) if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    merged = grade_on_dask(assignment.name, _submissions(args, assignment.name, None), args.out, args.scheduler,
                           args.shards, forwarded, say)
    return _report_merged(args, merged, f"graded in {time.perf_counter() - started:.1f} s on the Dask cluster "
                                        f"at {args.scheduler} ({merged.shards} shards)")


def _report_merged(args: argparse.Namespace, merged: Merged, done: str) -> int:
    """Print a merged batch (``merge``, ``--executor dask``) as ``grade`` prints its own."""
    _print_batch(args.json, merged.assignment, merged.results, merged.question_ids, done, args.out, merged.warnings,
                 merged.origin)
    _report_to_ci(args.ci, merged.results)
    return 0


def _report_to_ci(ci: str | None, results: Sequence[SubmissionResult]) -> None:
    if ci == "github":
        from autograder.platforms.github_ci import report_to_github

        print("\n".join(report_to_github(results, os.environ)))


def _print_batch(as_json: bool, assignment: str, results: Sequence[SubmissionResult], question_ids: Sequence[str],
                 done: str, out: Path, warnings: Sequence[str], origin: BatchOrigin | None) -> None:
    from autograder.report.bundle import write_batch_json
    from autograder.report.table import write_summary_table

    if as_json:  # what batch.json holds
        write_batch_json(assignment, results, origin, sys.stdout)
    else:
        write_summary_table(results, question_ids, sys.stdout)
        print()
        print(f"\n{len(results)} submission(s) {done}; reports in {out}")
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)


def _similarity(args: argparse.Namespace) -> int:
    from autograder.declarations import load
    from autograder.notebook import Submissions
    from autograder.similarity import find_similar, write_outputs
    from autograder.similarity.mistakes import read_mistakes

    layout = _layout(args)
    assignment = load(args.assignment, layout)
    if (args.out / "batch.json").exists() or (args.out.exists() and not args.out.is_dir()):
        raise ConfigError(f"--out {args.out}: choose a folder of its own (not a file, nor a graded batch's folder, "
                          "which `autograder grade` keeps to the files it writes)")
    submissions = Submissions.find(args.submissions, assignment.name)
    mistakes = read_mistakes(args.batch, assignment) if args.batch else None
    say = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    report = find_similar(assignment, submissions.files, layout, mistakes, progress=say)
    written = write_outputs(report, args.out)
    print("\n".join(report.summary()))
    print(f"wrote {written.page} and {written.sheet}")
    for warning in submissions.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def _merge(args: argparse.Namespace) -> int:
    from autograder.merge import merge_shards

    merged = merge_shards(args.shards, args.out, args.allow_missing)
    return _report_merged(args, merged, f"of {merged.assignment} merged from {len(args.shards)} of "
                                        f"{merged.shards} shard(s)")


def _students(listed: str | None) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in (listed or "").split(",") if n.strip()))
    if listed is not None and not names:
        raise ConfigError("--only needs student ids, separated by commas")
    return names


def _late_rule(due: str | None, policy: str | None) -> LateRule | None:
    from autograder.late import LatePolicy, LateRule, parse_time

    if due is None:
        if policy is not None:
            raise ConfigError("--late-policy needs --due")
        return None
    moment = parse_time(due)
    if moment is None:
        raise ConfigError(f"--due {due!r}: not an ISO 8601 time (2026-12-01T23:59:00-08:00, say)")
    return LateRule(moment, LatePolicy.parse(policy or "none"))


def _nbgrader_course(root: Path | None, assignment: Assignment) -> Course | None:
    """The nbgrader course to write into, checked against the declaration before anything is graded."""
    if root is None:
        return None
    from autograder.platforms.nbgrader_course import Course, check_course

    course = Course.at(root)
    check_course(course, assignment)
    return course


def _import_into(course: Course, assignment: Assignment, results: Sequence[SubmissionResult]) -> None:
    from autograder.platforms.nbgrader_course import import_results

    imported = import_results(course, assignment, results)
    for warning in imported.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"nbgrader: {len(imported.students)} submission(s) written into {course.db_url} and "
          f"{course.root / 'autograded'}", file=sys.stderr)


def _fail_under(threshold: float | None, results: Sequence[object]) -> int:
    if threshold is None:
        return 0
    if len(results) != 1:
        raise ConfigError("--fail-under needs exactly one submission")
    result = results[0]
    percent = 100.0 * result.score / result.max_score if result.max_score else 0.0  # type: ignore[attr-defined]
    if percent < threshold:
        print(f"score {percent:.1f}% is below --fail-under {threshold:g}%", file=sys.stderr)
        return 1
    return 0


def _validate(args: argparse.Namespace) -> int:
    from autograder.declarations import load
    from autograder.validate import validate

    layout = _layout(args)
    report = validate(load(args.assignment, layout), replace(_config(args), layout=layout),
                      progress=None if args.quiet else sys.stderr)
    print(report.text)
    return 0 if report.ok else 1


def _release(args: argparse.Namespace) -> int:
    from autograder.declarations import load
    from autograder.release import AuthoringError, check, release

    layout = _layout(args)
    assignment = load(args.assignment, layout)
    config, progress = replace(_config(args), layout=layout), None if args.quiet else sys.stderr
    if args.check:
        problems = check(assignment, config, progress)
        print("\n".join(problems) if problems else f"{assignment.name}: release is in sync with the source")
        return 1 if problems else 0
    try:
        released = release(assignment, config, progress)
    except AuthoringError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 1
    for warning in released.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for note in released.notes:
        print(note)
    for path in released.written:
        print(f"wrote {path}")
    return 0


def _new_question(args: argparse.Namespace) -> int:
    from autograder.declarations import command, declaration_path, load
    from autograder.scaffold import new_question

    if args.points <= 0:
        raise ConfigError("--points must be positive")
    layout = _layout(args)
    made = new_question(load(args.assignment, layout), layout, args.id, args.kind, args.points, args.after)
    print(made.snippet)
    print(f"added the cells of {args.id} to {made.notebook}; next: paste the snippet above into "
          f"{declaration_path(args.assignment, layout)}, write the statement, the solution and the "
          f"misconceptions, then run {command(layout, 'release', args.assignment)} and "
          f"{command(layout, 'validate', args.assignment)}", file=sys.stderr)
    return 0


def _export_grades(args: argparse.Namespace) -> int:
    from autograder.platforms.lms import Person, export, read_batch, read_roster
    from autograder.report.write import write_text

    batches = [read_batch(folder) for folder in args.batches]
    if args.roster is None and args.format != "csv":
        raise ConfigError(f"--format {args.format} needs --roster: the LMS knows students by its own ids")
    people = (read_roster(args.roster) if args.roster else
              [Person(s) for s in sorted({s for b in batches for s in b.scores})])
    made = export(batches, people, args.format)
    write_text(args.out, made.text)
    if made.left_out:
        print(f"warning: {len(made.left_out)} graded student(s) not in the roster, left out: "
              f"{', '.join(made.left_out)}", file=sys.stderr)
    print(f"wrote {args.out}: {len(people)} student(s), {len(batches)} assignment(s) "
          f"({', '.join(b.assignment for b in batches)}), format {args.format}")
    return 0


def _report(args: argparse.Namespace) -> int:
    from autograder.report.class_report import write_class_report

    paths = write_class_report(args.batch_dir)
    print("\n".join(f"wrote {path}" for path in paths))
    return 0


def _init_ci(args: argparse.Namespace) -> int:
    from autograder.declarations import load
    from autograder.platforms.github_ci import MAX_MATRIX, workflow

    load(args.assignment, _layout(args))  # a typo is refused here, not in the course's first run
    if "==" not in args.kit and "@" not in args.kit:
        raise ConfigError(f"--kit {args.kit!r}: pin the grader (zeroinit-kit==X.Y.Z or a URL @ a tag or commit)")
    if args.matrix is not None and not 1 <= args.matrix <= MAX_MATRIX:
        raise ConfigError(f"--matrix must be between 1 and {MAX_MATRIX} (GitHub's limit of jobs per matrix)")
    out = args.out or Path(".github", "workflows", f"grade-{args.assignment}.yml")
    if out.exists():
        raise ConfigError(f"{out} exists; remove it or choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(workflow(args.assignment, args.kit, args.matrix), encoding="utf-8")
    print(f"wrote {out}: commit it to the course's own repository, beside solutions/ and "
          f"submissions/{args.assignment}/ (never to a repository a student controls)")
    return 0


def _export_gradescope(args: argparse.Namespace) -> int:
    from autograder.declarations import load
    from autograder.platforms.gradescope_zip import build_zip

    layout = _layout(args)
    load(args.assignment, layout)  # a broken declaration is refused here, not on Gradescope
    made = build_zip(args.assignment, layout, args.out, python=args.python, late_policy=args.late_policy)
    print("\n".join(f"  {name}" for name in made.members))
    print(f"wrote {made.path} ({made.size / 1e6:.2f} MB): upload it as the assignment's autograder on "
          f"Gradescope (base image Ubuntu 22.04, Python {args.python}); {len(made.requirements)} pinned packages")
    return 0


def _gradescope_run(args: argparse.Namespace) -> int:
    from autograder.platforms.gradescope_run import run, warm

    return warm(args.root) if args.warm else run(args.root)


def _student_package(args: argparse.Namespace) -> int:
    from autograder.student_package import build_wheel

    print(f"wrote {build_wheel(args.out)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
