"""A client that goes away mid-export: its connection, cursor and records are released at
once, not whenever the garbage collector finds the abandoned stream."""

from __future__ import annotations

from typing import Any

import anyio
import psycopg
import pytest

from accord.exports.batches import BatchBuilder
from tests.results.support import World


def _scope(world: World) -> dict[str, Any]:
    """A CSV export request as uvicorn hands it over (ASGI spec 2.3: Starlette listens for the
    disconnect and cancels the stream)."""
    path = world.url("/export")
    headers = [(k.lower().encode(), v.encode()) for k, v in world.headers["viewer"].items()]
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"format=csv",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }


def _open_exports(world: World) -> list[tuple[Any, ...]]:
    """Sessions still inside an export's transaction (its server-side cursor open)."""
    with psycopg.connect(world.db_url, autocommit=True) as conn:
        return conn.execute(
            "SELECT pid, state, query FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%%' AND query ILIKE %s",
            ("%export%",),
        ).fetchall()


@pytest.mark.parametrize("gone_while", ["sending", "building"])
def test_a_client_gone_mid_stream_releases_the_export_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch, gone_while: str
) -> None:
    monkeypatch.setattr("accord.exports.source.BATCH_ROWS", 20)
    closed: list[BatchBuilder] = []
    close = BatchBuilder.close

    def recorded_close(builder: BatchBuilder) -> None:
        closed.append(builder)
        close(builder)

    monkeypatch.setattr(BatchBuilder, "close", recorded_close)
    bodies: list[bytes] = []
    gone = anyio.Event()

    async def export() -> None:
        asked = False

        async def receive() -> dict[str, Any]:
            nonlocal asked
            if not asked:
                asked = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await gone.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] != "http.response.body":
                return
            bodies.append(message["body"])
            if len(bodies) == 3:
                gone.set()
                if gone_while == "sending":  # the client goes while a chunk is on its way
                    await anyio.sleep(0.2)

        await world.client.app(_scope(world), receive, send)

    world.client.portal.call(export)
    assert gone.is_set()
    assert bodies[-1], "the client left before the end"
    assert _open_exports(world) == []
    assert len(closed) == 1
