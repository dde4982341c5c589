"""The declaration's own consistency checks (``Assignment.check``)."""

from __future__ import annotations

import pytest

from source_lib.errors import AssignmentError
from source_lib.judge.spec import Assignment, SymbolicQuestion, Symbols

SYMBOLS = Symbols(reals=("w",), size="m", index="i", indexed=("x",))
FIRST = SymbolicQuestion(id="first", title="first", points=1, variable="first")


def assignment(*questions: SymbolicQuestion) -> Assignment:
    return Assignment(name="toy", title="toy", seed=1, symbols=SYMBOLS, questions=questions)


def test_uses_may_name_an_earlier_question() -> None:
    assignment(FIRST, SymbolicQuestion(id="second", title="s", points=1, variable="second", uses=("first",))).check()


@pytest.mark.parametrize("uses", [("second",), ("nowhere",)], ids=["later", "unknown"])
def test_uses_must_name_an_earlier_question(uses: tuple[str, ...]) -> None:
    second = SymbolicQuestion(id="second", title="s", points=1, variable="second", uses=uses)
    with pytest.raises(AssignmentError, match=f"second: uses='{uses[0]}' must name a question listed before"):
        assignment(FIRST, second).check()
