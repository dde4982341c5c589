"""A self-contained HTML feedback page for one submission, read once and understood.

Layout: the total and anything that stopped grading, a table of questions (each
linking to its section), then one section per question in notebook order: a passed
question is one line; any other says its verdict once (see ``verdict``), then the
public cases that failed and a count of the hidden ones. Then the errors of the
notebook's cells, named by question, and what the notebook printed.

Inline CSS, no scripts, no external resources (a Content-Security-Policy says so
too). Every student-derived string is cleaned of escapes and control characters
and then passed through ``html.escape``. Internal misconception ids never appear.
"""

from __future__ import annotations

import html

from autograder.report._text import (
    clean,
    html_rich,
    html_text,
    isolation_level,
    lateness_sentence,
    num,
    one_line,
)
from autograder.report.question_text import question_passed
from autograder.report.student_text import cell_place
from autograder.report.verdict import FailedCases, Verdict, verdict
from source_lib.judge.results import CellError, Outcome, QuestionResult, Status, SubmissionResult

OUTPUT_LIMIT = 20_000
TEXT_LIMIT = 4_000   # any other single student-derived string (answers, messages)
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_NOT_GRADED = (Status.UNGRADABLE, Status.GRADER_ERROR)
_STATUS_TEXT = {
    Status.TIMEOUT: "The time limit stopped your notebook; answers defined before it still count.",
    Status.CRASHED: "Your notebook stopped early; answers defined before it still count.",
    Status.UNGRADABLE: "Your file could not be graded, so every question scores 0.",
    Status.GRADER_ERROR: "The grader failed on your submission; this is not your fault, "
                         "your instructor will grade it again.",
}
_OUTCOME_TEXT = {
    Outcome.PASSED: "passed", Outcome.PARTIAL: "partly right", Outcome.FAILED: "failed",
    Outcome.MISSING: "missing", Outcome.ERROR: "error", Outcome.TIMEOUT: "not checked",
}
_CSS = """
body{font:16px/1.55 system-ui,sans-serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:0}
header{margin-bottom:1.2rem}.total{font-size:1.15rem;margin:.2rem 0}.total b{font-size:1.5rem}
.muted,footer{color:#59636e}.alert{border-left:4px solid #c62828;background:#fdecea;
padding:.6rem .8rem;margin:.8rem 0}.alert p{margin:.2rem 0}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .6rem;text-align:left;
border-bottom:1px solid #e4e7eb}th{font-weight:600;color:#59636e;font-size:.85rem}
td.pts,th.pts{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
.mark{display:inline-block;width:1.2em;font-weight:700;text-align:center}
.ok .mark,.mark.ok{color:#1a7f37}.mark.part{color:#b26b00}.mark.bad{color:#c62828}
.mark.manual{color:#6a1b9a}
section{border:1px solid #e4e7eb;border-radius:8px;padding:.7rem 1rem;margin:.8rem 0}
section.ok{padding:.35rem 1rem}section.ok p{margin:0}
.head{display:flex;gap:.8rem;align-items:baseline;justify-content:space-between;flex-wrap:wrap}
.score{white-space:nowrap;font-weight:600}
code{font:.9em ui-monospace,monospace;background:#f3f4f6;padding:0 .25em;border-radius:3px}
code.id{font-size:.75em;color:#59636e;background:none}
.badge{display:inline-block;padding:0 .55em;border-radius:.7em;font-size:.8em;color:#fff;
font-weight:600;margin-left:.3em}.b-fail{background:#c62828}.b-part{background:#b26b00}
.b-manual{background:#6a1b9a}
.mistake{background:#fff8e1;border-left:4px solid #e0a800;padding:.4rem .7rem}
.text{white-space:pre-line}ul{margin:.3rem 0;padding-left:1.3rem}
pre,blockquote{background:#f6f8fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;
word-break:break-word;font-size:.88em}blockquote{border-left:4px solid #bbb;margin:0}
blockquote pre{padding:0;margin:0}
.small{font-size:.8em;margin:.3rem 0}
footer{font-size:.8em;margin-top:2rem;border-top:1px solid #e4e7eb;padding-top:.5rem}
"""


