"""The fault matrix's rows, filled by tests/test_faults.py and printed at the end of the run."""

MATRIX: list[tuple[str, str, str]] = []
