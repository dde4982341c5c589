"""What the assignment notebooks import: self-check, data generators, plots."""
