"""Migration 0006 on a database that already holds results: they stay readable, and back."""

from __future__ import annotations

import uuid

import psycopg
from alembic import command
from sqlalchemy import create_engine

from accord.db.migrate import alembic_config
from accord.db.url import sqlalchemy_url
from accord.jobs.partition import drop_orphan_partitions

# Past what one transaction could lock with a partition per job (max_locks_per_transaction 64).
JOBS = 2500


def _seed_old_results(url: str) -> None:
    with psycopg.connect(url) as conn:
        project = uuid.uuid4()
        conn.execute(
            "INSERT INTO projects (id, name, description) VALUES (%s, 'p', '')", (project,)
        )
        conn.execute(
            "INSERT INTO reconciliation_jobs (id, project_id, status, phase, progress, params) "
            "SELECT gen_random_uuid(), %s, 'succeeded', 'succeeded', 1, '{}' "
            "FROM generate_series(1, %s)",
            (project, JOBS),
        )
        conn.execute(
            "INSERT INTO reconciliation_results (job_id, kind, score, left_ids, right_ids, "
            "left_records, right_records, explanation, search_text) "
            "SELECT id, 'unmatched_left', NULL, '[\"a\"]', '[]', '[{\"id\": \"a\"}]', '[]', "
            "'[]', 'a' FROM reconciliation_jobs"
        )


def _count(url: str, query: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])


def test_results_of_thousands_of_jobs_survive_the_upgrade_and_the_downgrade(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    config = alembic_config(sqlalchemy_url(url))
    command.upgrade(config, "0005")
    _seed_old_results(url)
    command.upgrade(config, "0006")
    assert _count(url, "SELECT count(*) FROM reconciliation_results") == JOBS
    assert _count(url, "SELECT count(*) FROM reconciliation_results WHERE ordinal IS NULL") == JOBS
    # A worker's clean-up of deleted jobs' partitions leaves the older jobs' results alone.
    engine = create_engine(sqlalchemy_url(url))
    try:
        drop_orphan_partitions(engine)
    finally:
        engine.dispose()
    assert _count(url, "SELECT count(*) FROM reconciliation_results") == JOBS
    command.downgrade(config, "0005")
    assert _count(url, "SELECT count(*) FROM reconciliation_results") == JOBS
