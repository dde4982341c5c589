"""Nothing a student reads states a question's answer: not the feedback, not the public check data,
not the markdown above the question.

For every assignment and every auto-graded question, the answer is printed in the forms a
text could carry it: a sympy answer as sympy prints it (``sstr``, ``latex``, one-line
``pretty``, also after ``doit``/``simplify``); a function's solution as the statements of
its solution cell and its outputs as NumPy prints them; a multiple-choice answer as its
letter and as runs of four words of its option. Then every misconception text, every
message template of the judge, every string of the public data and every markdown cell
before the question is searched for them (whitespace ignored).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import sympy

from autograder.config import CourseLayout
from autograder.notebook import read_path
from autograder.pipeline import Prepared
from autograder.validate import solution_answers
from source_lib.judge import codec, symparse
from source_lib.judge.reference import expression_source
from source_lib.judge.spec import Assignment, AutoQuestion, ChoiceQuestion, FunctionQuestion, SymbolicQuestion
from tests.conftest import Course

ROOT = Path(__file__).resolve().parent.parent
# Where the texts a student reads are written: the judge, the self-check, the grading and the reports.
MESSAGES = [*(ROOT / "source_lib").rglob("*.py"), ROOT / "autograder" / "grade.py", ROOT / "autograder" / "pipeline.py",
            *(ROOT / "autograder" / "report").glob("*.py")]
MIN_FORM = 6  # shorter forms ("0", "b") would match ordinary words
PATTERN = "re:"  # a form that is a regular expression over the lower-cased text, not a squeezed substring


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def four_grams(text: str) -> set[tuple[str, ...]]:
    found = words(text)
    return {tuple(found[k:k + 4]) for k in range(len(found) - 3)}


# ---------------------------------------------------------------- the answers, printed


def sympy_forms(expr: sympy.Expr) -> set[str]:
    forms = set()
    for variant in (expr, expr.doit(), sympy.simplify(expr.doit())):
        for printer in (sympy.sstr, str, sympy.latex, lambda e: sympy.pretty(e, use_unicode=False)):
            text = printer(variant)
            if "\n" not in text:
                forms.add(text)
    return forms


def statement_forms(code: str) -> set[str]:
    """Each assignment or return of a solution cell, whole and its right-hand side."""
    forms = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Return)) and node.value is not None:
            forms.update({ast.unparse(node), ast.unparse(node.value)})
    return forms


def number_forms(value: codec.Value) -> set[str]:
    """A returned value as NumPy and Python print it."""
    numbers = np.concatenate(_flat_numbers(value))
    forms = {np.array2string(numbers, separator=", "), str(numbers)}
    forms.update(f"{x:.6g}" for x in numbers if len(f"{x:.6g}".replace("-", "").replace(".", "")) >= 5)
    return forms


def _flat_numbers(value: codec.Value) -> list[np.ndarray]:
    """Every number of a value, tuples and dicts included, as flat arrays."""
    if isinstance(value, codec.Dict):
        return [array for _, item in value.items for array in _flat_numbers(item)]
    if isinstance(value, codec.Seq):
        return [array for item in value.items for array in _flat_numbers(item)]
    return [np.ravel(np.asarray(codec.plain(value), dtype=float))]


def answer_forms(assignment: Assignment, question: AutoQuestion, prepared: Prepared,
                 solution: dict[str, str]) -> set[str]:
    if isinstance(question, SymbolicQuestion):
        source = expression_source(prepared.references.value(question.id).expected)
        parsed = symparse.parse(source or "", assignment.symbols)
        assert not isinstance(parsed, symparse.ParseFailure), source
        forms = sympy_forms(parsed)  # type: ignore[arg-type]
        if all(len(squeeze(f)) < MIN_FORM for f in forms):  # "0": too short to search for as text
            return short_answer_forms(question.variable, sympy.sstr(parsed))
    elif isinstance(question, FunctionQuestion):
        forms = statement_forms(solution[question.cell])
        for call in prepared.references.function(question.id).expected.values():
            assert call.value is not None
            forms |= number_forms(call.value)
    else:
        forms = set()
    return {squeeze(f) for f in forms if len(squeeze(f)) >= MIN_FORM and not interface(f)}


def short_answer_forms(variable: str, answer: str) -> set[str]:
    """A short answer (``0``) is searched for as a statement of it (``symmetry_gap is 0``, "the answer
    is zero"): as a bare string it would match every "0" of a text."""
    said = re.escape(answer) + ("|zero" if answer == "0" else "")
    subject = rf"\b({re.escape(variable.lower())}|the answer|the result)"
    stated = rf"{subject}\s*(=|==|is|equals|should be|must be)\s*(exactly\s+)?({said})\b(?!\.\d)"
    return {squeeze(f"{variable} = {answer}"), PATTERN + stated}


def interface(form: str) -> bool:
    """Names, calls and tuples of names only (``(dj_dw, dj_db)``, ``compute_gradient(X, y, w, b)``):
    the contract the question states, not its answer."""
    return not re.sub(r"[A-Za-z_][A-Za-z0-9_]*|[\s,()]", "", form)


def letter_patterns(question: ChoiceQuestion, letter: str) -> list[re.Pattern[str]]:
    return [re.compile(rf"\b(answer|option|choice|choose|pick|letter|is)\s*\(?{letter}\b(?!\.\s*[a-z])"),
            re.compile(rf"{question.variable}\s*=\s*['\"]{letter}['\"]")]


def leaks(text: str, question: AutoQuestion, forms: set[str], letter: str | None,
          option: str) -> list[str]:
    found = [f for f in forms if not f.startswith(PATTERN) and f in squeeze(text)]
    found += [f for f in forms if f.startswith(PATTERN) and re.search(f[len(PATTERN):], text.lower())]
    if isinstance(question, ChoiceQuestion) and letter:
        found += [p.pattern for p in letter_patterns(question, letter) if p.search(text)]
        found += [" ".join(g) for g in four_grams(text) & four_grams(option)]
    return found


# ---------------------------------------------------------------- what students read


def judge_templates() -> list[str]:
    """Every string constant and f-string text of the modules that write what students read
    (the message templates), docstrings left out."""
    texts = []
    for path in sorted(MESSAGES):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef))
                      and (body := node.body) and isinstance(body[0], ast.Expr)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value \
                    and id(node) not in docstrings:
                texts.append(node.value)
    return texts


