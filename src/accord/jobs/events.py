"""Server-Sent Events of a job's progress, pushed by PostgreSQL LISTEN/NOTIFY (no polling).

The worker NOTIFYs on every progress step; each stream LISTENs on its own connection, sends
the job's state when it changes, a keep-alive comment when idle, and ends with the job.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import psycopg
from sqlalchemy.engine import URL

from accord.jobs.queue import NOTIFY_CHANNEL
from accord.jobs.service import TERMINAL
from accord.startup.database import libpq_conninfo

# Each open stream holds a PostgreSQL connection of its own: cap them per process so event
# streams can never exhaust the server's connections.
MAX_OPEN_STREAMS = 50
_open_streams = 0


def stream_slot_free() -> bool:
    return _open_streams < MAX_OPEN_STREAMS


_STATE_SQL = (
    "SELECT status, phase, progress, error, summary IS NOT NULL AS has_summary "
    "FROM reconciliation_jobs WHERE id = %s"
)


async def _state(conn: psycopg.AsyncConnection[Any], job_id: uuid.UUID) -> dict[str, Any] | None:
    cursor = await conn.execute(_STATE_SQL, (job_id,))
    row = await cursor.fetchone()
    if row is None:
        return None
    status, phase, progress, error, has_summary = row
    return {
        "job_id": str(job_id),
        "status": status,
        "phase": phase,
        "progress": round(float(progress), 4),
        "error": error,
        "has_summary": has_summary,
    }


async def job_events(
    url: URL, job_id: uuid.UUID, keepalive_s: float = 15.0
) -> AsyncIterator[dict[str, str]]:
    """Yield SSE messages: `progress` on each change, `done` at the end."""
    global _open_streams
    _open_streams += 1
    try:
        async for message in _stream(url, job_id, keepalive_s):
            yield message
    finally:
        _open_streams -= 1


async def _stream(url: URL, job_id: uuid.UUID, keepalive_s: float) -> AsyncIterator[dict[str, str]]:
    async with await psycopg.AsyncConnection.connect(libpq_conninfo(url), autocommit=True) as conn:
        await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        last: dict[str, Any] | None = None
        while True:
            state = await _state(conn, job_id)
            if state is None:
                return
            if state != last:
                last = state
                event = "done" if state["status"] in TERMINAL else "progress"
                yield {"event": event, "data": json.dumps(state)}
                if event == "done":
                    return
            woke = False
            async for note in conn.notifies(timeout=keepalive_s):
                if note.payload == str(job_id):
                    woke = True
                    break
            if not woke:
                yield {"comment": "keep-alive"}
