"""What the account, project and audit tests share: cheap hashing, sign-up and sign-in helpers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

# argon2id at its cheapest, so the suite stays fast; production cost is the settings' default.
CHEAP_ARGON2 = {
    "ACCORD_ARGON2_TIME_COST": "1",
    "ACCORD_ARGON2_MEMORY_KIB": "8",
    "ACCORD_ARGON2_PARALLELISM": "1",
}
PASSWORD = "plum-orbit-canvas-7"
NEW_PASSWORD = "quiet-harbor-lantern-42"


@pytest.fixture
def base_env(base_env: dict[str, str]) -> dict[str, str]:
    return {**base_env, **CHEAP_ARGON2}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/auth/register", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def login(client: TestClient, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def signed_up(client: TestClient, email: str) -> tuple[str, dict[str, str]]:
    """Register and sign in `email`; return its user id and bearer headers."""
    user = register(client, email)
    return str(user["id"]), bearer(login(client, email)["access_token"])


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body
