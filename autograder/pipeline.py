"""Grade submissions end to end: notebook -> job -> sandbox run -> observations -> results.

The reference run happens once per batch. Each submission then takes the same
path; whatever goes wrong with one of them (an unreadable file, a crash, even
a fault of the grader) becomes that submission's result, and the batch goes on.
"""

from __future__ import annotations

import re
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from autograder import __version__, reference_cache, timebox
from autograder.config import GradingConfig
from autograder.declarations import assignment_digest
from autograder.errors import AssignmentError
from autograder.grade import grade_questions
from autograder.jobs import reference_job, student_job
from autograder.notebook import Notebook, SubmissionFile, Unreadable, read_path
from autograder.report._text import one_line, shorten
from autograder.report.student_text import CellPlaces, HostPaths, StudentText
from source_lib.judge import symbolic
from source_lib.judge.decode import Observations, observe, run_status
from source_lib.judge.reference import References, build_references, expression_source
from source_lib.judge.results import Outcome, QuestionResult, Status, SubmissionResult
from source_lib.judge.spec import Assignment, CaseSet, ManualQuestion, SymbolicQuestion

SANDBOX_RETRIED = "the grader's sandbox failed once on this notebook and ran it again"
VERDICTS_KEPT = 10_000  # sympy verdicts remembered by answer text (about 1 KB each)


class Runner(Protocol):
    """What the pipeline needs from the sandbox (``launch.SandboxPool`` or a fake)."""

    @property
    def isolation(self) -> dict[str, Any]: ...

    def run_many(self, jobs: Iterable[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], Any]]: ...


@dataclass(frozen=True)
class Prepared:
    """What grading one assignment needs, built once per batch."""

    assignment: Assignment
    cases: CaseSet
    references: References
    release: Notebook | None
    seed: int


def prepare(assignment: Assignment, config: GradingConfig, runner: Runner) -> Prepared:
    """Run the solution (and its mutants) in the sandbox, or take that run from ``config.cache_dir``."""
    return _Reference.of(assignment, config, runner).prepare(runner)


def warm_cache(assignment: Assignment, config: GradingConfig, runner: Runner) -> Prepared:
    """Fill ``config.cache_dir`` with the solution's run and the sympy answers' reference values."""
    reference = _Reference.of(assignment, config, runner)
    prepared = reference.prepare(runner)
    SymbolicJudge(prepared, config.symbolic_seconds, reference.print_store()).warm()
    return prepared


@dataclass(frozen=True)
class _Reference:
    """The solution's job, and how its run (made now, or kept in the cache) becomes a Prepared."""

    assignment: Assignment
    config: GradingConfig
    seed: int
    solution: Notebook
    cases: CaseSet
    job: dict[str, Any]
    cache: tuple[Path, dict[str, str]] | None  # (folder, key) of this run in the cache; None without one

    @classmethod
    def of(cls, assignment: Assignment, config: GradingConfig, runner: Runner) -> _Reference:
        seed = assignment.seed if config.seed is None else config.seed
        solution = _notebook(config.layout.solution(assignment.name), assignment)
        cases = CaseSet.build(assignment, seed)
        cache = None
        if config.cache_dir is not None:
            python = getattr(runner, "python", None)
            cache = config.cache_dir, reference_cache.cache_key(
                assignment.name, assignment_digest(assignment.name, config.layout), seed,
                python if isinstance(python, str) else sys.executable)
        return cls(assignment, config, seed, solution, cases,
                   reference_job(assignment, solution, cases, config.limits), cache)

    def prepare(self, runner: Runner) -> Prepared:
        """The cached run's Prepared, else the solution run now."""
        cached = self.cached()
        if cached is not None:
            return cached
        _, run = next(iter(runner.run_many([self.job])))
        return self.prepared(run)

    def cached(self) -> Prepared | None:
        """The Prepared of an earlier batch's identical solution run, if the cache holds one."""
        records = reference_cache.load_records(*self.cache) if self.cache else None
        return None if records is None else self._from_records(records)

    def print_store(self) -> reference_cache.PrintStore | None:
        """Where the sympy answers' reference values of this run are kept, with a cache."""
        return reference_cache.PrintStore(*self.cache) if self.cache else None

    def prepared(self, run: Any) -> Prepared:
        if run.ended not in ("exited",):
            raise AssignmentError(self.assignment.name,
                                  f"the solution run ended with {run.ended}: {run.output[-500:]}")
        made = self._from_records(tuple(run.records))
        if self.cache:  # only a run that made references is kept
            reference_cache.store(*self.cache, reference_cache.RECORDS, list(run.records))
        return made

    def _from_records(self, records: tuple[str, ...]) -> Prepared:
        references = build_references(self.assignment, self.cases, observe(records), self.solution.cell_name)
        # The release only tells unchanged written answers apart; a broken one must not block
        # grading, nor its own regeneration by `autograder release`.
        _, release = read_path(self.config.layout.release(self.assignment.name))
        return Prepared(self.assignment, self.cases, references,
                        release if isinstance(release, Notebook) else None, self.seed)


