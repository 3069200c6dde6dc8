"""The audit log: hash-chained, append-only, safe under concurrent appends, verifiable."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from accord.audit import RequestContext, record
from accord.db.url import sqlalchemy_url
from tests.auth.support import signed_up

RunAccord = Callable[..., subprocess.CompletedProcess[str]]


def _some_history(client: TestClient) -> None:
    _, owner = signed_up(client, "owner@example.com")
    signed_up(client, "second@example.com")
    project = client.post("/projects", json={"name": "Audit me"}, headers=owner).json()["id"]
    body = {"email": "second@example.com", "role": "viewer"}
    client.post(f"/projects/{project}/members", json=body, headers=owner)
    client.patch(f"/projects/{project}", json={"name": "Audited"}, headers=owner)


def test_verify_passes_on_an_untouched_chain(
    client: TestClient, clean_db: str, run_accord: RunAccord
) -> None:
    _some_history(client)
    result = run_accord("audit", "verify", env={"DATABASE_URL": clean_db})
    assert result.returncode == 0, result.stderr
    assert "audit chain intact" in result.stdout


def test_changing_one_row_makes_verify_fail_and_name_it(
    client: TestClient, clean_db: str, run_accord: RunAccord
) -> None:
    _some_history(client)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM audit_events ORDER BY id")]
        victim = ids[len(ids) // 2]
        # An attacker with table-owner rights switches off the append-only trigger first.
        conn.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        conn.execute(
            "UPDATE audit_events SET after = jsonb_set(coalesce(after, '{}'), '{role}', "
            "'\"owner\"') WHERE id = %s",
            (victim,),
        )
        conn.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    result = run_accord("audit", "verify", env={"DATABASE_URL": clean_db})
    assert result.returncode == 1
    assert f"BROKEN at entry {victim} " in result.stderr
    assert "does not match its contents" in result.stderr


def test_deleting_a_row_breaks_the_next_link(
    client: TestClient, clean_db: str, run_accord: RunAccord
) -> None:
    _some_history(client)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM audit_events ORDER BY id")]
        conn.execute("SET session_replication_role = replica")  # triggers off, as a superuser
        conn.execute("DELETE FROM audit_events WHERE id = %s", (ids[1],))
    result = run_accord("audit", "verify", env={"DATABASE_URL": clean_db})
    assert result.returncode == 1
    assert f"BROKEN at entry {ids[2]} " in result.stderr


def test_the_table_refuses_updates_and_deletes(client: TestClient, clean_db: str) -> None:
    _some_history(client)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        for statement in ("UPDATE audit_events SET action = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                conn.execute(statement)


def test_concurrent_appends_never_fork_the_chain(clean_db: str, run_accord: RunAccord) -> None:
    async def append_many() -> None:
        engine = create_async_engine(sqlalchemy_url(clean_db), pool_size=10)
        sessions = async_sessionmaker(engine)

        async def one(n: int) -> None:
            async with sessions() as session, session.begin():
                await record(
                    session,
                    None,
                    "test.concurrent",
                    "thing",
                    str(n),
                    after={"n": n},
                    context=RequestContext(ip="127.0.0.1", correlation_id=f"c{n}"),
                )

        await asyncio.gather(*(one(n) for n in range(30)))
        await engine.dispose()

    asyncio.run(append_many())
    with psycopg.connect(clean_db) as conn:
        links = [r[0] for r in conn.execute("SELECT prev_hash FROM audit_events")]
    assert len(links) == len(set(links)) == 30  # no two entries claim the same predecessor
    assert run_accord("audit", "verify", env={"DATABASE_URL": clean_db}).returncode == 0
