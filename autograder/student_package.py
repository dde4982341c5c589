"""Build the student package (``source_lib/``, distribution ``zeroinit-student``) as a wheel.

The wheel is what a student installs next to the released notebook: the self-check,
the data generators, the plots, the public check data and the judging engine, with no
solution, declaration, seed or hidden case (those live in ``solutions/``). It is built
from a copy of the folder, so the checkout is never written to.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.errors import ConfigError

SOURCE = Path(__file__).resolve().parent.parent / "source_lib"
DISTRIBUTION = "zeroinit_student"


def build_wheel(out_dir: Path, source: Path = SOURCE) -> Path:
    """Build the wheel into ``out_dir``; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zeroinit-student-") as scratch:
        copy = Path(scratch) / "source_lib"
        shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info"))
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                               "--quiet", "--wheel-dir", str(out_dir), str(copy)],
                              capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise ConfigError(f"building the student package failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    wheels = sorted(out_dir.glob(f"{DISTRIBUTION}-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise ConfigError(f"pip wrote no {DISTRIBUTION} wheel into {out_dir}")
    return wheels[-1]
