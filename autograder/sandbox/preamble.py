"""Warm a worker with the release's set-up cells before its zygote forks.

Every submission starts by running the same public cells (imports, symbols, the cost
expression). Run once here, they leave in sympy's cache the very objects each job's
identical cells build again, with their assumptions already worked out (``settle``), so
no job pays for them. Only the release's cells before its first answer cell come here:
code every student receives, never an answer, a solution or a hidden case. Whatever else
a cell changes (random states, rcParams, warnings, the environment, the directory) is put
back, so a job still starts as a fresh kernel would.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import signal
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from autograder.sandbox import execute

MAX_SECONDS = 10.0     # a slow preamble is cut short: this is warm-up only
MAX_NODES = 20_000     # sub-expressions whose assumptions are settled


class _TooSlow(Exception):
    pass


def run_preamble(cells: list[str], seconds: float = MAX_SECONDS) -> int:
    """Run the set-up cells in a scratch ``__main__`` until one fails or ``seconds`` pass;
    return how many ran."""
    ran = 0
    with _restored_globals():
        notebook = execute.Notebook()  # dropped on return; what sympy's cache holds stays
        try:  # around the deadline too: the alarm may go off while it is being cancelled
            with _deadline(seconds):
                for index, source in enumerate(cells):
                    if notebook.run_cell(index, source)["error"] is not None:
                        break
                    ran += 1
                settle(notebook.ns.values())
        except _TooSlow:
            pass
    return ran


def settle(values: Any) -> None:
    """Ask every assumption of every sympy expression among ``values`` (and of their parts).

    sympy works assumptions out lazily and keeps them on the object; a job whose cells
    rebuild the same expression gets this object back from the cache, facts included.
    """
    sympy, assumptions = sys.modules.get("sympy"), sys.modules.get("sympy.core.assumptions")
    facts = sorted(getattr(assumptions, "_assume_defined", ()))  # every fact sympy can ask
    if sympy is None or not facts:
        return
    nodes = 0
    for value in _expressions(values, sympy.Basic):
        for part in sympy.preorder_traversal(value):
            nodes += 1
            if nodes > MAX_NODES:
                return
            for fact in facts:
                with contextlib.suppress(Exception):
                    getattr(part, f"is_{fact}", None)


def _expressions(values: Any, basic: type) -> Iterator[Any]:
    for value in list(values):
        if isinstance(value, basic):
            yield value
        elif isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, basic))
        elif isinstance(value, dict):
            yield from (v for v in value.values() if isinstance(v, basic))


@contextlib.contextmanager
def _restored_globals() -> Iterator[None]:
    """Put back what set-up code may change and a job must find as a fresh kernel has it."""
    cwd, environ, path = os.getcwd(), dict(os.environ), list(sys.path)
    main = sys.modules.get("__main__")
    state = random.getstate()
    numpy = sys.modules.get("numpy")
    numpy_state = numpy.random.get_state() if numpy is not None else None
    matplotlib = sys.modules.get("matplotlib")
    rc = matplotlib.rc_context() if matplotlib is not None else contextlib.nullcontext()
    try:
        with rc, warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):
            yield
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
        sys.path[:] = path
        if main is not None:
            sys.modules["__main__"] = main
        random.setstate(state)
        if numpy is not None:
            numpy.random.set_state(numpy_state)


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    def expire(signum: int, frame: Any) -> None:
        raise _TooSlow()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