def feedback_html(result: SubmissionResult) -> str:
    """The whole page as one string."""
    parts = [_head(result), "<body>", _header(result), "<main>", _summary(result)]
    if result.status not in _NOT_GRADED:
        parts.extend(_question(i, q) for i, q in enumerate(result.questions, 1))
    parts.extend((_cell_errors(result.cell_errors), _output(result.output), "</main>", _footer(result)))
    parts.append("</body>\n</html>\n")
    return "\n".join(p for p in parts if p)


def _e(text: object, limit: int = TEXT_LIMIT) -> str:
    return html_text(text, limit)


def _rich(text: str) -> str:
    return html_rich(text, TEXT_LIMIT)


def _head(result: SubmissionResult) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Feedback: {_e(one_line(result.student))}</title>\n"
        f"<style>{_CSS}</style>\n</head>"
    )


def _header(result: SubmissionResult) -> str:
    lines = ["<header>", f"<h1>Feedback for {_e(one_line(result.student))}</h1>",
             f'<p class="total"><b>{num(result.score)} / {num(result.max_score)}</b> points, '
             "graded automatically</p>"]
    if result.lateness is not None:
        lines.append(f'<p class="muted">{_e(lateness_sentence(result.lateness))}</p>')
    manual = [q for q in result.questions if q.manual]
    if manual and result.status not in _NOT_GRADED:
        points = num(sum(q.max_score for q in manual))
        which = "1 more question" if len(manual) == 1 else f"{len(manual)} more questions"
        lines.append(f'<p class="muted">{which} ({points} points) will be graded by your instructor.</p>')
    if result.status is not Status.GRADED:
        lines.append(_alert(result))
    lines.append("</header>")
    return "\n".join(lines)


def _alert(result: SubmissionResult) -> str:
    reason = one_line(result.reason)
    said = f"<p><strong>{_rich(reason[:1].upper() + reason[1:])}</strong></p>\n" if reason else ""
    return f'<div class="alert">\n{said}<p>{_STATUS_TEXT[result.status]}</p>\n</div>'


def _title(question: QuestionResult) -> str:
    """The title, with the question id in small code when it says something else."""
    qid, title = one_line(question.question_id), one_line(question.title)
    if not title or title == qid:
        return f"<strong>{_e(qid)}</strong>"
    return f'<strong>{_e(title)}</strong> <code class="id">{_e(qid)}</code>'


def _summary(result: SubmissionResult) -> str:
    if not result.questions:
        return ""
    linked = result.status not in _NOT_GRADED
    rows = "\n".join(_summary_row(i, q, linked) for i, q in enumerate(result.questions, 1))
    legend = ('<p class="muted small">✎ graded by your instructor</p>\n'
              if linked and any(q.manual for q in result.questions) else "")
    return ('<nav aria-label="questions">\n<table>\n'
            '<tr><th></th><th>Question</th><th class="pts">Points</th></tr>\n'
            f"{rows}\n</table>\n{legend}</nav>")


def _summary_row(index: int, question: QuestionResult, linked: bool) -> str:
    title = _e(one_line(question.title or question.question_id))
    name = f'<a href="#q{index}">{title}</a>' if linked else title
    if question.manual:
        score = f"— / {num(question.max_score)}"
    else:
        score = f"{num(question.score)} / {num(question.max_score)}"
    return f'<tr><td>{_mark(question, linked)}</td><td>{name}</td><td class="pts">{score}</td></tr>'


def _mark(question: QuestionResult, graded: bool = True) -> str:
    if question.manual and graded:
        return '<span class="mark manual" title="graded by your instructor">✎</span>'
    if question_passed(question):
        return '<span class="mark ok" title="passed">✓</span>'
    if question.score > 0:
        return '<span class="mark part" title="partly right">◐</span>'
    return '<span class="mark bad" title="not passed">✗</span>'


def _question(index: int, question: QuestionResult) -> str:
    if question.override is not None:
        body, score = _overridden(question)
    elif question.manual:
        body = _manual(question)
        score = f'— / {num(question.max_score)} <span class="badge b-manual">graded by your instructor</span>'
    elif question_passed(question):
        return (f'<section class="ok" id="q{index}"><p class="head"><span>{_mark(question)} '
                f'{_title(question)}</span> <span class="score">{num(question.score)} / '
                f"{num(question.max_score)}</span></p></section>")
    else:
        body = _verdict(verdict(question))
        kind = "b-part" if question.score > 0 else "b-fail"
        score = (f"{num(question.score)} / {num(question.max_score)}"
                 f' <span class="badge {kind}">{_OUTCOME_TEXT.get(question.outcome, "failed")}</span>')
    return (f'<section id="q{index}">\n<div class="head"><h2>{_title(question)}</h2>'
            f' <span class="score">{score}</span></div>\n{body}\n</section>')


