"""Throughput and memory of long batches: 100, 1,000 and 10,000 submissions, unsharded and in shards,
side by side with real `nbgrader autograde` on the first 100; then a projection for 50,000.

The class is generated from the assignment's release: correct, blank, one notebook per catalogued
mistake, and the bundled samples that are hostile or broken (``assignments/samples``), in turn.
Every run is the `autograder grade` command line, start-up included. While it runs, a sampler reads
/proc every 0.2 s for the peak resident memory (VmHWM) of the grader and of each sandbox worker, and
the largest resident size seen of any notebook's process. The progress lines (``--progress json``)
give the throughput of each tenth of the batch, to show whether it decays.

    python benchmarks/scale.py [--assignment linear_regression] [--sizes 100,1000,10000] [--shards 2]
                               [--skip-nbgrader] [--dask]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grading_throughput import mixed_submissions, write_course

from autograder.config import CourseLayout, default_workers

SAMPLED_KINDS = ("mallory", "ivan")  # hostile and broken, as the samples hold them
WORKER = "autograder.sandbox"


@dataclass
class Memory:
    """Peak resident sizes in MB, by role, seen while one command ran."""

    grader: float = 0.0
    workers: dict[int, float] = field(default_factory=dict)
    notebook: float = 0.0


def class_of(name: str, count: int) -> dict[str, str]:
    """``count`` notebooks: the benchmark's mix of kinds plus the hostile and broken samples, in turn."""
    samples = CourseLayout.default().root / "assignments" / "samples" / name / "submitted"
    kinds = list(mixed_submissions(name, 200).items())
    base = {key.split("-", 1)[1]: text for key, text in kinds}
    for student in SAMPLED_KINDS:
        path = samples / student / name / f"{name}.ipynb"
        if path.is_file():
            base[student] = path.read_text(encoding="utf-8", errors="replace")
    names = sorted(base)
    return {f"s{k:05d}-{names[k % len(names)]}": base[names[k % len(names)]] for k in range(count)}


def _status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _mb(value: str) -> float:
    return int(value.split()[0]) / 1024 if value else 0.0


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = _status(int(entry)).get("PPid", "0").strip()
            children.setdefault(int(ppid), []).append(int(entry))
    found, stack = [], [root]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def sample(pid: int, memory: Memory, stop: threading.Event) -> None:
    """Record peak memory by role until ``stop``; workers run in their own sessions but stay descendants."""
    while not stop.is_set():
        memory.grader = max(memory.grader, _mb(_status(pid).get("VmHWM", "")))
        for child in _descendants(pid):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            status = _status(child)
            if WORKER.encode() in command and status.get("PPid", "").strip() == str(pid):
                memory.workers[child] = max(memory.workers.get(child, 0.0), _mb(status.get("VmHWM", "")))
            else:
                memory.notebook = max(memory.notebook, _mb(status.get("VmRSS", "")))
        stop.wait(0.2)


@dataclass
class Run:
    seconds: float
    rates: list[float]  # submissions per second in each tenth of the batch
    memory: list[Memory]


def grade(root: Path, name: str, out: str, workers: int, shard: str | None = None) -> tuple[float, list[float],
                                                                                            Memory, Path]:
    command = [sys.executable, "-m", "autograder", "grade", name, str(root / "submitted"), "--out", str(root / out),
               "--workers", str(workers), "--progress", "json", *(["--shard", shard] if shard else [])]
    memory, stop = Memory(), threading.Event()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = threading.Thread(target=sample, args=(process.pid, memory, stop), daemon=True)
    sampler.start()
    stamps = []
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith("{"):
            stamps.append(time.perf_counter())
    code = process.wait()
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    if code != 0:
        sys.exit(f"autograder grade failed ({code}): {' '.join(command)}")
    return elapsed, tenths(stamps), memory, root / out


def tenths(stamps: list[float]) -> list[float]:
    """Submissions per second over each tenth of the batch (from the first result on)."""
    if len(stamps) < 20:
        return []
    size = len(stamps) // 10
    return [size / (stamps[min(len(stamps) - 1, (k + 1) * size)] - stamps[k * size]) for k in range(10)
            if stamps[min(len(stamps) - 1, (k + 1) * size)] > stamps[k * size]]


