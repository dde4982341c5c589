"""One question's feedback with each thing said once, for every report a student reads.

The judge's feedback text repeats what its cases say (a tally, ``Likely mistake: ...``
lines, ``On case ...`` lines); the cases repeat the named mistake on every failing
case. A ``Verdict`` keeps the named mistake once (its text, never the internal
misconception id), the judge's other notes, the public cases that failed grouped by
message, and a count for the hidden cases (never their inputs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from source_lib.judge.results import CaseResult, QuestionResult

_TALLY = re.compile(r"(?:All \d+ checks passed\.|Correct\.|\d+ of \d+ checks passed \([^)]*\)\.)")
_LEADS = ("Likely mistake: ", "On a hidden case: ")


@dataclass(frozen=True)
class FailedCases:
    """Public cases that failed with the same message ("" when it is the named mistake)."""

    case_ids: tuple[str, ...]
    message: str


@dataclass(frozen=True)
class Verdict:
    mistakes: tuple[str, ...]       # feedback of each mistake the judge named
    message: str                    # a single check's own verdict when it names no mistake
    notes: tuple[str, ...]          # what else the judge said (fix that first, not defined, ...)
    failed_public: tuple[FailedCases, ...]
    hidden_total: int
    hidden_passed: int
    hidden_hint: str                # one failing hidden case's message, when nothing else explains

    @property
    def hidden_line(self) -> str:
        if not self.hidden_total:
            return ""
        cases = "hidden case" if self.hidden_total == 1 else "hidden cases"
        return f"{self.hidden_total} {cases}: {self.hidden_passed} passed"


def verdict(question: QuestionResult) -> Verdict:
    """What to tell the student about ``question``, each thing once."""
    cases = question.cases
    failing = [c for c in cases if not c.passed]
    mistakes = tuple(dict.fromkeys(c.message.strip() for c in failing if c.misconception and c.message.strip()))
    notes = _notes(question)
    if _single_check(question):
        only = cases[0]
        message = "" if only.passed or only.misconception else only.message.strip()
        return Verdict(mistakes, message, notes, (), 0, 0, "")
    public = [c for c in failing if not c.hidden]
    hidden = [c for c in cases if c.hidden]
    hint = ""
    if not mistakes and not public:
        hint = next((c.message.strip() for c in hidden if not c.passed and c.message.strip()), "")
    return Verdict(mistakes, "", notes, _grouped(public, mistakes), len(hidden),
                   sum(c.passed for c in hidden), hint)


def _single_check(question: QuestionResult) -> bool:
    """A question judged by one public check named after it (a sympy or choice answer)."""
    cases = question.cases
    return len(cases) == 1 and not cases[0].hidden and cases[0].case_id == question.question_id


def _grouped(public: list[CaseResult], mistakes: tuple[str, ...]) -> tuple[FailedCases, ...]:
    groups: dict[str, list[str]] = {}
    for case in public:
        message = case.message.strip()
        groups.setdefault("" if message in mistakes else message, []).append(case.case_id)
    return tuple(FailedCases(tuple(ids), message) for message, ids in groups.items())


def _notes(question: QuestionResult) -> tuple[str, ...]:
    """Lines of the judge's feedback that no case already says (and no tally)."""
    said: set[str] = set()
    for case in question.cases:
        for text in (case.message, *(lead + case.message for lead in _LEADS),
                     f"On case {case.case_id}: {case.message}"):
            said.update(line.strip() for line in text.strip().splitlines())
    lines = (line.strip() for line in question.feedback.splitlines())
    return tuple(dict.fromkeys(ln for ln in lines if ln and ln not in said and not _TALLY.fullmatch(ln)))
