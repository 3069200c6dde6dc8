"""Acceptance 1 and 2: both client styles end to end, and refresh-token reuse."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from fastapi.testclient import TestClient

from tests.auth.support import PASSWORD, assert_problem, bearer, login, register


def test_bearer_client_registers_signs_in_refreshes_and_signs_out(client: TestClient) -> None:
    user = register(client, "ada@example.com")
    assert user["email"] == "ada@example.com"
    assert user["is_admin"] is False
    tokens = login(client, "ada@example.com")
    assert tokens["token_type"] == "bearer"
    assert 0 < tokens["expires_in"] <= 15 * 60
    assert tokens["refresh_expires_in"] > 13 * 86400
    assert "set-cookie" not in {k.lower() for k in client.cookies}

    me = client.get("/me", headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["id"] == user["id"]

    refreshed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh_token"] != tokens["refresh_token"]
    assert client.get("/me", headers=bearer(new["access_token"])).status_code == 200

    assert client.post("/auth/logout", headers=bearer(new["access_token"])).status_code == 204
    assert_problem(client.get("/me", headers=bearer(new["access_token"])), 401)
    assert_problem(client.post("/auth/refresh", json={"refresh_token": new["refresh_token"]}), 401)


def test_cookie_client_needs_the_csrf_token_for_unsafe_requests(client: TestClient) -> None:
    client.base_url = client.base_url.copy_with(scheme="https")  # Secure cookies need https
    register(client, "grace@example.com")
    response = client.post(
        "/auth/login", json={"email": "grace@example.com", "password": PASSWORD, "client": "cookie"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["access_token"] is None
    assert body["refresh_token"] is None
    csrf = body["csrf_token"]
    set_cookies = response.headers.get_list("set-cookie")
    access = next(c for c in set_cookies if c.startswith("accord_access="))
    refresh = next(c for c in set_cookies if c.startswith("accord_refresh="))
    csrf_cookie = next(c for c in set_cookies if c.startswith("accord_csrf="))
    for cookie in (access, refresh):
        assert {"HttpOnly", "Secure", "SameSite"} <= {
            p.strip().split("=")[0] for p in cookie.split(";")
        }
    assert "Path=/auth" in refresh
    assert "HttpOnly" not in csrf_cookie
    assert "Secure" in csrf_cookie

    assert client.get("/me").status_code == 200  # safe method: the cookie is enough

    refused = client.post("/projects", json={"name": "Q3 bank"})
    problem = assert_problem(refused, 403)
    assert "X-CSRF-Token" in problem["detail"]
    wrong = client.post("/projects", json={"name": "Q3 bank"}, headers={"X-CSRF-Token": "x.y"})
    assert_problem(wrong, 403)
    created = client.post("/projects", json={"name": "Q3 bank"}, headers={"X-CSRF-Token": csrf})
    assert created.status_code == 201

    assert_problem(client.post("/auth/refresh"), 403)  # the cookie refresh needs it too
    rotated = client.post("/auth/refresh", headers={"X-CSRF-Token": csrf})
    assert rotated.status_code == 200
    csrf = rotated.json()["csrf_token"]
    assert client.get("/me").status_code == 200

    assert_problem(client.post("/auth/logout"), 403)
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert_problem(client.get("/me"), 401)


def test_a_csrf_token_of_another_session_is_refused(client: TestClient) -> None:
    client.base_url = client.base_url.copy_with(scheme="https")
    register(client, "mallory@example.com")
    cookie_login = {"email": "mallory@example.com", "password": PASSWORD, "client": "cookie"}
    other_csrf = client.post("/auth/login", json=cookie_login).json()["csrf_token"]
    client.post("/auth/login", json=cookie_login)  # a second session replaces the cookies
    # A planted cookie (e.g. from a sibling subdomain) matching the header is still refused.
    client.cookies.delete("accord_csrf")
    client.cookies.set("accord_csrf", other_csrf)
    refused = client.post("/projects", json={"name": "x"}, headers={"X-CSRF-Token": other_csrf})
    assert "another session" in assert_problem(refused, 403)["detail"]


def test_reusing_a_refresh_token_revokes_its_family_and_is_audited(
    client: TestClient, clean_db: str
) -> None:
    register(client, "eve@example.com")
    first = login(client, "eve@example.com")
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()

    reuse = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert "already used" in assert_problem(reuse, 401)["detail"]
    # Every token of the family is now dead: the newest refresh token and the access tokens.
    assert_problem(
        client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]}), 401
    )
    assert_problem(client.get("/me", headers=bearer(second["access_token"])), 401)
    # Another sign-in (another family) is unaffected.
    assert client.get("/me", headers=bearer(login(client, "eve@example.com")["access_token"]))

    with psycopg.connect(clean_db) as conn:
        rows = conn.execute(
            "SELECT object_type, after->>'revoked' FROM audit_events "
            "WHERE action = 'auth.refresh_token_reused'"
        ).fetchall()
        revoked = conn.execute(
            "SELECT revoked_reason FROM auth_sessions WHERE revoked_at IS NOT NULL"
        ).fetchall()
    assert rows == [("auth_session", "token family")]
    assert revoked == [("refresh_token_reuse",)]


def test_a_revoked_token_stays_revoked_after_a_restart(
    app_factory: Callable[..., TestClient],
) -> None:
    before = app_factory()
    register(before, "kay@example.com")
    tokens = login(before, "kay@example.com")
    assert before.post("/auth/logout", headers=bearer(tokens["access_token"])).status_code == 204
    after_restart = app_factory()  # a new process: an empty in-memory cache
    assert_problem(after_restart.get("/me", headers=bearer(tokens["access_token"])), 401)


def test_disabling_a_user_revokes_all_their_tokens(
    client: TestClient, run_accord: Callable[..., object], clean_db: str
) -> None:
    register(client, "sam@example.com")
    sessions = [login(client, "sam@example.com") for _ in range(2)]
    with psycopg.connect(clean_db) as conn:
        conn.execute("UPDATE users SET is_admin = true WHERE email = 'sam@example.com'")
    register(client, "root@example.com")
    with psycopg.connect(clean_db) as conn:
        conn.execute("UPDATE users SET is_admin = true WHERE email = 'root@example.com'")
        sam_id = conn.execute("SELECT id FROM users WHERE email = 'sam@example.com'").fetchone()
    assert sam_id is not None
    admin = bearer(login(client, "root@example.com")["access_token"])
    assert client.post(f"/users/{sam_id[0]}/disable", headers=admin).status_code == 200
    for tokens in sessions:
        assert_problem(client.get("/me", headers=bearer(tokens["access_token"])), 401)
        refresh = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert_problem(refresh, 401)
    disabled_login = client.post(
        "/auth/login", json={"email": "sam@example.com", "password": PASSWORD}
    )
    assert "disabled" in assert_problem(disabled_login, 401)["detail"]
