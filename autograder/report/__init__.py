"""Report writers: turn judged results into files the ecosystem reads."""
