"""How close grading comes to its floor: running the notebooks' own code once.

For each assignment, a diverse class: the correct notebook, the blank release, one notebook per
catalogued mistake, and one per correct answer written differently (the forms the conformance tests
know, ``tests/assignments/<name>/correct_variants.py``), cycled up to --count. Measured in one run:

* bare execution: the same notebooks' code cells run by `exec` in two warm processes (numpy, sympy
  and matplotlib imported once; the plot helpers skip drawing, as in the grader's sandbox), with no
  sandbox, no probes and no judging: the floor;
* `autograder grade` on them (the command line, start-up included, the reference cache warm): its
  wall time and the ratio to the floor;
* each distinct sympy answer's judging time (median, 90th percentile, largest), in process;
* one submission graded end to end by the command line (median of 5 runs, cache warm): what a
  Gradescope or CI run pays every time.

    python benchmarks/floor.py [--assignment NAME ...] [--count 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from autograder.config import CourseLayout, GradingConfig, default_workers
from autograder.declarations import available, load
from autograder.notebook import Notebook, read_bytes
from autograder.validate import mutant_notebooks, solution_answers, student_notebook

ROOT = Path(__file__).resolve().parent.parent
GOALS = {"ratio": 1.5, "judge_ms": 50.0, "one_seconds": 1.0}


def diverse(name: str) -> dict[str, str]:
    """Every kind of notebook the tests know for ``name``, by label."""
    layout = CourseLayout.default()
    solution = layout.solution(name).read_text(encoding="utf-8")
    release = layout.release(name).read_text(encoding="utf-8")
    answers = solution_answers(solution)
    kinds = {"correct": student_notebook(release, answers), "blank": release}
    for mutant, text in mutant_notebooks(load(name), solution).items():
        kinds[f"mistake-{mutant}"] = student_notebook(release, solution_answers(text))
    for label, (cell, code) in correct_forms(name).items():
        kinds[f"form-{label.replace('/', '-')}"] = student_notebook(release, {**answers, cell: code})
    return kinds


def correct_forms(name: str) -> dict[str, tuple[str, str]]:
    path = ROOT / "tests" / "assignments" / name / "correct_variants.py"
    spec = importlib.util.spec_from_file_location(f"forms_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.CORRECT_VARIANTS)


def cycled(kinds: dict[str, str], count: int) -> dict[str, str]:
    labels = sorted(kinds)
    return {f"s{k:05d}-{labels[k % len(labels)]}": kinds[labels[k % len(labels)]] for k in range(count)}


# ---------------------------------------------------------------- the floor: bare execution

def _warm() -> None:
    os.environ["ZEROINIT_SANDBOX"] = "1"  # as in the sandbox: plot helpers skip drawing, self-check silent
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot  # noqa: F401
    import numpy  # noqa: F401
    import sympy  # noqa: F401

    import source_lib.data  # noqa: F401
    import source_lib.plots  # noqa: F401


def _run_cells(cells: list[str]) -> bool:
    namespace: dict[str, object] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for source in cells:
            try:
                exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - our own generated notebooks
            except BaseException:  # noqa: BLE001 - a student's error stops their notebook, as in Jupyter
                return False
    return True


def bare_seconds(notebooks: list[str], processes: int) -> float:
    cells = []
    for text in notebooks:
        parsed = read_bytes(text.encode())
        assert isinstance(parsed, Notebook)
        cells.append([c.source for c in parsed.code_to_run()])
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch), \
            ProcessPoolExecutor(processes, mp_context=context, initializer=_warm) as pool:
        list(pool.map(_run_cells, cells[:processes]))  # every process warm before the clock starts
        started = time.perf_counter()
        list(pool.map(_run_cells, cells, chunksize=4))
        return time.perf_counter() - started


# ---------------------------------------------------------------- the grader

def write_class(root: Path, name: str, notebooks: dict[str, str]) -> Path:
    folder = root / "submitted"
    for student, text in notebooks.items():
        path = folder / student / name / f"{name}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
    return folder


def grade_seconds(name: str, target: Path, out: Path, workers: int, cache: Path) -> float:
    command = [sys.executable, "-m", "autograder", "grade", name, str(target), "--out", str(out),
               "--workers", str(workers), "--quiet", "--cache", str(cache)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"autograder grade failed: {done.stderr[-2000:]}")
    return elapsed


def judge_milliseconds(name: str, folder: Path, workers: int) -> list[float]:
    """Each distinct sympy answer's judging time, as the batch judge meets them."""
    from autograder import pipeline
    from autograder.batch import running_sandbox
    from autograder.notebook import Submissions

    times: list[float] = []
    original = pipeline.SymbolicJudge._judge

    def timed(self: pipeline.SymbolicJudge, question: object, source: str) -> object:
        started = time.perf_counter()
        try:
            return original(self, question, source)  # type: ignore[arg-type]
        finally:
            times.append(1000 * (time.perf_counter() - started))

    pipeline.SymbolicJudge._judge = timed  # type: ignore[method-assign]
    try:
        config = GradingConfig(workers=workers)
        with running_sandbox(config) as runner:
            pipeline.grade_files(load(name), Submissions.find([folder], name).files, config, runner,
                                 lambda r: None)
    finally:
        pipeline.SymbolicJudge._judge = original  # type: ignore[method-assign]
    return times


