"""Run notebook code cells, in order, in one namespace that plays ``__main__``.

Each cell is compiled on its own; any ``BaseException`` (``SystemExit`` and
``KeyboardInterrupt`` included) becomes an error record and the next cell still
runs, so ``sys.exit(0)`` cannot skip the rest of a notebook. This is the only
module of the project that calls ``exec``/``compile``.
"""

from __future__ import annotations

import builtins
import importlib
import io
import os
import platform
import sys
import types
import warnings
from typing import Any

from source_lib import wire
from source_lib.export import clean_text, type_name

_TransformerManager: Any
try:  # preloaded by the worker; optional so a minimal environment still runs plain cells
    from IPython.core.inputtransformer2 import TransformerManager as _TransformerManager
except Exception:  # noqa: BLE001 - any import failure just disables %magic support
    _TransformerManager = None

MESSAGE_CHARS = 500
# Cell magics whose body is ordinary code in a notebook; running it keeps the
# functions a student defines under ``%%time`` instead of silently dropping them.
_BODY_MAGICS = frozenset({"time", "timeit", "capture"})

_transformer: Any = None


def prepare() -> None:
    """Warm what cells need (called once in the worker, before any fork)."""
    global _transformer
    if _TransformerManager is not None and _transformer is None:
        _transformer = _TransformerManager()
        _transformer.transform_cell("%matplotlib inline\n")
    # plt.show() under Agg only warns; the warning would clutter every report.
    warnings.filterwarnings("ignore", message=".*non-interactive.*")


def preload(names: list[str]) -> tuple[list[str], dict[str, str]]:
    """Import each module once; a missing one is reported, not fatal."""
    loaded, missing = [], {}
    for name in names:
        try:
            if name.startswith("matplotlib"):
                import matplotlib
                matplotlib.use("Agg")
            importlib.import_module(name)
            loaded.append(name)
        except Exception as exc:  # noqa: BLE001 - any failure only means "not preloaded"
            missing[name] = f"{type(exc).__name__}: {exc}"[:300]
    return loaded, missing


def warm(libraries: bool = True) -> None:
    """Pay one-off costs (font cache, printers, transformers) before the zygote forks.

    ``libraries=False`` skips a figure and a derivation (about 0.2 s): each job then pays its share.
    """
    prepare()
    if not libraries:
        return
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        fig, ax = pyplot.subplots(figsize=(1, 1))
        ax.plot([0, 1], [0, 1])
        ax.set_title("warm")
        fig.savefig(io.BytesIO(), format="png")
        pyplot.close("all")
    if "sympy" in sys.modules:
        _warm_sympy(sys.modules["sympy"])
    if "numpy" in sys.modules:
        importlib.import_module("numpy.random")  # numpy imports it lazily, on a job's first np.random


def _warm_sympy(sympy: Any) -> None:
    """A derivation of the usual shape, so every job inherits sympy's caches of assumptions and rules.

    Symbols with assumptions, indexed data, a Sum, exp and log, diff, subs and simplify are what a
    notebook's first sympy cell pays for otherwise (about 30 ms per job)."""
    w = sympy.Symbol("w", real=True)
    size = sympy.Symbol("n", integer=True, positive=True)
    k = sympy.Symbol("k", integer=True, positive=True)
    data = sympy.IndexedBase("d")
    mean = sympy.Sum(sympy.log(1 + sympy.exp(-w * data[k])) + (w * data[k] - 1) ** 2, (k, 1, size)) / size
    sympy.sstr(sympy.simplify(sympy.diff(mean, w).subs({w: 0})))


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in ("numpy", "sympy", "matplotlib"):
        if name in sys.modules:
            found[name] = str(getattr(sys.modules[name], "__version__", "?"))
    return found


