"""A signed-in project owner for the data-set, rule-set and job API tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from tests.auth.support import base_env, signed_up

__all__ = ["Owner", "base_env", "new_owner", "owner"]


@dataclass
class Owner:
    client: TestClient
    headers: dict[str, str]
    project_id: str

    def url(self, path: str) -> str:
        return f"/projects/{self.project_id}{path}"


def new_owner(client: TestClient) -> Owner:
    """Sign up an owner on `client` and give them a project."""
    _, headers = signed_up(client, "owner@example.com")
    project = client.post("/projects", json={"name": "Bank vs ledger"}, headers=headers)
    assert project.status_code == 201, project.text
    return Owner(client, headers, project.json()["id"])


@pytest.fixture
def owner(app_factory: Callable[..., TestClient]) -> Owner:
    return new_owner(app_factory())
