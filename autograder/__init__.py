"""zeroinit-kit's autograder: sandboxed batch grading of nbgrader notebooks."""

import sys

__version__ = "0.1.0"

# jsonschema's optional IRI format checker builds a large grammar when imported (about 1 s per
# process); nbformat, which several modules import, never uses it, so its import fails fast instead.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
