"""The release's set-up cells, run once by each warm worker before its zygote forks."""

from __future__ import annotations

import json
import os
import random
import sys
import time
import uuid
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import sympy as sp

from autograder.config import CourseLayout, Limits
from autograder.launch import PREAMBLE_GIVEN_UP, SandboxPool
from autograder.notebook import Notebook, read_bytes, release_preamble
from autograder.sandbox.preamble import run_preamble
from tests.conftest import assignment_params

LIMITS = Limits(wall_seconds=5, cpu_seconds=5, memory_mb=512)


def notebook_bytes(*cells: tuple[str, str, dict[str, object] | None]) -> bytes:
    """A notebook of (cell type, source, nbgrader metadata) cells."""
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
        {"cell_type": kind, "source": source, "metadata": {"nbgrader": meta} if meta else {},
         **({"outputs": [], "execution_count": None} if kind == "code" else {})}
        for kind, source, meta in cells]}).encode()


def test_the_preamble_is_the_code_before_the_first_answer_cell() -> None:
    locked = {"grade": False, "solution": False, "locked": True, "grade_id": "setup"}
    answer = {"grade": False, "solution": True, "locked": False, "grade_id": "answer"}
    parsed = read_bytes(notebook_bytes(
        ("markdown", "# Title", None), ("code", "import math", locked), ("code", "x = 1", None),
        ("code", "y = x  # an answer", answer), ("code", "z = 3", locked)))
    assert isinstance(parsed, Notebook)
    assert parsed.preamble() == ("import math", "x = 1")


@pytest.mark.parametrize("name", assignment_params())
def test_a_release_preamble_holds_no_answer_cell(name: str, layout: CourseLayout) -> None:
    preamble = release_preamble(layout.release(name))
    solution = read_bytes(layout.solution(name).read_bytes())
    assert isinstance(solution, Notebook) and preamble
    answers = [c.source for c in solution.cells if c.role not in ("locked", "plain")]
    assert preamble == solution.preamble()  # nbgrader left the set-up as the instructor wrote it
    assert not any(a.strip() and a in cell for a in answers for cell in preamble)


def test_no_release_means_no_preamble(tmp_path: Path) -> None:
    assert release_preamble(tmp_path / "missing.ipynb") == ()
    (tmp_path / "broken.ipynb").write_text("{ not json")
    assert release_preamble(tmp_path / "broken.ipynb") == ()


def test_it_runs_until_a_cell_fails_and_puts_back_what_the_cells_changed(tmp_path: Path) -> None:
    cwd, path, main = os.getcwd(), list(sys.path), sys.modules["__main__"]
    random_state, numpy_state = random.getstate(), np.random.get_state()
    width, filters = matplotlib.rcParams["lines.linewidth"], list(warnings.filters)
    mark = tmp_path / "fourth-cell-ran"
    ran = run_preamble([
        "import os, random, sys, warnings\nimport numpy as np\nimport matplotlib\n"
        "random.seed(1); np.random.seed(1); print('to nowhere')",
        f"os.chdir({str(tmp_path)!r}); os.environ['PREAMBLE_MARK'] = '1'; sys.path.insert(0, '/nowhere')\n"
        "warnings.simplefilter('error'); matplotlib.rcParams['lines.linewidth'] = 9",
        "raise ValueError('stop here')",
        f"open({str(mark)!r}, 'w').close()"])
    assert ran == 2 and not mark.exists()
    assert os.getcwd() == cwd and "PREAMBLE_MARK" not in os.environ and sys.path == path
    assert sys.modules["__main__"] is main and warnings.filters == filters
    assert matplotlib.rcParams["lines.linewidth"] == width
    assert random.getstate() == random_state
    assert all(np.array_equal(a, b) for a, b in zip(np.random.get_state()[1:2], numpy_state[1:2]))


def test_an_expression_rebuilt_after_it_comes_with_its_assumptions_settled() -> None:
    marker = uuid.uuid4().hex[:8]  # symbols no other test has put in sympy's cache
    run_preamble([f"import sympy as sp\nq = sp.Symbol('q{marker}', positive=True)\n"
                  "e = sp.exp(q) * sp.log(1 + q**2) / (q + 3)"])
    q = sp.Symbol(f"q{marker}", positive=True)
    rebuilt = sp.exp(q) * sp.log(1 + q**2) / (q + 3)
    untouched = sp.exp(q) * sp.log(2 + q**3) / (q + 5)
    assert len(rebuilt._assumptions) > len(untouched._assumptions) + 10


def test_a_slow_preamble_is_cut_short() -> None:
    started = time.monotonic()
    assert run_preamble(["x = 1", "while True: pass", "y = 2"], seconds=0.3) == 1
    assert time.monotonic() - started < 5


def test_jobs_inherit_the_warm_up_but_not_the_preamble_namespace() -> None:
    preamble = ("import sympy as sp\nsecret_marker = sp.Symbol('p', real=True)",)
    with SandboxPool(1, LIMITS, preload=("sympy",), preamble=preamble) as pool:
        assert [w.ready["preload"]["preamble_cells"] for w in pool._workers] == [1]
        run = pool.run({"job_id": "j", "probes": [], "variants": [], "cells": [
            {"index": 0, "source": "print('secret_marker' in globals(), 'sp' in globals())"}]})
    assert run.ended == "exited" and run.output.split() == ["False", "False"]


def test_a_preamble_that_stops_the_worker_is_given_up_and_the_job_still_runs() -> None:
    with SandboxPool(2, LIMITS, preload=("sympy",), preamble=("import os\nos._exit(3)",)) as pool:
        run = pool.run({"job_id": "j", "probes": [], "variants": [], "cells": [
            {"index": 0, "source": "print(1 + 1)"}]})
        assert [w.ready["preload"]["preamble_cells"] for w in pool._workers] == [0, 0]
        assert len(pool.notes) == 1
    assert run.ended == "exited" and run.output.strip() == "2"
    assert pool.notes[0] == f"{PREAMBLE_GIVEN_UP} (worker exited (status 3))"  # each reason once, its real status


def test_a_batch_whose_release_stops_the_workers_is_graded_and_says_so(tmp_path: Path) -> None:
    from autograder.batch import grade_batch
    from tests.test_pipeline_fake import MINI, RELEASE_CELLS, SOLUTION_CELLS, mini_course, notebook_text

    config = mini_course(tmp_path)
    config.layout.release("mini").write_text(notebook_text(RELEASE_CELLS, "\nimport os\nos._exit(3)"),
                                             encoding="utf-8")
    submissions = tmp_path / "in"
    submissions.mkdir()
    for student in ("ann", "ben"):  # students who took that line out of their notebooks
        (submissions / f"{student}.ipynb").write_text(notebook_text(SOLUTION_CELLS), encoding="utf-8")
    summary = grade_batch(MINI, [submissions], tmp_path / "out", config)
    full = sum(q.points for q in MINI.auto_questions)
    assert [(r.student, r.score) for r in summary.results] == [("ann", full), ("ben", full)]
    assert [w for w in summary.warnings if w.startswith(PREAMBLE_GIVEN_UP)]
