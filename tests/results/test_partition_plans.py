"""A page of one job's results, or deleting a project, touches only its jobs' partitions,
however many jobs exist.

A prepared statement, and a foreign key's cascade, may switch to a generic plan after five
runs; on a table partitioned per job, a generic plan prunes only at run time, and PostgreSQL
locks every partition and index first: with thousands of jobs, each takes a second and
thousands of locks, until the lock table runs out ("out of shared memory").
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


def _seed(url: str) -> tuple[uuid.UUID, uuid.UUID]:
    """JOBS succeeded jobs, each with its own (empty) partition, in two projects; returns the
    first job and the project holding the last ten."""
    projects = [uuid.uuid4(), uuid.uuid4()]
    jobs = [uuid.uuid4() for _ in range(JOBS)]
    with psycopg.connect(url) as conn:
        for project in projects:
            conn.execute(
                "INSERT INTO projects (id, name, description) VALUES (%s, 'p', '')", (project,)
            )
        for number, job in enumerate(jobs):
            conn.execute(
                "INSERT INTO reconciliation_jobs (id, project_id, status, phase, progress, "
                "params) VALUES (%s, %s, 'succeeded', 'succeeded', 1, '{}')",
                (job, projects[number >= JOBS - 10]),
            )
            conn.execute(
                f"CREATE TABLE reconciliation_results_{job.hex} PARTITION OF "
                f"reconciliation_results FOR VALUES IN ('{job}')"
            )
    return jobs[0], projects[1]


_LOCKS = text("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()")


async def _locks_held(url: str, job_id: uuid.UUID, project_id: uuid.UUID) -> list[int]:
    """Locks held after each of 20 pages, then after deleting a project of ten jobs."""
    database = Database(sqlalchemy_url(url), CircuitBreaker(5, 30), pool_size=1)
    try:
        held = []
        for _ in range(20):  # past where a prepared statement may go generic (5 + 5 runs)
            async with database.unit_of_work() as session:
                await results_page(session, job_id, [], "id", "asc", 100, None)
                held.append(await session.scalar(_LOCKS))
        async with database.unit_of_work() as session:
            await session.execute(text("DELETE FROM projects WHERE id = :id"), {"id": project_id})
            held.append(await session.scalar(_LOCKS))
        return held
    finally:
        await database.dispose()


def test_pages_and_deletions_lock_only_their_jobs_partitions(empty_database_url: str) -> None:
    migrate.upgrade(sqlalchemy_url(empty_database_url))
    job_id, project_id = _seed(empty_database_url)
    *pages, deletion = asyncio.run(_locks_held(empty_database_url, job_id, project_id))
    # The parent, the job's partition and their indexes, and the transaction's own locks.
    assert max(pages) < 20, pages
    # Besides, the ten jobs' partitions and their indexes (four relations each).
    assert deletion < 4 * 10 + 40, deletion
