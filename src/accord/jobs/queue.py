"""The queue's SQL: claim, heartbeat, progress and finish — each a single statement.

A job is claimed by `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED)`, so workers never
block each other and a job runs in one worker at a time. A running job whose heartbeat is
older than `stale_after_s` belonged to a worker that died: the next claim takes it over.
Every write after the claim is guarded by `worker_id`, so a worker that lost its job (it was
presumed dead and reclaimed) can never write over the new owner's work.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession

NOTIFY_CHANNEL = "accord_jobs"
# A job whose worker died this many times (out of memory, killed) is failed, not retried:
# otherwise it would take down every worker in turn and block the queue behind it.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ClaimedJob:
    id: uuid.UUID
    project_id: uuid.UUID
    params: dict[str, Any]
    attempts: int
    left_dataset_id: uuid.UUID | None
    right_dataset_id: uuid.UUID | None
    ruleset_version_id: uuid.UUID | None


_CLAIM = text(
    """
    UPDATE reconciliation_jobs j
    SET status = 'running', worker_id = :worker, heartbeat_at = now(),
        started_at = coalesce(j.started_at, now()), attempts = j.attempts + 1,
        phase = 'starting', progress = 0, updated_at = now()
    WHERE j.id = (
        SELECT id FROM reconciliation_jobs
        WHERE (status = 'queued' AND NOT cancel_requested)
           OR (status = 'running' AND heartbeat_at < now() - make_interval(secs => :stale)
               AND attempts < :max_attempts AND NOT cancel_requested)
        ORDER BY created_at
        FOR UPDATE SKIP LOCKED
        LIMIT 1
    )
    RETURNING j.id, j.project_id, j.params, j.attempts, j.left_dataset_id, j.right_dataset_id,
              j.ruleset_version_id
    """
)


def claim_next(conn: Connection, worker_id: str, stale_after_s: float) -> ClaimedJob | None:
    params = {"worker": worker_id, "stale": stale_after_s, "max_attempts": MAX_ATTEMPTS}
    row = conn.execute(_CLAIM, params).mappings().first()
    return ClaimedJob(**row) if row else None


def cancel_queued(conn: Connection) -> int:
    """Queued jobs whose cancellation was asked before a worker took them end as cancelled."""
    return conn.execute(
        text(
            "UPDATE reconciliation_jobs SET status = 'cancelled', finished_at = now(), "
            "phase = 'cancelled', updated_at = now() "
            "WHERE status = 'queued' AND cancel_requested"
        )
    ).rowcount


def end_abandoned(conn: Connection, stale_after_s: float) -> int:
    """Running jobs whose worker is gone and that must not run again: cancelled ones end
    cancelled, and those that already took down MAX_ATTEMPTS workers end failed."""
    return conn.execute(
        text(
            "UPDATE reconciliation_jobs SET "
            "status = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END, "
            "phase = CASE WHEN cancel_requested THEN 'cancelled' ELSE 'failed' END, "
            "error = CASE WHEN cancel_requested THEN NULL ELSE 'the worker running this job "
            "stopped ' || attempts || ' times without finishing (out of memory or killed?); "
            "give the workers more memory or split the data, then run it again' END, "
            "finished_at = now(), updated_at = now() "
            "WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => :stale) "
            "AND (cancel_requested OR attempts >= :max_attempts)"
        ),
        {"stale": stale_after_s, "max_attempts": MAX_ATTEMPTS},
    ).rowcount


@dataclass(frozen=True)
class Beat:
    owned: bool
    cancel_requested: bool


def heartbeat(conn: Connection, job_id: uuid.UUID, worker_id: str) -> Beat:
    row = conn.execute(
        text(
            "UPDATE reconciliation_jobs SET heartbeat_at = now() "
            "WHERE id = :id AND worker_id = :worker AND status = 'running' "
            "RETURNING cancel_requested"
        ),
        {"id": job_id, "worker": worker_id},
    ).first()
    return Beat(owned=row is not None, cancel_requested=bool(row and row[0]))


def report_progress(
    conn: Connection, job_id: uuid.UUID, worker_id: str, phase: str, progress: float
) -> bool:
    updated = conn.execute(
        text(
            "UPDATE reconciliation_jobs SET phase = :phase, progress = :progress, "
            "heartbeat_at = now(), updated_at = now() "
            "WHERE id = :id AND worker_id = :worker AND status = 'running'"
        ),
        {"id": job_id, "worker": worker_id, "phase": phase[:50], "progress": progress},
    ).rowcount
    notify(conn, job_id)
    return bool(updated)


def finish(
    conn: Connection,
    job_id: uuid.UUID,
    worker_id: str,
    status: str,
    *,
    error: str | None = None,
    summary: dict[str, Any] | None = None,
    phase_seconds: dict[str, float] | None = None,
) -> bool:
    """Set the final state; False when this worker no longer owns the job (nothing written).

    The finishing time is the clock's, not the transaction's start (`now()`): a job's final
    transaction stores its results, which takes seconds at a million.
    """
    updated = conn.execute(
        text(
            "UPDATE reconciliation_jobs SET status = CAST(:status AS varchar), error = :error, "
            "summary = CAST(:summary AS jsonb), "
            "phase_seconds = coalesce(CAST(:seconds AS jsonb), phase_seconds), "
            "phase = CAST(:status AS varchar), "
            "progress = CASE WHEN CAST(:status AS varchar) = 'succeeded' THEN 1 ELSE progress END, "
            "finished_at = clock_timestamp(), updated_at = clock_timestamp() "
            "WHERE id = :id AND worker_id = :worker AND status = 'running'"
        ),
        {
            "id": job_id,
            "worker": worker_id,
            "status": status,
            "error": error,
            "summary": json.dumps(summary, default=str) if summary is not None else None,
            "seconds": json.dumps(phase_seconds) if phase_seconds is not None else None,
        },
    ).rowcount
    notify(conn, job_id)
    return bool(updated)


def notify(conn: Connection, job_id: uuid.UUID) -> None:
    """Wake listeners (the API's event streams, idle workers) about a change to a job."""
    conn.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {
            "channel": NOTIFY_CHANNEL,
            "payload": str(job_id),
        },
    )


async def notify_change(session: AsyncSession, subject_id: uuid.UUID) -> None:
    """The API's side of `notify`: wake workers (new work) and event streams (a change)."""
    await session.execute(
        text("SELECT pg_notify(:channel, :payload)"),
        {"channel": NOTIFY_CHANNEL, "payload": str(subject_id)},
    )
