"""Grade the same 50 mixed submissions of each assignment with `autograder grade` and with real
`nbgrader autograde`.

For each assignment (every one the course declares, or those given with --assignment) prints
wall times, the throughput ratio, and the autograder's per-submission overhead beyond the
notebook's own compute; then one summary line with each assignment's ratio. Both tools run as
their command line, start-up included, on the same machine, one after the other.

    python benchmarks/grading_throughput.py [--assignment NAME ...] [--count 50] [--workers N] [--skip-nbgrader]
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
from autograder.declarations import available, load
from autograder.validate import mutant_notebooks, solution_answers, student_notebook

GOAL = 20  # times nbgrader autograde's throughput, for every assignment


def mixed_submissions(name: str, count: int) -> dict[str, str]:
    """Correct, blank and mistaken notebooks, as students would submit them (release + answers)."""
    layout = CourseLayout.default()
    solution = layout.solution(name).read_text(encoding="utf-8")
    release = layout.release(name).read_text(encoding="utf-8")
    answers = solution_answers(solution)
    kinds = [("correct", student_notebook(release, answers)), ("blank", release)]
    for mutant, text in mutant_notebooks(load(name), solution).items():
        kinds.append((mutant, student_notebook(release, solution_answers(text))))
    return {f"s{k:03d}-{kinds[k % len(kinds)][0]}": kinds[k % len(kinds)][1] for k in range(count)}


def kinds_in(submissions: dict[str, str]) -> int:
    return len({name.split("-", 1)[1] for name in submissions})


def write_course(root: Path, name: str, submissions: dict[str, str]) -> None:
    layout = CourseLayout.default()
    source = root / "source" / name
    source.mkdir(parents=True)
    shutil.copy(layout.solution(name), source / f"{name}.ipynb")
    for student, text in submissions.items():
        folder = root / "submitted" / student / name
        folder.mkdir(parents=True)
        (folder / f"{name}.ipynb").write_text(text, encoding="utf-8")
        (folder / "timestamp.txt").write_text("2026-11-29 12:00:00 UTC\n")


def timed(command: list[str], cwd: Path) -> float:
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"command failed ({done.returncode}): {' '.join(command)}\n{done.stderr[-3000:]}")
    return elapsed


def autograder(root: Path, name: str, out: str, workers: int, only: str | None = None) -> float:
    target = root / "submitted" / only if only else root / "submitted"
    return timed([sys.executable, "-m", "autograder", "grade", name, str(target), "--out", str(root / out),
                  "--workers", str(workers), "--quiet"], root)


def nbgrader(root: Path, name: str) -> float:
    nbg = [sys.executable, "-m", "nbgrader"]
    timed(nbg + ["generate_assignment", name, "--force", f"--CourseDirectory.root={root}"], root)
    return timed(nbg + ["autograde", name, "--force", f"--CourseDirectory.root={root}"], root)


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


def bench(name: str, count: int, workers: int, skip_nbgrader: bool, round_trip: float) -> float | None:
    """Print one assignment's figures; its throughput ratio against nbgrader (None when skipped)."""
    submissions = mixed_submissions(name, count)
    with tempfile.TemporaryDirectory(prefix=f"zeroinit-bench-{name}-") as tmp:
        root = Path(tmp)
        write_course(root, name, submissions)
        first = sorted(submissions)[0]
        one = autograder(root, name, "out-one", 1, only=first)
        serial = autograder(root, name, "out-serial", 1)
        parallel = autograder(root, name, "out-parallel", workers)
        compute = statistics.mean(compute_seconds(root, "out-serial"))
        per_submission = (serial - one) / (count - 1)
        print(f"== {name}", flush=True)
        print(f"submissions                       {count} ({kinds_in(submissions)} kinds: correct, blank, "
              "one per catalogued mistake)")
        print(f"autograder, {workers} workers               {parallel:7.2f} s  "
              f"({count / parallel:5.1f} submissions/s)")
        print(f"autograder, 1 worker              {serial:7.2f} s  (start-up + 1 submission: {one:.2f} s)")
        print(f"  per submission, 1 worker        {per_submission:7.3f} s")
        print(f"  notebook's own compute (mean)   {compute:7.3f} s")
        print(f"  overhead beyond compute         {per_submission - compute:7.3f} s   (goal < 0.15 s)")
        print(f"  sandbox round trip, empty job   {round_trip:7.3f} s")
        if skip_nbgrader:
            print(flush=True)
            return None
        nbg = nbgrader(root, name)
        ratio = nbg / parallel
        print(f"nbgrader autograde                {nbg:7.2f} s  ({count / nbg:5.2f} submissions/s)")
        print(f"throughput ratio (autograder/nbgrader) {ratio:5.1f}x   (goal >= {GOAL}x)\n", flush=True)
        return ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", action="append", metavar="NAME",
                        help="benchmark this assignment (repeatable; default: every assignment of the course)")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--skip-nbgrader", action="store_true")
    args = parser.parse_args()
    known = available(CourseLayout.default())
    names = args.assignment or known
    unknown = [n for n in names if n not in known]
    if unknown:
        parser.error(f"unknown assignment {', '.join(unknown)} (known: {', '.join(known) or 'none'})")
    if args.count < 2:
        parser.error("--count must be at least 2")
    round_trip = job_round_trip()
    ratios = {name: bench(name, args.count, args.workers, args.skip_nbgrader, round_trip) for name in names}
    if args.skip_nbgrader:
        print(f"summary: {len(names)} assignment(s) graded; no ratio (--skip-nbgrader)")
        return
    worst = min(r for r in ratios.values() if r is not None)
    each = ", ".join(f"{name} {ratio:.1f}x" for name, ratio in ratios.items())
    print(f"summary: throughput ratio vs nbgrader autograde: {each}; lowest {worst:.1f}x "
          f"({'meets' if worst >= GOAL else 'below'} the goal of {GOAL}x)")


if __name__ == "__main__":
    main()
