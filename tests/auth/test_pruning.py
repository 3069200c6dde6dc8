"""Pruning sign-in records: what stopped working a week ago goes, the rest and the audit stay."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine

from accord.audit.verify import verify_chain
from accord.auth.pruning import prune_auth_records
from accord.db.url import sqlalchemy_url
from tests.auth.support import (
    bearer,
    insert_abandoned_sign_in,
    login,
    register,
    sign_in_exists,
)

WEEK = timedelta(days=7)


@pytest.fixture
def engine(clean_db: str) -> Iterator[Engine]:
    engine = create_engine(sqlalchemy_url(clean_db))
    yield engine
    engine.dispose()


def _refresh(client: TestClient, token: str) -> Any:
    return client.post("/auth/refresh", json={"refresh_token": token})


def _session_of(conn: psycopg.Connection[Any], email: str) -> str:
    row = conn.execute(
        "SELECT s.id FROM auth_sessions s JOIN users u ON u.id = s.user_id WHERE u.email = %s",
        (email,),
    ).fetchone()
    assert row is not None
    return str(row[0])


def _count(conn: psycopg.Connection[Any], table: str, where: str = "true") -> int:
    row = conn.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone()
    assert row is not None
    return int(row[0])


def test_pruning_removes_what_stopped_working_a_week_ago_and_keeps_the_rest(
    client: TestClient, clean_db: str, engine: Engine
) -> None:
    for email in ("live@example.com", "gone@example.com", "recent@example.com"):
        register(client, email)
    first = login(client, "live@example.com")
    second = _refresh(client, first["refresh_token"]).json()
    current = _refresh(client, second["refresh_token"]).json()
    gone = login(client, "gone@example.com")
    client.post("/auth/logout", headers=bearer(gone["access_token"]))
    recent = login(client, "recent@example.com")
    client.post("/auth/logout", headers=bearer(recent["access_token"]))
    abandoned = insert_abandoned_sign_in(clean_db, "abandoned@example.com")
    expired_lately = insert_abandoned_sign_in(clean_db, "lately@example.com")

    with psycopg.connect(clean_db) as conn:
        live = _session_of(conn, "live@example.com")
        logged_out = _session_of(conn, "gone@example.com")
        # The live sign-in's first (spent) token expired 8 days ago; the second is spent but valid.
        conn.execute(
            "UPDATE refresh_tokens SET expires_at = now() - interval '8 days' WHERE id = "
            "(SELECT id FROM refresh_tokens WHERE session_id = %s ORDER BY created_at LIMIT 1)",
            (live,),
        )
        conn.execute(
            "UPDATE auth_sessions SET created_at = now() - interval '9 days', "
            "revoked_at = now() - interval '8 days' WHERE id = %s",
            (logged_out,),
        )
        conn.execute(
            "UPDATE refresh_tokens SET expires_at = now() - interval '6 days' "
            "WHERE session_id = %s",
            (expired_lately,),
        )
        user = conn.execute("SELECT id FROM users WHERE email = 'live@example.com'").fetchone()
        assert user is not None
        conn.execute(
            "INSERT INTO password_reset_tokens (user_id, token_hash, expires_at, used_at) VALUES "
            "(%(u)s, 'used-long-ago', now() - interval '8 days', now() - interval '8 days'), "
            "(%(u)s, 'expired-long-ago', now() - interval '8 days', NULL), "
            "(%(u)s, 'used-lately', now() + interval '20 minutes', now()), "
            "(%(u)s, 'fresh', now() + interval '20 minutes', NULL)",
            {"u": user[0]},
        )
        audit_before = _count(conn, "audit_events")

    pruned = prune_auth_records(engine, WEEK, batch_size=2)  # several batches of each kind

    assert (pruned.refresh_tokens, pruned.sessions, pruned.reset_tokens) == (3, 2, 2)
    assert not sign_in_exists(clean_db, logged_out)
    assert not sign_in_exists(clean_db, abandoned)
    assert sign_in_exists(clean_db, live)
    assert sign_in_exists(clean_db, expired_lately)
    with psycopg.connect(clean_db) as conn:
        assert _count(conn, "refresh_tokens", f"session_id = '{live}'") == 2
        assert _count(conn, "auth_sessions", "revoked_at IS NOT NULL") == 1  # the recent logout
        assert {r[0] for r in conn.execute("SELECT token_hash FROM password_reset_tokens")} == {
            "used-lately",
            "fresh",
        }
        assert _count(conn, "audit_events") == audit_before
        assert _count(conn, "audit_events", "action = 'auth.logout'") == 2
    with engine.connect() as conn:
        report = verify_chain(conn)
    assert report.intact
    assert report.checked == audit_before

    # The live sign-in still works, and its kept spent token still gives reuse away.
    assert _refresh(client, current["refresh_token"]).status_code == 200
    reuse = _refresh(client, second["refresh_token"])
    assert reuse.status_code == 401
    assert "already used" in reuse.json()["detail"]


def test_nothing_is_pruned_twice_and_a_longer_retention_keeps_more(
    clean_db: str, engine: Engine
) -> None:
    abandoned = insert_abandoned_sign_in(clean_db, "abandoned@example.com")
    assert prune_auth_records(engine, timedelta(days=30)).total == 0
    assert sign_in_exists(clean_db, abandoned)
    assert prune_auth_records(engine, WEEK).total == 2
    assert prune_auth_records(engine, WEEK).total == 0


def test_accord_auth_prune_uses_the_retention_setting(
    run_accord: Callable[..., Any], clean_db: str
) -> None:
    abandoned = insert_abandoned_sign_in(clean_db, "abandoned@example.com")
    kept = run_accord(
        "auth", "prune", env={"DATABASE_URL": clean_db, "ACCORD_AUTH_RETENTION_DAYS": "30"}
    )
    assert kept.returncode == 0, kept.stderr
    assert "pruned 0 refresh tokens, 0 sessions and 0 reset tokens" in kept.stdout
    assert sign_in_exists(clean_db, abandoned)

    done = run_accord("auth", "prune", env={"DATABASE_URL": clean_db})
    assert done.returncode == 0, done.stderr
    assert "pruned 1 refresh tokens, 1 sessions and 0 reset tokens" in done.stdout
    assert "over 7 days ago" in done.stdout
    assert not sign_in_exists(clean_db, abandoned)
