"""Atomic file writes: readers see the old file or the new one, never a partial one.

The data goes to a temporary file in the target's directory, is flushed and
fsynced, then renamed over the target with ``os.replace``. On any error the
temporary file is removed and the old target is left untouched.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, TextIO

_MODE = 0o644


def write_bytes(path: str | os.PathLike[str], data: bytes, durable: bool = True) -> Path:
    """Atomically write ``data`` to ``path``, creating parent directories; return the path.

    ``durable=False`` skips the fsyncs, for files inside a folder that ``sync_filesystem`` makes
    durable as a whole before it is put in place (a batch writes thousands: each fsync costs ms).
    """
    with atomic_file(path, durable) as handle:
        handle.write(data)
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], durable: bool = True) -> Iterator[BinaryIO]:
    """A binary file to write piece by piece; it replaces ``path`` only when the block ends without error.

    For files too large to hold in memory at once (a batch's class files at tens of thousands of students).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fchmod(handle.fileno(), _MODE)
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _sync_directory(target.parent)


@contextlib.contextmanager
def atomic_text(path: str | os.PathLike[str], durable: bool = True) -> Iterator[TextIO]:
    """``atomic_file`` for UTF-8 text, newlines written as given."""
    with atomic_file(path, durable) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
        except BaseException:
            with contextlib.suppress(OSError, ValueError):  # the first error is the one to report
                text.detach()
            raise
        text.detach()  # flushes; the binary file is closed (and renamed) by atomic_file


def write_text(path: str | os.PathLike[str], text: str, durable: bool = True) -> Path:
    """Atomically write ``text`` as UTF-8 to ``path``; return the path."""
    return write_bytes(path, text.encode("utf-8"), durable)


def sync_filesystem(path: Path) -> None:
    """Make every write to the file system holding ``path`` durable (one ``syncfs``, else ``sync``)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        os.sync()
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if not hasattr(libc, "syncfs") or libc.syncfs(fd) != 0:
            os.sync()
    finally:
        os.close(fd)


def _sync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows it (best effort)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
