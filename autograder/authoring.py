"""Authoring checks: what an instructor can get wrong between a declaration and its notebook.

``authoring_problems`` finds, before anything runs, each mistake with the cell
(grade_id) or question and the fix: cells and names that do not match,
misconception edits that do not apply or break their cell, hidden cases that
cannot be made twice alike, placeholders (TODO) that would reach students.
"""

from __future__ import annotations

import ast
import difflib
import math
import re
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.config import CourseLayout
from autograder.declarations import command, declaration_module, declaration_path
from autograder.notebook import Cell, Notebook, Unreadable, read_path
from source_lib.judge.spec import (
    Assignment,
    AutoQuestion,
    Case,
    ChoiceQuestion,
    FunctionQuestion,
    ManualQuestion,
    Misconception,
    Question,
    SymbolicQuestion,
)

QUESTION_TYPES = (FunctionQuestion, SymbolicQuestion, ChoiceQuestion, ManualQuestion)
BEGIN_SOLUTION, END_SOLUTION = "BEGIN SOLUTION", "END SOLUTION"  # nbgrader's markers (substrings)


@dataclass(frozen=True)
class Problem:
    """One authoring mistake: the message names the cell or question and the fix.

    ``fatal`` problems make ``release`` refuse to write; the others it repairs or
    only warns about. ``validate`` reports every one as a failure.
    """

    message: str
    fatal: bool = True
    repaired: str | None = None  # what release says instead, as an info line, when it repairs this as asked
    runnable: bool = True  # False when the solution cannot even run (its cases cannot be made)


def authoring_problems(assignment: Assignment, layout: CourseLayout) -> list[Problem]:
    """What is wrong between the declaration and the source notebook, before anything runs."""
    path = layout.solution(assignment.name)
    declaration = declaration_path(assignment.name, layout).name
    _, notebook = read_path(path)
    if isinstance(notebook, Unreadable):
        return [Problem(f"{path}: {notebook.reason}"), *hidden_case_problems(assignment, declaration)]
    _, released = read_path(layout.release(assignment.name))
    source = Source(assignment, notebook, declaration, command(layout, "release", assignment.name),
                    released if isinstance(released, Notebook) else None)
    return [*unlisted_questions(assignment, declaration_module(assignment.name, layout), declaration),
            *hidden_case_problems(assignment, declaration), *source.problems()]


