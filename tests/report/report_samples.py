"""Hand-built results for the report tests: honest, partial, broken and hostile submissions."""

from __future__ import annotations

from typing import Any

from source_lib.judge.results import CaseResult, CellError, Outcome, QuestionResult, Status, SubmissionResult

QUESTION_IDS = ("q1", "q2", "q3", "q4")
SECRET = "SECRET-HIDDEN-VALUE-42"   # appears only in hidden case messages
PRINTED = "PRINTED-BY-STUDENT-7"    # appears only in captured output
NASTY = "<script>alert(1)</script>\x1b[2K\r\x00\x0b\ud800]]>&\"'\u202e=1+2"
ISOLATION = {"level": "namespaces", "tools": ["bwrap", "rlimits"]}
TRANSPOSE = "got 0.5, expected 1.0; hint: transpose?"  # a named mistake's feedback on a public case
SIGN = "Check the sign of the update."                 # a named mistake's feedback on a hidden case


def _result(student: str, status: Status, questions: tuple[QuestionResult, ...],
            **extra: Any) -> SubmissionResult:
    fields: dict[str, Any] = {
        "source": f"submissions/{student}.ipynb", "sha256": "ab" * 32, "reason": "",
        "grader_version": "0.1.0", "isolation": ISOLATION, "seconds": 1.4,
        "compute_seconds": 0.9, "output": PRINTED,
    }
    fields.update(extra)
    return SubmissionResult(student=student, status=status, questions=questions, **fields)


def _passed(qid: str, title: str, points: float) -> QuestionResult:
    cases = (CaseResult("small", True, False, "ok", credit=1.0),
             CaseResult("h1", True, True, f"got {SECRET}", credit=1.0))
    return QuestionResult(qid, title, points, points, Outcome.PASSED, "Correct.", cases)


def _manual(answer: str) -> QuestionResult:
    return QuestionResult("q4", "Explain symmetry breaking", 0.0, 5.0, Outcome.MANUAL, "",
                          manual=True, answer_text=answer)


def make_full() -> SubmissionResult:
    questions = (_passed("q1", "zero_init: all-zero weights", 2),
                 _passed("q2", "compute_gradient: dL/dW", 3),
                 _passed("q3", "symmetry: sympy derivation", 5),
                 _manual("Because every unit gets the same gradient."))
    return _result("alice", Status.GRADED, questions)


def make_partial() -> SubmissionResult:
    cases = (CaseResult("shape", True, False, "shape (3, 2) as expected", credit=1.0),
             CaseResult("values", False, False, TRANSPOSE, misconception="forgot_transpose"),
             CaseResult("h1", False, True, SIGN, misconception="sign_error"),
             CaseResult("h2", False, True, f"got {SECRET}"))
    q2 = QuestionResult("q2", "compute_gradient: dL/dW", 1.0, 3.0, Outcome.PARTIAL,
                        f"1 of 4 checks passed (public 1/2, hidden 0/2).\nLikely mistake: {TRANSPOSE}\n"
                        f"Likely mistake: {SIGN}\nCheck the transpose.", cases,
                        misconceptions=("forgot_transpose", "sign_error"))
    q3 = QuestionResult("q3", "symmetry: sympy derivation", 0.0, 5.0, Outcome.MISSING,
                        "`sym_grad` was never defined.")
    questions = (_passed("q1", "zero_init: all-zero weights", 2), q2, q3, _manual(""))
    return _result("bob", Status.GRADED, questions)


def make_ungradable() -> SubmissionResult:
    return _result("carol", Status.UNGRADABLE, (), reason="not a notebook: invalid JSON at line 3",
                   output="")


def make_crashed() -> SubmissionResult:
    errors = (CellError(3, "ZeroDivisionError", "division by zero", line=2),
              CellError(5, "ValueError", "x" * 1000))
    q2 = QuestionResult("q2", "compute_gradient: dL/dW", 0.0, 3.0, Outcome.ERROR,
                        "Your function raised ValueError.")
    q3 = QuestionResult("q3", "symmetry: sympy derivation", 0.0, 5.0, Outcome.TIMEOUT,
                        "The run ended before this question was checked.")
    questions = (_passed("q1", "zero_init: all-zero weights", 2), q2, q3)
    return _result("dave", Status.CRASHED, questions, reason="killed by signal 9",
                   cell_errors=errors)


