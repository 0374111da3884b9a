"""Grading student code you cannot trust: `python3 course grade <lesson>` (see grading/run.py)."""
