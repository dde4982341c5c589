"""Assignment declarations: ``<course>/solutions/<name>.py``, beside the source notebook.

A declaration holds the hidden-case generators, the seed, the misconception edits
(solution lines) and the multiple-choice answers, so it lives with the solutions:
outside every package a student installs and every path a sandboxed job can read.

``authoring_problems`` finds what an instructor can get wrong between the
declaration and its source notebook, each with the cell (grade_id) and the fix.
"""

from __future__ import annotations

import ast
import difflib
import hashlib
import importlib.util
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from autograder.config import CourseLayout
from autograder.errors import AssignmentError, ConfigError
from autograder.notebook import Cell, Notebook, Unreadable, read_path
from source_lib.judge.spec import (
    Assignment,
    ChoiceQuestion,
    FunctionQuestion,
    ManualQuestion,
    Question,
    SymbolicQuestion,
)

_NAME = re.compile(r"[a-z][a-z0-9_]*")
QUESTION_TYPES = (FunctionQuestion, SymbolicQuestion, ChoiceQuestion, ManualQuestion)
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"  # nbgrader's markers (substrings)


def available(layout: CourseLayout) -> list[str]:
    """Names of the assignments with both a declaration and a source notebook."""
    return sorted(p.stem for p in layout.solutions.glob("*.py")
                  if _NAME.fullmatch(p.stem) and layout.solution(p.stem).is_file())


def load(name: str, layout: CourseLayout | None = None) -> Assignment:
    """The checked declaration of assignment ``name``; ConfigError when there is none."""
    layout = layout or CourseLayout.default()
    assignment = getattr(_module(name, layout), "ASSIGNMENT", None)
    if not isinstance(assignment, Assignment):
        raise AssignmentError(name, f"{declaration_path(name, layout)} does not define ASSIGNMENT = Assignment(...)")
    assignment.check()
    return assignment


def declaration_path(name: str, layout: CourseLayout) -> Path:
    return layout.solutions / f"{name}.py"


def _module(name: str, layout: CourseLayout) -> ModuleType:
    """The executed declaration module (run once per path and process)."""
    if not _NAME.fullmatch(name) or name not in available(layout):
        known = ", ".join(available(layout)) or "none"
        raise ConfigError(f"unknown assignment {name!r} in {layout.solutions} (known: {known})")
    path = declaration_path(name, layout)
    module_name = f"zeroinit_declarations.{name}"
    module = sys.modules.get(module_name)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()  # an edited file is run again
    if module is None or getattr(module, "__file__", None) != str(path) or \
            getattr(module, "__zeroinit_digest__", None) != digest:
        module = _execute(module_name, path, name)
        module.__zeroinit_digest__ = digest  # type: ignore[attr-defined]
    return module