def public_strings(node: object, key: str = "") -> Iterator[str]:
    """Every string of the public check data, but the option texts (the notebook shows them)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "choices":
                yield from public_strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from public_strings(v, key)
    elif isinstance(node, str) and key not in ("data", "v"):
        yield node


def markdown_before(release: Path, question: AutoQuestion) -> list[str]:
    """The markdown a student reads before answering, but the statement listing the options."""
    _, notebook = read_path(release)
    cells = notebook.cells  # type: ignore[union-attr]
    index = next(c.index for c in cells if c.grade_id == question.cell)
    options = list(question.choices.values()) if isinstance(question, ChoiceQuestion) else []
    return [c.source for c in cells if c.kind == "markdown" and c.index < index
            and not (options and all(squeeze(o) in squeeze(c.source) for o in options))]


# ---------------------------------------------------------------- the checks


@pytest.fixture(scope="module")
def subject(course: Course) -> tuple[Assignment, Prepared]:
    """Each assignment of the course (conftest's ``course``) with its reference run."""
    return course.assignment, course.prepared


Answered = tuple[AutoQuestion, set[str], str | None, str]
_ANSWERED: dict[str, list[Answered]] = {}  # per assignment: printing sympy answers (simplify) takes a while


def each_question(subject: tuple[Assignment, Prepared]) -> Iterator[Answered]:
    """Each auto-graded question with its answer's printed forms, its letter and option if a choice."""
    assignment, prepared = subject
    if assignment.name not in _ANSWERED:
        layout = CourseLayout.default()
        solution = solution_answers(layout.solution(assignment.name).read_text(encoding="utf-8"))
        found = []
        for question in assignment.auto_questions:
            letter = option = None
            if isinstance(question, ChoiceQuestion):
                value = prepared.references.value(question.id).expected
                letter = value.value if isinstance(value, codec.Text) else None
                option = question.choices[letter] if letter else ""
            found.append((question, answer_forms(assignment, question, prepared, solution), letter, option or ""))
        _ANSWERED[assignment.name] = found
    yield from _ANSWERED[assignment.name]


def test_the_answers_are_known_to_the_test(subject: tuple[Assignment, Prepared]) -> None:
    """The search would find nothing if it had nothing to search for."""
    for question, forms, letter, _ in each_question(subject):
        assert forms or letter, question.id
        if isinstance(question, ChoiceQuestion):
            assert letter in question.choices


def test_no_misconception_text_states_its_answer(subject: tuple[Assignment, Prepared]) -> None:
    found = {}
    for question, forms, letter, option in each_question(subject):
        for misconception in question.misconceptions:
            hits = leaks(misconception.feedback, question, forms, letter, option)
            if hits:
                found[f"{question.id}/{misconception.id}"] = hits
    assert found == {}


def test_no_judge_message_template_states_an_answer(subject: tuple[Assignment, Prepared]) -> None:
    templates = judge_templates()
    assert len(templates) > 50
    found = {}
    for question, forms, letter, option in each_question(subject):
        for template in templates:
            hits = leaks(template, question, forms, letter, option)
            if hits:
                found[f"{question.id}: {template[:60]}"] = hits
    assert found == {}


def test_public_check_data_holds_no_answer(subject: tuple[Assignment, Prepared]) -> None:
    assignment, _ = subject
    path = CourseLayout.default().public_file(assignment.name)
    data = json.loads(path.read_text(encoding="utf-8"))
    strings = list(public_strings(data))
    for question, forms, letter, option in each_question(subject):
        entry = data["questions"][question.id]
        if isinstance(question, ChoiceQuestion):  # one text per wrong letter would give the right one away
            assert "expected" not in entry and entry["misconceptions"] == []
        assert all(not case["hidden"] for case in entry.get("cases", []))
        for text in strings:
            assert not leaks(text, question, forms, letter, option), (question.id, text)
    assert str(assignment.seed) not in path.read_text(encoding="utf-8")


def test_no_markdown_above_a_question_states_its_answer(subject: tuple[Assignment, Prepared]) -> None:
    assignment, _ = subject
    release = CourseLayout.default().release(assignment.name)
    found = {}
    for question, forms, letter, option in each_question(subject):
        for text in markdown_before(release, question):
            hits = leaks(text, question, forms, letter, option)
            if hits:
                found[question.id] = hits
    assert found == {}


def test_the_search_finds_answers_where_they_are(subject: tuple[Assignment, Prepared]) -> None:
    """Each kind of leak the issue found is caught when planted."""
    planted = 0
    for question, forms, letter, option in each_question(subject):
        if isinstance(question, ChoiceQuestion) and letter:
            assert leaks(f"The answer is {letter}.", question, forms, letter, option)
            assert leaks(f"Remember: {option}", question, forms, letter, option)
            assert not leaks("Answer recorded; it is graded after you submit.", question, forms, letter, option)
            planted += 1
        elif forms:
            form = max((f for f in forms if not f.startswith(PATTERN)), key=len)
            assert leaks(f"so it is {form} here", question, forms, letter, option)
            planted += 1
    assert planted
