"""Turn case results into a question's score, outcome and feedback text."""

from __future__ import annotations

from collections.abc import Mapping

from source_lib.judge.results import CaseResult, Outcome, QuestionResult
from source_lib.judge.spec import AutoQuestion, ChoiceQuestion


def question_result(question: AutoQuestion, cases: tuple[CaseResult, ...], outcome: Outcome | None,
                    note: str = "", upstream: Mapping[str, QuestionResult] | None = None) -> QuestionResult:
    """Score = points x mean case credit; the feedback leads with what to fix.

    ``upstream`` holds the results of earlier questions: when this one fails and builds
    on one that fails too, the feedback names that one first (it is the real culprit).
    """
    credit = sum(c.credit for c in cases) / len(cases) if cases else 0.0
    score = round(question.points * credit, 4)
    if outcome is None:
        outcome = Outcome.PASSED if credit >= 1.0 else Outcome.PARTIAL if credit > 0 else Outcome.FAILED
    if outcome in (Outcome.MISSING, Outcome.TIMEOUT):
        score = 0.0
    culprits = _culprits(question, outcome, upstream or {})
    feedback = "\n".join(t for t in (fix_first_note(question, culprits), _feedback(cases, outcome, note)) if t)
    named = tuple(dict.fromkeys(c.misconception for c in cases if c.misconception))
    return QuestionResult(question.id, question.title, score, float(question.points), outcome,
                          feedback, cases, named, fix_first=culprits)


def failing_dependencies(question: AutoQuestion, upstream: Mapping[str, QuestionResult]) -> tuple[str, ...]:
    """The earlier questions ``question`` builds on (its ``uses``) that do not earn full marks."""
    uses = () if isinstance(question, ChoiceQuestion) else question.uses
    return tuple(q for q in uses if q in upstream and upstream[q].score < upstream[q].max_score)


def _culprits(question: AutoQuestion, outcome: Outcome, upstream: Mapping[str, QuestionResult]) -> tuple[str, ...]:
    if outcome in (Outcome.FAILED, Outcome.PARTIAL, Outcome.ERROR):
        return failing_dependencies(question, upstream)
    if outcome is Outcome.MISSING:  # its cell may have failed on a wrong earlier answer; blank ones are no clue
        return tuple(q for q in failing_dependencies(question, upstream) if upstream[q].outcome is not Outcome.MISSING)
    return ()


def fix_first_note(question: AutoQuestion, culprits: tuple[str, ...]) -> str:
    """The sentence that names the earlier answers to fix first ("" when there are none)."""
    if not culprits:
        return ""
    names = " and ".join(f"`{q}`" for q in culprits)
    which = "does not pass its checks" if len(culprits) == 1 else "do not pass their checks"
    return (f"`{question.name}` builds on your {names}, which {which} yet: fix "
            f"{'it' if len(culprits) == 1 else 'them'} first, then check this one again.")


def _feedback(cases: tuple[CaseResult, ...], outcome: Outcome, note: str) -> str:
    if outcome in (Outcome.MISSING, Outcome.TIMEOUT) or not cases:
        return note
    if len(cases) == 1:
        only = cases[0]
        text = f"Likely mistake: {only.message}" if only.misconception else only.message
        return "\n".join(t for t in (text, note) if t)
    lines = [_tally(cases)]
    failing = [c for c in cases if not c.passed]
    for message in dict.fromkeys(c.message for c in failing if c.misconception):
        lines.append(f"Likely mistake: {message}")
    if not any(c.misconception for c in failing):
        first_public = next((c for c in failing if not c.hidden), None)
        first_hidden = next((c for c in failing if c.hidden), None)
        for case in (first_public, first_hidden):
            if case is not None:
                where = "a hidden case" if case.hidden else f"case {case.case_id}"
                lines.append(f"On {where}: {case.message}")
    if note:
        lines.append(note)
    return "\n".join(lines)


def _tally(cases: tuple[CaseResult, ...]) -> str:
    passed = sum(c.passed for c in cases)
    if passed == len(cases):
        return {1: "Correct.", 2: "Both checks passed."}.get(len(cases), f"All {len(cases)} checks passed.")
    public = [c for c in cases if not c.hidden]
    hidden = [c for c in cases if c.hidden]
    if not (public and hidden):  # one kind only: the split would repeat the count
        return f"{passed} of {len(cases)} checks passed."
    return (f"{passed} of {len(cases)} checks passed (public {sum(c.passed for c in public)}/{len(public)}, "
            f"hidden {sum(c.passed for c in hidden)}/{len(hidden)}).")
