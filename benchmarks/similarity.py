"""How long `autograder similarity` takes for a class, and whether planted copies come out on top.

For each assignment, a class of --count notebooks: each student answers every question with one
of the forms the tests know for it (the solution, a catalogued mistake, a correct answer written
differently: ``tests/assignments/<name>/correct_variants.py``), drawn at random (the solution's
form most often, as in a real class), then varied as people vary: names renamed, comments added,
and at random a value returned through a variable, ``len(X)`` for ``X.shape[0]``, ``a @ b`` for
``np.dot(a, b)``, ``np.square(e)`` for ``(e) ** 2``, an assert at the top of
a function. Then --copies students copy another student's notebook, disguised: names
renamed, comments changed, and for every other copier junk statements at a few places and a junk
cell. Measured in one run:

* in process: reading, tokenizing and fingerprinting every notebook, then comparing every pair
  (``find_similar``), and writing similarity.html and similarity.csv (every pair);
* the command line, start-up included;
* where the planted copies rank, how many are flagged, and how many flagged pairs are not copies.

    python benchmarks/similarity.py [--assignment NAME ...] [--count 1000] [--copies 10] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from floor import correct_forms

from autograder.config import CourseLayout
from autograder.declarations import available, load
from autograder.notebook import Submissions
from autograder.similarity import SimilarityReport, find_similar, write_outputs
from autograder.validate import mutant_notebooks, solution_answers

ROOT = Path(__file__).resolve().parent.parent
RENAMES = {"m": "n_rows", "err": "residual", "errors": "resid", "dj_dw": "grad_w", "dj_db": "grad_b", "w": "weights",
           "b": "bias", "X": "data", "y": "target", "alpha": "lr", "num_iters": "steps", "J_history": "costs",
           "params": "theta", "grads": "g", "cache": "saved", "Z1": "pre", "A1": "act", "A2": "out"}
JUNK = "(junk cell)"
_COMMENTS = ("# vectorised", "# see the lecture notes", "# TODO tidy", "# checked with check()", "# step by step")


def pools(name: str) -> dict[str, list[str]]:
    """Every known answer per answer cell (grade_id): the solution's first."""
    layout = CourseLayout.default()
    solution = layout.solution(name).read_text(encoding="utf-8")
    answers = solution_answers(solution)
    found = {cell: [code] for cell, code in answers.items()}
    for label, text in mutant_notebooks(load(name), solution).items():
        cell = next(q.cell for q in load(name).questions if q.id == label.split("--")[0])
        found[cell].append(solution_answers(text)[cell])
    for cell, code in correct_forms(name).values():
        found[cell].append(code.strip("\n"))
    return found


def varied(code: str, rng: random.Random) -> str:
    """``code`` as another student might write the same form: small rewrites that keep its meaning."""
    if rng.random() < 0.5:
        code = re.sub(r"^(\s+)return (?![^\n]*,)(.+)$", r"\1result = \2\n\1return result", code, flags=re.M)
    if rng.random() < 0.5:
        code = re.sub(r"\b(\w+)\.shape\[0\]", r"len(\1)", code)
    if rng.random() < 0.5:
        code = re.sub(r"np\.dot\((\w+(?:\.T)?), (\w+)\)", r"\1 @ \2", code)
    if rng.random() < 0.5:
        code = re.sub(r"\(([^()\n]*)\) \*\* 2", r"np.square(\1)", code)
    if rng.random() < 0.3:  # a check of the input at the top of each function
        code = re.sub(r"^(def \w+\((\w+).*\n)", r"\1    assert \2 is not None\n", code, flags=re.M)
    return code


def disguised(code: str, rng: random.Random, junk: bool) -> str:
    """``code`` with some names renamed, a comment added, and optionally junk lines at a few places."""
    chosen = {old: new for old, new in RENAMES.items() if rng.random() < 0.6}
    if chosen:
        code = re.sub(r"\b(" + "|".join(map(re.escape, chosen)) + r")\b(?!\s*=[^=]\s*sp\.)",
                      lambda m: chosen[m.group(1)], code)
    lines = code.split("\n")
    out = [rng.choice(_COMMENTS)]
    for k, line in enumerate(lines):
        out.append(line)
        following = lines[k + 1] if k + 1 < len(lines) else ""
        if junk and rng.random() < 0.15 and following.strip() and not following.lstrip().startswith(
                ("elif", "else", "except")):
            indent = following[: len(following) - len(following.lstrip())]
            out.append(f"{indent}_junk_{k} = len(str({k}))")
    return "\n".join(out)


