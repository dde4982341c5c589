"""Build the student package (``source_lib/``, distribution ``zeroinit-student``) as a wheel.

The wheel is what a student installs next to the released notebook: the self-check,
the data generators, the plots, the public check data and the judging engine, with no
solution, declaration, seed or hidden case (those live in ``solutions/``). It is built
from a copy of the folder, so the checkout is never written to.
"""

from __future__ import annotations

from pathlib import Path

from autograder.wheels import build_wheel as wheel_of

SOURCE = Path(__file__).resolve().parent.parent / "source_lib"
DISTRIBUTION = "zeroinit_student"


def build_wheel(out_dir: Path, source: Path = SOURCE) -> Path:
    """Build the wheel into ``out_dir``; return its path."""
    return wheel_of(list(source.iterdir()), out_dir, DISTRIBUTION)
