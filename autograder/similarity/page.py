"""``similarity.html``: one self-contained page for the instructor.

What it shows, top to bottom: the evidence-not-proof caveat and the counts; how to read the
numbers; a histogram of every pair's score (inline SVG); the highest-ranked pairs; the
submissions that could not be compared; each flagged pair side by side with the shared
fragments highlighted in matching colours. No script and no external resource (a
Content-Security-Policy says so too); every student-derived string (ids, paths, code, cell
names) is cleaned of control characters and HTML-escaped.
"""

from __future__ import annotations

import html

import numpy as np

from autograder import __version__
from autograder.report._text import clean, shorten, some_names
from autograder.similarity.answers import ADDED, AnswerCell, Document
from autograder.similarity.compare import FLOOR, FLOOR_SHARE, Pair, SimilarityReport
from autograder.similarity.highlight import SHOWN, Span, matches
from autograder.similarity.histogram import histogram_svg
from autograder.similarity.index import COMMON_MIN, COMMON_SHARE
from autograder.similarity.mistakes import RARE_MAX, RARE_SHARE
from autograder.similarity.winnow import Hashes, K, W

RANKED = 100        # pairs in the ranked table (the CSV has them all)
SIDE_BY_SIDE = 30   # flagged pairs shown side by side
CELL_LIMIT = 20_000  # characters of one cell shown
COLOURS = 8
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:78rem;margin:1.5rem auto;padding:0 1rem;color:#1f2328}
h1{font-size:1.5rem;margin:0 0 .4rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem}h3{font-size:1rem;margin:0}
.caveat{border-left:4px solid #b26b00;background:#fff8e1;padding:.6rem .9rem;margin:.8rem 0}
.muted,footer{color:#59636e}table{border-collapse:collapse;width:100%}
td,th{padding:.25rem .5rem;text-align:left;border-bottom:1px solid #e4e7eb;vertical-align:top}
th{font-weight:600;color:#59636e;font-size:.85rem}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.flag td{background:#fdecea}a{color:#0b57d0;text-decoration:none}a:hover{text-decoration:underline}
.hist{width:100%;max-width:48rem;height:auto}.bar{fill:#7aa7e0}.count,.tick,.zlabel{font-size:11px;text-anchor:middle;
fill:#59636e}.zlabel{text-anchor:start;fill:#c62828}.label{font-size:12px;fill:#59636e;text-anchor:middle}
.axis{stroke:#59636e}.zline{stroke:#c62828;stroke-dasharray:4 3}.flag{fill:#c62828}
section.pair{border:1px solid #e4e7eb;border-radius:8px;padding:.7rem 1rem;margin:1rem 0}
.reasons{margin:.3rem 0;padding-left:1.2rem}.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.side h4{margin:.4rem 0 .2rem;font-size:.95rem}.cell{margin:.5rem 0}.cellname{font-size:.8rem;color:#59636e}
pre{background:#f6f8fa;padding:.5rem;margin:.1rem 0;white-space:pre-wrap;word-break:break-word;font:12.5px/1.45
ui-monospace,monospace}mark{border-radius:2px;padding:0 1px}
.f1{background:#ffd866}.f2{background:#a6e3a1}.f3{background:#9fd3ff}.f4{background:#f5b5e8}
.f5{background:#ffb58a}.f6{background:#c9b8ff}.f7{background:#8ee0d6}.f8{background:#e4d48a}
code{font:.9em ui-monospace,monospace}
footer{font-size:.8em;margin-top:2rem;border-top:1px solid #e4e7eb;padding-top:.5rem}
"""


def similarity_html(report: SimilarityReport) -> str:
    """The whole page; the released notebook's k-grams (``report.template``) are left out of the highlighting."""
    flagged = report.flagged()
    shown = flagged[:SIDE_BY_SIDE] or report.top(1)
    parts = [_head(report), "<body>", _header(report, flagged), "<main>", _reading(report), _histogram(report),
             _ranked(report), _skipped(report),
             _sides(report, shown, bool(flagged), len(flagged)), "</main>", _footer(), "</body>\n</html>\n"]
    return "\n".join(p for p in parts if p)


def _e(text: object) -> str:
    return html.escape(clean(str(text)), quote=True)


def _head(report: SimilarityReport) -> str:
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>Similar submissions: {_e(report.assignment)}</title>\n<style>{_CSS}</style>\n</head>")


def _header(report: SimilarityReport, flagged: tuple[Pair, ...]) -> str:
    n, pairs = len(report.documents), len(report.pairs)
    skipped = f"; {len(report.skipped)} could not be read (below)" if report.skipped else ""
    return (f"<header><h1>Which submissions look alike: {_e(report.assignment)}</h1>\n"
            '<p class="caveat"><strong>Evidence, not proof.</strong> These scores measure how much code two '
            "submissions share after renaming, reordering and comments are set aside. On short, constrained "
            "exercises honest students write alike, and a copy can be reworked past any such measure. A flagged "
            "pair is a reason for a person to read both notebooks side by side and weigh what they see (and to "
            "hear the students) before concluding anything.</p>\n"
            f"<p>{n} submission(s) compared ({pairs} pair(s)) in {report.seconds:.2f} s{skipped}; "
            f"<strong>{len(flagged)} pair(s) flagged</strong>.</p></header>")


def _reading(report: SimilarityReport) -> str:
    t = report.thresholds
    mistakes = (f"Rare mistakes come from the graded batch ({report.mistakes.graded} records): a catalogued "
                f"misconception is rare when at most {RARE_MAX} students made it, or at most {RARE_SHARE:.0%} of "
                f"them when that is more (here {report.mistakes.limit})."
                if report.mistakes else "<strong>No graded batch was given (<code>--batch</code>), so shared rare "
                "mistakes were not checked.</strong>")
    return (
        "<h2>How to read it</h2>\n<ul>"
        "<li>Only the code students wrote in answer cells (and cells they added) is compared, minus everything the "
        "released notebook already holds. Names become <code>N</code>, numbers <code>#</code>, strings "
        "<code>\"</code>; comments and blank lines are dropped. Renaming and reordering do not change a score; "
        "rewriting a loop as vectorised code (or the reverse) does, and is out of reach of this comparison.</li>"
        f"<li><b>score</b>: the share of the smaller submission's fingerprints (winnowed runs of {K} tokens, window "
        f"{W}) the other also has, each weighted by how rare it is in the class: one that h of the n submissions "
        "hold weighs log((n + 1) / h), so code many students wrote alike counts little and code only these two "
        f"wrote counts much. A submission counts as at least {FLOOR_SHARE:.0%} of the class's median weight, and at "
        f"least {FLOOR} ({report.floor:.3g} here): one that holds little of its own cannot score high on that little. "
        "<b>A&rarr;B</b> is the (weighted) share of A found in B. Per question, the share of that question's "
        "fingerprints, unweighted.</li>"
        f"<li>Fingerprints in more than {COMMON_SHARE:.0%} of the submissions (and in {COMMON_MIN} or more) are what "
        f"most of the class wrote, and are ignored ({report.ignored} here).</li>"
        "<li><b>fragment</b>: the longest run of shared code, in tokens (a copy padded with junk keeps it). "
        "<b>z</b>: standard deviations above the class's mean score; <b>percentile</b>: the share of pairs scoring "
        "at most as much.</li>"
        f"<li>A pair is <b>flagged</b> when its score has z &ge; {t.score_z:g} and is at least {t.score_min:g}, or is "
        f"at least {t.score_alone:g}; or its longest fragment is at least {t.fragment_min} tokens with z &ge; "
        f"{t.fragment_z:g}; or both students made the same rare mistake.</li>"
        f"<li>{mistakes}</li></ul>")


def _histogram(report: SimilarityReport) -> str:
    scores = report.pairs.score
    if len(scores) == 0:
        return "<h2>All pairs</h2>\n<p>Fewer than two submissions could be compared.</p>"
    spread = float(scores.std())
    z_line = float(scores.mean()) + report.thresholds.score_z * spread if spread > 0 else None
    flagged = scores[np.flatnonzero(report.pairs.flags)]
    z = report.thresholds.score_z
    line = ("every pair scores alike" if z_line is None else f"the dashed line is z = {z:g}" if z_line <= 1.0
            else f"z = {z:g} lies above the highest score possible here")
    return ("<h2>All pairs</h2>\n" + histogram_svg(scores, flagged, z_line) +
            f'<p class="muted">{len(scores)} pair(s); {line}; red marks are flagged pairs.</p>')


def _ranked(report: SimilarityReport) -> str:
    if not len(report.pairs):
        return ""
    with_mistakes = report.mistakes is not None
    head = ("<tr><th class=n>rank</th><th>A</th><th>B</th><th class=n>score</th><th class=n>A&rarr;B</th>"
            "<th class=n>B&rarr;A</th><th class=n>fragment</th><th class=n>z</th><th class=n>percentile</th>"
            "<th>most alike in</th>" + ("<th>rare mistakes both made</th>" if with_mistakes else "") +
            "<th>flagged</th></tr>")
    rows = [_ranked_row(p, with_mistakes, report) for p in report.top(RANKED)]
    more = (f'<p class="muted">The {RANKED} highest of {len(report.pairs)} pairs; similarity.csv lists them all.</p>'
            if len(report.pairs) > RANKED else "")
    return f"<h2>Ranked pairs</h2>\n<table>{head}\n" + "\n".join(rows) + "</table>" + more


def _ranked_row(p: Pair, with_mistakes: bool, report: SimilarityReport) -> str:
    best = sorted(p.questions, key=lambda q: -q[1])[:3]
    alike = ", ".join(f"{_e(_question(q))} {s:.2f}" for q, s in best if s > 0)
    link = f'<a href="#pair-{p.rank}">side by side</a>' if p.reasons and _is_shown(report, p) else ""
    mark = "yes" + (f" &middot; {link}" if link else "") if p.reasons else ""
    cells = [f"<td class=n>{p.rank}</td><td>{_e(p.first)}</td><td>{_e(p.second)}</td><td class=n><b>{p.score:.2f}"
             f"</b></td><td class=n>{p.share_first:.2f}</td><td class=n>{p.share_second:.2f}</td>"
             f"<td class=n>{p.fragment}</td><td class=n>{p.z:.1f}</td><td class=n>{p.percentile:.0f}</td>"
             f"<td>{alike}</td>"]
    if with_mistakes:
        cells.append(f"<td>{_e(', '.join(p.mistakes))}</td>")
    cells.append(f"<td>{mark}</td>")
    return f'<tr{" class=flag" if p.reasons else ""}>' + "".join(cells) + "</tr>"


def _is_shown(report: SimilarityReport, pair: Pair) -> bool:
    return int(np.count_nonzero(report.pairs.flags[:pair.rank])) <= SIDE_BY_SIDE


def _question(question: str) -> str:
    return "added cells" if question == ADDED else question


def _skipped(report: SimilarityReport) -> str:
    notes = [(d.student, note) for d in report.documents for note in d.notes]
    if not report.skipped and not notes:
        return ""
    parts = ["<h2>Not compared, and notes</h2>"]
    if report.skipped:
        parts.append("<ul>" + "".join(f"<li><b>{_e(d.student)}</b> ({_e(d.path)}): not compared: {_e(d.problem)}</li>"
                                      for d in report.skipped) + "</ul>")
    if notes:
        parts.append("<ul>" + "".join(f"<li><b>{_e(s)}</b>: {_e(n)}</li>" for s, n in notes) + "</ul>")
    if report.mistakes and report.mistakes.problems:
        unread = some_names(report.mistakes.problems)
        parts.append(f"<p>Records of the graded batch that could not be read: {_e(unread)}</p>")
    return "\n".join(parts)


def _sides(report: SimilarityReport, pairs: tuple[Pair, ...], flagged: bool, total: int) -> str:
    if not pairs:
        return ""
    title = "<h2>Flagged pairs side by side</h2>" if flagged else (
        "<h2>Side by side</h2>\n<p>No pair stands out. The highest-ranked pair is shown for reference.</p>")
    if total > len(pairs):
        title += f"\n<p class=muted>The first {len(pairs)} of {total} flagged pairs; the CSV lists them all.</p>"
    by_id = {d.student: d for d in report.documents}
    return title + "\n" + "\n".join(_side_by_side(p, by_id[p.first], by_id[p.second], report.template) for p in pairs)


def _side_by_side(pair: Pair, first: Document, second: Document, template: Hashes) -> str:
    found = matches(first, second, template)
    reasons = "".join(f"<li>{_e(r)}</li>" for r in pair.reasons) or "<li>not flagged</li>"
    per = ", ".join(f"{_e(_question(q))} {s:.2f}" for q, s in pair.questions)
    fragments = ", ".join(str(n) for n in found.lengths[:12]) or "none"
    return (f'<section class="pair" id="pair-{pair.rank}"><h3>#{pair.rank}: {_e(pair.first)} and {_e(pair.second)} '
            f"&middot; score {pair.score:.2f}</h3>\n<ul class=reasons>{reasons}</ul>\n"
            f'<p class="muted">Per question: {per or "no question both answered in code"}. Highlighted: shared runs '
            f"of at least {SHOWN} tokens outside the template, one colour per fragment ({len(found.lengths)}; "
            f"tokens: {fragments}).</p>\n<div class=sides>{_side(first, found.first)}{_side(second, found.second)}"
            "</div></section>")


def _side(document: Document, spans: tuple[tuple[Span, ...], ...]) -> str:
    cells = "".join(_cell(cell, cell_spans) for cell, cell_spans in zip(document.cells, spans))
    return f'<div class="side"><h4>{_e(document.student)}</h4>{cells or "<p>(no code)</p>"}</div>'


def _cell(cell: AnswerCell, spans: tuple[Span, ...]) -> str:
    name = _e(cell.name) + ("" if cell.question == ADDED else f" &middot; question {_e(cell.question)}")
    return f'<div class="cell"><div class="cellname">{name}</div><pre>{marked(cell.source, spans)}</pre></div>'


def marked(source: str, spans: tuple[Span, ...]) -> str:
    """``source`` escaped, with each span wrapped in a ``<mark>`` of its fragment's colour."""
    text, out, at = shorten(source, CELL_LIMIT), [], 0
    for span in spans:
        start, end = max(span.start, at), min(span.end, len(text))
        if start >= end:
            continue
        out.append(_e(text[at:start]))
        out.append(f'<mark class="f{(span.number - 1) % COLOURS + 1}" title="fragment {span.number}">'
                   f"{_e(text[start:end])}</mark>")
        at = end
    out.append(_e(text[at:]))
    return "".join(out)


def _footer() -> str:
    return (f"<footer>autograder similarity {_e(__version__)}: winnowing over normalised Python tokens "
            f"(k = {K}, w = {W}), compared on this machine; nothing was sent anywhere.</footer>")