def _execute(module_name: str, path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses look their module up while the file runs
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[module_name]
        raise AssignmentError(name, f"{path}: {type(exc).__name__}: {exc}") from exc
    return module


# ---------------------------------------------------------------- authoring checks


@dataclass(frozen=True)
class Problem:
    """One authoring mistake: the message names the cell or question and the fix.

    ``fatal`` problems make ``release`` refuse to write; the others it repairs or
    only warns about. ``validate`` reports every one as a failure.
    """

    message: str
    fatal: bool = True


def authoring_problems(assignment: Assignment, layout: CourseLayout) -> list[Problem]:
    """What is wrong between the declaration and the source notebook, before anything runs."""
    path = layout.solution(assignment.name)
    _, notebook = read_path(path)
    if isinstance(notebook, Unreadable):
        return [Problem(f"{path}: {notebook.reason}")]
    source = Source(assignment, notebook, declaration_path(assignment.name, layout).name)
    return [*unlisted_questions(assignment, _module(assignment.name, layout), source.declaration),
            *source.problems()]


def unlisted_questions(assignment: Assignment, module: object, declaration: str) -> list[Problem]:
    """Module-level question objects that ASSIGNMENT.questions leaves out."""
    listed = {q.id for q in assignment.questions}
    return [Problem(f"question {value.id} ({variable} in {declaration}) is not in ASSIGNMENT.questions, so "
                    f"nothing grades it and its check() says \"There is no question '{value.id}'\": add "
                    f"{variable} to ASSIGNMENT.questions (at the end, so the other questions keep their "
                    "hidden cases), or delete it")
            for variable, value in vars(module).items()
            if isinstance(value, QUESTION_TYPES) and value.id not in listed]


@dataclass(frozen=True)
class Source:
    """The source notebook read against its declaration."""

    assignment: Assignment
    notebook: Notebook
    declaration: str  # the declaration's file name, for messages

    def problems(self) -> list[Problem]:
        return [*self.answer_cell_problems(), *self.test_cell_problems(), *self.marker_problems(),
                *self.name_problems(), *self.edit_problems()]

    def cells(self, *roles: str) -> list[Cell]:
        return [c for c in self.notebook.cells if c.role in roles]

    # -- a, and the solution half of e: every answer cell belongs to a question and back

    def answer_cell_problems(self) -> Iterator[Problem]:
        questions = {q.id: q for q in self.assignment.questions}
        answer_cells = self.cells("solution", "manual")
        orphans = [c for c in answer_cells if c.grade_id not in questions]
        unanswered = [q.id for q in self.assignment.questions
                      if not any(c.grade_id == q.id for c in answer_cells)]
        renames = _pairs([c.grade_id or "" for c in orphans], unanswered)
        for cell in orphans:
            if cell.grade_id in renames:
                target = renames[cell.grade_id]
                yield Problem(f"cell {cell.grade_id} is a solution cell of no question, and question {target} "
                              f"has no solution cell: rename the cell's grade_id {cell.grade_id} to {target}")
            else:
                yield Problem(f"cell {_label(cell)} is a solution cell, but ASSIGNMENT.questions in "
                              f"{self.declaration} has no question {cell.grade_id!r} (students would get "
                              f"\"There is no question '{cell.grade_id}'\"): declare the question and add it "
                              "to ASSIGNMENT.questions, or make the cell a plain cell (no nbgrader solution)")
        for question_id in unanswered:
            if question_id not in renames.values():
                yield self._missing_answer_cell(questions[question_id])

    def _missing_answer_cell(self, question: Question) -> Problem:
        kind = "'Manually graded answer'" if isinstance(question, ManualQuestion) else "'Autograded answer'"
        same_id = self.notebook.by_grade_id(question.id)
        found = f"cell {question.id} is not an nbgrader solution cell" if same_id else \
            f"no cell has grade_id {question.id}"
        return Problem(f"question {question.id} has no solution cell ({found}): make the cell where students "
                       f"answer it an nbgrader {kind} cell with grade_id {question.id}")

    # -- the test half of e, and b: one test cell per question, with the declaration's points

    def test_cell_problems(self) -> Iterator[Problem]:
        auto = {f"test_{q.id}": q for q in self.assignment.auto_questions}
        test_cells = self.cells("test")
        orphans = [c for c in test_cells if c.grade_id not in auto]
        untested = [name for name in auto if not any(c.grade_id == name for c in test_cells)]
        renames = _pairs([c.grade_id or "" for c in orphans], untested)
        for cell in orphans:
            target = renames.get(cell.grade_id or "")
            if target:
                yield Problem(f"cell {cell.grade_id} is a test cell of no question, and question "
                              f"{auto[target].id} has no test cell: rename {cell.grade_id} to {target}")
            else:
                yield Problem(f"cell {_label(cell)} is a test cell of no question (the auto-graded question "
                              f"ids are {', '.join(q.id for q in auto.values())}): name it test_<question id> "
                              "or remove it")
        for name in untested:
            if name not in renames.values():
                yield Problem(f"question {auto[name].id} has no test cell: add a code cell after cell "
                              f"{auto[name].id} with the nbgrader type 'Autograder tests' and grade_id {name} "
                              "(release writes its content and points)")
        for cell in test_cells:
            if cell.grade_id in auto:
                yield from _points_problem(cell, auto[cell.grade_id], self.declaration)
        manual = {q.id: q for q in self.assignment.questions if isinstance(q, ManualQuestion)}
        for cell in self.cells("manual"):
            if cell.grade_id in manual:
                yield from _points_problem(cell, manual[cell.grade_id], self.declaration)

    # -- c: the solution regions nbgrader replaces

    def marker_problems(self) -> Iterator[Problem]:
        for cell in self.cells("solution"):
            if cell.kind == "code":
                problem = _marker_problem(cell.source)
                if problem:
                    yield Problem(f"cell {_label(cell)} {problem}")

    # -- d: the cell defines the name the declaration probes

    def name_problems(self) -> Iterator[Problem]:
        for question in self.assignment.auto_questions:
            cell = self.notebook.by_grade_id(question.cell)
            if cell is None or cell.role != "solution" or cell.kind != "code":
                continue
            defined = defined_names(cell.source)
            if isinstance(defined, str):
                yield Problem(f"cell {cell.grade_id} does not parse ({defined}): fix the solution code")
            elif question.name not in defined:
                field = "function" if isinstance(question, FunctionQuestion) else "variable"
                yield Problem(f"cell {cell.grade_id} defines {', '.join(defined) or 'nothing'}, the declaration "
                              f"expects {question.name}: rename it in the cell, or set {field}= of question "
                              f"{question.id} in {self.declaration}")

    # -- misconception edits apply to their cell

    def edit_problems(self) -> Iterator[Problem]:
        for question in self.assignment.auto_questions:
            cell = self.notebook.by_grade_id(question.cell)
            if cell is None:
                continue
            for misconception in question.misconceptions:
                for old, _ in misconception.edits:
                    count = cell.source.count(old)
                    if count != 1:
                        yield Problem(f"{question.id}: misconception {misconception.id} replaces {old!r}, which "
                                      f"occurs {count} times in cell {cell.grade_id}: each edit's old text must "
                                      "occur exactly once (copy it from the cell, with enough context to be unique)")


def _label(cell: Cell) -> str:
    return cell.grade_id or f"#{cell.index + 1} (no grade_id)"


def _pairs(orphans: Sequence[str], missing: Sequence[str]) -> dict[str, str]:
    """Orphan name -> the missing name it is most likely a misspelling of."""
    pairs: dict[str, str] = {}
    for name in orphans:
        free = [m for m in missing if m not in pairs.values()]
        close = difflib.get_close_matches(name, free, n=1, cutoff=0.6) or (free if len(orphans) == len(free) == 1
                                                                         else [])
        if close:
            pairs[name] = close[0]
    return pairs


def _points_problem(cell: Cell, question: Question, declaration: str) -> Iterator[Problem]:
    if cell.points != float(question.points):
        given = "no points" if cell.points is None else f"{cell.points:g} points"
        yield Problem(f"cell {cell.grade_id} gives {given}, the declaration gives question {question.id} "
                      f"{question.points:g}: the declaration is the one source of points, so release writes "
                      f"{question.points:g} into the cell; to change them, set points= of {question.id} in "
                      f"{declaration} and run release", fatal=False)


def _marker_problem(source: str) -> str | None:
    """What is wrong with a code solution cell's solution regions, or None."""
    open_line = 0
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_SOLUTION in line:
            if open_line:
                return f"opens a second ### {BEGIN_SOLUTION} (line {number}) before ### {END_SOLUTION}: close it"
            open_line = number
        elif END_SOLUTION in line:
            if not open_line:
                return (f"has ### {END_SOLUTION} (line {number}) without a ### {BEGIN_SOLUTION} before it: "
                        "add the opening line")
            open_line = 0
    if open_line:
        return f"has ### {BEGIN_SOLUTION} (line {open_line}) without ### {END_SOLUTION}: add the closing line"
    if BEGIN_SOLUTION not in source:
        return (f"has no ### {BEGIN_SOLUTION} / ### {END_SOLUTION}: nbgrader then replaces the whole cell, "
                "def line included, with `raise NotImplementedError()` and no warning; put the two lines "
                "around the part students write")
    return None


def defined_names(source: str) -> list[str] | str:
    """Names a cell binds at its top level, in order; the syntax error as text when it does not parse."""
    code = re.sub(r"(?m)^(\s*)[%!].*$", r"\1pass", source)  # IPython magics and shell lines
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        return f"line {exc.lineno}: {exc.msg}"
    names: list[str] = []
    for name in _bound(tree.body):
        if name not in names:
            names.append(name)
    return names


def _bound(body: Sequence[ast.stmt]) -> Iterator[str]:
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node.name
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                yield from (n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            yield from ((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
            for part in ("body", "orelse", "finalbody"):
                yield from _bound(getattr(node, part, []))
            for handler in getattr(node, "handlers", []):
                yield from _bound(handler.body)

