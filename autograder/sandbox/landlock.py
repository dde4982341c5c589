"""Landlock (Linux >= 5.13): an unprivileged allow-list of what a job may touch.

Used at level "process", where a job shares the host's file system. Once applied,
the job reads only the paths it was given (interpreter, libraries, the worker's
own modules), writes only its scratch directory, and, where the kernel's ABI has
them, connects and binds no TCP port (ABI 4) and signals no process outside its
own domain (ABI 6). Every restriction is inherited by whatever the job starts.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterable
from dataclasses import dataclass

from autograder.sandbox.libc import check, libc

# The landlock system calls have the same numbers on every architecture.
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
TRUNCATE, IOCTL_DEV = 1 << 14, 1 << 15
_FS_RIGHTS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 4: (1 << 15) - 1}
_ALL_FS_RIGHTS = (1 << 16) - 1  # ABI 5 and later
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV  # the rest apply to dirs
READ = EXECUTE | READ_FILE | READ_DIR
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    version = libc.syscall(ctypes.c_long(_CREATE_RULESET), None, ctypes.c_size_t(0),
                           ctypes.c_long(_CREATE_RULESET_VERSION))
    return max(0, int(version))


def describe(abi: int) -> str:
    """What applying a ruleset at ``abi`` restricts, for the isolation report."""
    if abi <= 0:
        return "none"
    parts = ["read: interpreter, libraries, sandbox modules", "write: scratch only"]
    if abi >= 4:
        parts.append("no TCP")
    if abi >= 6:
        parts.append("no signals outside the job")
    return f"Landlock ABI {abi} ({'; '.join(parts)})"


@dataclass(frozen=True)
class Ruleset:
    """A prepared (not yet enforced) ruleset: a file descriptor of the kernel's."""

    fd: int
    abi: int


def prepare(abi: int, readable: Iterable[str], writable: Iterable[str]) -> Ruleset:
    """Build a ruleset that allows reading ``readable`` and everything in ``writable``.

    Called before privileges are dropped, so every path can still be opened; paths
    that do not exist are skipped. Raises OSError when the kernel refuses.
    """
    handled = _FS_RIGHTS_BY_ABI.get(abi, _ALL_FS_RIGHTS)
    attr = _RulesetAttr(handled, _NET_BIND_TCP | _NET_CONNECT_TCP if abi >= 4 else 0,
                        _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(ctypes.c_uint64) * (1 if abi < 4 else 2 if abi < 6 else 3)
    fd = libc.syscall(ctypes.c_long(_CREATE_RULESET), ctypes.byref(attr), ctypes.c_size_t(size),
                      ctypes.c_long(0))
    if fd < 0:
        check(-1, "landlock_create_ruleset")
    try:
        for path in readable:
            _allow(fd, path, READ & handled)
        for path in writable:
            _allow(fd, path, handled)
    except OSError:
        os.close(fd)
        raise
    return Ruleset(fd, abi)


def enforce(ruleset: Ruleset) -> None:
    """Restrict this process (and its future children) to the ruleset; needs no_new_privs."""
    try:
        check(libc.syscall(ctypes.c_long(_RESTRICT_SELF), ctypes.c_long(ruleset.fd),
                           ctypes.c_long(0)), "landlock_restrict_self")
    finally:
        os.close(ruleset.fd)


def _allow(ruleset_fd: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except FileNotFoundError:
        return
    try:
        if not os.path.isdir(f"/proc/self/fd/{fd}"):
            rights &= _FILE_RIGHTS
        attr = _PathBeneathAttr(rights, fd)
        check(libc.syscall(ctypes.c_long(_ADD_RULE), ctypes.c_long(ruleset_fd),
                           ctypes.c_long(_RULE_PATH_BENEATH), ctypes.byref(attr), ctypes.c_long(0)),
              f"landlock_add_rule {path}")
    finally:
        os.close(fd)
