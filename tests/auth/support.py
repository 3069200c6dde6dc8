"""What the account, project and audit tests share: cheap hashing, sign-up and sign-in helpers."""

from __future__ import annotations

from typing import Any

import psycopg
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


def insert_abandoned_sign_in(db_url: str, email: str) -> str:
    """An account whose one sign-in ended 10 days ago (its only refresh token expired then)."""
    with psycopg.connect(db_url) as conn:
        user = conn.execute(
            "INSERT INTO users (email, password_hash) VALUES (%s, 'unused') RETURNING id", (email,)
        ).fetchone()
        assert user is not None
        session = conn.execute(
            "INSERT INTO auth_sessions (user_id, client, created_at) "
            "VALUES (%s, 'bearer', now() - interval '24 days') RETURNING id",
            (user[0],),
        ).fetchone()
        assert session is not None
        conn.execute(
            "INSERT INTO refresh_tokens (session_id, token_hash, expires_at, created_at) "
            "VALUES (%s, md5(%s), now() - interval '10 days', now() - interval '24 days')",
            (session[0], email),
        )
    return str(session[0])


def sign_in_exists(db_url: str, session_id: str) -> bool:
    with psycopg.connect(db_url) as conn:
        found = conn.execute("SELECT 1 FROM auth_sessions WHERE id = %s", (session_id,))
        return found.fetchone() is not None
