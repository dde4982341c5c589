"""feedback.html: well formed, self-contained, every student string escaped, each verdict said once."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from html.parser import HTMLParser

from report_samples import PRINTED, SECRET, SIGN, TRANSPOSE

from autograder.report.feedback_html import OUTPUT_LIMIT, feedback_html

_VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr"}
_EXTERNAL = {"src", "href", "action", "formaction", "background", "poster"}


class _Checker(HTMLParser):
    """Tracks nesting and records anything active or external (in-page links are fine)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        for name, value in attrs:
            if tag == "a" and name == "href" and re.fullmatch(r"#q\d+", value or ""):
                self.links.append(value[1:])
            elif name in _EXTERNAL or name.startswith("on"):
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "id":
                self.ids.append(value)
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unbalanced </{tag}>")

    def handle_data(self, data) -> None:
        self.text.append(data)


def _check(result) -> tuple[_Checker, str]:
    page = feedback_html(result)
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.doctype and not checker.problems and not checker.stack
    assert checker.tags[:3] == ["html", "head", "meta"]
    assert "script" not in checker.tags and "link" not in checker.tags
    assert set(checker.links) <= set(checker.ids) and len(set(checker.ids)) == len(checker.ids)
    page.encode("utf-8")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
    return checker, page


def _text(fragment: str) -> str:
    """The visible text of an HTML fragment (body only), whitespace collapsed."""
    fragment = fragment.split("<body>")[-1]
    spaced = re.sub(r"</?(?:p|li|tr|td|th|div|h\d|section|ul|table|nav|header|blockquote)\b[^>]*>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", spaced)).split())


def _section(page: str, index: int) -> str:
    found = re.search(rf'<section[^>]* id="q{index}">(.*?)</section>', page, re.S)
    assert found, f"no section q{index}"
    return _text(found.group(1))


def test_every_page_is_well_formed_and_has_every_title(batch, plain, other_assignment):
    for result in [*batch[:-1], plain, other_assignment]:  # the hostile one: titles checked escaped below
        checker, _ = _check(result)
        text = "".join(checker.text)
        assert all(q.title in text for q in result.questions)
    _check(batch[-1])


def test_summary_table_links_every_question_to_its_section(partial):
    checker, page = _check(partial)
    assert checker.links == ["q1", "q2", "q3", "q4"]
    table = _text(page[page.index("<nav"):page.index("</nav>")])
    for row in ("zero_init: all-zero weights 2 / 2", "compute_gradient: dL/dW 1 / 3",
                "symmetry: sympy derivation 0 / 5", "Explain symmetry breaking \u2014 / 5"):
        assert row in table
    assert "3 / 10" in _text(page[:page.index("<nav")]) and "bob" in page


def test_one_verdict_per_question_and_no_internal_id(partial):
    _, page = _check(partial)
    q2 = _section(page, 2)
    assert q2.count(TRANSPOSE) == 1 and q2.count(SIGN) == 1  # named once, not on every case
    assert q2.count("Likely mistake") == 2 and "Check the transpose." in q2
    assert "Public case that failed: values" in q2  # same message as the mistake: only its name
    assert "2 hidden cases: 0 passed" in q2
    assert "checks passed" not in q2  # the judge's tally is the table's job
    for internal in ("forgot_transpose", "sign_error", "likely:", "Likely misconception"):
        assert internal not in page
    assert SECRET not in page and "h1" not in q2 and "h2" not in q2
    assert "sym_grad" in _section(page, 3) and "missing" in _section(page, 3)


def test_passed_question_is_one_line(partial):
    _, page = _check(partial)
    section = re.search(r'<section class="ok" id="q1">(.*?)</section>', page, re.S)
    assert section and _text(section.group(1)) == "\u2713 zero_init: all-zero weights q1 2 / 2"
    assert "<ul" not in section.group(1) and "hidden" not in section.group(1)


def test_titles_equal_to_ids_are_said_once_and_failed_cases_group_by_message(plain):
    _, page = _check(plain)
    f = _section(page, 1)
    assert f.startswith("f 0.4 / 2") and "f f" not in f
    assert "public-1, public-2: calling f(x) raised ValueError: bad shape" in f
    assert "public-3: f is wrong: got 2, expected 3." in f
    assert f.count("raised ValueError") == 1
    assert "2 hidden cases: 1 passed" in f and SECRET not in page
    g = _section(page, 2)  # only a hidden case fails: its (input-free) message is the only clue
    assert "1 hidden case: 0 passed (on one of them: g has shape (7, 1), expected (7,).)" in g
    assert _section(page, 3) == "\u2713 h 1 / 1"


def test_cell_errors_are_placed_by_question_not_by_index(plain):
    checker, page = _check(plain)
    errors = _text(page[page.index('<section id="errors">'):])
    assert "in f, line 2 NameError: name 'x' is not defined" in errors
    assert "in the second code cell after g, line 1 ValueError: bad" in errors
    assert "in the first code cell from the top, line 1 ImportError: no module" in errors
    assert not re.search(r"\bcell \d", errors)


def test_manual_answers_take_one_line(full, partial):
    _, page = _check(full)
    answer = "Because every unit gets the same gradient."
    assert f"<blockquote><pre>\n{answer}</pre></blockquote>" in page
    _, page = _check(partial)
    blank = _section(page, 4)
    assert blank == "Explain symmetry breaking q4 \u2014 / 5 graded by your instructor " \
                    "No answer: the answer cell was left empty or unchanged."


def test_crash_reason_and_cell_errors(crashed):
    checker, _ = _check(crashed)
    text = "".join(checker.text)
    assert "ZeroDivisionError" in text and "division by zero" in text
    assert "Killed by signal 9" in text and "still count" in text


def test_another_assignment_is_told_with_the_real_maximum(other_assignment):
    checker, page = _check(other_assignment)
    text = _text(page)
    assert "0 / 5 points" in text  # the manual question's points are not auto-graded
    assert text.count("looks like logistic_regression, not linear_regression") == 1
    assert "<code>logistic_regression</code>, not <code>linear_regression</code>" in page
    assert "q1 0 / 2" in text and "q2 0 / 3" in text
    assert checker.links == [] and 'id="q1"' not in page  # nothing else to say per question


def test_hostile_content_is_escaped(hostile):
    checker, page = _check(hostile)
    assert "<script>" not in page and "&lt;script&gt;" in page
    for bad in ("\x1b", "[2K", "\x00", "\x0b", "\ud800", "\u202e"):
        assert bad not in page
    assert "]]&gt;" in page
    text = "".join(checker.text)
    assert "=cmd|' /C calc'!A0" in text and "answer <script>" in text
    assert "zero_init <script>alert(1)</script>" in text
    assert "Output truncated" in text and len(page) < OUTPUT_LIMIT + 60_000


def test_backticks_become_code_only_after_escaping(partial):
    _, page = _check(partial)
    assert "<code>sym_grad</code>" in page
    q3 = replace(partial.questions[2], feedback="`<b>x</b>` was never defined.")
    _, page = _check(replace(partial, questions=(partial.questions[0], partial.questions[1], q3)))
    assert "<code>&lt;b&gt;x&lt;/b&gt;</code>" in page


def test_no_output_section_when_silent(ungradable):
    _, page = _check(ungradable)
    assert 'id="output"' not in page and "not a notebook" in page.lower()
    assert PRINTED not in page