def _notebook(path: Any, assignment: Assignment) -> Notebook:
    _, parsed = read_path(path)
    if isinstance(parsed, Unreadable):
        raise AssignmentError(assignment.name, f"{path}: {parsed.reason}")
    return parsed


class SymbolicJudge:
    """Judges sympy answers in a time-boxed child, caching verdicts by answer text.

    Each question's reference values (``symbolic.ReferencePrints``) are computed once, here, before
    any child forks (every child inherits them), or taken from ``store`` when an earlier run kept them.
    """

    def __init__(self, prepared: Prepared, seconds: float, store: reference_cache.PrintStore | None = None,
                 parallel: int = 1) -> None:
        self.prepared = prepared
        self.seconds = seconds
        self.store = store
        self.parallel = parallel  # time boxes judged side by side by ``judge_all``
        self.cache: OrderedDict[tuple[str, str], Mapping[str, Any]] = OrderedDict()  # least recent first
        self.prints: dict[str, symbolic.ReferencePrints] = {}

    def warm(self) -> None:
        """Prepare every sympy question now (say, while the sandbox workers start), not at its first answer."""
        for question in self.prepared.assignment.questions:
            if isinstance(question, SymbolicQuestion):
                self._prepared_question(question)

    def __call__(self, question: SymbolicQuestion, source: str) -> Mapping[str, Any]:
        key = (question.id, source)
        if key in self.cache:
            self.cache.move_to_end(key)
            return self.cache[key]
        return self._keep(key, self._verdict(self._boxed([(question, source)])[0]))

    def judge_all(self, answers: Iterable[tuple[SymbolicQuestion, str]]) -> None:
        """Judge the answers not cached yet side by side (``parallel`` time boxes at once), keeping
        their verdicts: one submission's answers then cost about the slowest one, not their sum."""
        todo = list({(q.id, source): (q, source) for q, source in answers if (q.id, source) not in self.cache}.values())
        if len(todo) > 1 and self.parallel > 1:
            for (question, source), boxed in zip(todo, self._boxed(todo)):
                self._keep((question.id, source), self._verdict(boxed))

    def _keep(self, key: tuple[str, str], verdict: Mapping[str, Any]) -> Mapping[str, Any]:
        self.cache[key] = verdict
        if len(self.cache) > VERDICTS_KEPT:  # a large class's long tail of answers must not grow memory
            self.cache.popitem(last=False)
        return verdict

    def _prepared_question(self, question: SymbolicQuestion) -> tuple[Any, ...]:
        """The arguments of ``symbolic.judge_answer`` after the student's text, computed once per question."""
        ref = self.prepared.references.value(question.id)
        reference_src = expression_source(ref.expected) or "0"
        mutants = {mid: src for mid, v in ref.mutants.items() if (src := expression_source(v))}
        symbols, seed, count = (self.prepared.assignment.symbols, self.prepared.seed,
                                self.prepared.assignment.symbolic_points)
        if question.id not in self.prints:
            self.prints[question.id] = self._reference_prints(question.id, reference_src, mutants)
            # Trusted text from the solution run: parsing it here fills the parsed reference's cache,
            # which every forked time box then inherits instead of recomputing.
            symbolic.warm_reference(reference_src, symbols, seed, count)
        return reference_src, mutants, symbols, seed, count, dict(question.hints), self.prints[question.id]

    def _boxed(self, answers: Sequence[tuple[SymbolicQuestion, str]]) -> list[timebox.TimeboxResult]:
        calls = [(symbolic.judge_answer, (source, *self._prepared_question(q))) for q, source in answers]
        return timebox.run_all(calls, seconds=self.seconds, parallel=self.parallel)

    def _verdict(self, boxed: timebox.TimeboxResult) -> Mapping[str, Any]:
        if boxed.ok and isinstance(boxed.value, dict):
            return boxed.value
        return {"parsed": False, "equivalent": False,
                "parse_error": f"Your expression could not be checked within {self.seconds:g} s "
                               f"({boxed.reason}); simplify it and try again."}

    def _reference_prints(self, question: str, reference_src: str,
                          mutants: Mapping[str, str]) -> symbolic.ReferencePrints:
        kept = symbolic.ReferencePrints.from_json(self.store.get(question)) if self.store else None
        if kept is not None:
            return kept
        made = symbolic.reference_prints(reference_src, mutants, self.prepared.assignment.symbols,
                                         self.prepared.seed, self.prepared.assignment.symbolic_points)
        if self.store is not None:
            self.store.put(question, made.as_json())
        return made


