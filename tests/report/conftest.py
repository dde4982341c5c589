"""Fixtures for the report tests; the values themselves live in ``report_samples``."""

from __future__ import annotations

import pytest
import report_samples as samples

from source_lib.judge.results import SubmissionResult


@pytest.fixture
def question_ids() -> tuple[str, ...]:
    return samples.QUESTION_IDS


@pytest.fixture
def full() -> SubmissionResult:
    return samples.make_full()


@pytest.fixture
def partial() -> SubmissionResult:
    return samples.make_partial()


@pytest.fixture
def ungradable() -> SubmissionResult:
    return samples.make_ungradable()


@pytest.fixture
def crashed() -> SubmissionResult:
    return samples.make_crashed()


@pytest.fixture
def grader_error() -> SubmissionResult:
    return samples.make_grader_error()


@pytest.fixture
def hostile() -> SubmissionResult:
    return samples.make_hostile()


@pytest.fixture
def batch() -> list[SubmissionResult]:
    return samples.make_batch()


@pytest.fixture
def plain() -> SubmissionResult:
    return samples.make_plain()


@pytest.fixture
def other_assignment() -> SubmissionResult:
    return samples.make_other_assignment()
