"""Acceptance 7: hashes are argon2id, and no password, token or secret reaches a log line."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from accord.auth.senders import reset_link_sender
from tests.auth.support import NEW_PASSWORD, PASSWORD, bearer, login, register
from tests.conftest import TEST_SECRETS


class QuietSender:
    def __init__(self) -> None:
        self.links: list[str] = []

    async def send_reset_link(self, email: str, link: str) -> None:
        self.links.append(link)


def _full_flow(client: TestClient) -> list[str]:
    """Every credential-bearing request there is; returns every credential seen."""
    sender = QuietSender()
    app: Any = client.app
    app.dependency_overrides[reset_link_sender] = lambda: sender
    seen = [PASSWORD, NEW_PASSWORD, "wrong-password-guess"]
    register(client, "zoe@example.com")
    client.post("/auth/login", json={"email": "zoe@example.com", "password": seen[2]})
    tokens = login(client, "zoe@example.com")
    rotated = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
    client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})  # reuse
    seen += [tokens["access_token"], tokens["refresh_token"], rotated["access_token"]]
    seen.append(rotated["refresh_token"])

    fresh = login(client, "zoe@example.com")
    headers = bearer(fresh["access_token"])
    client.post(
        "/me/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=headers,
    )
    client.post("/auth/password-reset", json={"email": "zoe@example.com"})
    reset_token = sender.links[-1].split("#token=", 1)[1]
    final = "amber-meadow-turbine-9"
    confirm = {"token": reset_token, "new_password": final}
    assert client.post("/auth/password-reset/confirm", json=confirm).status_code == 204
    seen += [fresh["access_token"], fresh["refresh_token"], reset_token, final]

    client.base_url = client.base_url.copy_with(scheme="https")
    cookie = client.post(
        "/auth/login", json={"email": "zoe@example.com", "password": final, "client": "cookie"}
    ).json()
    csrf = {"X-CSRF-Token": cookie["csrf_token"]}
    client.post("/projects", json={"name": "Ledger"}, headers=csrf)
    client.post("/auth/refresh", headers=csrf)
    seen += [
        client.cookies["accord_access"],
        client.cookies["accord_refresh"],
        cookie["csrf_token"],
    ]
    assert client.post("/auth/logout", headers=csrf).status_code == 204
    return seen


def test_no_credential_appears_in_any_log_line(
    client: TestClient, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    credentials = _full_flow(client)
    captured = capsys.readouterr()
    logged = "\n".join([caplog.text, captured.out, captured.err])
    assert "auth.login" in logged or "request" in logged  # the flow did log
    for secret in [*credentials, *TEST_SECRETS.values()]:
        assert secret not in logged


def test_password_hashes_in_the_database_are_argon2id(client: TestClient, clean_db: str) -> None:
    for name in ("p", "q", "r"):
        register(client, f"{name}-user@example.com")
    with psycopg.connect(clean_db) as conn:
        hashes = [r[0] for r in conn.execute("SELECT password_hash FROM users")]
        stored = [r[0] for r in conn.execute("SELECT token_hash FROM refresh_tokens")]
    assert len(hashes) == 3
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert all(len(h) == 64 for h in stored)  # refresh tokens: only their keyed hash