def grade_files(source: Prepared | Assignment, files: Sequence[SubmissionFile], config: GradingConfig,
                runner: Runner, on_result: Callable[[SubmissionResult], None]) -> None:
    """Grade every file; ``on_result`` gets each result as soon as it is decided (none is kept here:
    a batch of any size stays small in memory).

    Given an Assignment rather than a Prepared, the solution's run is the first job of the same
    stream: the students' jobs start on the other workers meanwhile and wait for it to be judged.
    """
    reference: _Reference | None
    prepared: Prepared | None
    store: reference_cache.PrintStore | None = None
    if isinstance(source, Prepared):
        reference, prepared, assignment, cases = None, source, source.assignment, source.cases
    else:
        reference = _Reference.of(source, config, runner)
        prepared, assignment, cases = reference.cached(), source, reference.cases
        store = reference.print_store()
        if prepared is not None:
            reference = None
    host = HostPaths.of_this_host(*_runner_prefix(runner))
    pending: dict[str, tuple[SubmissionFile, str, Notebook]] = {}
    waiting: list[tuple[dict[str, Any], Any]] = []  # runs back before the solution's

    def jobs() -> Iterator[dict[str, Any]]:  # built one at a time: a large class stays small in memory
        if reference is not None:
            yield reference.job
        for item in files:
            digest, parsed = read_path(item.path)
            if isinstance(parsed, Notebook):
                parsed = other_assignment(parsed, assignment) or parsed
            if isinstance(parsed, Unreadable):
                on_result(_ungradable(item, digest, parsed, assignment, runner))
                continue
            job = student_job(assignment, parsed, cases, config.limits, item.student)
            pending[job["job_id"]] = (item, digest, parsed)
            yield job

    def judged(job: dict[str, Any], run: Any, prepared: Prepared, judge: SymbolicJudge) -> None:
        item, digest, notebook = pending.pop(job["job_id"])
        text = StudentText(CellPlaces.of(notebook.cells, _question_cells(assignment)), host)
        on_result(_judge_run(prepared, item, digest, notebook, run, judge, runner, text))

    judge = SymbolicJudge(prepared, config.symbolic_seconds, store, config.workers) if prepared else None
    if judge is not None:
        judge.warm()
    for job, run in runner.run_many(jobs()):
        if reference is not None and job["job_id"] == reference.job["job_id"]:
            prepared = reference.prepared(run)
            judge = SymbolicJudge(prepared, config.symbolic_seconds, store, config.workers)
            judge.warm()
            for early in waiting:
                judged(*early, prepared, judge)
            waiting.clear()
        elif prepared is None or judge is None:
            waiting.append((job, run))
        else:
            judged(job, run, prepared, judge)


