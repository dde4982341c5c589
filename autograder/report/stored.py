"""A batch's results as a sequence read from disk, one ``record.json`` at a time.

A batch keeps only its students' ids in memory, not their results (about 23 KB each): the class
files and the terminal's table are built by reading each record back when its turn comes, so
grading 50,000 submissions needs no more memory than grading 50. A record reads in about 0.2 ms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import overload

from autograder.report.bundle import student_folder
from autograder.report.record import RECORD, read_record
from source_lib.judge.results import SubmissionResult


class StoredResults(Sequence[SubmissionResult]):
    """The results of ``students`` (sorted) as their records in ``folder`` hold them."""

    def __init__(self, folder: Path, students: Iterable[str]) -> None:
        self.folder = folder
        self.students = tuple(sorted(students))

    def __len__(self) -> int:
        return len(self.students)

    @overload
    def __getitem__(self, index: int) -> SubmissionResult: ...

    @overload
    def __getitem__(self, index: slice) -> StoredResults: ...

    def __getitem__(self, index: int | slice) -> SubmissionResult | StoredResults:
        if isinstance(index, slice):
            return StoredResults(self.folder, self.students[index])
        return read_record(student_folder(self.folder, self.students[index]) / RECORD)

    def moved_to(self, folder: Path) -> StoredResults:
        """The same results once their folder has been moved (a batch's staging folder put in place)."""
        return StoredResults(folder, self.students)
