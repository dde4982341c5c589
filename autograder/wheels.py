"""Wheels built with pip from a copy of project folders, so the checkout is never written."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from autograder.errors import ConfigError

_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "build", "*.egg-info")


def build_wheel(parts: Sequence[Path], out_dir: Path, distribution: str) -> Path:
    """The wheel of the project made of ``parts`` (folders and files copied side by side, its
    ``pyproject.toml`` among them), written into ``out_dir``; its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"{distribution}-") as scratch:
        project = Path(scratch) / "project"
        project.mkdir()
        skipped = _IGNORE("", [part.name for part in parts])
        for part in (p for p in parts if p.name not in skipped):
            if part.is_dir():
                shutil.copytree(part, project / part.name, ignore=_IGNORE)
            else:
                shutil.copy(part, project / part.name)
        done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                               "--quiet", "--wheel-dir", str(out_dir), str(project)],
                              capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise ConfigError(f"building the {distribution} wheel failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    wheels = sorted(out_dir.glob(f"{distribution}-*.whl"), key=lambda p: p.stat().st_mtime)
    if not wheels:
        raise ConfigError(f"pip wrote no {distribution} wheel into {out_dir}")
    return wheels[-1]
