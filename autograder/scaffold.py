"""``autograder new-question``: the cells and the declaration snippet of a new question.

It adds to the source notebook a locked statement cell, the solution cell (grade_id
= the question id, with a solution region) and, for an auto-graded question, its
test cell (``test_<id>``), all with nbgrader's metadata; it prints the declaration
snippet to paste into ``solutions/<name>.py``. By default the cells go before the
notebook's closing ``check_all()`` cell (and the markdown introducing it). The
placeholders run as they are, so each step of the walk-through can be checked;
``release`` warns about each TODO left and ``validate`` fails until none is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.authoring import is_check_all
from autograder.config import CourseLayout
from autograder.errors import ConfigError
from autograder.notebook import Cell
from autograder.report.write import write_text
from source_lib.judge.spec import Assignment

KINDS = ("function", "symbolic", "choice", "manual")
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Scaffold:
    notebook: Path   # the source notebook the cells were added to
    snippet: str     # the declaration code to paste


def new_question(assignment: Assignment, layout: CourseLayout, question_id: str, kind: str,
                 points: float = 1, after: str | None = None) -> Scaffold:
    """Add the question's cells to the source notebook; return it and the declaration snippet."""
    points = whole(points)
    path = layout.solution(assignment.name)
    node = nbformat.reads(path.read_text(encoding="utf-8"), as_version=4)
    _check_new(assignment, node, question_id, kind)
    position = _position(node, after)
    node.cells[position:position] = _cells(question_id, kind, points)
    write_text(path, str(nbformat.writes(node)) + "\n")
    return Scaffold(path, snippet(question_id, kind, points))


def _check_new(assignment: Assignment, node: nbformat.NotebookNode, question_id: str, kind: str) -> None:
    if kind not in KINDS:
        raise ConfigError(f"--kind must be one of {', '.join(KINDS)}")
    if not _ID.fullmatch(question_id) or question_id.startswith("test_"):
        raise ConfigError(f"{question_id!r} cannot be a question id: use a Python identifier "
                          "(it names the function or variable) that does not start with test_")
    if any(q.id == question_id for q in assignment.questions):
        raise ConfigError(f"{assignment.name} already has a question {question_id!r}")
    taken = {c.metadata.get("nbgrader", {}).get("grade_id") for c in node.cells}
    clash = taken & {question_id, f"test_{question_id}", f"q_{question_id}"}
    if clash:
        raise ConfigError(f"the source notebook already has a cell {sorted(clash)[0]}: choose another id")


def whole(points: float) -> float:
    """2.0 -> 2: points are written as the instructor would (``points=2``), not as argparse parsed them."""
    return int(points) if float(points).is_integer() else float(points)


def points_text(points: float) -> str:
    return f"{whole(points)!r} point{'' if points == 1 else 's'}"


def _position(node: nbformat.NotebookNode, after: str | None) -> int:
    """The index after the cell with grade_id ``after`` (its test cell too); by default before the
    closing ``check_all()`` cell and the markdown right before it (when that is no question's), else the end."""
    if after is None:
        return _before_check_all(node)
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in node.cells]
    for name in (f"test_{after}", after):
        if name in ids:
            return ids.index(name) + 1
    raise ConfigError(f"--after {after}: the source notebook has no cell with that grade_id")


def _before_check_all(node: nbformat.NotebookNode) -> int:
    code = [i for i, c in enumerate(node.cells) if c.cell_type == "code"]
    if not code or not is_check_all(_as_cell(node.cells[code[-1]], code[-1])):
        return len(node.cells)
    last = code[-1]
    if last > 0 and node.cells[last - 1].cell_type == "markdown" and \
            _as_cell(node.cells[last - 1], last - 1).role in ("plain", "locked"):
        return last - 1
    return last


def _as_cell(cell: nbformat.NotebookNode, index: int) -> Cell:
    meta = cell.metadata.get("nbgrader", {})
    role = "manual" if meta.get("grade") and meta.get("solution") else "test" if meta.get("grade") else \
        "solution" if meta.get("solution") else "plain"
    return Cell(index, cell.cell_type, cell.source, meta.get("grade_id"), role)


