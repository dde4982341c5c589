"""Text hygiene shared by the report writers: strip what a student could smuggle in.

Student-derived strings (ids, printed output, error messages, answer texts) may
hold ANSI escapes, control characters, lone surrogates and bidi overrides.
Every writer passes them through ``clean`` before escaping for its format.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from source_lib.judge.results import SECONDS_PER_DAY, Lateness

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-byte escapes (ESC + one char).
_ANSI = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
)
# C0 except tab and newline, DEL, C1, and the non-characters XML 1.0 forbids.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
# Lone surrogates (undecodable) and bidi overrides/isolates (can disguise text): made visible.
_SUSPECT = re.compile(r"[\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_SPACE = re.compile(r"\s+")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")  # the judge's `name` spans in feedback


def clean(text: str) -> str:
    """Drop escapes and control characters; keep tabs and newlines (CR becomes a newline)."""
    text = _ANSI.sub("", str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return _SUSPECT.sub("\ufffd", text)


def single_line(text: str) -> str:
    """``clean`` with line breaks and tabs as spaces, inner runs kept: a student id stays the id
    its file and ``grades.csv`` give, so sheets join on it."""
    return clean(text).replace("\n", " ").replace("\t", " ")


def one_line(text: str) -> str:
    """``clean`` and collapse every run of whitespace to one space."""
    return _SPACE.sub(" ", clean(text)).strip()


def html_text(text: object, limit: int) -> str:
    """Clean, cut to ``limit`` characters, then escape: the only way student-derived text enters a page."""
    return html.escape(shorten(clean(str(text)), limit), quote=True)


def html_rich(text: str, limit: int) -> str:
    """``html_text``, then the judge's `name` spans as code (safe: the text is already escaped)."""
    return _CODE_SPAN.sub(r"<code>\1</code>", html_text(text.strip(), limit))


def shorten(text: str, limit: int) -> str:
    """Cut ``text`` to at most ``limit`` characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "\u2026"


def some_names(names: Sequence[str], shown: int = 20) -> str:
    """The first ``shown`` names, then how many more: a message about thousands stays readable."""
    listed = ", ".join(one_line(name) for name in names[:shown])
    return listed + (f" and {len(names) - shown} more" if len(names) > shown else "")


def num(value: float, digits: int = 2) -> str:
    """A score for people: ``2``, ``17.5``, ``0.33`` (no exponent below a million)."""
    text = f"{round(float(value), digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def isolation_level(isolation: dict[str, Any]) -> str:
    """The isolation level recorded for a run, ``unknown`` when absent."""
    level = isolation.get("level") if isinstance(isolation, dict) else None
    return one_line(str(level)) if level not in (None, "") else "unknown"


def lateness_sentence(lateness: Lateness) -> str:
    """One sentence for the student: on time, or how late and what it cost."""
    if not lateness.submitted_at:
        return "No submission time was recorded, so no late penalty applies."
    if lateness.late_seconds <= 0:
        return "Submitted on time."
    days, rest = divmod(int(lateness.late_seconds), int(SECONDS_PER_DAY))
    hours, minutes = rest // 3600, rest % 3600 // 60
    late = " ".join(part for part in (f"{days} d" if days else "", f"{hours} h" if hours else "",
                                      f"{minutes} min" if minutes and not days else "") if part) or "under a minute"
    cost = (f"the late policy ({lateness.policy}) took {lateness.penalty:g} points off" if lateness.penalty
            else "no points were taken off")
    return f"Submitted {late} after the due date; {cost}."
