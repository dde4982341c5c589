"""The class report as one self-contained HTML page: what the class got right and wrong.

Sections: the scores (histogram, summary, counts by status, who got no score), the questions
(shares of full, partial and zero marks), the catalogued mistakes the judge named (most frequent
first, with the feedback the students got and who they are), and the item analysis.

Inline CSS, figures as ``data:`` PNGs, and one short inline script that makes the tables sortable
by a click on a column's head; the page reads the same without it (the tables come ranked). The
Content-Security-Policy allows that script by its hash and nothing else. Every student-derived
string (ids, reasons, feedback) is cleaned and passed through ``html.escape``.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Sequence

from autograder.report._text import html_rich, html_text, num, some_names
from autograder.report.class_stats import LOW_DISCRIMINATION, TINY_COHORT, ClassStats, QuestionStats
from source_lib.judge.results import Status

NAMES_SHOWN = 20      # students named per mistake; class.json lists them all
UNSCORED_SHOWN = 50
TEXT_LIMIT = 1_000
_SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells, body = table.tBodies[0];
  Array.prototype.forEach.call(heads, function (th, col) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var numeric = th.hasAttribute("data-num");
      var down = th.getAttribute("aria-sort") ? th.getAttribute("aria-sort") === "ascending" : numeric;
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", down ? "descending" : "ascending");
      var key = function (row) {
        var cell = row.cells[col], v = parseFloat(cell.getAttribute("data-v"));
        return numeric ? (isNaN(v) ? -Infinity : v) : cell.textContent.trim().toLowerCase();
      };
      var rows = Array.prototype.slice.call(body.rows).sort(function (a, b) {
        var x = key(a), y = key(b), r = x < y ? -1 : x > y ? 1 : 0;
        return down ? -r : r;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SORT_JS.encode("utf-8")).digest()).decode("ascii")
_CSP = f"default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-{_SCRIPT_HASH}'"
_STATUS_TEXT = {
    Status.UNGRADABLE: "not a readable notebook", Status.TIMEOUT: "stopped by the time limit",
    Status.CRASHED: "the notebook stopped early", Status.GRADER_ERROR: "the grader failed (not the student's fault)",
}
_VERDICT_TEXT = {"ok": "✓ discriminates", "low": "⚑ low: does not discriminate", "undefined": "⚑ undefined"}
_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:66rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin:0 0 .5rem}
.total{font-size:1.1rem;margin:.2rem 0}.muted,footer,.note{color:#59636e}
.note{border-left:4px solid #8c959f;background:#f6f8fa;padding:.5rem .8rem;margin:.6rem 0}
section{border-top:1px solid #d0d7de;padding:1rem 0;margin-top:1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{padding:.3rem .55rem;text-align:left;
border-bottom:1px solid #e4e7eb;vertical-align:top}th{font-weight:600;color:#59636e;font-size:.85rem}
.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.stats{width:auto}table.stats th{padding-right:1.5rem;font-size:1rem;font-weight:400;color:#1f2328}
caption{text-align:left;white-space:nowrap;padding:0 .55rem .2rem}
th button{font:inherit;color:inherit;background:none;border:0;padding:0;cursor:pointer;text-align:inherit}
th button::after{content:" \\2195";color:#8c959f}th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
code{font:.9em ui-monospace,monospace;background:#f3f4f6;padding:0 .25em;border-radius:3px}
code.id{font-size:.8em;color:#59636e;background:none}
.names{font-size:.85em;color:#3d444d}.text{white-space:pre-line}
tr.flag td{background:#f6f8fa}.flag b{font-weight:700}
img{max-width:100%;height:auto;display:block;margin:.5rem 0}
a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
th.wide{width:45%}td.verdict{min-width:15rem}
footer{font-size:.85em;margin-top:2rem;border-top:1px solid #d0d7de;padding-top:.5rem}
"""