def _cells(question_id: str, kind: str, points: float) -> list[nbformat.NotebookNode]:
    statement = _cell("markdown", f"q_{question_id}", f"**Question ({points_text(points)}).** TODO: what to do.",
                      locked=True)
    if kind == "manual":
        answer = _cell("markdown", question_id, "TODO: a model answer for the graders.",
                       solution=True, grade=True, points=points)
        return [statement, answer]
    answer = _cell("code", question_id, SOLUTION_CELLS[kind].format(id=question_id), solution=True)
    test = _cell("code", f"test_{question_id}", f'check("{question_id}")', grade=True, locked=True,
                 points=points)
    return [statement, answer, test]


def _cell(kind: str, grade_id: str, source: str, *, solution: bool = False, grade: bool = False,
          locked: bool = False, points: float | None = None) -> nbformat.NotebookNode:
    meta: dict[str, object] = {"grade": grade, "grade_id": grade_id, "locked": locked,
                               "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    metadata = {"nbgrader": meta}
    cell: nbformat.NotebookNode = (nbformat.v4.new_code_cell(source, metadata=metadata) if kind == "code"
                                   else nbformat.v4.new_markdown_cell(source, metadata=metadata))
    cell.id = grade_id.replace("_", "-")
    return cell


SOLUTION_CELLS = {
    "function": 'def {id}(x):\n    """TODO: what {id} computes."""\n    ### BEGIN SOLUTION\n'
                '    return 2 * x\n    ### END SOLUTION',
    "symbolic": "### BEGIN SOLUTION\n{id} = sp.Integer(2)\n### END SOLUTION\n{id}",
    "choice": '### BEGIN SOLUTION\n{id} = "A"\n### END SOLUTION',
}

SNIPPETS = {
    "function": '''

def _{id}_cases(rng: np.random.Generator) -> tuple[Case, ...]:
    """Hidden cases: a tuple of Case; rng is np.random.default_rng([seed, question index])."""
    return tuple(Case(f"hidden-{{k + 1}}", (rng.normal(size=int(rng.integers(3, 8))),)) for k in range(3))


{upper} = FunctionQuestion(
    id="{id}", title="{id}", points={points!r}, function="{id}",
    params=("x",), returns=("value",),
    public_cases=(Case("public-1", (np.array([1.0, 2.0, 3.0]),)),),
    hidden_cases=_{id}_cases, immutable=("x",),
    misconceptions=(
        # (old, new): old occurs exactly once in cell {id}; the mutant must change the public outputs
        Misconception("forgot_factor", "TODO: the feedback a student with this mistake reads.",
                      (("return 2 * x", "return x"),)),
    ),
)
''',
    "symbolic": '''
{upper} = SymbolicQuestion(
    id="{id}", title="{id}", points={points!r}, variable="{id}",
    misconceptions=(
        Misconception("off_by_one", "TODO: the feedback a student with this mistake reads.",
                      (("{id} = sp.Integer(2)", "{id} = sp.Integer(1)"),)),
    ),
)
''',
    "choice": '''
{upper} = ChoiceQuestion(
    id="{id}", title="{id}", points={points!r}, variable="{id}",
    choices={{"A": "TODO: the right option.", "B": "TODO: a tempting wrong one."}},
    misconceptions=(
        Misconception("chose_b", "TODO: why B is tempting and wrong.", (('{id} = "A"', '{id} = "B"'),)),
    ),
)
''',
    "manual": '''
{upper} = ManualQuestion(id="{id}", title="{id}", points={points!r})
''',
}


def snippet(question_id: str, kind: str, points: float) -> str:
    """The declaration code of a new question, and where it goes."""
    upper = question_id.upper()
    code = SNIPPETS[kind].format(id=question_id, upper=upper, points=whole(points)).strip("\n")
    names = {"function": "Case, FunctionQuestion, Misconception", "symbolic": "Misconception, SymbolicQuestion",
             "choice": "ChoiceQuestion, Misconception", "manual": "ManualQuestion"}[kind]
    return (f"# Paste into the declaration (it imports {names} from source_lib.judge.spec),\n"
            f"# then add {upper} at the END of ASSIGNMENT.questions: a question's hidden cases are\n"
            "# seeded by its position, so inserting it earlier changes the later questions' ones.\n\n"
            + code + "\n")
