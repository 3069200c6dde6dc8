"""A job's results partition stored the way the worker stores one (jobs/partition.py), with
rows laid out as a run writes them: the matches first, then the left-overs of each side."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import psycopg
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from accord.db.url import sqlalchemy_url
from accord.jobs.partition import (
    INDEXES,
    attach_partition,
    create_partition,
    index_partition,
    partition_name,
)

MATCHES, LEFT_OVERS = 16_000, 2_000  # left-overs a side
# Every 400th match is a suggestion still to review, every 50th has differences.
_ROWS = (
    f"""
    INSERT INTO {{name}} (kind, match_status, score, amount, left_ids, right_ids)
    SELECT CASE WHEN mod(n, 50) = 0 THEN 'matched_with_differences' ELSE 'matched' END,
           CASE WHEN mod(n, 400) = 0 THEN 'suggested' ELSE 'auto' END,
           0.9, n, '["l"]', '["r"]'
    FROM generate_series(1, {MATCHES}) n
    """,
    f"""
    INSERT INTO {{name}} (kind, score, amount, left_ids, right_ids)
    SELECT 'unmatched_left', NULL, n, '["l"]', '[]' FROM generate_series(1, {LEFT_OVERS}) n
    """,
    f"""
    INSERT INTO {{name}} (kind, score, amount, left_ids, right_ids)
    SELECT 'unmatched_right', NULL, n, '[]', '["r"]' FROM generate_series(1, {LEFT_OVERS}) n
    """,
)


def index_as_before_0008(conn: Connection, job_id: uuid.UUID) -> None:
    """The indexes a worker built before migration 0008: the key, score and amount only."""
    name = partition_name(job_id)
    conn.execute(text(f"ALTER TABLE {name} ADD PRIMARY KEY (job_id, id)"))
    for columns in INDEXES:
        conn.execute(text(f"CREATE INDEX ON {name} {columns}"))


def stored_job(
    url: str, index: Callable[[Connection, uuid.UUID], None] = index_partition
) -> uuid.UUID:
    """A succeeded job of a new project, its results loaded, indexed by `index`, attached."""
    project, job_id = uuid.uuid4(), uuid.uuid4()
    with psycopg.connect(url) as conn:
        conn.execute(
            "INSERT INTO projects (id, name, description) VALUES (%s, 'p', '')", (project,)
        )
        conn.execute(
            "INSERT INTO reconciliation_jobs (id, project_id, status, phase, progress, params) "
            "VALUES (%s, %s, 'succeeded', 'succeeded', 1, '{}')",
            (job_id, project),
        )
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.begin() as conn:
            name = create_partition(conn, job_id)
            for rows in _ROWS:
                conn.execute(text(rows.format(name=name)))
            index(conn, job_id)
            attach_partition(conn, job_id)
    finally:
        engine.dispose()
    return job_id


def partition_indexes(url: str, job_id: uuid.UUID) -> list[str]:
    """The definitions of the indexes of the job's partition, sorted."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexdef",
            (partition_name(job_id),),
        ).fetchall()
    return [row[0] for row in rows]
