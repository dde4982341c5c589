"""A Python installation every user can read, for the sandbox's unprivileged paths.

The development interpreter lives under a 0700 home, so a job dropped to an
unprivileged uid could import nothing that was not preloaded. A grading host
should use a world-readable installation; the tests build the smallest one:
a virtual environment of the system's ``/usr/bin/python3`` (Debian's numpy,
sympy and matplotlib, which ``.ci/run`` installs) holding a copy of this
project's two packages, under the test session's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SYSTEM_PYTHON = Path("/usr/bin/python3")
ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("autograder", "source_lib")
NEEDS = "import numpy, sympy, matplotlib"


def unavailable() -> str:
    """Why no readable Python can be built here (empty when it can)."""
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} is missing"
    done = subprocess.run([str(SYSTEM_PYTHON), "-c", NEEDS], capture_output=True, text=True)
    if done.returncode != 0:
        return (f"{SYSTEM_PYTHON} lacks numpy, sympy or matplotlib (on Debian: apt-get install "
                "python3-numpy python3-sympy python3-matplotlib)")
    return ""


@contextmanager
def readable_python(folder: Path) -> Iterator[Path]:
    """A world-readable interpreter in ``folder``; the folders above it are made traversable
    (not listable) for as long as it is used, then restored."""
    opened = _open_path(folder)
    try:
        venv = folder / "venv"
        subprocess.run([str(SYSTEM_PYTHON), "-m", "venv", "--without-pip", "--system-site-packages",
                        str(venv)], check=True, capture_output=True)
        site = next(venv.glob("lib/python3*/site-packages"))
        for package in PACKAGES:
            shutil.copytree(ROOT / package, site / package,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for path in [venv, *venv.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
        yield venv / "bin" / "python"
    finally:
        for path, mode in opened:
            path.chmod(mode)


def _open_path(folder: Path) -> list[tuple[Path, int]]:
    """Give the folders from ``folder`` up to the temporary directory the o+x bit (pytest
    makes them 0700); return the modes to restore. Above it nothing is changed."""
    top = Path(tempfile.gettempdir()).resolve()
    changed = []
    for path in [folder, *folder.parents]:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & stat.S_IXOTH:
            continue
        if top not in path.parents:
            raise PermissionError(f"{path} is not traversable by other users")
        changed.append((path, mode))
        os.chmod(path, mode | stat.S_IXOTH)
    return changed
