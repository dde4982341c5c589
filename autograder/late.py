"""Late work: when a submission came in, from the platform's record, and the course's late policy.

The time is the platform's, never the grading machine's clock: nbgrader's ``timestamp.txt`` beside
the collected notebook, or Gradescope's ``created_at``. Policies (``--late-policy``):

* ``none``: lateness is recorded and shown, nothing is taken off;
* ``zero``: a late submission scores 0;
* ``percent-per-day:P``: P% of the maximum off for each started day late;
* ``late-days:N``: N days of grace, then 0.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path

from autograder.errors import ConfigError
from source_lib.judge.results import SECONDS_PER_DAY, Lateness, SubmissionResult

DAY = SECONDS_PER_DAY
TIMESTAMP_FILE = "timestamp.txt"  # nbgrader's, beside the collected notebook
_POLICY = re.compile(r"none|zero|percent-per-day:(\d+(?:\.\d+)?)|late-days:(\d+)")


@dataclass(frozen=True)
class LatePolicy:
    """A parsed ``--late-policy``."""

    text: str
    percent_per_day: float = 0.0
    grace_days: int | None = None   # late-days:N
    zero: bool = False

    @classmethod
    def parse(cls, text: str) -> LatePolicy:
        found = _POLICY.fullmatch(text.strip())
        if found is None:
            raise ConfigError(f"--late-policy {text!r}: use none, zero, percent-per-day:P or late-days:N")
        percent, days = found.group(1), found.group(2)
        if percent is not None and not 0 < float(percent) <= 100:
            raise ConfigError(f"--late-policy {text!r}: the percentage must be above 0 and at most 100")
        return cls(text.strip(), float(percent or 0.0), int(days) if days is not None else None,
                   text.strip() == "zero")

    def points_off(self, late_seconds: float, raw: float, maximum: float) -> float:
        """Points the policy takes off a score of ``raw`` out of ``maximum``."""
        if late_seconds <= 0:
            return 0.0
        if self.zero or (self.grace_days is not None and late_seconds > self.grace_days * DAY):
            return raw
        days = math.ceil(late_seconds / DAY)
        return min(raw, round(maximum * self.percent_per_day / 100 * days, 6))


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time or nbgrader's ``2026-11-29 12:00:00.000000 UTC``, as UTC; None when unreadable."""
    cleaned = text.strip().replace("Z", "+00:00")
    cleaned = re.sub(r"\s*UTC$", "+00:00", cleaned)
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    return (moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment).astimezone(timezone.utc)


def submitted_at(notebook: Path) -> datetime | None:
    """nbgrader's record of when the notebook was submitted: ``timestamp.txt`` in its folder."""
    stamp = notebook.parent / TIMESTAMP_FILE
    try:
        return parse_time(stamp.read_text(encoding="utf-8", errors="replace")[:100]) if stamp.is_file() else None
    except OSError:
        return None


def with_lateness(result: SubmissionResult, when: datetime | None, due: datetime,
                  policy: LatePolicy) -> SubmissionResult:
    """``result`` with its lateness recorded and the policy's penalty applied (unknown time: on time)."""
    late = max(0.0, (when - due).total_seconds()) if when is not None else 0.0
    penalty = policy.points_off(late, result.raw_score, result.max_score)
    stamp = when.isoformat() if when is not None else ""
    return replace(result, lateness=Lateness(stamp, due.isoformat(), late, penalty, policy.text))


@dataclass(frozen=True)
class LateRule:
    """A due date and the policy for work after it (``grade --due ... --late-policy ...``)."""

    due: datetime
    policy: LatePolicy

    def apply(self, result: SubmissionResult) -> SubmissionResult:
        """Lateness from the notebook's ``timestamp.txt`` (nbgrader's layout)."""
        return with_lateness(result, submitted_at(Path(result.source)), self.due, self.policy)
