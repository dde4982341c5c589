"""Grade the same 50 mixed submissions with `autograder grade` and with real `nbgrader autograde`.

Prints wall times, the throughput ratio, and the autograder's per-submission
overhead beyond the notebook's own compute. Both tools run as their command
line, start-up included, on the same machine, one after the other.

    python benchmarks/grading_throughput.py [--count 50] [--workers N] [--skip-nbgrader]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder.config import CourseLayout, default_workers
from autograder.declarations import load
from autograder.validate import mutant_notebooks, solution_answers, student_notebook

NAME = "linear_regression"


def mixed_submissions(count: int) -> dict[str, str]:
    """Correct, blank and mistaken notebooks, as students would submit them (release + answers)."""
    layout = CourseLayout.default()
    solution = layout.solution(NAME).read_text(encoding="utf-8")
    release = layout.release(NAME).read_text(encoding="utf-8")
    answers = solution_answers(solution)
    kinds = [("correct", student_notebook(release, answers)), ("blank", release)]
    for name, text in mutant_notebooks(load(NAME), solution).items():
        kinds.append((name, student_notebook(release, solution_answers(text))))
    return {f"s{k:03d}-{kinds[k % len(kinds)][0]}": kinds[k % len(kinds)][1] for k in range(count)}


def kinds_in(submissions: dict[str, str]) -> int:
    return len({name.split("-", 1)[1] for name in submissions})


def write_course(root: Path, submissions: dict[str, str]) -> None:
    layout = CourseLayout.default()
    source = root / "source" / NAME
    source.mkdir(parents=True)
    shutil.copy(layout.solution(NAME), source / f"{NAME}.ipynb")
    for student, text in submissions.items():
        folder = root / "submitted" / student / NAME
        folder.mkdir(parents=True)
        (folder / f"{NAME}.ipynb").write_text(text, encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-29 12:00:00 UTC\n")


def timed(command: list[str], cwd: Path) -> float:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-3000:]}")
    return elapsed


def autograder(root: Path, out: str, workers: int, only: str | None = None) -> float:
    target = root / "submitted" / only if only else root / "submitted"
    return timed([sys.executable, "-m", "autograder", "grade", NAME, str(target), "--out", str(root / out),
                  "--workers", str(workers), "--quiet"], root)


def nbgrader(root: Path) -> float:
    nbg = [sys.executable, "-m", "nbgrader"]
    timed(nbg + ["generate_assignment", NAME, "--force", f"--CourseDirectory.root={root}"], root)
    return timed(nbg + ["autograde", NAME, "--force", f"--CourseDirectory.root={root}"], root)


def compute_seconds(root: Path, out: str) -> list[float]:
    results = (root / out).glob("students/*/results.json")
    return [json.loads(p.read_text())["extra_data"]["compute_seconds"] for p in results]


def job_round_trip(workers: int = 1, jobs: int = 30) -> float:
    """Mean seconds for one trivial job through a warm worker: fork, confine, run, reply."""
    from autograder.batch import running_sandbox
    from autograder.config import GradingConfig

    job = {"cells": [{"index": 0, "source": "x = 1"}], "probes": [], "variants": []}
    with running_sandbox(GradingConfig(workers=workers)) as pool:
        pool.run({**job, "job_id": "warm-up"})
        started = time.perf_counter()
        for k in range(jobs):
            pool.run({**job, "job_id": f"trivial-{k}"})
        return (time.perf_counter() - started) / jobs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--skip-nbgrader", action="store_true")
    args = parser.parse_args()
    submissions = mixed_submissions(args.count)
    with tempfile.TemporaryDirectory(prefix="zeroinit-bench-") as tmp:
        root = Path(tmp)
        write_course(root, submissions)
        first = sorted(submissions)[0]
        one = autograder(root, "out-one", 1, only=first)
        serial = autograder(root, "out-serial", 1)
        parallel = autograder(root, "out-parallel", args.workers)
        compute = statistics.mean(compute_seconds(root, "out-serial"))
        per_submission = (serial - one) / (args.count - 1)
        print(f"submissions                       {args.count} ({kinds_in(submissions)} kinds: correct, blank, "
              "one per catalogued mistake)")
        print(f"autograder, {args.workers} workers               {parallel:7.2f} s  "
              f"({args.count / parallel:5.1f} submissions/s)")
        print(f"autograder, 1 worker              {serial:7.2f} s  (start-up + 1 submission: {one:.2f} s)")
        print(f"  per submission, 1 worker        {per_submission:7.3f} s")
        print(f"  notebook's own compute (mean)   {compute:7.3f} s")
        print(f"  overhead beyond compute         {per_submission - compute:7.3f} s   (goal < 0.15 s)")
        print(f"  sandbox round trip, empty job   {job_round_trip():7.3f} s")
        if not args.skip_nbgrader:
            nbg = nbgrader(root)
            print(f"nbgrader autograde                {nbg:7.2f} s  ({args.count / nbg:5.2f} submissions/s)")
            print(f"throughput ratio (autograder/nbgrader) {nbg / parallel:5.1f}x   (goal >= 10x)")


if __name__ == "__main__":
    main()
