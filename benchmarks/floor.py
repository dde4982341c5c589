"""How close grading comes to its floor: running the notebooks' own code once.

For each assignment, a diverse class: the correct notebook, the blank release, one notebook per
catalogued mistake, and one per correct answer written differently (the forms the conformance tests
know, ``tests/assignments/<name>/correct_variants.py``), cycled up to --count. Measured in one run:

* bare execution: the same notebooks' code cells run by `exec` in two warm processes (numpy, sympy
  and matplotlib imported once; the plot helpers skip drawing, as in the grader's sandbox), with no
  sandbox, no probes and no judging: the floor. Beside it the same with each notebook in a fresh
  fork of a warm process: what keeping students apart costs at least (no notebook inherits another's
  sympy caches), with no sandbox, probes or judging either;
* `autograder grade` on them (the command line, start-up included, the reference cache warm): its
  wall time and the ratio to the floor;
* each distinct sympy answer's judging time (median, 90th percentile, largest), in its time box,
  each alone once the batch is over (no sandbox worker competing for the cores);
* one submission graded end to end by the command line (median of 5 runs, cache warm), the blank
  release and the correct notebook: what a Gradescope or CI run pays every time; beside it, the
  same notebook's cells run bare in a fresh Python (imports included), that submission's own floor.

    python benchmarks/floor.py [--assignment NAME ...] [--count 1000] [--workers 2]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib.util
import io
import json
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
    """Import and exercise the libraries as the grader's workers do before they fork (the same calls)."""
    from autograder.sandbox import execute

    os.environ["ZEROINIT_SANDBOX"] = "1"  # as in the sandbox: plot helpers skip drawing, self-check silent
    os.environ.setdefault("MPLBACKEND", "Agg")
    execute.preload(["numpy", "sympy", "matplotlib.pyplot", "source_lib", "source_lib.data", "source_lib.plots"])
    execute.warm()
    gc.freeze()  # as the grader's zygote does: a fork's garbage collector then leaves shared pages alone


def _run_cells(cells: list[str]) -> bool:
    namespace: dict[str, object] = {"__name__": "__main__"}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        for source in cells:
            try:
                exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - our own generated notebooks
            except BaseException:  # noqa: BLE001 - a student's error stops their notebook, as in Jupyter
                return False
    return True


def _run_cells_forked(cells: list[str]) -> bool:
    """``_run_cells`` in a fresh fork: nothing one notebook computed (sympy's caches) helps the next."""
    pid = os.fork()
    if pid == 0:
        os._exit(0 if _run_cells(cells) else 1)
    return os.waitpid(pid, 0)[1] == 0


def code_cells(notebook: bytes) -> list[str]:
    """What the grader's sandbox runs of a notebook: its code cells' sources, in order."""
    parsed = read_bytes(notebook)
    assert isinstance(parsed, Notebook)
    return [c.source for c in parsed.code_to_run()]


def bare_seconds(notebooks: list[str], processes: int, forked: bool = False) -> float:
    """The notebooks' cells by ``exec`` in warm processes; ``forked``: each in a fresh fork of one."""
    run = _run_cells_forked if forked else _run_cells
    cells = [code_cells(text.encode()) for text in notebooks]
    context = multiprocessing.get_context("fork")
    with tempfile.TemporaryDirectory() as scratch, contextlib.chdir(scratch), \
            ProcessPoolExecutor(processes, mp_context=context, initializer=_warm) as pool:
        list(pool.map(run, cells[:processes]))  # every process warm before the clock starts
        started = time.perf_counter()
        list(pool.map(run, cells, chunksize=4))
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
    """Each distinct sympy answer's judging time, alone in its time box on an otherwise idle machine.

    The class is graded first (collecting the answers the batch judge meets); each answer is then
    judged again on its own once the sandbox has stopped, so no worker competes for the cores.
    """
    from autograder import pipeline
    from autograder.batch import running_sandbox
    from autograder.notebook import Submissions

    met: list[tuple[pipeline.SymbolicJudge, tuple[object, str]]] = []
    original = pipeline.SymbolicJudge._boxed

    def collecting(self: pipeline.SymbolicJudge, answers: list[tuple[object, str]]) -> list[object]:
        met.extend((self, answer) for answer in answers)
        return original(self, answers)  # type: ignore[arg-type]

    pipeline.SymbolicJudge._boxed = collecting  # type: ignore[method-assign, assignment]
    try:
        config = GradingConfig(workers=workers)
        with running_sandbox(config) as runner:
            pipeline.grade_files(load(name), Submissions.find([folder], name).files, config, runner,
                                 lambda r: None)
    finally:
        pipeline.SymbolicJudge._boxed = original  # type: ignore[method-assign]
    times = []
    for judge, answer in met:
        started = time.perf_counter()
        original(judge, [answer])  # type: ignore[list-item]
        times.append(1000 * (time.perf_counter() - started))
    return times


