"""Each batch's output folder holds that batch only: built aside, then put in place whole.

``replaced_output(out)`` hands out an empty staging folder; once the batch has written every
report there (with or without fsync: the file system is synced once before the swap), the
staging folder takes the place of ``out`` (the previous output, if any, goes). Readers see the
previous batch or the new one, never a mix, and no student of an earlier batch lingers; a batch
that fails or is interrupted leaves ``out`` as it was.

The staging folder is a hidden sibling of ``out`` (same file system: the swap is two
renames). When ``out`` is a mount point or its parent is read-only, it is a hidden
folder inside ``out`` instead, and the entries are replaced one by one.

Only a folder that is absent, empty, or a previous output (``students/<id>/`` with
``results.json`` and ``feedback.html``, ``grades.csv``, ``junit.xml``, the class report's files,
and the files desktops leave, such as ``.DS_Store``) is replaced: anything else is refused before
grading. Should a stranger appear in it while the batch runs, what holds it is kept
under a ``.kept-`` name (and said in the notes), never deleted.

Given a ``stamp`` (the batch's settings, as JSON data), a batch that fails or is interrupted
keeps what it had written as ``.<out>.partial`` (``.autograder-partial`` inside ``out`` when
staging inside): ``resume=True`` then carries on in that folder, provided the stamp is the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

from autograder.errors import ConfigError
from autograder.report.bundle import BATCH_FILES, CLASS_FILES, STUDENT_FILES, STUDENTS
from autograder.report.write import sync_filesystem, write_text

STAMP = ".batch-settings.json"  # in a staging folder only: what a --resume must match
_STAGING = re.compile(r"\.autograder-(?:(?:new|old)-[0-9a-f]{12}|partial)")  # ours, inside an ``out`` that cannot move
_OUR_FILES = "|".join(re.escape(name) for name in (*BATCH_FILES, *CLASS_FILES, *STUDENT_FILES))
_PARTIAL = re.compile(rf"\.(?:{_OUR_FILES})\.\w+\.tmp")  # write.write_bytes's, left by a killed batch
_DESKTOP = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})  # a file browser's, not a person's


@contextlib.contextmanager
def replaced_output(out: Path, notes: list[str] | None = None, stamp: dict[str, object] | None = None,
                    resume: bool = False) -> Iterator[Path]:
    """A fresh folder to write the batch into; it becomes ``out`` when the block succeeds.

    ``notes`` receives a sentence for anything kept aside instead of being replaced. With a
    ``stamp``, a block that fails keeps the folder as ``partial_folder(out)``, and ``resume``
    hands out that folder again (ConfigError when it was written with another stamp).
    """
    target = Path(out).resolve()
    refuse_foreign(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    inside = _stage_inside(target)
    partial = partial_folder(target)
    staging = _resumed(partial, stamp, notes) if resume else None
    if staging is None:
        staging = _fresh_dir(target if inside else target.parent, _prefix(target, inside, "new"))
    kept: list[Path] = []
    keep = False
    try:
        if target.is_dir():
            os.chmod(staging, stat.S_IMODE(target.stat().st_mode))
        if stamp is not None:
            write_text(staging / STAMP, json.dumps(stamp, sort_keys=True))
        yield staging
        (staging / STAMP).unlink(missing_ok=True)
        sync_filesystem(staging)  # what was written without fsync is durable before it goes in place
        if inside:
            _replace_entries(staging, target, kept)
        else:
            _swap(staging, target, kept)
    except BaseException:
        keep = stamp is not None and (staging / STUDENTS).is_dir()
        if keep and staging != partial:  # what was graded so far waits for --resume
            shutil.rmtree(partial, ignore_errors=True)
            os.rename(staging, partial)
        raise
    finally:
        if not keep:
            shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(partial, ignore_errors=True)  # an older interrupted batch is superseded
    if notes is not None:
        notes.extend(f"{path} held files the grader did not write while the batch ran; it was kept "
                     "there instead of being replaced" for path in kept)


def partial_folder(out: Path) -> Path:
    """Where an interrupted batch of ``out`` keeps what it had graded."""
    target = Path(out).resolve()
    return target / ".autograder-partial" if _stage_inside(target) else target.parent / f".{target.name}.partial"


def _resumed(partial: Path, stamp: dict[str, object] | None, notes: list[str] | None) -> Path | None:
    """The interrupted batch's folder to carry on in, or None (noted) when there is none."""
    if not _real_dir(partial):
        if notes is not None:
            notes.append("--resume: no interrupted batch to resume; every submission was graded")
        return None
    try:
        earlier = json.loads((partial / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        earlier = None
    expected = json.loads(json.dumps(stamp or {}))  # as the file holds it: lists, not tuples
    if earlier != expected:
        changed = sorted(k for k in {*earlier, *expected} if earlier.get(k) != expected.get(k)) \
            if isinstance(earlier, dict) else ["unreadable"]
        raise ConfigError(f"--resume: the interrupted batch in {partial} was graded with other settings "
                          f"({', '.join(changed)}); run again without --resume to start over")
    return partial


def refuse_foreign(target: Path) -> None:
    """Raise ConfigError unless ``target`` is absent, empty or a previous output."""
    if not target.exists() and not target.is_symlink():
        return
    if not target.is_dir():
        raise ConfigError(f"--out {target} is a file, not a folder")
    found = foreign_entry(target)
    if found is not None:
        raise ConfigError(
            f"--out {target} holds files that are not reports of a previous batch "
            f"(for example {found}); a batch replaces its output folder as a whole, so choose "
            "a new or empty folder, or one a previous batch wrote")


def foreign_entry(folder: Path) -> Path | None:
    """The first entry under ``folder`` a batch never writes, or None."""
    for entry in sorted(folder.iterdir()):
        if entry.name == STUDENTS and _real_dir(entry):
            found = _foreign_in_students(entry)
            if found is not None:
                return found
        elif not _ours_at_top(entry):
            return entry
    return None


def _foreign_in_students(folder: Path) -> Path | None:
    for student in sorted(folder.iterdir()):
        if student.name in _DESKTOP and _real_file(student):
            continue
        if not _real_dir(student):
            return student
        for entry in sorted(student.iterdir()):
            ours = entry.name in STUDENT_FILES or _PARTIAL.fullmatch(entry.name) or entry.name in _DESKTOP
            if not (ours and _real_file(entry)):
                return entry
    return None


def _ours_at_top(entry: Path) -> bool:
    if entry.name in (*BATCH_FILES, *CLASS_FILES) or entry.name in _DESKTOP or _PARTIAL.fullmatch(entry.name):
        return _real_file(entry)
    return bool(_STAGING.fullmatch(entry.name)) and _real_dir(entry)


def _real_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def _real_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _stage_inside(target: Path) -> bool:
    """Whether ``target`` cannot be renamed: a mount point, or a parent we may not write."""
    if not target.is_dir():
        return False
    return os.path.ismount(target) or not os.access(target.parent, os.W_OK | os.X_OK)


def _prefix(target: Path, inside: bool, kind: str) -> str:
    return f".autograder-{kind}-" if inside else f".{target.name}.{kind}-"


def _fresh_name(parent: Path, prefix: str) -> Path:
    return parent / f"{prefix}{secrets.token_hex(6)}"


def _fresh_dir(parent: Path, prefix: str) -> Path:
    """A new folder with a random name (the umask applies, unlike ``mkdtemp``'s 0700)."""
    while True:
        path = _fresh_name(parent, prefix)
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _swap(staging: Path, target: Path, kept: list[Path]) -> None:
    """``target`` becomes ``staging``: the old one moves aside, the new one in, the old one goes."""
    if not target.exists():
        os.rename(staging, target)
        return
    if foreign_entry(target) is not None:  # a stranger arrived while the batch ran: keep it all
        kept.append(_fresh_name(target.parent, f"{target.name}.kept-"))
        os.rename(target, kept[-1])
        os.rename(staging, target)
        return
    trash = _fresh_dir(target.parent, _prefix(target, False, "old"))
    try:
        os.rename(target, trash / target.name)
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(trash / target.name, target)  # put the previous output back
            raise
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _replace_entries(staging: Path, target: Path, kept: list[Path]) -> None:
    """For an ``out`` that cannot move: remove the previous reports, move the new ones in."""
    for entry in sorted(target.iterdir()):
        if entry == staging:
            continue
        if _ours_at_top(entry) and _real_file(entry):
            entry.unlink()
        elif _ours_at_top(entry) or entry.name == STUDENTS and _real_dir(entry) and not _foreign_in_students(entry):
            shutil.rmtree(entry)
        else:  # a stranger arrived while the batch ran: keep it
            kept.append(_fresh_name(target, f"{entry.name}.kept-"))
            os.rename(entry, kept[-1])
    for entry in staging.iterdir():
        os.rename(entry, target / entry.name)
