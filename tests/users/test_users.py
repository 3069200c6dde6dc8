"""Accounts: the caller's own, administrators managing users, and the CLI's first administrator."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
from fastapi.testclient import TestClient

from tests.auth.support import NEW_PASSWORD, PASSWORD, assert_problem, bearer, login, signed_up


def _accord_with_stdin(
    base_env: dict[str, str], stdin: str, *args: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": os.environ.get("PATH", ""), "ACCORD_LOG_FORMAT": "json", **base_env, **env}
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        input=stdin,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_first_administrator_is_created_with_the_cli(
    client: TestClient, clean_db: str, base_env: dict[str, str]
) -> None:
    env = {"DATABASE_URL": clean_db}
    created = _accord_with_stdin(
        base_env,
        f"{PASSWORD}\n",
        "users",
        "create",
        "boss@example.com",
        "--admin",
        "--password-stdin",
        env=env,
    )
    assert created.returncode == 0, created.stderr
    assert "created administrator boss@example.com" in created.stdout
    admin = bearer(login(client, "boss@example.com")["access_token"])
    me = client.get("/me", headers=admin).json()
    assert me["is_admin"] is True
    listed = _accord_with_stdin(base_env, "", "users", "list", env=env)
    assert listed.stdout.split("\t")[:3] == ["boss@example.com", "admin", "enabled"]

    weak = _accord_with_stdin(
        base_env, "password1234\n", "users", "create", "x@example.com", "--password-stdin", env=env
    )
    assert weak.returncode == 1
    assert "commonly used" in weak.stderr
    with psycopg.connect(clean_db) as conn:
        row = conn.execute("SELECT action, ip FROM audit_events WHERE action = 'user.created'")
        assert row.fetchall() == [("user.created", "cli")]


def test_registration_never_makes_an_administrator(client: TestClient) -> None:
    _, headers = signed_up(client, "first@example.com")
    assert client.get("/me", headers=headers).json()["is_admin"] is False
    assert_problem(client.get("/users", headers=headers), 403)


def test_administrators_list_disable_and_enable_users(client: TestClient, clean_db: str) -> None:
    _, admin = signed_up(client, "root@example.com")
    user_id, user = signed_up(client, "user@example.com")
    with psycopg.connect(clean_db) as conn:
        conn.execute("UPDATE users SET is_admin = true WHERE email = 'root@example.com'")
    page = client.get("/users", headers=admin).json()
    assert page["total"] == 2
    assert [u["email"] for u in page["items"]] == ["root@example.com", "user@example.com"]

    assert_problem(client.post(f"/users/{user_id}/disable", headers=user), 403)
    disabled = client.post(f"/users/{user_id}/disable", headers=admin)
    assert disabled.json()["is_active"] is False
    assert_problem(client.get("/me", headers=user), 401)
    enabled = client.post(f"/users/{user_id}/enable", headers=admin)
    assert enabled.json()["is_active"] is True
    login(client, "user@example.com")
    with psycopg.connect(clean_db) as conn:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_events ORDER BY id")]
    assert actions.count("user.disabled") == actions.count("user.enabled") == 1


def test_changing_the_password_ends_the_other_sign_ins(client: TestClient) -> None:
    _, current = signed_up(client, "pat@example.com")
    other = bearer(login(client, "pat@example.com")["access_token"])
    wrong = client.post(
        "/me/password",
        json={"current_password": "not-my-password", "new_password": NEW_PASSWORD},
        headers=current,
    )
    assert assert_problem(wrong, 422)["rule"] == "current_password"
    weak = client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": "pat-is-my-name"},
        headers=current,
    )
    assert assert_problem(weak, 422)["rule"] == "contains_email"
    changed = client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=current,
    )
    assert changed.status_code == 204
    assert client.get("/me", headers=current).status_code == 200
    assert_problem(client.get("/me", headers=other), 401)
    login(client, "pat@example.com", NEW_PASSWORD)


def test_logins_good_and_bad_are_audited(client: TestClient, clean_db: str) -> None:
    signed_up(client, "lee@example.com")
    client.post("/auth/login", json={"email": "lee@example.com", "password": "not the password"})
    client.post("/auth/login", json={"email": "nobody@example.com", "password": "whatever-it-is"})
    with psycopg.connect(clean_db) as conn:
        rows = conn.execute(
            "SELECT action, after->>'reason' FROM audit_events WHERE action LIKE 'auth.login%' "
            "ORDER BY id"
        ).fetchall()
    assert rows == [
        ("auth.login", None),
        ("auth.login_failed", "wrong_password"),
        ("auth.login_failed", "unknown_email"),
    ]