def _overridden(question: QuestionResult) -> tuple[str, str]:
    """A score set by hand: the instructor's reason, then what the student answered or the autograder said."""
    reason = f'<p class="text"><strong>Set by your instructor:</strong> {_rich(question.override or "")}</p>'
    if question.answer_text.strip():
        detail = "\n" + _manual(question)
    elif question.cases and not question_passed(question):
        detail = "\n" + _verdict(verdict(question))
    else:
        detail = ""
    score = f'{num(question.score)} / {num(question.max_score)} <span class="badge b-manual">set by hand</span>'
    return reason + detail, score


def _verdict(found: Verdict) -> str:
    lines = [f'<p class="text">{_rich(note)}</p>' for note in found.notes]
    lines.extend(f'<p class="mistake text"><strong>Likely mistake:</strong> {_rich(m)}</p>'
                 for m in found.mistakes)
    if found.message:
        lines.append(f'<p class="text">{_rich(found.message)}</p>')
    lines.extend(_failed_cases(found.failed_public))
    if found.hidden_line:
        hint = f" (on one of them: {_rich(found.hidden_hint)})" if found.hidden_hint else ""
        lines.append(f'<p class="muted">{found.hidden_line}{hint}</p>')
    return "\n".join(lines)


def _failed_cases(groups: tuple[FailedCases, ...]) -> list[str]:
    if not groups:
        return []
    count = sum(len(g.case_ids) for g in groups)
    lead = "Public case that failed" if count == 1 else "Public cases that failed"
    if len(groups) == 1 and not groups[0].message:
        return [f"<p>{lead}: {_case_names(groups[0])}</p>"]
    items = "\n".join(f'<li class="text">{_case_names(g)}' + (f": {_rich(g.message)}" if g.message else "")
                      + "</li>" for g in groups)
    return [f"<p>{lead}:</p>", f"<ul>\n{items}\n</ul>"]


def _case_names(group: FailedCases) -> str:
    return ", ".join(f"<code>{_e(one_line(c))}</code>" for c in group.case_ids)


def _manual(question: QuestionResult) -> str:
    if not question.answer_text.strip():
        return "<p>No answer: the answer cell was left empty or unchanged.</p>"
    quoted = _e(question.answer_text, OUTPUT_LIMIT)
    return f"<p>Your answer:</p>\n<blockquote><pre>\n{quoted}</pre></blockquote>"


def _cell_errors(errors: tuple[CellError, ...]) -> str:
    if not errors:
        return ""
    rows = "\n".join(
        f"<tr><td>{_e(cell_place(e))}</td><td><code>{_e(one_line(e.error_type))}</code>"
        + (f": {_e(e.message)}" if e.message.strip() else "") + "</td></tr>"
        for e in errors)
    return ('<section id="errors">\n<h2>Errors in your cells</h2>\n'
            '<p class="muted">Each cell that raised an error; the cells after it still ran.</p>\n'
            f"<table>\n<tr><th>Where</th><th>Error</th></tr>\n{rows}\n</table>\n</section>")


def _output(output: str) -> str:
    if not output:
        return ""
    text = clean(output)
    note = ""
    if len(text) > OUTPUT_LIMIT:
        note = (f'<p class="muted">Output truncated: showing the first {OUTPUT_LIMIT:,} of '
                f"{len(text):,} characters.</p>\n")
        text = text[:OUTPUT_LIMIT]
    return (f'<section id="output">\n<h2>What your notebook printed</h2>\n'
            f"<pre>\n{html.escape(text, quote=True)}</pre>\n{note}</section>")


def _footer(result: SubmissionResult) -> str:
    return (f"<footer>Grader {_e(one_line(result.grader_version))} · "
            f"isolation: {_e(isolation_level(result.isolation))} · "
            f"submission sha256: <code>{_e(one_line(result.sha256))}</code></footer>")