def make_class(name: str, count: int, copies: int, seed: int) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Notebook text per student id, and the planted (original, copier) pairs."""
    rng = random.Random(seed)
    release = json.loads(CourseLayout.default().release(name).read_text(encoding="utf-8"))
    known = pools(name)
    students = [f"s{k:04d}" for k in range(count)]
    answers: dict[str, dict[str, str]] = {}
    for student in students[: count - copies]:
        picked = {cell: forms[0] if rng.random() < 0.4 else rng.choice(forms) for cell, forms in known.items()}
        answers[student] = {cell: disguised(varied(code, rng), rng, junk=False) for cell, code in picked.items()}
    planted = []
    for n, copier in enumerate(students[count - copies:]):
        original = rng.choice(students[: count - copies])
        answers[copier] = {cell: disguised(code, rng, junk=n % 2 == 1) for cell, code in answers[original].items()}
        if n % 2 == 1:
            answers[copier][JUNK] = "\n".join(f"padding_{k} = [i * i for i in range({k})]" for k in range(8))
        planted.append((original, copier))
    return {s: _notebook(release, a) for s, a in answers.items()}, planted


def _notebook(release: dict, answers: dict[str, str]) -> str:
    cells = []
    for cell in release["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        cells.append({**cell, "source": answers[grade_id]} if grade_id in answers else cell)
    if JUNK in answers:  # a cell the copier added
        cells.insert(len(cells) // 2, {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                       "source": answers[JUNK]})
    return json.dumps({**release, "cells": cells})


def run(name: str, count: int, copies: int, seed: int, scratch: Path) -> None:
    notebooks, planted = make_class(name, count, copies, seed)
    folder = scratch / name / "submitted"
    for student, text in notebooks.items():
        path = folder / student / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    layout = CourseLayout.default()
    started = time.perf_counter()
    phases: list[str] = []
    report = find_similar(load(name), Submissions.find([folder], name).files, layout, progress=phases.append)
    compared = time.perf_counter() - started
    started = time.perf_counter()
    write_outputs(report, scratch / name / "out")
    written = time.perf_counter() - started
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "autograder", "similarity", name, str(folder), "--out",
                           str(scratch / name / "cli"), "--quiet"], capture_output=True, text=True, cwd=ROOT)
    command = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"autograder similarity failed: {done.stderr[-2000:]}")
    _print(name, count, report, planted, compared, written, command)
    print(f"  ({'; '.join(phases)})")


def _print(name: str, count: int, report: SimilarityReport, planted: list[tuple[str, str]], compared: float,
           written: float, command: float) -> None:
    where = {d.student: k for k, d in enumerate(report.documents)}
    t = report.pairs
    rows = [int(np.flatnonzero((t.first == min(where[a], where[b])) & (t.second == max(where[a], where[b])))[0])
            for a, b in planted]
    planted_ranks = sorted(row + 1 for row in rows)
    hits = sum(bool(t.flags[row]) for row in rows)
    flagged = int(np.count_nonzero(t.flags))
    print(f"{name}: {count} notebooks, {len(report.pairs)} pairs")
    print(f"  find_similar (read, tokenize, fingerprint, compare): {compared:.2f} s")
    print(f"  write similarity.html + similarity.csv ({len(report.pairs)} rows): {written:.2f} s")
    print(f"  command line, start-up included: {command:.2f} s")
    print(f"  planted copies: {len(planted)}; flagged {hits}; their ranks {planted_ranks}")
    print(f"  flagged pairs that are not planted copies: {flagged - hits}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", choices=available(CourseLayout.default()))
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for name in args.assignment or available(CourseLayout.default()):
            run(name, args.count, args.copies, args.seed, Path(scratch))


if __name__ == "__main__":
    main()
