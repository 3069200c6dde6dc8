"""Signing out once the access token expired: the refresh token alone ends the sign-in."""

from __future__ import annotations

from typing import Any

import psycopg
from fastapi.testclient import TestClient

from tests.auth.support import PASSWORD, assert_problem, bearer, login, register
from tests.auth.test_tokens import expired


def _refresh(client: TestClient, token: str) -> Any:
    return client.post("/auth/refresh", json={"refresh_token": token})


def test_a_bearer_client_signs_out_with_its_refresh_token_after_the_access_token_expired(
    client: TestClient, clean_db: str
) -> None:
    register(client, "ada@example.com")
    tokens = login(client, "ada@example.com")
    stale = bearer(expired(tokens["access_token"]))
    assert_problem(client.get("/me", headers=stale), 401)

    out = client.post(
        "/auth/logout", headers=stale, json={"refresh_token": tokens["refresh_token"]}
    )
    assert out.status_code == 204, out.text
    assert "ended" in assert_problem(_refresh(client, tokens["refresh_token"]), 401)["detail"]
    assert_problem(client.get("/me", headers=bearer(tokens["access_token"])), 401)
    with psycopg.connect(clean_db) as conn:
        rows = conn.execute(
            "SELECT actor_email, after->>'signed_out_with' FROM audit_events "
            "WHERE action = 'auth.logout'"
        ).fetchall()
        reasons = conn.execute("SELECT revoked_reason FROM auth_sessions").fetchall()
    assert rows == [("ada@example.com", "refresh_token")]
    assert reasons == [("logout",)]


def test_a_cookie_client_signs_out_with_the_refresh_cookie_and_its_csrf_token(
    client: TestClient,
) -> None:
    client.base_url = client.base_url.copy_with(scheme="https")  # Secure cookies need https
    register(client, "grace@example.com")
    signed_in = client.post(
        "/auth/login", json={"email": "grace@example.com", "password": PASSWORD, "client": "cookie"}
    )
    csrf = signed_in.json()["csrf_token"]
    refresh_token = client.cookies["accord_refresh"]
    client.cookies.delete("accord_access")  # what the browser does once it expired

    assert_problem(client.post("/auth/logout"), 403)  # the refresh cookie alone is not enough
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert "accord_refresh" not in client.cookies
    assert_problem(_refresh(client, refresh_token), 401)


def test_signing_out_with_nothing_valid_is_refused_with_a_problem(client: TestClient) -> None:
    nothing = assert_problem(client.post("/auth/logout"), 401)
    assert "refresh token" in nothing["detail"]
    assert nothing["type"].endswith("/unauthorized")

    register(client, "eve@example.com")
    tokens = login(client, "eve@example.com")
    stale = bearer(expired(tokens["access_token"]))
    forged = client.post("/auth/logout", headers=stale, json={"refresh_token": "not-a-token"})
    assert "not valid" in assert_problem(forged, 401)["detail"]

    # A spent refresh token is reuse, here as on /auth/refresh: the whole family is ended.
    newer = _refresh(client, tokens["refresh_token"]).json()
    spent = client.post(
        "/auth/logout", headers=stale, json={"refresh_token": tokens["refresh_token"]}
    )
    assert "already used" in assert_problem(spent, 401)["detail"]
    assert_problem(_refresh(client, newer["refresh_token"]), 401)
