"""Cheap password hashing for this package's tests (see tests/auth/support.py)."""

from tests.auth.support import base_env

__all__ = ["base_env"]
