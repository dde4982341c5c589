"""Build sandbox jobs: which cells to run and which names to probe on which inputs.

A student's job and the reference job take the same shape; the reference job
also carries one variant per catalogued misconception (the solution cell with
the mistake injected), so the judge learns what each mistake looks like on the
very same inputs without ever running code itself.
"""

from __future__ import annotations

import uuid
from typing import Any

from autograder.config import Limits
from autograder.errors import AssignmentError
from autograder.notebook import Notebook
from source_lib import wire
from source_lib.judge import codec
from source_lib.judge.spec import Assignment, AutoQuestion, CaseSet, FunctionQuestion, variant_key


def probes(assignment: Assignment, cases: CaseSet,
           questions: tuple[AutoQuestion, ...] | None = None) -> list[dict[str, Any]]:
    """Wire probes for ``questions`` (all auto-graded ones by default).

    Named values are read before any function is called, so a function run on hidden
    inputs cannot plant them in an answer whose text the feedback might quote.
    """
    chosen = questions or assignment.auto_questions
    ordered = sorted(chosen, key=lambda q: isinstance(q, FunctionQuestion))
    return [_probe(q, cases) for q in ordered]


def _probe(question: AutoQuestion, cases: CaseSet) -> dict[str, Any]:
    if isinstance(question, FunctionQuestion):
        return {"question": question.id, "kind": "call", "name": question.function,
                "cases": [{"id": c.id, "args": [codec.encode(a) for a in c.args]}
                          for c in cases.by_question[question.id]]}
    return {"question": question.id, "kind": "value", "name": question.name}


def student_job(assignment: Assignment, notebook: Notebook, cases: CaseSet,
                limits: Limits, label: str) -> dict[str, Any]:
    """A job that runs a submission's code cells and probes every auto-graded question."""
    return _job(notebook, probes(assignment, cases), [], limits, label)


def reference_job(assignment: Assignment, solution: Notebook, cases: CaseSet,
                  limits: Limits) -> dict[str, Any]:
    """The solution's job, plus one variant per misconception for its own question."""
    variants = []
    for question in assignment.auto_questions:
        cell = solution.by_grade_id(question.cell)
        if cell is None:
            raise AssignmentError(assignment.name, f"the solution has no cell with grade_id {question.cell!r}")
        for misconception in question.misconceptions:
            source = misconception.apply(cell.source, f"{assignment.name}/{question.id}")
            variants.append({"id": variant_key(question.id, misconception.id), "cell_index": cell.index,
                             "source": source, "probes": probes(assignment, cases, (question,))})
    return _job(solution, probes(assignment, cases), variants, limits, "reference")


def _job(notebook: Notebook, job_probes: list[dict[str, Any]], variants: list[dict[str, Any]],
         limits: Limits, label: str) -> dict[str, Any]:
    return {
        "wire": wire.WIRE_VERSION,
        "job_id": f"{label}#{uuid.uuid4().hex[:12]}",  # unique: replies are matched by it
        "cells": [{"index": c.index, "source": c.source} for c in notebook.code_to_run()],
        "probes": job_probes,
        "variants": variants,
        "limits": limits.as_wire(),
    }

