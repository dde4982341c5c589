#!/usr/bin/env python3
"""One-command tasks for a fresh checkout; needs only Python 3.10+.

    python3 kit.py demo     grade the bundled sample submissions of every assignment: a table and
                            demo-reports/<assignment>/ for each
    python3 kit.py test     run the whole test suite (add --fast to skip the slow end-to-end cases)
    python3 kit.py bench    grade 50 submissions of each assignment with the autograder and with
                            nbgrader, side by side (--assignment NAME for one)
    python3 kit.py bench scale   100, 1,000 and 10,000 submissions, unsharded and in shards: throughput,
                            peak memory, nbgrader on the first 100, a projection for 50,000
    python3 kit.py bench floor   a diverse class against bare execution of the same notebooks
    python3 kit.py bench similarity   `autograder similarity` on 1,000 notebooks: its time, and where
                            planted copies rank

Each task first creates ./.venv and installs the project into it (once; again
only when pyproject.toml changes).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
STAMP = VENV / ".zeroinit-installed"


def ensure_environment() -> None:
    """Create the virtual environment and install the project when needed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PYTHON.exists():
        return
    if not PYTHON.exists():
        print(f"kit: creating {VENV.relative_to(ROOT)} ...", flush=True)
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except Exception as exc:  # e.g. Debian's python3 without the venv/ensurepip package
            sys.exit(f"kit: cannot create a virtual environment ({exc}).\n"
                     "     On Debian/Ubuntu install it with: sudo apt-get install python3-venv")
    print("kit: installing zeroinit-kit and its dependencies (first run takes a minute) ...", flush=True)
    done = subprocess.run([str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check",
                           "--editable", f"{ROOT}[nbgrader,test]"], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"kit: pip install failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    STAMP.write_text(wanted)


def run(command: list[str]) -> None:
    code = subprocess.call(command, cwd=ROOT)
    if code != 0:
        sys.exit(code)


def demo_batches() -> list[tuple[str, Path, Path]]:
    """(assignment, its samples folder, its report folder) for every assignment with bundled samples."""
    samples = ROOT / "assignments" / "samples"
    names = sorted(p.name for p in samples.iterdir() if p.is_dir()) if samples.is_dir() else []
    return [(name, samples / name, ROOT / "demo-reports" / name) for name in names]


def demo() -> None:
    batches = demo_batches()
    if not batches:
        sys.exit("kit: no sample submissions in assignments/samples/<assignment>/")
    failed = []
    for name, samples, out in batches:
        print(f"\nkit: {name}: grading the sample submissions in {samples.relative_to(ROOT)} ...", flush=True)
        code = subprocess.call([str(BIN / "autograder"), "grade", name, str(samples), "--out", str(out)], cwd=ROOT)
        if code != 0:
            failed.append((name, code))
    print("\nkit: open demo-reports/<assignment>/students/<student>/feedback.html to read a student's feedback,\n"
          "     and demo-reports/<assignment>/class.html for what the class got wrong")
    if failed:
        sys.exit(f"kit: grading failed for {', '.join(f'{name} (exit {code})' for name, code in failed)}")


def test(args: list[str]) -> None:
    extra = ["-m", "not slow"] if "--fast" in args else []
    run([str(PYTHON), "-m", "pytest", *extra, *[a for a in args if a != "--fast"]])


# any other first argument: grading_throughput.py
BENCHMARKS = {"scale": "scale.py", "floor": "floor.py", "similarity": "similarity.py"}


def bench(args: list[str]) -> None:
    script = BENCHMARKS.get(args[0], "") if args else ""
    rest = args[1:] if script else args
    run([str(PYTHON), str(ROOT / "benchmarks" / (script or "grading_throughput.py")), *rest])


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("demo", "test", "bench"):
        sys.exit(__doc__)
    ensure_environment()
    task, args = sys.argv[1], sys.argv[2:]
    if task == "demo":
        demo()
    elif task == "test":
        test(args)
    else:
        bench(args)


if __name__ == "__main__":
    main()