def make_grader_error() -> SubmissionResult:
    return _result("erin", Status.GRADER_ERROR, (), reason="sandbox could not start")


def make_hostile() -> SubmissionResult:
    cases = (CaseResult(f"c{NASTY}", False, False, f"got {NASTY}", misconception=NASTY),
             CaseResult("h", False, True, f"{SECRET} {NASTY}"))
    q1 = QuestionResult("q1", f"zero_init {NASTY}", 0.0, 2.0, Outcome.FAILED, f"fb {NASTY}",
                        cases, misconceptions=(NASTY,))
    q4 = QuestionResult("q4", "Explain symmetry breaking", 0.0, 5.0, Outcome.MANUAL, "",
                        manual=True, answer_text=f"answer {NASTY}")
    output = f"{PRINTED}\n{NASTY}\n" + "y" * (1024 * 1024)
    return _result("=cmd|' /C calc'!A0", Status.TIMEOUT, (q1, q4), reason=f"timeout {NASTY}",
                   output=output, cell_errors=(CellError(1, f"Evil{NASTY}", NASTY * 50),),
                   warnings=(f"warn {NASTY}",), isolation={"level": f"none{NASTY}", "x": object()})


def make_plain() -> SubmissionResult:
    """Titles equal to ids, failing cases without a named mistake, errors placed by question."""
    raised = "calling f(x) raised ValueError: bad shape"
    cases = (CaseResult("public-1", False, False, raised), CaseResult("public-2", False, False, raised),
             CaseResult("public-3", False, False, "f is wrong: got 2, expected 3."),
             CaseResult("h1", True, True, "passed", credit=1.0), CaseResult("h2", False, True, f"got {SECRET}"))
    f = QuestionResult("f", "f", 0.4, 2.0, Outcome.PARTIAL,
                       f"1 of 5 checks passed (public 0/3, hidden 1/2).\nOn case public-1: {raised}\n"
                       f"On a hidden case: got {SECRET}", cases)
    shape = (CaseResult("h1", False, True, "g has shape (7, 1), expected (7,)."),
             CaseResult("public-1", True, False, "passed", credit=1.0))
    g = QuestionResult("g", "g", 1.0, 2.0, Outcome.PARTIAL, "1 of 2 checks passed (public 1/1, hidden 0/1).",
                       shape)
    ok = QuestionResult("h", "h", 1.0, 1.0, Outcome.PASSED, "Correct.",
                        (CaseResult("h", True, False, "Correct.", credit=1.0),))
    errors = (CellError(4, "NameError", "name 'x' is not defined", line=2, question="f", offset=0),
              CellError(9, "ValueError", "bad", line=1, question="g", offset=2),
              CellError(0, "ImportError", "no module", line=1, question=None, offset=1))
    return _result("pat", Status.GRADED, (f, g, ok), cell_errors=errors)


def make_other_assignment() -> SubmissionResult:
    """A notebook of another assignment: every question at 0 of its real points."""
    reason = "this looks like `logistic_regression`, not `linear_regression`"
    questions = tuple(QuestionResult(q, q, 0.0, points, Outcome.FAILED, f"Not graded: {reason}")
                      for q, points in (("q1", 2.0), ("q2", 3.0)))
    manual = QuestionResult("q4", "Explain symmetry breaking", 0.0, 5.0, Outcome.FAILED, f"Not graded: {reason}",
                            manual=True)
    return _result("olga", Status.UNGRADABLE, (*questions, manual), reason=reason, output="")


def make_batch() -> list[SubmissionResult]:
    return [make_full(), make_partial(), make_ungradable(), make_crashed(), make_grader_error(),
            make_hostile()]
