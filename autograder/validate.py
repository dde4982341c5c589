"""Instructor validation: do this assignment's tests catch what they should?

Grades, through the real sandbox and judge: the solution (must score full
marks), the blank release (must score 0 on every auto-graded item without a
grader error), and every catalogued misconception injected into the solution
(must lose points on its question and get its named feedback). Also checks the
authoring (declaration against source notebook), that the public outputs tell
every misconception apart, and that the committed release is what nbgrader
generates from the source. A broken assignment is a report, not an exception.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import nbformat

from autograder.authoring import Problem, authoring_problems, invalid_mutants
from autograder.batch import running_sandbox
from autograder.config import GradingConfig
from autograder.declarations import declaration_path
from autograder.errors import AssignmentError
from autograder.notebook import SubmissionFile
from autograder.pipeline import Prepared, Runner, grade_files, prepare
from autograder.release import (
    Progress,
    build,
    check_release,
    output_problems,
    reference_failure,
    reference_run_line,
    release_advice,
)
from source_lib.judge.results import Status, SubmissionResult
from source_lib.judge.spec import Assignment

SOLUTION, BLANK = "solution", "blank-release"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Finding:
    check: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class ValidationReport:
    findings: tuple[Finding, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    @property
    def text(self) -> str:
        lines = [f"{'ok  ' if f.ok else 'FAIL'}  {f.check}: {f.detail}" for f in self.findings]
        failed = sum(not f.ok for f in self.findings)
        lines.append(f"\n{len(self.findings) - failed} of {len(self.findings)} checks passed")
        return "\n".join(lines)


def mutant_notebooks(assignment: Assignment, solution_text: str) -> dict[str, str]:
    """Notebook text per misconception: the solution with that one mistake injected."""
    mutants = {}
    for question in assignment.auto_questions:
        for misconception in question.misconceptions:
            node = nbformat.reads(solution_text, as_version=4)
            for cell in node.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == question.cell:
                    cell.source = misconception.apply(cell.source, f"{assignment.name}/{question.id}")
            mutants[f"{question.id}--{misconception.id}"] = nbformat.writes(node)
    return mutants


def solution_answers(solution_text: str) -> dict[str, str]:
    """The code of every solution cell, by grade_id, without nbgrader's solution markers."""
    answers = {}
    for cell in nbformat.reads(solution_text, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            lines = [ln for ln in cell.source.splitlines() if ln.strip() not in (BEGIN_SOLUTION, END_SOLUTION)]
            answers[meta["grade_id"]] = "\n".join(lines)
    return answers


def student_notebook(release_text: str, answers: Mapping[str, str]) -> str:
    """A student's notebook: the release with the given solution cells (by grade_id) filled in."""
    node = nbformat.reads(release_text, as_version=4)
    for cell in node.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return str(nbformat.writes(node))


def validate(assignment: Assignment, config: GradingConfig, check_sync: bool = True,
             runner: Runner | None = None, progress: TextIO | None = None) -> ValidationReport:
    """Run every validation check; the report lists each with its outcome.

    ``runner`` reuses a started sandbox (else one is started); ``progress`` gets a line per step.
    """
    say = Progress(progress)
    say(f"checking {declaration_path(assignment.name, config.layout).name} against {assignment.notebook}")
    problems = authoring_problems(assignment, config.layout)
    findings = _problem_findings("authoring", problems, "the declaration and the source notebook agree")
    if not all(p.runnable for p in problems):
        return ValidationReport((*findings, Finding("reference run", False, "not run: the solution cannot run "
                                                    "without its cases; fix the authoring problems above first")))
    run = _Run(assignment, config, check_sync, say, any(p.fatal for p in problems),
               frozenset(invalid_mutants(assignment, config.layout)))
    with ExitStack() as stack:
        if runner is None:
            say(f"starting {config.workers} sandbox worker(s) (each imports numpy, sympy and matplotlib once)")
            runner = stack.enter_context(running_sandbox(config))
        try:
            findings += run.findings(runner)
        except AssignmentError as exc:  # the solution cannot even run: a failed check, with the reason
            findings.append(Finding("reference run", False, reference_failure(assignment, exc)))
    return ValidationReport(tuple(findings))


@dataclass(frozen=True)
class _Run:
    """The checks that need the sandbox: graded notebooks, distinct outputs, release in sync."""

    assignment: Assignment
    config: GradingConfig
    check_sync: bool
    say: Progress
    authoring_broken: bool  # a fatal authoring problem: release would refuse, so advise fixing it first
    invalid: frozenset[tuple[str, str]]  # mutants whose edit makes their cell invalid Python (not graded)

    def findings(self, runner: Runner) -> list[Finding]:
        assignment, config, say = self.assignment, self.config, self.say
        say(reference_run_line(assignment))
        prepared = prepare(assignment, config, runner)
        built = build(assignment, config, prepared)
        findings = _problem_findings("mistakes told apart", output_problems(
            assignment, prepared, built[1], declaration_path(assignment.name, config.layout).name, self.invalid),
            "every misconception's public outputs differ from the solution's and from one another's")
        findings += self.graded_findings(runner, prepared)
        if self.check_sync:
            problems = check_release(assignment, config, prepared, built, say, self.authoring_broken)
            findings.append(Finding("release in sync", not problems, "; ".join(problems) or
                                    "assignments/ and source_lib/public/ match the source"))
        return findings

    def graded_findings(self, runner: Runner, prepared: Prepared) -> list[Finding]:
        assignment, config = self.assignment, self.config
        solution_text = config.layout.solution(assignment.name).read_text(encoding="utf-8")
        release_path = config.layout.release(assignment.name)
        blank = {BLANK: release_path.read_text(encoding="utf-8")} if release_path.is_file() else {}
        mutants = {name: text for name, text in mutant_notebooks(assignment, solution_text).items()
                   if tuple(name.split("--")) not in self.invalid}
        results = _grade(prepared, config, runner, {SOLUTION: solution_text, **blank, **mutants}, self.say)
        missing = Finding("blank release scores 0", False, f"{release_path} does not exist: "
                          + release_advice(assignment, config, self.authoring_broken))
        return [_solution_finding(results[SOLUTION]), _blank_finding(results[BLANK]) if blank else missing,
                *(_mutant_finding(assignment, name, results[name]) if name in results else _invalid_finding(name)
                  for name in _mutant_names(assignment))]


def _mutant_names(assignment: Assignment) -> list[str]:
    return [f"{q.id}--{m.id}" for q in assignment.auto_questions for m in q.misconceptions]


def _invalid_finding(name: str) -> Finding:
    question_id, misconception_id = name.split("--")
    return Finding(f"mutant {question_id}/{misconception_id} caught", False,
                   f"not graded: its edit makes cell {question_id} invalid Python (see authoring above)")


def _grade(prepared: Prepared, config: GradingConfig, runner: Runner, notebooks: Mapping[str, str],
           say: Progress) -> dict[str, SubmissionResult]:
    say(f"grading {len(notebooks)} notebooks: the solution, the blank release and one per misconception")
    with tempfile.TemporaryDirectory(prefix="zeroinit-validate-") as tmp:
        files = []
        for name, text in notebooks.items():
            path = Path(tmp, f"{name}.ipynb")
            path.write_text(text, encoding="utf-8")
            files.append(SubmissionFile(name, path))
        results: dict[str, SubmissionResult] = {}
        grade_files(prepared, files, config, runner, lambda r: results.update({r.student: r}))
        return results


def _problem_findings(check: str, problems: list[Problem], fine: str) -> list[Finding]:
    """One failed finding per problem, or one passed finding saying what holds."""
    return [Finding(check, False, p.message) for p in problems] or [Finding(check, True, fine)]


def _solution_finding(result: SubmissionResult) -> Finding:
    ok = result.status is Status.GRADED and result.score == result.max_score
    lost = [f"{q.question_id}: {q.feedback}" for q in result.questions if not q.manual and q.score < q.max_score]
    return Finding("solution scores full marks", ok,
                   f"{result.score:g}/{result.max_score:g}" + (f" ({'; '.join(lost)[:300]})" if lost else ""))


def _blank_finding(result: SubmissionResult) -> Finding:
    earned = [q.question_id for q in result.questions if not q.manual and q.score > 0]
    ok = result.status is Status.GRADED and not earned
    detail = f"{result.score:g}/{result.max_score:g}, status {result.status.value}"
    return Finding("blank release scores 0", ok, detail + (f"; points on {earned}" if earned else ""))


def _mutant_finding(assignment: Assignment, name: str, result: SubmissionResult) -> Finding:
    question_id, misconception_id = name.split("--")
    question = next(q for q in result.questions if q.question_id == question_id)
    lost = question.score < question.max_score
    named = misconception_id in question.misconceptions
    detail = f"{question.score:g}/{question.max_score:g}, feedback names {list(question.misconceptions) or 'nothing'}"
    return Finding(f"mutant {question_id}/{misconception_id} caught", lost and named, detail)