def class_page(stats: ClassStats, histogram_png: bytes | None = None, shares_png: bytes | None = None,
               files: Sequence[str] = ()) -> str:
    """The whole page as one string; the figures (PNG bytes, see ``class_figures``) are embedded and
    ``files`` (the same numbers as data, beside the page) linked."""
    parts = [_head(stats), "<body>", _header(stats), "<main>", _scores(stats, histogram_png),
             _unscored(stats), _questions(stats, shares_png), _mistakes(stats), _items(stats), "</main>",
             _footer(files), f"<script>{_SORT_JS}</script>", "</body>\n</html>\n"]
    return "\n".join(p for p in parts if p)


def _e(text: object, limit: int = TEXT_LIMIT) -> str:
    return html_text(text, limit)


def _rich(text: str) -> str:
    return html_rich(text, TEXT_LIMIT)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.0f} %"


def _v(value: float | None) -> str:
    """A cell's value for sorting (and for reading back in tests): the number class.json holds."""
    return "" if value is None else f' data-v="{round(value, 6)!r}"'


def _head(stats: ClassStats) -> str:
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Class report: {_e(stats.assignment)}</title>\n<style>{_CSS}</style>\n</head>")


def _header(stats: ClassStats) -> str:
    s = stats.summary
    mean = f" · mean <b>{num(s.mean)}</b> of {num(s.max_score)} points" if s.mean is not None else ""
    lines = ["<header>", f"<h1>Class report: {_e(stats.assignment)}</h1>",
             f'<p class="total"><b>{stats.submissions}</b> submissions · <b>{stats.graded}</b> graded{mean}</p>']
    lines.extend(f'<p class="note">{note}</p>' for note in _notes(stats))
    lines.append('<nav aria-label="sections"><a href="#scores">Scores</a> · <a href="#questions">Questions</a> · '
                 '<a href="#mistakes">Mistakes</a> · <a href="#items">Item analysis</a></nav>\n</header>')
    return "\n".join(lines)


def _notes(stats: ClassStats) -> list[str]:
    notes = []
    if not stats.submissions:
        notes.append("This batch holds no submissions: there is nothing to count yet.")
    elif not stats.graded:
        notes.append("No submission was graded to the end, so there are no statistics: "
                     '<a href="#unscored">the submissions without a score</a> say why.')
    if stats.unscored:
        notes.append(f"{_n(len(stats.unscored), 'submission')} got no score ({_status_list(stats)}) and "
                     f"{'is' if len(stats.unscored) == 1 else 'are'} left out of every number below; "
                     '<a href="#unscored">the list</a> gives the reasons.')
    if 0 < stats.graded < TINY_COHORT:
        notes.append(f"Only {_n(stats.graded, 'graded student')}: every number is shown, but item statistics "
                     f"(difficulty, discrimination) need more students to mean much: at least {TINY_COHORT}, "
                     "better 30 or more.")
    if stats.late_penalised:
        notes.append(f"Scores here are the automatic points before late penalties ("
                     f"{_n(stats.late_penalised, 'student')} lost points for lateness; grades.csv has the final "
                     "scores).")
    return notes


def _status_list(stats: ClassStats) -> str:
    return ", ".join(f"{count} {status.value}" for status, count in stats.status_counts
                     if count and status is not Status.GRADED)


def _figure(png: bytes | None, alt: str, empty: str) -> str:
    if png is None:
        return f'<p class="muted">{empty}</p>'
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def _scores(stats: ClassStats, png: bytes | None) -> str:
    s = stats.summary
    rows = [("students graded", s.n, str(s.n)), ("mean", s.mean, _num(s.mean)), ("median", s.median, _num(s.median)),
            ("standard deviation (n − 1)", s.sd, _num(s.sd)), ("lowest", s.min, _num(s.min)),
            ("highest", s.max, _num(s.max)), ("maximum possible", s.max_score, num(s.max_score))]
    summary = "\n".join(f'<tr><th scope="row">{name}</th><td class="n"{_v(value)}>{shown}</td></tr>'
                        for name, value, shown in rows)
    statuses = "\n".join(f'<tr><th scope="row">{status.value}</th><td class="n"{_v(count)}>{count}</td></tr>'
                         for status, count in stats.status_counts)
    alt = (f"Histogram of the automatic scores of the {s.n} graded students, from 0 to {num(s.max_score)} points; "
           "the dashed line marks the mean, the dotted line the median.")
    return ('<section id="scores">\n<h2>Score distribution</h2>\n'
            f'{_figure(png, alt, "No graded submission: no histogram.")}\n'
            '<div style="display:flex;gap:3rem;flex-wrap:wrap;align-items:flex-start">\n'
            f'<table class="stats" id="summary">\n<caption class="muted">Automatic points</caption>\n{summary}\n'
            f'</table>\n<table class="stats" id="statuses">\n<caption class="muted">Submissions by status</caption>\n'
            f"{statuses}\n</table>\n</div>\n</section>")


