"""Fixtures of the review tests: a project with a succeeded job (see support.py)."""

from tests.results.support import world

__all__ = ["world"]
