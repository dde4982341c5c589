"""A cell's code as a stream of normalised tokens, each with its place in the cell.

Built on the standard ``tokenize`` module (the code is read, never run). What a copier changes
without changing the program is normalised away: every identifier becomes ``N`` (keywords,
builtins and attribute names after a dot stay: they are the language's and the libraries', not
the student's), every number ``#``, every string ``"``; comments, docstrings (a statement that is only a string)
and blank lines are dropped;
``NEWLINE``, ``INDENT`` and ``DEDENT`` stay, so the shape of the code counts.

Code that ``tokenize`` cannot read (an unclosed bracket or string, a bad dedent) is not an error:
the tokens read before the problem are kept, the rest is read by a simpler tokenizer, and the
result says so in ``note``.
"""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

Place = tuple[int, int]  # (line from 1, column from 0) in the cell's source, as tokenize counts them

_KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_STRUCTURE = {tokenize.NEWLINE: "NEWLINE", tokenize.INDENT: "INDENT", tokenize.DEDENT: "DEDENT"}
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}
# Python 3.12 splits an f-string into pieces; the whole f-string is one string here.
_FSTRING_START = getattr(tokenize, "FSTRING_START", -1)
_FSTRING_END = getattr(tokenize, "FSTRING_END", -1)
_FSTRING_PARTS = {getattr(tokenize, name, -1) for name in ("FSTRING_MIDDLE",)} - {-1}
# IPython lines (%magic, !shell) are not Python; they are blanked so that line numbers stay.
_MAGIC = re.compile(r"^[ \t]*[%!?]")
_SIMPLE = re.compile(r"""(?P<string>[rbuf]{0,2}(?:'[^'\n]*'?|"[^"\n]*"?))|(?P<name>[^\W\d]\w*)|(?P<number>\d[\w.]*)"""
                     r"""|(?P<comment>\#.*)|(?P<op>\*\*=?|//=?|->|:=|[=!<>+\-*/%&|^@]=|<<|>>|\S)""", re.IGNORECASE)


_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")


class Token(NamedTuple):
    """One normalised token: its text (``N``, ``#``, ``"``, a keyword, an operator...) and where it is.

    A named tuple rather than a dataclass: a class of a thousand has a million of them.
    """

    text: str
    start: Place
    end: Place


@dataclass(frozen=True)
class Tokens:
    """A cell's normalised tokens; ``note`` says why part of it was read by the simpler tokenizer."""

    tokens: tuple[Token, ...]
    note: str = ""

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(t.text for t in self.tokens)


def normalise(source: str) -> Tokens:
    """The normalised tokens of ``source``, however broken it is."""
    lines = [("\n" if line.endswith("\n") else "") if _MAGIC.match(line) else line for line in lines_of(source)]
    found: list[Token] = []
    try:
        found.extend(_python_tokens("".join(lines)))
        return Tokens(_without_docstrings(found))
    except (tokenize.TokenError, SyntaxError) as exc:  # IndentationError is a SyntaxError
        resume = found[-1].end[0] + 1 if found else 1
        rest = tuple(_simple_tokens(lines, resume))
        reason = exc.args[0] if exc.args and isinstance(exc.args[0], str) else type(exc).__name__
        simpler = f"; lines {resume} on were compared with a simpler tokenizer" if rest else ""
        return Tokens(_without_docstrings(found) + rest, f"not valid Python ({reason}){simpler}")


def lines_of(source: str) -> list[str]:
    """The lines of ``source`` as ``tokenize`` counts them (split at "\\n" only), ends kept."""
    return _LINE.findall(source)


def _python_tokens(source: str) -> Iterator[Token]:
    previous = ""
    fstring: Place | None = None  # where an f-string began (Python 3.12 and later)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == _FSTRING_START:
            fstring = fstring or tok.start
            continue
        if fstring is not None:
            if tok.type == _FSTRING_END:
                yield Token('"', fstring, tok.end)
                fstring, previous = None, '"'
            continue
        text = _normalised(tok, previous)
        if text:
            yield Token(text, tok.start, tok.end)
            previous = text


def _normalised(tok: tokenize.TokenInfo, previous: str) -> str:
    if tok.type in _SKIPPED or tok.type in _FSTRING_PARTS:
        return ""
    if tok.type in _STRUCTURE:
        return _STRUCTURE[tok.type]
    if tok.type == tokenize.NAME:
        return tok.string if tok.string in _KEPT_NAMES or previous == "." else "N"
    if tok.type == tokenize.NUMBER:
        return "#"
    if tok.type == tokenize.STRING:
        return '"'
    return tok.string.strip()  # operators; an ERRORTOKEN of spaces becomes nothing


def _without_docstrings(tokens: list[Token]) -> tuple[Token, ...]:
    """Drop statements made of one string (docstrings): a comment in all but name, often swapped for one."""
    kept: list[Token] = []
    skip = False
    for k, token in enumerate(tokens):
        if skip:  # the NEWLINE ending a dropped string statement
            skip = False
            continue
        starts_line = not kept or kept[-1].text in _STRUCTURE.values()
        if token.text == '"' and starts_line and k + 1 < len(tokens) and tokens[k + 1].text == "NEWLINE":
            skip = True
            continue
        kept.append(token)
    return tuple(kept)


def _simple_tokens(lines: list[str], first: int) -> Iterator[Token]:
    """Names, numbers, one-line strings and operators, line by line; no indentation tokens."""
    for number, line in enumerate(lines[first - 1:], start=first):
        previous, any_token = "", False
        for match in _SIMPLE.finditer(line):
            kind, word = match.lastgroup, match.group()
            if kind == "comment":
                break
            text = {"number": "#", "string": '"'}.get(kind or "", word)
            if kind == "name":
                text = word if word in _KEPT_NAMES or previous == "." else "N"
            yield Token(text, (number, match.start()), (number, match.end()))
            previous, any_token = text, True
        if any_token:
            yield Token("NEWLINE", (number, len(line.rstrip("\n"))), (number, len(line.rstrip("\n"))))
