"""The job's private filesystem view: which host paths it shows (planned at worker start)
and the read-only root built from them in the job process (mounts, then pivot_root).

The same paths are what Landlock lets a job read at level "process". Nothing secret
lives in them: the solutions and the declarations are in the course's ``solutions/``.
"""

from __future__ import annotations

import ctypes
import os
import platform
import stat
import sys
from typing import TYPE_CHECKING, Any

from autograder.sandbox.libc import check, libc

if TYPE_CHECKING:  # confine imports this module at run time; the plan is only a type here
    from autograder.sandbox.confine import Plan

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
MNT_DETACH = 2
DEVICES = ("/dev/null", "/dev/zero", "/dev/urandom", "/dev/random")  # what a job may open
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}

# ---------------------------------------------------------------- what the root shows

def module_dirs() -> list[str]:
    """Directories (or files) of imported top-level packages living outside the prefixes.

    Only the package directory itself is shown, never its parent: an editable
    install's checkout also holds the solutions, which must stay invisible.
    """
    prefixes = {os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)}
    found = []
    for name, module in list(sys.modules.items()):
        if "." in name or module is None or name == "__main__":
            continue
        for path in _module_paths(module):
            real = os.path.realpath(path)
            if not any(_under(real, p) for p in prefixes) and os.path.exists(real):
                found.append(real)
    return found


def unreachable_paths() -> list[str]:
    """Interpreter and package paths another uid could not read (host view, level "process")."""
    return [p for p in (sys.base_prefix, sys.prefix, *module_dirs()) if not world_reachable(p)]


def world_reachable(path: str) -> bool:
    """Whether any uid may traverse to ``path`` and read it (directories also o+x)."""
    current = "/"
    for part in [p for p in os.path.realpath(path).split("/") if p]:
        if not os.stat(current).st_mode & stat.S_IXOTH:
            return False
        current = os.path.join(current, part)
    mode = os.stat(current).st_mode
    return bool(mode & stat.S_IROTH) and (not stat.S_ISDIR(mode) or bool(mode & stat.S_IXOTH))


def _module_paths(module: Any) -> list[str]:
    paths = getattr(module, "__path__", None)
    if paths is not None:
        return [p for p in list(paths) if isinstance(p, str) and os.path.isabs(p)]
    file = getattr(module, "__file__", None)
    return [file] if isinstance(file, str) and os.path.isabs(file) else []


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def outermost(paths: list[str]) -> tuple[str, ...]:
    """Drop duplicates and paths already inside another one; parents first."""
    result: list[str] = []
    for path in sorted(set(paths), key=lambda p: (p.count("/"), p)):
        if not any(_under(path, kept) for kept in result):
            result.append(path)
    return tuple(result)


# ---------------------------------------------------------------- building it (job process)

def build_root(plan: Plan, scratch_bytes: int) -> None:
    """tmpfs root with read-only binds, devices, proc and a scratch /tmp; then pivot_root."""
    root = plan.mountpoint
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we do may leak to the host
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    os.umask(0o022)  # intermediate directories 0755: reachable even where the host has 0700
    owner = plan.uid
    _mkdirs(root, "/tmp")
    # Scratch first: a prefix under /tmp (a venv, say) is then bound inside it.
    _mount("tmpfs", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
           f"size={scratch_bytes},mode=0700,uid={owner},gid={owner}")
    for path in plan.binds:
        _bind(path, root + path, read_only=True)
    for device in DEVICES:
        if os.path.exists(device):
            _bind(device, root + device, read_only=False)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    _mkdirs(root, "/proc")
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _bind(root + "/proc/sys", root + "/proc/sys", read_only=True)
    for path, target in plan.links:
        if not os.path.lexists(root + path):
            os.symlink(target, root + path)
    _pivot(root)


def _mkdirs(root: str, path: str) -> None:
    """Create ``root + path`` without ever following a symlink (it could lead to the host)."""
    current = root
    for part in path.strip("/").split("/"):
        current = f"{current}/{part}"
        try:
            os.mkdir(current, 0o755)
        except FileExistsError:
            if os.path.islink(current):
                raise OSError(f"refusing to create {path} through a symlink") from None


def _bind(source: str, target: str, *, read_only: bool) -> None:
    if os.path.isdir(source):
        _mkdirs("", target)
    else:
        _mkdirs("", os.path.dirname(target))
        if not os.path.exists(target):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW, 0o644))
    _mount(source, target, None, MS_BIND | MS_REC)
    base = MS_BIND | MS_REMOUNT | MS_NOSUID | (MS_RDONLY if read_only else 0)
    for point in [target, *_submounts(target)]:
        # Flags the kernel locked on the source must be repeated, or remount fails in a userns.
        _mount(None, point, None, base | _locked_flags(point) | (0 if read_only else MS_NOEXEC))


def _locked_flags(path: str) -> int:
    flags = os.statvfs(path).f_flag
    result = flags & (MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME)
    return result | (MS_RELATIME if flags & 4096 else 0)  # ST_RELATIME differs from MS_RELATIME


def _submounts(target: str) -> list[str]:
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as info:
        for line in info:
            point = _unescape(line.split(" ")[4])
            if point.startswith(target.rstrip("/") + "/"):
                points.append(point)
    return points


def _unescape(field: str) -> str:
    return field.encode().decode("unicode_escape") if "\\" in field else field


def _pivot(root: str) -> None:
    os.chdir(root)
    number = _PIVOT_ROOT.get(platform.machine())
    if number is not None:
        os.mkdir(".oldroot", 0o700)
        check(libc.syscall(ctypes.c_long(number), b".", b".oldroot"), "pivot_root")
        os.chdir("/")
        check(libc.umount2(b"/.oldroot", MNT_DETACH), "umount old root")
        os.rmdir("/.oldroot")
    else:  # unknown architecture: chroot is weaker (the old root stays mounted) but still private
        os.chroot(".")
        os.chdir("/")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    def enc(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None
    check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)),
           f"mount {target}")

