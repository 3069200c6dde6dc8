"""Acceptance 3: forged, unsigned, expired and misaddressed access tokens are refused with 401."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient

from tests.auth.support import assert_problem, bearer, login, register
from tests.conftest import TEST_SECRETS


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return claims


def _sign(claims: dict[str, Any], secret: str = TEST_SECRETS["JWT_SECRET"]) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def tampered(token: str) -> str:
    header, _payload, signature = token.split(".")
    claims = _claims(token) | {"sub": "00000000-0000-0000-0000-000000000001"}
    return f"{header}.{_b64(claims)}.{signature}"


def alg_none(token: str) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(token))}."


def expired(token: str) -> str:
    past = datetime.now(UTC) - timedelta(hours=1)
    return _sign(_claims(token) | {"iat": past, "exp": past + timedelta(minutes=15)})


def wrong_audience(token: str) -> str:
    return _sign(_claims(token) | {"aud": "someone-else"})


def wrong_issuer(token: str) -> str:
    return _sign(_claims(token) | {"iss": "https://evil.example"})


def wrong_secret(token: str) -> str:
    return _sign(_claims(token), secret=TEST_SECRETS["JWT_REFRESH_SECRET"])


def without_jti(token: str) -> str:
    claims = _claims(token)
    del claims["jti"]
    return _sign(claims)


@pytest.mark.parametrize(
    "forge",
    [tampered, alg_none, expired, wrong_audience, wrong_issuer, wrong_secret, without_jti],
)
def test_a_bad_access_token_is_a_401_problem(
    client: TestClient, forge: Callable[[str], str]
) -> None:
    register(client, "ann@example.com")
    token = login(client, "ann@example.com")["access_token"]
    assert client.get("/me", headers=bearer(token)).status_code == 200
    problem = assert_problem(client.get("/me", headers=bearer(forge(token))), 401)
    assert problem["title"] == "Not authenticated"
    if forge is expired:
        assert "expired" in problem["detail"]


def test_access_tokens_carry_the_checked_claims(client: TestClient) -> None:
    register(client, "bo@example.com")
    token = login(client, "bo@example.com")["access_token"]
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = _claims(token)
    assert {"sub", "exp", "iat", "jti", "iss", "aud", "sid"} <= set(claims)
    assert claims["exp"] - claims["iat"] == 15 * 60


def test_no_token_is_a_401_problem(client: TestClient) -> None:
    assert_problem(client.get("/me"), 401)
    assert_problem(client.get("/me", headers={"Authorization": "Bearer not-a-jwt"}), 401)
