"""Results stored before migration 0006, and counting rows, for the migration tests."""

from __future__ import annotations

import uuid

import psycopg


def seed_old_results(url: str, jobs: int) -> None:
    """`jobs` succeeded jobs of one project, a result each, in the table before 0006."""
    with psycopg.connect(url) as conn:
        project = uuid.uuid4()
        conn.execute(
            "INSERT INTO projects (id, name, description) VALUES (%s, 'p', '')", (project,)
        )
        conn.execute(
            "INSERT INTO reconciliation_jobs (id, project_id, status, phase, progress, params) "
            "SELECT gen_random_uuid(), %s, 'succeeded', 'succeeded', 1, '{}' "
            "FROM generate_series(1, %s)",
            (project, jobs),
        )
        conn.execute(
            "INSERT INTO reconciliation_results (job_id, kind, score, left_ids, right_ids, "
            "left_records, right_records, explanation, search_text) "
            "SELECT id, 'unmatched_left', NULL, '[\"a\"]', '[]', '[{\"id\": \"a\"}]', '[]', "
            "'[]', 'a' FROM reconciliation_jobs"
        )


def count(url: str, query: str) -> int:
    """The first column of the query's first row."""
    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return int(row[0])
