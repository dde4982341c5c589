"""feedback.html: well formed, self-contained, every student string escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from report_samples import PRINTED, SECRET

from autograder.report.feedback_html import OUTPUT_LIMIT, feedback_html

_VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr"}
_EXTERNAL = {"src", "href", "action", "formaction", "background", "poster"}


class _Checker(HTMLParser):
    """Tracks nesting and records anything active or external."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)
        for name, _ in attrs:
            if name in _EXTERNAL or name.startswith("on"):
                self.problems.append(f"attribute {name} on <{tag}>")
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
    page.encode("utf-8")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", page)
    return checker, page


def test_every_page_is_well_formed_and_has_every_title(batch):
    for result in batch[:-1]:  # the last one is hostile: its title is checked escaped below
        checker, _ = _check(result)
        text = "".join(checker.text)
        assert all(q.title in text for q in result.questions)
    _check(batch[-1])


def test_contents(partial):
    checker, page = _check(partial)
    text = "".join(checker.text)
    for title in ("zero_init: all-zero weights", "compute_gradient: dL/dW",
                  "symmetry: sympy derivation", "Explain symmetry breaking"):
        assert title in text
    assert "bob" in text and "3 / 10" in text and "1 / 3" in text
    assert "hidden case" in text and SECRET not in page
    assert "forgot_transpose" in text and "sign_error" in text
    assert "got 0.5, expected 1.0" in text and PRINTED in text
    assert "0.1.0" in text and "namespaces" in text and "ab" * 32 in text


def test_manual_answer_and_cell_errors(full, crashed):
    _, page = _check(full)
    answer = "Because every unit gets the same gradient."
    assert f"<blockquote><pre>\n{answer}</pre></blockquote>" in page
    checker, _ = _check(crashed)
    text = "".join(checker.text)
    assert "ZeroDivisionError" in text and "division by zero" in text
    assert "killed by signal 9" in text


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


def test_no_output_section_when_silent(ungradable):
    _, page = _check(ungradable)
    assert 'id="output"' not in page and "not a notebook" in page
