"""Report writers: turn judged results into files the ecosystem reads.

* ``results_json``      Gradescope ``results.json`` document (a dict) for one submission
* ``junit_xml``         JUnit XML for a batch
* ``grades_csv``        the class grade sheet
* ``feedback_html``     a self-contained feedback page for one student
* ``summary_table``, ``progress_line``   plain text for the terminal
* ``write_reports``, ``write_submission_reports``, ``write_batch_reports``   atomic files on disk
  (``student_folder`` says where one student's files go; ``BATCH_FILES`` names the class files)
* ``write_text``, ``write_bytes``        the atomic write itself

The class report (``class_report.write_class_report``) is imported from its module when wanted: it
loads numpy and matplotlib, which nothing else here needs.
"""

from autograder.report.bundle import (
    BATCH_FILES,
    student_dirname,
    student_folder,
    write_batch_reports,
    write_reports,
    write_submission_reports,
)
from autograder.report.feedback_html import feedback_html
from autograder.report.gradebook import grades_csv
from autograder.report.gradescope import results_json
from autograder.report.junit import junit_xml
from autograder.report.table import progress_line, summary_table
from autograder.report.write import write_bytes, write_text

__all__ = [
    "BATCH_FILES", "feedback_html", "grades_csv", "junit_xml", "progress_line", "results_json",
    "student_dirname", "student_folder", "summary_table", "write_batch_reports", "write_bytes",
    "write_reports", "write_submission_reports", "write_text",
]