_BARE_ONE = """
import contextlib, io, json, sys
namespace = {"__name__": "__main__"}
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    for source in json.load(sys.stdin):
        try:
            exec(compile(source, "<cell>", "exec"), namespace)
        except BaseException:
            break
"""


def bare_one_seconds(path: Path) -> float:
    """One notebook's code cells run bare in a fresh Python (its imports included): one submission's floor."""
    cells = json.dumps(code_cells(path.read_bytes()))
    env = {**os.environ, "ZEROINIT_SANDBOX": "1", "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", _BARE_ONE], input=cells, text=True, check=True, env=env, cwd=path.parent)
    return time.perf_counter() - started


def bench(name: str, count: int, workers: int) -> dict[str, float]:
    kinds = diverse(name)
    notebooks = cycled(kinds, count)
    kind_of = {kind: next(student for student in sorted(notebooks) if student.endswith(f"-{kind}"))
               for kind in ("blank", "correct")}
    with tempfile.TemporaryDirectory(prefix=f"zeroinit-floor-{name}-") as tmp:
        root = Path(tmp)
        folder = write_class(root, name, notebooks)
        cache = root / "cache"
        floor = bare_seconds(list(notebooks.values()), workers)
        isolated = bare_seconds(list(notebooks.values()), workers, forked=True)
        grade_seconds(name, folder / sorted(notebooks)[0], root / "warm", 1, cache)  # fills the cache
        graded = grade_seconds(name, folder, root / "out", workers, cache)
        one = {kind: (statistics.median(grade_seconds(name, folder / kind_of[kind], root / f"one-{kind}{k}", workers,
                                                      cache) for k in range(5)),
                      statistics.median(bare_one_seconds(next((folder / kind_of[kind]).rglob("*.ipynb")))
                                        for _ in range(5)))
               for kind in ("blank", "correct")}
        distinct = write_class(root / "distinct", name, kinds)
        judged = judge_milliseconds(name, distinct, workers)
    ratio = graded / floor
    print(f"== {name}: {count} submissions cycling {len(kinds)} kinds (correct, blank, "
          f"{sum(k.startswith('mistake-') for k in kinds)} mistakes, {sum(k.startswith('form-') for k in kinds)} "
          "correct forms)", flush=True)
    print(f"  bare execution, {workers} warm processes   {floor:8.2f} s  ({1000 * floor / count:6.1f} ms each)")
    print(f"  autograder grade, {workers} workers        {graded:8.2f} s  ({1000 * graded / count:6.1f} ms each)")
    print(f"  ratio to bare execution                {ratio:8.2f}x  (goal <= {GOALS['ratio']}x)")
    print(f"  bare, one fresh fork per notebook     {isolated:8.2f} s  ({1000 * isolated / count:6.1f} ms each): "
          f"grade is {graded / isolated:.2f}x this floor of any grader that keeps students apart")
    print(f"  keeping students apart alone costs     {isolated / floor:8.2f}x bare execution "
          f"(a grader that does cannot beat this ratio)")
    print(f"  sympy answers judged: {len(judged)} distinct; median {statistics.median(judged):.0f} ms, "
          f"90th percentile {statistics.quantiles(judged, n=10)[-1]:.0f} ms, largest {max(judged):.0f} ms "
          f"(goal: median < {GOALS['judge_ms']:.0f} ms)")
    for kind, (graded_one, bare_one) in one.items():
        print(f"  one {kind} submission end to end (median of 5) {graded_one:5.2f} s  "
              f"(goal < {GOALS['one_seconds']:.0f} s; its cells bare in a fresh Python: {bare_one:.2f} s)")
    print(flush=True)
    slowest_one = max(graded for graded, _ in one.values())
    return {"ratio": ratio, "judge_ms": statistics.median(judged), "one_seconds": slowest_one,
            "isolation": isolated / floor}


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
    each = ", ".join(f"{name} {f['isolation']:.2f}" for name, f in figures.items())
    print(f"summary isolation: {each} (a fresh fork per notebook against bare: the least ratio a grader "
          "that keeps students apart can reach)")


if __name__ == "__main__":
    main()