def _symbolic_answers(assignment: Assignment, observed: Observations) -> list[tuple[SymbolicQuestion, str]]:
    """The sympy text of each symbolic answer a run reported."""
    found = []
    for question in assignment.questions:
        if isinstance(question, SymbolicQuestion):
            value = observed.lookup(question.id).value
            source = expression_source(value) if value is not None else None
            if source is not None:
                found.append((question, source))
    return found


def _judge_run(prepared: Prepared, item: SubmissionFile, digest: str, notebook: Notebook, run: Any,
               judge: SymbolicJudge, runner: Runner, text: StudentText) -> SubmissionResult:
    """Judge one sandboxed run; its time is the run's own plus the judging (not the queue)."""
    started = time.perf_counter()
    isolation = getattr(run, "isolation", None) or runner.isolation
    try:
        observed = observe(tuple(run.records))
        judge.judge_all(_symbolic_answers(prepared.assignment, observed))
        status, reason = run_status(run.ended, run.exit_code, run.signal, observed, run.wall_seconds,
                                    text.cells.label)
        questions = grade_questions(prepared.assignment, prepared.cases, prepared.references,
                                    observed, notebook, prepared.release, judge)
        retried = (f"{SANDBOX_RETRIED} ({run.retried})",)
        warnings = observed.problems + (retried if run.retried else ())
    except Exception as exc:  # a grader fault marks this one submission, never the batch
        status, reason = Status.GRADER_ERROR, f"internal grader error ({type(exc).__name__}: {exc}); please report it"
        questions, warnings, observed = _zero_questions(prepared.assignment, reason), (), observe(())
    return SubmissionResult(
        item.student, item.source, digest, status, text.text(reason), tuple(map(text.question, questions)),
        __version__, isolation, round(run.wall_seconds + time.perf_counter() - started, 3),
        observed.compute_seconds, text.text(run.output), text.errors(observed.cell_errors),
        tuple(map(text.text, warnings)))


def _question_cells(assignment: Assignment) -> dict[str, str]:
    return {q.cell: q.id for q in assignment.questions}


def _runner_prefix(runner: Runner) -> tuple[str, ...]:
    """The installation of the sandbox's own interpreter, when it is not this one."""
    python = getattr(runner, "python", None)
    return (str(Path(python).parent.parent),) if isinstance(python, str) and python.startswith("/") else ()


_SELF_CHECK = re.compile(r"""\bself_check\(\s*(["'])([^"'\n]{1,200})\1""")


def other_assignment(notebook: Notebook, assignment: Assignment) -> Unreadable | None:
    """Why ``notebook`` belongs to another assignment, or None.

    A released notebook's setup cell calls ``self_check("<assignment>")`` and its
    nbgrader grade_ids are the question ids: a notebook that names another assignment,
    or (naming none) whose grade_ids match none of this one's questions, is not this one.
    """
    names = [m.group(2) for c in notebook.cells if c.kind == "code" for m in _SELF_CHECK.finditer(c.source)]
    if assignment.name in names:
        return None
    expected = f"`{assignment.name}`"
    if names:
        other = shorten(one_line(names[0]), 60)
        return Unreadable(f'this looks like `{other}`, not {expected} (it calls self_check("{other}")): '
                          f"submit your {assignment.name} notebook")
    grade_ids = {c.grade_id for c in notebook.cells if c.grade_id}
    if grade_ids and not grade_ids & set(_question_cells(assignment)):
        return Unreadable(f"this is not the {expected} notebook: none of its graded cells is a question of "
                          f"{expected}; submit your {assignment.name} notebook")
    return None


def _ungradable(item: SubmissionFile, digest: str, parsed: Unreadable, assignment: Assignment,
                runner: Runner) -> SubmissionResult:
    """Every question at 0 of its real points, so the total reads 0 / the assignment's maximum."""
    return SubmissionResult(item.student, item.source, digest, Status.UNGRADABLE, parsed.reason,
                            _zero_questions(assignment, parsed.reason), __version__, runner.isolation)


def _zero_questions(assignment: Assignment, reason: str) -> tuple[QuestionResult, ...]:
    return tuple(QuestionResult(q.id, q.title, 0.0, float(q.points), Outcome.FAILED, "Not graded: " + reason,
                                manual=isinstance(q, ManualQuestion))
                 for q in assignment.questions)
