"""Acceptance 5: lockout after repeated failures (Redis and in-memory), and the other limits."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.auth.support import PASSWORD, assert_problem, bearer, login, register

WINDOW_S = 15 * 60


def _fail(client: TestClient, email: str, times: int) -> None:
    for _ in range(times):
        response = client.post("/auth/login", json={"email": email, "password": "wrong" * 3})
        assert_problem(response, 401)


def _assert_locked_out(client: TestClient, email: str) -> None:
    # Even the right password is refused while locked: the lock stops guessing, not typos.
    locked = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert_problem(locked, 429)
    retry_after = int(locked.headers["Retry-After"])
    assert 0 < retry_after <= WINDOW_S


def test_lockout_with_the_in_memory_cache(client: TestClient) -> None:
    register(client, "mem@example.com")
    _fail(client, "mem@example.com", 5)
    _assert_locked_out(client, "mem@example.com")


def test_lockout_with_redis_is_shared_between_processes(
    app_factory: Callable[..., TestClient], redis_url: str
) -> None:
    first = app_factory(REDIS_URL=redis_url)
    second = app_factory(REDIS_URL=redis_url)
    assert first.get("/health/ready").json()["cache"] == "redis"
    register(first, "red@example.com")
    _fail(first, "red@example.com", 3)
    _fail(second, "red@example.com", 2)
    _assert_locked_out(first, "red@example.com")
    _assert_locked_out(second, "red@example.com")


def test_lockout_keeps_working_when_redis_is_down(
    app_factory: Callable[..., TestClient],
) -> None:
    client = app_factory(REDIS_URL="redis://127.0.0.1:1/0", ACCORD_REDIS_CONNECT_ATTEMPTS="1")
    assert client.get("/health/ready").json()["status"] == "degraded"
    register(client, "down@example.com")
    _fail(client, "down@example.com", 5)
    _assert_locked_out(client, "down@example.com")


def test_failures_per_address_lock_every_account_from_it(
    app_factory: Callable[..., TestClient],
) -> None:
    client = app_factory(ACCORD_LOGIN_FAILURES_PER_IP="3")
    register(client, "one@example.com")
    _fail(client, "nobody-1@example.com", 2)
    _fail(client, "nobody-2@example.com", 1)
    _assert_locked_out(client, "one@example.com")


def test_a_good_login_clears_the_account_counter(client: TestClient) -> None:
    register(client, "ok@example.com")
    _fail(client, "ok@example.com", 4)
    login(client, "ok@example.com")
    _fail(client, "ok@example.com", 4)
    login(client, "ok@example.com")


def test_registration_and_reset_are_limited_per_address(
    app_factory: Callable[..., TestClient],
) -> None:
    client = app_factory(
        ACCORD_REGISTRATIONS_PER_IP_PER_HOUR="2", ACCORD_PASSWORD_RESETS_PER_IP_PER_HOUR="1"
    )
    register(client, "a@example.com")
    register(client, "b@example.com")
    third = client.post("/auth/register", json={"email": "c@example.com", "password": PASSWORD})
    assert int(assert_problem(third, 429) and third.headers["Retry-After"]) > 0
    assert client.post("/auth/password-reset", json={"email": "a@example.com"}).status_code == 202
    again = client.post("/auth/password-reset", json={"email": "a@example.com"})
    assert_problem(again, 429)


def test_each_user_has_a_general_request_limit(app_factory: Callable[..., TestClient]) -> None:
    client = app_factory(ACCORD_REQUESTS_PER_USER_PER_MINUTE="3")
    register(client, "busy@example.com")
    headers = bearer(login(client, "busy@example.com")["access_token"])
    statuses = [client.get("/me", headers=headers).status_code for _ in range(4)]
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3] == 429
