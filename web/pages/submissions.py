"""Submissions (being built)."""