def bench(name: str, count: int, workers: int) -> dict[str, float]:
    kinds = diverse(name)
    notebooks = cycled(kinds, count)
    with tempfile.TemporaryDirectory(prefix=f"zeroinit-floor-{name}-") as tmp:
        root = Path(tmp)
        folder = write_class(root, name, notebooks)
        cache = root / "cache"
        floor = bare_seconds(list(notebooks.values()), workers)
        grade_seconds(name, folder / sorted(notebooks)[0], root / "warm", 1, cache)  # fills the cache
        graded = grade_seconds(name, folder, root / "out", workers, cache)
        one = statistics.median(grade_seconds(name, folder / sorted(notebooks)[0], root / f"one{k}", workers, cache)
                                for k in range(5))
        distinct = write_class(root / "distinct", name, kinds)
        judged = judge_milliseconds(name, distinct, workers)
    ratio = graded / floor
    print(f"== {name}: {count} submissions cycling {len(kinds)} kinds (correct, blank, "
          f"{sum(k.startswith('mistake-') for k in kinds)} mistakes, {sum(k.startswith('form-') for k in kinds)} "
          "correct forms)", flush=True)
    print(f"  bare execution, {workers} warm processes   {floor:8.2f} s  ({1000 * floor / count:6.1f} ms each)")
    print(f"  autograder grade, {workers} workers        {graded:8.2f} s  ({1000 * graded / count:6.1f} ms each)")
    print(f"  ratio to bare execution                {ratio:8.2f}x  (goal <= {GOALS['ratio']}x)")
    print(f"  sympy answers judged: {len(judged)} distinct; median {statistics.median(judged):.0f} ms, "
          f"90th percentile {statistics.quantiles(judged, n=10)[-1]:.0f} ms, largest {max(judged):.0f} ms "
          f"(goal: median < {GOALS['judge_ms']:.0f} ms)")
    print(f"  one submission end to end (median of 5) {one:8.2f} s  (goal < {GOALS['one_seconds']:.0f} s)\n",
          flush=True)
    return {"ratio": ratio, "judge_ms": statistics.median(judged), "one_seconds": one}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", metavar="NAME")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    names = args.assignment or available(CourseLayout.default())
    figures = {name: bench(name, args.count, args.workers) for name in names}
    for goal, limit in GOALS.items():
        worst = max(f[goal] for f in figures.values())
        each = ", ".join(f"{name} {f[goal]:.2f}" for name, f in figures.items())
        print(f"summary {goal}: {each}; worst {worst:.2f} ({'meets' if worst <= limit else 'misses'} {limit})")


if __name__ == "__main__":
    main()