def sharded(root: Path, name: str, shards: int, workers: int) -> Run:
    """``shards`` shards graded at once on this machine (each with its share of the cores), then merged."""
    per_shard = max(1, workers // shards)
    started = time.perf_counter()
    results: list[tuple[float, list[float], Memory, Path]] = [None] * shards  # type: ignore[list-item]

    def one(index: int) -> None:
        results[index] = grade(root, name, f"shard-{index}", per_shard, f"{index}/{shards}")

    threads = [threading.Thread(target=one, args=(i,)) for i in range(shards)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merge = [sys.executable, "-m", "autograder", "merge", *(str(r[3]) for r in results), "--out", str(root / "merged")]
    merge_started = time.perf_counter()
    subprocess.run(merge, check=True, capture_output=True)
    merge_seconds = time.perf_counter() - merge_started
    elapsed = time.perf_counter() - started
    print(f"    merge of {shards} shards: {merge_seconds:.2f} s", flush=True)
    return Run(elapsed, [], [r[2] for r in results])


def on_dask(root: Path, name: str, workers: int) -> Run:
    """The batch on a local Dask cluster (one worker process per core, one thread each), merged into out-dask."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        command = [sys.executable, "-m", "autograder", "grade", name, str(root / "submitted"), "--out",
                   str(root / "out-dask"), "--executor", "dask", "--scheduler", cluster.scheduler_address, "--quiet"]
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        return Run(time.perf_counter() - started, [], [Memory()])


def nbgrader_seconds(root: Path, name: str) -> tuple[float, int]:
    """Real `nbgrader autograde` on the same class; the submissions it reports as errors, counted.

    nbgrader exits 1 when a notebook is broken or has forged checksums (the broken and hostile
    samples): its time still counts, as an instructor waits for it all the same.
    """
    nbg = [sys.executable, "-m", "nbgrader"]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}  # jupyter
    made = subprocess.run([*nbg, "generate_assignment", name, "--force", f"--CourseDirectory.root={root}"],
                          cwd=root, env=env, capture_output=True, text=True)
    if made.returncode != 0:
        sys.exit(f"nbgrader generate_assignment failed: {made.stderr[-2000:]}")
    started = time.perf_counter()
    done = subprocess.run([*nbg, "autograde", name, "--force", f"--CourseDirectory.root={root}"], cwd=root,
                          env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    return elapsed, done.stderr.count("There was an error processing assignment")


def show(label: str, count: int, run: Run) -> None:
    rate = count / run.seconds
    workers = [mb for m in run.memory for mb in m.workers.values()]
    grader = max(m.grader for m in run.memory)
    notebook = max(m.notebook for m in run.memory)
    memory = (f"grader {grader:6.1f} MB  workers {min(workers, default=0):5.1f}-{max(workers, default=0):5.1f} MB "
              f"({len(workers)})  notebook {notebook:6.1f} MB") if grader else "(not sampled)"
    decay = f"  tenths {min(run.rates):.0f}-{max(run.rates):.0f}/s, last/first {run.rates[-1] / run.rates[0]:.2f}" \
        if run.rates else ""
    print(f"  {label:<28} {count:>6}  {run.seconds:8.1f} s  {rate:6.1f}/s  {memory}{decay}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assignment", default="linear_regression")
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--dask", action="store_true", help="also grade each size on a local Dask cluster")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    name = args.assignment
    print(f"== {name}: {args.workers} cores; unsharded = one grade with --workers {args.workers}; "
          f"sharded = {args.shards} grade --shard processes at once with --workers "
          f"{max(1, args.workers // args.shards)} each, then merge", flush=True)
    print(f"  {'run':<28} {'count':>6}  {'wall':>10}  {'rate':>8}  peak resident memory", flush=True)
    per_shard_rate = None
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="zeroinit-scale-") as tmp:
            root = Path(tmp)
            submissions = class_of(name, count)
            write_course(root, name, submissions)
            seconds, rates, memory, _ = grade(root, name, "out", args.workers)
            show("autograder, unsharded", count, Run(seconds, rates, [memory]))
            run = sharded(root, name, args.shards, args.workers)
            show(f"autograder, {args.shards} shards + merge", count, run)
            per_shard_rate = count / args.shards / run.seconds
            if args.dask:
                show(f"Dask LocalCluster, {args.workers} workers", count, on_dask(root, name, args.workers))
            if count == sizes[0] and not args.skip_nbgrader:
                nbg, failed = nbgrader_seconds(root, name)
                print(f"  {'nbgrader autograde':<28} {count:>6}  {nbg:8.1f} s  {count / nbg:6.2f}/s  "
                      f"(autograder unsharded is {nbg / seconds:.1f}x faster; nbgrader could not grade "
                      f"{failed} of them)", flush=True)
            shutil.rmtree(root / "out", ignore_errors=True)
    if per_shard_rate:
        print(f"\nprojection for 50,000 submissions, from the largest run: one shard grades {per_shard_rate:.1f} "
              f"submissions/s on {max(1, args.workers // args.shards)} core(s); assumed: each shard on its own "
              "machine like this one, throughput flat as measured, plus about 60 s per CI job to install the kit")
        for shards in (1, 10, 20, 50, 100, 256):
            minutes = (50_000 / shards / per_shard_rate + 60) / 60
            print(f"  {shards:>4} shards: {minutes:7.1f} min")


if __name__ == "__main__":
    main()