def adopt_stdio() -> None:
    """Fresh std streams on fds 0-2: ``input()`` meets EOF, prints go out unbuffered.

    write_through on a writer that loops until everything is written: nothing
    printed is lost when the job ends with ``os._exit``.
    """
    streams = {"stdout": _text_stream(1), "stderr": _text_stream(2),
               "stdin": io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")}
    for name, stream in streams.items():  # the __std*__ originals too: a cell may restore them
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


class _FdWriter(io.RawIOBase):
    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        total = len(view)
        while view:
            view = view[os.write(self._fd, view):]
        return total


def _text_stream(fd: int) -> io.TextIOWrapper:
    return io.TextIOWrapper(_FdWriter(fd), encoding="utf-8",  # type: ignore[arg-type]
                            errors="backslashreplace", line_buffering=True, write_through=True)


def display(*objs: Any, **kwargs: Any) -> None:
    """Stand-in for IPython's ``display``: rich output has no audience here."""


class ShellStub:
    """The minimal ``get_ipython()`` object: magics and shell escapes do nothing."""

    def __init__(self, notebook: Notebook) -> None:
        self._notebook = notebook
        self.user_ns = notebook.ns

    def run_line_magic(self, name: str, line: str, *args: Any) -> None:
        if name in _BODY_MAGICS:
            self._notebook.exec_body(line, 0)

    def run_cell_magic(self, name: str, line: str, cell: str, *args: Any) -> None:
        if name in _BODY_MAGICS:
            self._notebook.exec_body(cell, 1)  # the body starts on the cell's 2nd line

    def system(self, cmd: str, *args: Any) -> None:
        return None

    def getoutput(self, cmd: str, *args: Any) -> list[str]:
        return []

    def magic(self, line: str) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _NoOp()


class _NoOp:
    """Absorbs calls like ``get_ipython().events.register(...)``."""

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        return None

    def __getattr__(self, name: str) -> _NoOp:
        if name.startswith("__"):
            raise AttributeError(name)
        return self


class Notebook:
    """One namespace registered as ``sys.modules["__main__"]``."""

    def __init__(self, base: dict[str, Any] | None = None) -> None:
        self.module = types.ModuleType("__main__")
        self.ns: dict[str, Any] = self.module.__dict__
        if base is not None:
            self.ns.update(base)  # a shallow copy, as variants expect
        self.ns["__name__"] = "__main__"
        self.ns["__builtins__"] = builtins
        shell = ShellStub(self)
        self.ns["get_ipython"] = lambda: shell
        self.ns["display"] = display
        self.cell: int = -1
        self.activate()

    def activate(self) -> types.ModuleType | None:
        """Make this namespace ``__main__``; return what was there before."""
        previous = sys.modules.get("__main__")
        sys.modules["__main__"] = self.module
        return previous

    def fork(self) -> Notebook:
        """A shallow copy of the namespace, for one variant (and made ``__main__``)."""
        return Notebook(dict(self.ns))

    def run_cell(self, index: int, source: str) -> wire.CellRecord:
        """Run one cell; return its record. Never raises."""
        self.cell = index
        error = None
        try:
            code = compile(_transform(source), _filename(index), "exec")
            exec(code, self.ns)  # noqa: S102 - running the student's notebook is the point
        except BaseException as exc:  # noqa: BLE001 - SystemExit/KeyboardInterrupt too
            error = error_info(exc, index)
        finally:
            _close_figures()
        status = wire.CellStatus.OK if error is None else wire.CellStatus.ERROR
        return {"r": "cell", "index": index, "status": status.value, "error": error}

    def exec_body(self, source: str, first_line: int) -> None:
        """Run a magic's body in this namespace, keeping the cell's line numbers."""
        code = compile("\n" * first_line + source, _filename(self.cell), "exec")
        exec(code, self.ns)  # noqa: S102


def error_info(exc: BaseException, cell: int | None) -> wire.Error:
    """An Error object for the wire: type, message, and the line in the cell if known."""
    return {"type": type_name(type(exc)), "message": message(exc), "cell": cell,
            "line": _cell_line(exc, cell)}


def message(exc: BaseException) -> str:
    """``str(exc)`` cut to MESSAGE_CHARS; a hostile ``__str__`` cannot break reporting."""
    try:
        text = str(exc)
        if type(text) is not str:
            raise TypeError
    except BaseException:  # noqa: BLE001
        return "<unprintable exception>"
    return clean_text(text[:MESSAGE_CHARS])


def _filename(index: int) -> str:
    return f"<cell {index}>"


def _cell_line(exc: BaseException, cell: int | None) -> int | None:
    if cell is None:
        return None
    name = _filename(cell)
    if isinstance(exc, SyntaxError) and exc.filename == name and type(exc.lineno) is int:
        return exc.lineno
    line = None
    tb = exc.__traceback__
    while tb is not None:  # the innermost frame of this cell wins
        if tb.tb_frame.f_code.co_filename == name:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _needs_ipython(source: str) -> bool:
    stripped = source.lstrip()
    if stripped.startswith("%%"):
        return True
    return any(line.lstrip().startswith(("%", "!")) for line in source.splitlines())


def _transform(source: str) -> str:
    if not _needs_ipython(source):
        return source
    if _transformer is not None:
        return str(_transformer.transform_cell(source))
    return _strip_magics(source)


def _strip_magics(source: str) -> str:
    """Without IPython: keep bodies of harmless cell magics, turn magic lines into ``pass``."""
    lines = source.splitlines()
    first = lines[0].lstrip() if lines else ""
    if first.startswith("%%"):
        name = first[2:].split(" ", 1)[0]
        lines = [""] + lines[1:] if name in _BODY_MAGICS else []
    out = []
    for line in lines:
        body = line.lstrip()
        out.append(line[: len(line) - len(body)] + "pass" if body.startswith(("%", "!")) else line)
    return "\n".join(out) + "\n"


def _close_figures() -> None:
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is None:
        return
    try:
        pyplot.close("all")
    except BaseException:  # noqa: BLE001 - a broken pyplot must not stop the notebook
        pass
