"""The signed-in owner fixture of the data-set tests."""

from tests.datasets.conftest import base_env, owner

__all__ = ["base_env", "owner"]
