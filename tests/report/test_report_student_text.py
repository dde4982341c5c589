"""student_text: host paths become <grader>, cells are named by the question they belong to."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

from autograder.notebook import read_bytes
from autograder.report.student_text import (
    GRADER,
    CellPlaces,
    HostPaths,
    StudentText,
    cell_label,
    cell_place,
    ordinal,
)
from source_lib.judge.results import CaseResult, CellError, Outcome, QuestionResult

CHECKOUT = Path(__file__).resolve().parents[2]


def _notebook():
    nb = nbformat.v4.new_notebook()
    cells = [nbformat.v4.new_code_cell("import numpy"),                        # 0: above every question
             nbformat.v4.new_markdown_cell("intro"),                           # 1
             nbformat.v4.new_code_cell("def f(): pass", metadata=_meta("f")),  # 2: question f
             nbformat.v4.new_code_cell('check("f")', metadata=_meta("test_f", grade=True)),  # 3
             nbformat.v4.new_markdown_cell("## Part 2", metadata=_meta("part2")),  # 4
             nbformat.v4.new_code_cell("run_f()", metadata=_meta("experiment")),  # 5: second after f
             nbformat.v4.new_markdown_cell("Explain.", metadata=_meta("why", grade=True)),  # 6: manual
             nbformat.v4.new_code_cell("print(1)")]                            # 7: first after why
    nb.cells.extend(cells)
    parsed = read_bytes(nbformat.writes(nb).encode())
    assert not hasattr(parsed, "reason")
    return parsed


def _meta(grade_id: str, grade: bool = False) -> dict:
    solution = grade_id in ("f", "why")
    return {"nbgrader": {"grade_id": grade_id, "solution": solution, "grade": grade, "locked": not solution}}


def test_ordinals_and_labels():
    assert [ordinal(k) for k in (1, 2, 10, 11, 12, 13, 21, 22, 23, 101)] == [
        "first", "second", "tenth", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st"]
    assert cell_label("compute_cost", 0) == "compute_cost"
    assert cell_label("compute_cost", 2) == "second code cell after compute_cost"
    assert cell_label(None, 1) == "first code cell from the top"
    assert cell_label(None, 0) == "a code cell"
    assert cell_place(CellError(3, "E", "m", line=4, question="f")) == "in f, line 4"
    assert cell_place(CellError(3, "E", "m", question="f", offset=1)) == "in the first code cell after f"


def test_cells_are_placed_by_the_nearest_question_above():
    places = CellPlaces.of(_notebook().cells, {"f": "f", "why": "why"})
    assert [places.label(i) for i in (0, 2, 3, 5, 6, 7)] == [
        "first code cell from the top", "f", "first code cell after f", "second code cell after f",
        "why", "first code cell after why"]
    assert places.rename('File "<cell 5>", line 1\n<cell 2>:3: Warning') == \
        'File "<second code cell after f>", line 1\n<f>:3: Warning'
    error = places.attach(CellError(5, "NameError", "x", line=1))
    assert (error.question, error.offset, error.cell) == ("f", 2, 5)


def test_grade_ids_that_are_not_questions_do_not_anchor():
    places = CellPlaces.of(_notebook().cells, {"f": "compute_f"})  # a question id differing from its cell
    assert places.label(2) == "compute_f" and places.label(7) == "third code cell after compute_f"


def test_host_paths_become_grader():
    host = HostPaths.of_this_host("/srv/course/python")
    site = next(p for p in sys.path if p.endswith("-packages"))
    text = (f'File "{site}/numpy/linalg/_linalg.py", line 3\n'
            f"{CHECKOUT}/source_lib/plots.py:16: UserWarning: no data\n"
            f"cwd /tmp/autograder-pool-ab12_x/home-0/sbx-0-kq9z1\n"
            f"tmp /tmp/autograder-pool-ab12_x/home-1\n"
            f"exe /srv/course/python/bin/python3 and {sys.prefix}\n"
            "other /opt/py/lib/python3.12/site-packages/sympy/core.py and /usr/lib/python3/dist-packages/x.py\n"
            "kept: /tmp /data/train.csv ./a/b https://example.org/x a/b")
    assert host.neutral(text).splitlines() == [
        f'File "{GRADER}/numpy/linalg/_linalg.py", line 3',
        f"{GRADER}/source_lib/plots.py:16: UserWarning: no data",
        f"cwd {GRADER}", f"tmp {GRADER}",
        f"exe {GRADER}/bin/python3 and {GRADER}",
        f"other {GRADER}/sympy/core.py and {GRADER}/x.py",
        "kept: /tmp /data/train.csv ./a/b https://example.org/x a/b"]
    assert str(CHECKOUT) not in host.neutral(repr([str(CHECKOUT), sys.prefix, site]))


def test_short_system_prefixes_are_not_host_paths():
    host = HostPaths.of_this_host("/usr", "/", "/opt")
    assert not {"/", "/usr", "/opt"} & set(host.prefixes)
    assert host.neutral("/usr/share/dict/words /opt/x") == "/usr/share/dict/words /opt/x"


def test_a_huge_output_is_rewritten_in_linear_time():
    host = HostPaths.of_this_host()
    text = ("/a" * 50_000 + " ") * 4 + "<cell 9>" * 10_000
    started = time.perf_counter()
    host.neutral(CellPlaces({}).rename(text))
    assert time.perf_counter() - started < 2.0


def test_question_texts_are_rewritten_too():
    text = StudentText(CellPlaces({4: ("f", 0)}), HostPaths((str(CHECKOUT),)))
    question = QuestionResult("f", "f", 0, 1, Outcome.ERROR, f"raised in <cell 4> at {CHECKOUT}/x.py",
                              (CaseResult("c", False, False, f"open {CHECKOUT}/data"),))
    done = text.question(question)
    assert done.feedback == f"raised in <f> at {GRADER}/x.py" and done.cases[0].message == f"open {GRADER}/data"
    (error,) = text.errors([CellError(4, "OSError", f"{CHECKOUT}/secret", line=1)])
    assert (error.question, error.message) == ("f", f"{GRADER}/secret")
