"""A self-contained HTML feedback page for one submission.

Inline CSS, no scripts, no external resources (a Content-Security-Policy says so
too). Every student-derived string is cleaned of escapes and control characters
and then passed through ``html.escape``. Hidden cases show only pass or fail.
"""

from __future__ import annotations

import html

from autograder.report._text import clean, isolation_level, num, one_line, shorten
from autograder.report.gradescope import question_passed
from source_lib.judge.results import CaseResult, QuestionResult, Status, SubmissionResult

OUTPUT_LIMIT = 20_000
TEXT_LIMIT = 4_000   # any other single student-derived string (answers, messages)
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;
color:#222}
header,section,footer{border-bottom:1px solid #ddd;padding:.5rem 0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-bottom:.25rem}
.badge{display:inline-block;padding:0 .5em;border-radius:.6em;font-size:.85em;color:#fff}
.pass{background:#2e7d32}.fail{background:#c62828}
.manual{background:#6a1b9a}.info{background:#455a64}
.score{font-weight:600}.hint{color:#6a1b9a}
pre,blockquote{background:#f6f6f6;padding:.6rem;overflow-x:auto;white-space:pre-wrap;
word-break:break-word}
blockquote{border-left:4px solid #bbb;margin:0}blockquote pre{padding:0;margin:0}
.feedback{white-space:pre-line}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
footer{color:#666;font-size:.85em;border:0}
"""


def feedback_html(result: SubmissionResult) -> str:
    """The whole page as one string."""
    parts = [_head(result), "<body>", _header(result), "<main>"]
    parts.extend(_question(i, q) for i, q in enumerate(result.questions, 1))
    parts.extend((_cell_errors(result), _output(result.output), "</main>", _footer(result)))
    parts.append("</body>\n</html>\n")
    return "\n".join(p for p in parts if p)


def _e(text: object, limit: int = TEXT_LIMIT) -> str:
    """Clean, cut, then escape: the only way student text enters the page."""
    return html.escape(shorten(clean(str(text)), limit), quote=True)


def _head(result: SubmissionResult) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Feedback: {_e(one_line(result.student))}</title>\n"
        f"<style>{_CSS}</style>\n</head>"
    )


def _header(result: SubmissionResult) -> str:
    badge = "info" if result.status is Status.GRADED else "fail"
    reason = f"<p>{_e(one_line(result.reason))}</p>\n" if result.reason.strip() else ""
    manual = sum(1 for q in result.questions if q.manual)
    note = f"<p>{manual} question(s) will be graded by the instructor.</p>\n" if manual else ""
    return (
        f"<header>\n<h1>Feedback for {_e(one_line(result.student))}</h1>\n"
        f'<p class="score">Score: {num(result.score)} / {num(result.max_score)} (auto-graded)</p>\n'
        f'<p>Status: <span class="badge {badge}">{_e(result.status.value)}</span></p>\n'
        f"{reason}{note}</header>"
    )


def _question(index: int, question: QuestionResult) -> str:
    title = _e(one_line(question.title or question.question_id))
    lines = [f'<section id="q{index}">', f"<h2>{_e(one_line(question.question_id))}: {title}</h2>"]
    if question.manual:
        lines.append(_manual_answer(question.answer_text))
    else:
        kind = "pass" if question_passed(question) else "fail"
        lines.append(f'<p class="score">{num(question.score)} / {num(question.max_score)} '
                     f'<span class="badge {kind}">{_e(question.outcome.value)}</span></p>')
    if question.feedback.strip():
        lines.append(f'<p class="feedback">{_e(question.feedback)}</p>')
    if question.cases:
        lines.append('<ul class="cases">')
        lines.extend(_case(c) for c in question.cases)
        lines.append("</ul>")
    if question.misconceptions:
        names = ", ".join(_e(one_line(m)) for m in question.misconceptions)
        lines.append(f'<p class="hint">Likely misconception: {names}</p>')
    lines.append("</section>")
    return "\n".join(lines)


def _manual_answer(answer: str) -> str:
    badge = '<p><span class="badge manual">graded by the instructor</span></p>'
    if not answer.strip():
        return f"{badge}\n<p>You did not write an answer.</p>"
    quoted = _e(answer, OUTPUT_LIMIT)
    return f"{badge}\n<p>Your answer:</p>\n<blockquote><pre>\n{quoted}</pre></blockquote>"


def _case(case: CaseResult) -> str:
    kind = "pass" if case.passed else "fail"
    badge = f'<span class="badge {kind}">{kind}</span>'
    if case.hidden:
        text = "hidden case"
    else:
        text = f"<code>{_e(one_line(case.case_id))}</code>"
        if case.message.strip():
            text += f": {_e(case.message)}"
    if case.misconception and not case.passed:
        text += f' <span class="hint">(likely: {_e(one_line(case.misconception))})</span>'
    return f"<li>{badge} {text}</li>"


def _cell_errors(result: SubmissionResult) -> str:
    if not result.cell_errors:
        return ""
    rows = "\n".join(
        f"<tr><td>{e.cell}</td><td>{'' if e.line is None else e.line}</td>"
        f"<td><code>{_e(one_line(e.error_type))}</code></td><td>{_e(e.message)}</td></tr>"
        for e in result.cell_errors)
    return ('<section id="errors">\n<h2>Errors in your cells</h2>\n<table>\n'
            "<tr><th>Cell</th><th>Line</th><th>Error</th><th>Message</th></tr>\n"
            f"{rows}\n</table>\n</section>")


def _output(output: str) -> str:
    if not output:
        return ""
    text = clean(output)
    note = ""
    if len(text) > OUTPUT_LIMIT:
        note = (f'<p class="hint">Output truncated: showing the first {OUTPUT_LIMIT:,} of '
                f"{len(text):,} characters.</p>\n")
        text = text[:OUTPUT_LIMIT]
    return (f'<section id="output">\n<h2>What your notebook printed</h2>\n'
            f"<pre>\n{html.escape(text, quote=True)}</pre>\n{note}</section>")


def _footer(result: SubmissionResult) -> str:
    return (f"<footer>Grader {_e(one_line(result.grader_version))} · "
            f"isolation: {_e(isolation_level(result.isolation))} · "
            f"submission sha256: <code>{_e(one_line(result.sha256))}</code></footer>")
