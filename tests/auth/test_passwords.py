"""The password policy (NIST SP 800-63B), argon2id hashing, and rehashing on login."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
import pytest
from fastapi.testclient import TestClient

from accord.auth.password_policy import PasswordRejected, check_password, common_passwords
from accord.auth.passwords import Passwords
from tests.auth.support import PASSWORD, assert_problem, login, register


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short-pass1", "min_length"),
        ("x" * 100 + "yz-long-" * 4, "max_length"),
        ("password1234", "common"),
        ("QwertyUiop123", "common"),
        ("abababababababab", "repetitive"),
        ("my-name-is-johnny-5", "contains_email"),
        ("JOHNNY.b.good-forever", "contains_email"),
    ],
)
def test_the_policy_names_the_rule_a_password_breaks(password: str, rule: str) -> None:
    with pytest.raises(PasswordRejected) as refused:
        check_password(password, "johnny@example.com")
    assert refused.value.rule == rule


@pytest.mark.parametrize(
    "password",
    [
        "plum-orbit-canvas-7",
        "a sentence with spaces is fine",
        "ünïcödé-pässwörd-✓",
        ("violet kettle drum " * 8)[:128],
    ],
)
def test_long_uncommon_passwords_pass_without_composition_rules(password: str) -> None:
    check_password(password, "johnny@example.com")


def test_the_shipped_common_list_is_large_and_lower_case() -> None:
    common = common_passwords()
    assert len(common) > 3000
    assert "password123456" in common
    assert all(p == p.lower() for p in common)


def test_registration_refusal_says_which_rule_failed(client: TestClient) -> None:
    response = client.post(
        "/auth/register", json={"email": "amy@example.com", "password": "amy-secret-code"}
    )
    problem = assert_problem(response, 422)
    assert problem["rule"] == "contains_email"
    short = client.post("/auth/register", json={"email": "amy@example.com", "password": "short"})
    assert assert_problem(short, 422)["rule"] == "min_length"


def test_hashes_are_argon2id_with_the_configured_parameters() -> None:
    hashed = Passwords(time_cost=2, memory_kib=16, parallelism=1).hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=16,t=2,p=1$")
    assert Passwords(1, 8, 1).verify(hashed, PASSWORD).needs_rehash
    assert not Passwords(1, 8, 1).verify(hashed, "other password!").ok


def test_login_rehashes_when_the_parameters_change(
    app_factory: Callable[..., TestClient], clean_db: str
) -> None:
    register(app_factory(), "rae@example.com")
    stronger = app_factory(ACCORD_ARGON2_TIME_COST="2", ACCORD_ARGON2_MEMORY_KIB="16")
    login(stronger, "rae@example.com")
    with psycopg.connect(clean_db) as conn:
        row = conn.execute("SELECT password_hash FROM users").fetchone()
    assert row is not None
    assert row[0].startswith("$argon2id$v=19$m=16,t=2,p=1$")
    login(stronger, "rae@example.com")  # the upgraded hash still verifies


def test_the_same_password_in_another_unicode_form_still_verifies() -> None:
    passwords = Passwords(1, 8, 1)
    composed = "caf\u00e9-au-lait-morning"  # é as one code point
    decomposed = "cafe\u0301-au-lait-morning"  # e + combining accent
    assert passwords.verify(passwords.hash(composed), decomposed).ok