def _num(value: float | None) -> str:
    return "—" if value is None else num(value)


def _unscored(stats: ClassStats) -> str:
    if not stats.unscored:
        return ""
    shown = stats.unscored[:UNSCORED_SHOWN]
    rows = "\n".join(f"<tr><td>{_e(u.student)}</td><td>{u.status.value}: {_STATUS_TEXT[u.status]}</td>"
                     f'<td class="text">{_e(u.reason)}</td></tr>' for u in shown)
    more = (f'<p class="muted">and {len(stats.unscored) - len(shown)} more: class.json lists them all.</p>\n'
            if len(stats.unscored) > len(shown) else "")
    return ('<section id="unscored">\n<h2>Submissions without a score</h2>\n'
            '<p class="muted">Left out of every statistic on this page; each student\'s feedback page says more.</p>\n'
            "<table>\n<thead><tr><th>Student</th><th>Status</th><th>Reason</th></tr></thead>\n"
            f"<tbody>\n{rows}\n</tbody>\n</table>\n{more}</section>")


def _title(question: QuestionStats) -> str:
    if question.title == question.id:
        return f"<strong>{_e(question.id)}</strong>"
    return f'<strong>{_e(question.title)}</strong> <code class="id">{_e(question.id)}</code>'


def _questions(stats: ClassStats, png: bytes | None) -> str:
    rows = "\n".join(_question_row(q) for q in stats.questions)
    alt = ("Stacked bars, one per auto-graded question: the share of graded students with full marks (dark), "
           "partial marks (light, hatched) and zero (white, crossed).")
    return ('<section id="questions">\n<h2>Questions</h2>\n'
            f'{_figure(png, alt, "No graded submission: no shares to draw.")}\n'
            '<table class="sortable" id="question-table">\n<thead><tr><th>Question</th><th class="n" data-num>'
            'Points</th><th class="n" data-num>Full marks</th><th class="n" data-num>Partial</th>'
            '<th class="n" data-num>Zero</th><th class="n" data-num>Mean score</th>'
            '<th class="n" data-num title="lost points without any catalogued mistake named: the catalogue may be '
            'missing one">No named mistake</th></tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody>\n</table>\n</section>")


def _question_row(q: QuestionStats) -> str:
    head = f'<tr id="q-{_e(q.id)}"><td>{_title(q)}</td><td class="n"{_v(q.points)}>{num(q.points)}</td>'
    if q.manual:
        return head + '<td colspan="5" class="muted">✎ graded by the instructor</td></tr>'
    cells = "".join(f'<td class="n"{_v(q.share(count))}>{count} ({_pct(q.share(count))})</td>'
                    for count in (q.full, q.partial, q.zero))
    return (f'{head}{cells}<td class="n"{_v(q.mean_score)}>{_num(q.mean_score)}</td>'
            f'<td class="n"{_v(q.unexplained)}>{q.unexplained}</td></tr>')


def _mistakes(stats: ClassStats) -> str:
    lead = ('<section id="mistakes">\n<h2>What the class got wrong</h2>\n<p class="muted">Each catalogued '
            "mistake the grader recognised, most frequent first, with the feedback those students got. "
            "Click a column's head to sort by it.</p>\n")
    if not stats.misconceptions:
        return lead + '<p>No catalogued mistake was recognised in any graded submission.</p>\n</section>'
    rows = "\n".join(
        f'<tr><td class="n"{_v(rank)}>{rank}</td><td class="n"{_v(m.count)}>{m.count}</td>'
        f'<td class="n"{_v(m.share)}>{_pct(m.share)}</td><td><a href="#q-{_e(m.question)}">{_e(m.question)}</a>'
        f'<br><code class="id">{_e(m.misconception)}</code></td><td class="text">{_rich(m.feedback)}</td>'
        f'<td class="names">{_e(some_names(m.students, NAMES_SHOWN))}</td></tr>'
        for rank, m in enumerate(stats.misconceptions, 1))
    return (lead + '<table class="sortable" id="mistake-table">\n<thead><tr><th class="n" data-num>Rank</th>'
            '<th class="n" data-num>Students</th><th class="n" data-num>Share</th><th>Question, mistake</th>'
            '<th class="wide">Feedback given</th><th>Who</th></tr></thead>\n'
            f"<tbody>\n{rows}\n</tbody>\n</table>\n</section>")


def _items(stats: ClassStats) -> str:
    auto = [q for q in stats.questions if not q.manual]
    manual = len(stats.questions) - len(auto)
    left_out = [f"{_n(manual, 'manual question')}, graded by the instructor"] if manual else []
    if stats.unscored:
        left_out.append(f"{_n(len(stats.unscored), 'submission')} without a score")
    lines = ['<section id="items">\n<h2>Item analysis</h2>',
             f'<p class="muted">Over {_n(stats.graded, "graded student")}, auto-graded questions only'
             + (f" (left out: {' and '.join(left_out)})" if left_out else "") + ". <b>Difficulty</b>: the mean "
             "share of the question's points earned (higher is easier). <b>Discrimination</b>: the Pearson "
             "correlation of the question's score with the rest of the score (the total minus that question); "
             f"flagged ⚑ below {LOW_DISCRIMINATION}, or when it is undefined.</p>"]
    if stats.tiny:
        lines.append(f'<p class="note">Fewer than {TINY_COHORT} graded students: item statistics need more students '
                     "(one student more or less can move a correlation by 0.5); read these as placeholders.</p>")
    if not auto:
        return "\n".join([*lines, "<p>No auto-graded question.</p>\n</section>"])
    flagged = sum(q.verdict != "ok" for q in auto)
    lines.append(f"<p>{flagged} of {_n(len(auto), 'auto-graded question')} flagged.</p>")
    rows = "\n".join(_item_row(q) for q in auto)
    lines.append('<table class="sortable" id="item-table">\n<thead><tr><th>Question</th><th class="n" data-num>'
                 'Difficulty</th><th class="n" data-num>Discrimination</th><th>Verdict</th></tr></thead>\n'
                 f"<tbody>\n{rows}\n</tbody>\n</table>\n</section>")
    return "\n".join(lines)


def _item_row(q: QuestionStats) -> str:
    flag = q.verdict != "ok"
    why = (f": {_e(q.undefined_because)}" if q.verdict == "undefined" else
           f" (r &lt; {LOW_DISCRIMINATION})" if q.verdict == "low" else "")
    verdict = f"<b>{_VERDICT_TEXT[q.verdict]}</b>{why}" if flag else _VERDICT_TEXT[q.verdict]
    return (f'<tr{" class=flag" if flag else ""}><td>{_title(q)}</td>'
            f'<td class="n"{_v(q.difficulty)}>{_pct(q.difficulty)}</td>'
            f'<td class="n"{_v(q.discrimination)}>{_signed(q.discrimination)}</td>'
            f'<td class="verdict">{verdict}</td></tr>')


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.2f}".replace("-", "−")


def _footer(files: Sequence[str]) -> str:
    links = ", ".join(f'<a href="{_e(name)}">{_e(name)}</a>' for name in files)
    also = f"The same numbers for other tools: {links} (beside this page). " if files else ""
    return f"<footer>{also}Written by <code>autograder report</code> from the batch's records.</footer>"