def invalid_mutants(assignment: Assignment, layout: CourseLayout) -> set[tuple[str, str]]:
    """(question id, misconception id) of each mutant whose edited cell is not valid Python."""
    _, notebook = read_path(layout.solution(assignment.name))
    if isinstance(notebook, Unreadable):
        return set()
    source = Source(assignment, notebook, declaration_path(assignment.name, layout).name, "")
    return {(q.id, m.id) for q, m, _, _ in source.invalid_mutants()}


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
    release_command: str  # `autograder release <name>` (with its --course), for messages
    released: Notebook | None = None  # the committed student notebook, when there is one

    def problems(self) -> list[Problem]:
        return [*self.answer_cell_problems(), *self.test_cell_problems(), *self.marker_problems(),
                *self.name_problems(), *self.edit_problems(), *self.order_problems(),
                *self.placeholder_problems()]

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
                yield from self._points_problem(cell, auto[cell.grade_id])
        manual = {q.id: q for q in self.assignment.questions if isinstance(q, ManualQuestion)}
        for cell in self.cells("manual"):
            if cell.grade_id in manual:
                yield from self._points_problem(cell, manual[cell.grade_id])

    def _points_problem(self, cell: Cell, question: Question) -> Iterator[Problem]:
        """The cell's points differ from the declaration's, which release copies in.

        When the committed release gives the cell the points the source has, the declaration
        changed (the documented way): release says what it copies, without advice. Otherwise
        the cell's points were edited in the notebook, which release undoes with a warning.
        """
        if cell.points == float(question.points):
            return
        given = "no points" if cell.points is None else _points(cell.points)
        released = self.released.by_grade_id(cell.grade_id or "") if self.released else None
        if released is None or released.points == cell.points:
            yield Problem(f"cell {cell.grade_id} gives {given}, the declaration gives question {question.id} "
                          f"{question.points:g}: run {self.release_command} to copy the declaration's points "
                          "into the cell", fatal=False,
                          repaired=f"{cell.grade_id}: points {'none' if cell.points is None else f'{cell.points:g}'}"
                                   f" -> {question.points:g} (from the declaration)")
            return
        yield Problem(f"cell {cell.grade_id} gives {given}, the declaration gives question {question.id} "
                      f"{question.points:g}: the declaration is the one source of points, so release writes "
                      f"{question.points:g} into the cell; to change them, set points= of {question.id} in "
                      f"{self.declaration} and run {self.release_command}", fatal=False)

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
                yield Problem(f"cell {cell.grade_id} is not valid Python ({defined}): fix the solution code")
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
        for question, misconception, cell, error in self.invalid_mutants():
            yield Problem(f"{question.id}: misconception {misconception.id} makes cell {cell.grade_id} invalid "
                          f"Python ({error}): fix its edit in {self.declaration}")

    def invalid_mutants(self) -> Iterator[tuple[AutoQuestion, Misconception, Cell, str]]:
        """Each misconception whose edits apply but leave its (valid) code cell invalid Python, with the error."""
        for question in self.assignment.auto_questions:
            cell = self.notebook.by_grade_id(question.cell)
            if cell is None or cell.kind != "code" or syntax_error(cell.source):
                continue
            for misconception in question.misconceptions:
                if all(cell.source.count(old) == 1 for old, _ in misconception.edits):
                    error = syntax_error(misconception.apply(cell.source, question.id))
                    if error:
                        yield question, misconception, cell, error

    # -- the notebook ends with check_all(): a question after it is answered after the check

    def order_problems(self) -> Iterator[Problem]:
        check_all = next((c for c in self.notebook.cells if is_check_all(c)), None)
        if check_all is None:
            return
        late = [_label(c) for c in self.notebook.cells
                if c.index > check_all.index and c.role in ("solution", "test", "manual")]
        if late:
            yield Problem(f"cell{'s' if len(late) > 1 else ''} {', '.join(late)} come{'' if len(late) > 1 else 's'} "
                          f"after the check_all() cell {_label(check_all)}, so a student's Run All checks every "
                          "answer before reaching them: move them (with their statement) above the check_all() "
                          "cell", fatal=False)

    # -- placeholders (the scaffold's TODOs) that would reach the students

    def placeholder_problems(self) -> Iterator[Problem]:
        for question in self.assignment.questions:
            if _TODO.search(question.title):
                yield Problem(f"question {question.id}: its title still says TODO: write the title students "
                              f"read in their feedback (title= in {self.declaration})", fatal=False)
            if isinstance(question, ChoiceQuestion):
                for letter, text in question.choices.items():
                    if _TODO.search(text):
                        yield Problem(f"question {question.id}: the text of its choice {letter} still says TODO: "
                                      "write the option as students should read it", fatal=False)
            for misconception in () if isinstance(question, ManualQuestion) else question.misconceptions:
                if _TODO.search(misconception.feedback):
                    yield Problem(f"question {question.id}: its feedback of misconception {misconception.id} still "
                                  "says TODO: write what a student with this mistake should read", fatal=False)
        for cell in self.notebook.cells:
            if cell.kind == "markdown" and cell.role not in ("solution", "manual") and _TODO.search(cell.source):
                yield Problem(f"cell {_label(cell)} still says TODO: write what students should read there",
                              fatal=False)
            elif cell.kind == "code" and cell.role == "solution":
                for name in _todo_docstrings(cell.source):
                    yield Problem(f"cell {_label(cell)}: the docstring of {name} still says TODO: write what "
                                  f"{name} does, as students should read it", fatal=False)


_TODO = re.compile(r"\bTODO\b")


def is_check_all(cell: Cell) -> bool:
    """The notebook's closing ``check_all()`` cell."""
    return cell.kind == "code" and cell.source.strip() in ("check_all()", "check.all()")


