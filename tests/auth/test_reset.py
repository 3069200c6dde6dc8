"""Password reset: a single-use, short-lived link through a pluggable sender."""

from __future__ import annotations

import asyncio
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from accord.auth.senders import LogResetLinkSender, reset_link_sender
from tests.auth.support import NEW_PASSWORD, PASSWORD, assert_problem, bearer, login, register


class CapturingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send_reset_link(self, email: str, link: str) -> None:
        self.sent.append((email, link))

    def token(self) -> str:
        return self.sent[-1][1].split("#token=", 1)[1]


@pytest.fixture
def outbox(client: TestClient) -> CapturingSender:
    sender = CapturingSender()
    app: Any = client.app
    app.dependency_overrides[reset_link_sender] = lambda: sender
    return sender


def _confirm(client: TestClient, token: str, password: str = NEW_PASSWORD) -> Any:
    return client.post(
        "/auth/password-reset/confirm", json={"token": token, "new_password": password}
    )


def test_reset_sets_a_new_password_once_and_ends_every_sign_in(
    client: TestClient, outbox: CapturingSender
) -> None:
    register(client, "lou@example.com")
    old = login(client, "lou@example.com")
    assert client.post("/auth/password-reset", json={"email": "lou@example.com"}).status_code == 202
    assert outbox.sent[0][0] == "lou@example.com"
    assert outbox.sent[0][1].startswith("http://127.0.0.1:8000/reset-password#token=")

    assert _confirm(client, outbox.token()).status_code == 204
    assert_problem(_confirm(client, outbox.token(), "another-fine-passphrase"), 400)  # single use
    assert_problem(client.get("/me", headers=bearer(old["access_token"])), 401)
    assert_problem(
        client.post("/auth/login", json={"email": "lou@example.com", "password": PASSWORD}), 401
    )
    login(client, "lou@example.com", NEW_PASSWORD)


def test_unknown_addresses_get_the_same_answer_and_no_mail(
    client: TestClient, outbox: CapturingSender
) -> None:
    response = client.post("/auth/password-reset", json={"email": "ghost@example.com"})
    assert response.status_code == 202
    assert outbox.sent == []


def test_an_expired_or_superseded_link_is_refused(
    client: TestClient, outbox: CapturingSender, clean_db: str
) -> None:
    register(client, "max@example.com")
    client.post("/auth/password-reset", json={"email": "max@example.com"})
    first = outbox.token()
    client.post("/auth/password-reset", json={"email": "max@example.com"})
    assert_problem(_confirm(client, first), 400)  # only the newest link works
    with psycopg.connect(clean_db) as conn:
        conn.execute("UPDATE password_reset_tokens SET expires_at = now() - interval '1 second'")
    assert "expired" in assert_problem(_confirm(client, outbox.token()), 400)["detail"]


def test_the_new_password_must_pass_the_policy(client: TestClient, outbox: CapturingSender) -> None:
    register(client, "ivy@example.com")
    client.post("/auth/password-reset", json={"email": "ivy@example.com"})
    assert assert_problem(_confirm(client, outbox.token(), "password1234"), 422)["rule"] == "common"
    assert _confirm(client, outbox.token()).status_code == 204  # a refusal does not spend it


def test_the_default_sender_reveals_the_link_only_in_development(
    capsys: pytest.CaptureFixture[str],
) -> None:
    asyncio.run(
        LogResetLinkSender(reveal_link=False).send_reset_link("a@x.org", "https://x/#t=SECRET")
    )
    asyncio.run(LogResetLinkSender(reveal_link=True).send_reset_link("b@x.org", "https://x/#t=DEV"))
    out = capsys.readouterr()
    logged = out.out + out.err
    assert "SECRET" not in logged
    assert "DEV" in logged
