"""JUnit XML for CI: one ``<testsuite>`` per submission, one ``<testcase>`` per question.

JUnit has no points, so scores go in ``<properties>`` and in failure messages.
Passed -> empty testcase; anything less -> ``<failure>``; manual -> ``<skipped>``.
A submission that is ungradable or hit a grader error gets a ``notebook`` testcase
with ``<error>``; a timeout or crash gets one with ``<failure>``. Student output is
never included, and every string is stripped of characters XML 1.0 forbids.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from typing import TextIO

from autograder.report._text import clean, isolation_level, num, one_line, shorten
from autograder.report.question_text import question_output, question_passed
from autograder.report.student_text import cell_place
from source_lib.judge.results import QuestionResult, Status, SubmissionResult

_COUNTS = ("tests", "failures", "errors", "skipped")
_NOTEBOOK_ERROR = (Status.UNGRADABLE, Status.GRADER_ERROR)
_NOTEBOOK_FAILURE = (Status.TIMEOUT, Status.CRASHED)


def junit_xml(results: Sequence[SubmissionResult]) -> str:
    """A ``<testsuites>`` document for a batch of submissions."""
    buffer = io.StringIO()
    write_junit(results, buffer)
    return buffer.getvalue()


def write_junit(results: Iterable[SubmissionResult], out: TextIO) -> None:
    """Write the document for ``results`` to ``out``, one submission in memory at a time.

    The root's totals come first in the file but are known only at the end: the suites wait in a
    temporary file meanwhile.
    """
    totals = dict.fromkeys(_COUNTS, 0)
    seconds = 0.0
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as suites:
        for result in results:
            suite = _suite(result)
            for key in _COUNTS:
                totals[key] += int(suite.get(key, "0"))
            seconds += result.seconds
            ET.indent(suite, level=1)
            suites.write("  " + ET.tostring(suite, encoding="unicode") + "\n")
        counts = "".join(f' {key}="{value}"' for key, value in totals.items())
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="autograder"{counts} '
                  f'time="{_seconds(seconds)}">\n')
        suites.seek(0)
        shutil.copyfileobj(suites, out)
    out.write("</testsuites>\n")


def _suite(result: SubmissionResult) -> ET.Element:
    student = one_line(result.student)
    suite = ET.Element("testsuite", name=student)
    _properties(suite, result)
    cases = _notebook_case(result, student) + [_case(q, student) for q in result.questions]
    counts = dict.fromkeys(_COUNTS, 0)
    for case in cases:
        counts["tests"] += 1
        for tag, key in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            counts[key] += case.find(tag) is not None
        suite.append(case)
    for key in _COUNTS:
        suite.set(key, str(counts[key]))
    suite.set("time", _seconds(result.seconds))
    return suite


def _properties(suite: ET.Element, result: SubmissionResult) -> None:
    props = ET.SubElement(suite, "properties")
    values = {
        "score": num(result.score), "max_score": num(result.max_score),
        "status": result.status.value, "reason": one_line(result.reason),
        "grader_version": one_line(result.grader_version),
        "isolation": isolation_level(result.isolation), "sha256": one_line(result.sha256),
    }
    for name, value in values.items():
        ET.SubElement(props, "property", name=name, value=value)


def _case(question: QuestionResult, student: str) -> ET.Element:
    case = ET.Element("testcase", classname=student, name=one_line(question.question_id))
    if question.manual:
        ET.SubElement(case, "skipped", message="graded by the instructor")
    elif not question_passed(question):
        message = f"score {num(question.score)}/{num(question.max_score)}: {question.outcome.value}"
        failure = ET.SubElement(case, "failure", message=message, type=question.outcome.value)
        failure.text = clean(question_output(question))
    return case


def _notebook_case(result: SubmissionResult, student: str) -> list[ET.Element]:
    if result.status not in _NOTEBOOK_ERROR + _NOTEBOOK_FAILURE:
        return []
    case = ET.Element("testcase", classname=student, name="notebook")
    tag = "error" if result.status in _NOTEBOOK_ERROR else "failure"
    reason = one_line(result.reason)
    message = f"{result.status.value}: {reason}" if reason else result.status.value
    element = ET.SubElement(case, tag, message=shorten(message, 300), type=result.status.value)
    element.text = "\n".join(
        f"{cell_place(e)}: {one_line(e.error_type)}: {shorten(one_line(e.message), 300)}"
        for e in result.cell_errors) or None
    return [case]


def _seconds(value: float) -> str:
    return f"{max(0.0, value):.3f}"