def _todo_docstrings(source: str) -> list[str]:
    try:
        tree = ast.parse(_without_magics(source))
    except SyntaxError:
        return []
    return [node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and _TODO.search(ast.get_docstring(node) or "")]


# ---------------------------------------------------------------- hidden cases


def hidden_case_problems(assignment: Assignment, declaration: str) -> Iterator[Problem]:
    """Each FunctionQuestion's hidden_cases must return the same tuple of Case for the same seed."""
    for index, question in enumerate(assignment.questions):
        if not isinstance(question, FunctionQuestion):
            continue
        first, second = (_hidden_cases(question, np.random.default_rng([assignment.seed, index])) for _ in "12")
        if isinstance(first, str) or isinstance(second, str):
            function = getattr(question.hidden_cases, "__name__", "hidden_cases")
            yield Problem(f"hidden_cases of {question.id} ({function} in {declaration}) "
                          f"{first if isinstance(first, str) else second}", runnable=False)
        elif not _same_value([(c.id, c.args) for c in first], [(c.id, c.args) for c in second]):
            yield Problem(f"hidden_cases of {question.id} is not reproducible: draw every random value from its "
                          "rng argument (np.random.default_rng([seed, question index])), not from np.random "
                          "or random")


def _hidden_cases(question: FunctionQuestion, rng: np.random.Generator) -> tuple[Case, ...] | str:
    """The hidden cases, or what is wrong with them and the fix."""
    try:
        cases = question.hidden_cases(rng)
    except Exception as exc:
        return (f"raised {type(exc).__name__}: {exc}: fix it; it is called with np.random.default_rng([seed, "
                "question index]) and returns a tuple of Case(id, args)")
    if not isinstance(cases, tuple):
        return f"returned a {type(cases).__name__}, not a tuple of Case: return tuple(Case(id, args) ...)"
    for number, case in enumerate(cases, start=1):
        if not isinstance(case, Case):
            return f"returned a {type(case).__name__} as case {number}, not a Case: make it Case(id, args)"
        if not isinstance(case.args, tuple) or len(case.args) != len(question.params):
            count = (f"{len(case.args)} args" if isinstance(case.args, tuple)
                     else f"args of type {type(case.args).__name__}")
            return (f"returned case {case.id} with {count}, {question.function} takes {len(question.params)} "
                    f"({', '.join(question.params)}): give each Case a tuple of args in parameter order")
    ids = [c.id for c in question.public_cases + cases]
    twice = next((i for i in ids if ids.count(i) > 1), None)
    if twice is not None:
        return f"returned case id {twice!r} twice, or a public case's id: give each case its own id"
    return cases


def _same_value(a: Any, b: Any) -> bool:
    """Exact equality of case arguments: arrays by shape, dtype and values (NaN equals NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape or a.dtype != b.dtype:
            return False
        try:
            return bool(np.array_equal(a, b, equal_nan=True))
        except TypeError:  # equal_nan needs a numeric dtype
            return bool(np.array_equal(a, b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # an object whose == does not give a truth value
        return False


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


def _points(points: float) -> str:
    return f"{points:g} point{'' if points == 1 else 's'}"


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


def _without_magics(source: str) -> str:
    return re.sub(r"(?m)^(\s*)[%!].*$", r"\1pass", source)  # IPython magics and shell lines


def syntax_error(source: str) -> str | None:
    """Why a code cell is not valid Python ("SyntaxError on line 4: ..."), or None when it compiles."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning: only errors stop a cell
            compile(_without_magics(source), "<cell>", "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                    dont_inherit=True)
    except SyntaxError as exc:
        return f"{type(exc).__name__} on line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # a null byte
        return f"{type(exc).__name__}: {exc}"
    return None


def defined_names(source: str) -> list[str] | str:
    """Names a cell binds at its top level, in order; the syntax error as text when it is not valid Python."""
    error = syntax_error(source)
    if error:
        return error
    tree = ast.parse(_without_magics(source))
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

