"""The autograder zip a Gradescope course uploads: ``setup.sh`` and ``run_autograder`` at its root.

Gradescope unpacks it into ``/autograder/source`` on its default image (Ubuntu 22.04, Python 3.10,
768 MB, half a CPU) and runs ``setup.sh`` once, as root, with network. The zip holds:

* ``setup.sh``: a virtual environment in ``/opt/zeroinit`` that every user can read (the sandbox
  runs students' code as an unprivileged uid), the core dependencies pinned for the image's
  Python (``requirements.txt``), the kit's wheel, then ``/autograder/source`` made root-only;
* ``run_autograder``: ``autograder gradescope-run``, and a ``results.json`` written by the
  script itself should Python fail to leave one (a student always gets a valid result);
* ``course/``: the declaration, source notebook and release of the assignment (and the shared
  declaration modules beside it), ``gradescope.json`` (the assignment and its limits) and
  ``hidden_seed``, a fresh secret seed for the hidden cases: Gradescope's containers refuse
  namespaces, so the sandbox runs at level ``process``, where a default seed would be readable.
"""

from __future__ import annotations

import io
import json
import secrets
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.config import CourseLayout
from autograder.errors import ConfigError
from autograder.late import LatePolicy
from autograder.report.write import write_bytes
from autograder.wheels import build_wheel

CORE_REQUIREMENTS = ("numpy>=1.24", "sympy>=1.12", "matplotlib>=3.7", "nbformat>=5.9")
TARGET_PYTHON = "3.10"                      # Gradescope's default image: Ubuntu 22.04
TARGET_PLATFORM = "manylinux2014_x86_64"
SETTINGS = "gradescope.json"
SEED_FILE = "hidden_seed"
LIMITS = {"workers": 1, "memory_mb": 600, "timeout": 300.0}  # for 0.5 CPU and 768 MB
_KIT = Path(__file__).resolve().parents[2]
_EXECUTABLE = stat.S_IFREG | 0o755
_READABLE = stat.S_IFREG | 0o644

Resolver = Callable[[Sequence[str], str, str], list[str]]


@dataclass(frozen=True)
class GradescopeZip:
    """What was written: the zip, its members and its size."""

    path: Path
    members: tuple[str, ...]
    size: int
    requirements: tuple[str, ...]


def resolve_pins(requirements: Sequence[str], python: str, platform: str) -> list[str]:
    """Exact versions of ``requirements`` and all they need, as pip resolves them for the target image."""
    with tempfile.TemporaryDirectory(prefix="zeroinit-pins-") as scratch:
        report = Path(scratch) / "report.json"
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed",
                               "--quiet", "--disable-pip-version-check", "--only-binary=:all:",
                               "--python-version", python, "--platform", platform, "--target",
                               str(Path(scratch) / "target"), "--report", str(report), *requirements],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0 or not report.is_file():
            raise ConfigError(f"could not resolve the dependencies for Python {python} on {platform} "
                              f"(pip needs network here):\n{done.stderr[-2000:]}")
        installed = json.loads(report.read_text(encoding="utf-8"))["install"]
    return sorted(f"{item['metadata']['name']}=={item['metadata']['version']}" for item in installed)


def build_zip(assignment: str, layout: CourseLayout, out: Path, resolve: Resolver = resolve_pins,
              python: str = TARGET_PYTHON, platform: str = TARGET_PLATFORM, late_policy: str = "none") -> GradescopeZip:
    """Write the autograder zip of ``assignment`` to ``out`` (replaced atomically)."""
    LatePolicy.parse(late_policy)  # refused here, not on Gradescope
    course = _course_files(assignment, layout)
    pins = resolve(CORE_REQUIREMENTS, python, platform)
    settings = {"assignment": assignment, **LIMITS, "late_policy": late_policy}
    with tempfile.TemporaryDirectory(prefix="zeroinit-gradescope-") as scratch:
        wheel = build_wheel([_KIT / n for n in ("autograder", "source_lib", "pyproject.toml", "README.md")],
                            Path(scratch), "zeroinit_kit")
        entries: list[tuple[str, bytes, int]] = [
            ("setup.sh", _script("setup.sh"), _EXECUTABLE),
            ("run_autograder", _script("run_autograder"), _EXECUTABLE),
            ("requirements.txt", ("\n".join(pins) + "\n").encode(), _READABLE),
            (f"wheels/{wheel.name}", wheel.read_bytes(), _READABLE),
            (f"course/{SETTINGS}", (json.dumps(settings, indent=2) + "\n").encode(), _READABLE),
            (f"course/{SEED_FILE}", f"{secrets.randbelow(2**31 - 1) + 1}\n".encode(), _READABLE),
            *((f"course/{name}", path.read_bytes(), _READABLE) for name, path in course),
        ]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = mode << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    write_bytes(out, packed.getvalue())
    return GradescopeZip(out, tuple(name for name, _, _ in entries), out.stat().st_size, tuple(pins))


def _course_files(assignment: str, layout: CourseLayout) -> list[tuple[str, Path]]:
    """The declarations (this one and the shared modules beside it), the source notebook and the release."""
    source, release = layout.solution(assignment), layout.release(assignment)
    for path in (source, release, layout.solutions / f"{assignment}.py"):
        if not path.is_file():
            raise ConfigError(f"{path}: missing; the zip needs the assignment's declaration, source and release")
    others = [p for p in sorted(layout.solutions.glob("*.py")) if not _declares_another(p, assignment, layout)]
    return ([(f"solutions/{p.name}", p) for p in others]
            + [(f"solutions/{source.name}", source), (f"assignments/{release.name}", release)])


def _declares_another(path: Path, assignment: str, layout: CourseLayout) -> bool:
    """Another assignment's declaration (it has a source notebook beside it): not shipped."""
    return path.stem != assignment and layout.solution(path.stem).is_file()


def _script(name: str) -> bytes:
    """A shell script of ``platforms/gradescope_scripts``, with LF line ends whatever the checkout has."""
    text = (Path(__file__).parent / "gradescope_scripts" / name).read_text(encoding="utf-8")
    return text.replace("\r\n", "\n").encode()
