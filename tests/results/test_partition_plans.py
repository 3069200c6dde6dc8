"""A page of one job's results touches that job's partition only, however many jobs exist.

A prepared statement may switch to a generic plan after five runs; on a table partitioned per
job, a generic plan prunes only at run time, and PostgreSQL locks every partition and index
first: with thousands of jobs, each page takes seconds and thousands of locks, until the lock
table runs out ("out of shared memory").
"""

from __future__ import annotations

import asyncio
import uuid

import psycopg
from sqlalchemy import text

from accord.db import migrate
from accord.db.session import Database
from accord.db.url import sqlalchemy_url
from accord.results.pages import results_page
from accord.startup.breaker import CircuitBreaker

JOBS = 60


def _seed(url: str) -> uuid.UUID:
    """JOBS succeeded jobs, each with its own (empty) partition; returns the first."""
    project = uuid.uuid4()
    jobs = [uuid.uuid4() for _ in range(JOBS)]
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO projects (id, name, description) VALUES (%s, 'p', '')", (project,)
        )
        for job in jobs:
            conn.execute(
                "INSERT INTO reconciliation_jobs (id, project_id, status, phase, progress, "
                "params) VALUES (%s, %s, 'succeeded', 'succeeded', 1, '{}')",
                (job, project),
            )
            conn.execute(
                f"CREATE TABLE reconciliation_results_{job.hex} PARTITION OF "
                f"reconciliation_results FOR VALUES IN ('{job}')"
            )
    return jobs[0]


async def _locks_of_a_page(url: str, job_id: uuid.UUID) -> list[int]:
    database = Database(sqlalchemy_url(url), CircuitBreaker(5, 30), pool_size=1)
    try:
        held = []
        for _ in range(20):  # past where a prepared statement may go generic (5 + 5 runs)
            async with database.unit_of_work() as session:
                await results_page(session, job_id, [], "id", "asc", 100, None)
                held.append(
                    await session.scalar(
                        text("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()")
                    )
                )
        return held
    finally:
        await database.dispose()


def test_a_page_locks_only_its_jobs_partition(empty_database_url: str) -> None:
    migrate.upgrade(sqlalchemy_url(empty_database_url))
    job_id = _seed(empty_database_url)
    held = asyncio.run(_locks_of_a_page(empty_database_url, job_id))
    # The parent, the job's partition and their indexes, and the transaction's own locks.
    assert max(held) < JOBS, held
