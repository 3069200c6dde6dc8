"""results partitioned per job, details in run files

A result's records, explanation and differences move to the run's files (a folder per run,
named by `reconciliation_jobs.results_dir`); the result row keeps its `ordinal` in the run's
results file. The detail columns stay, nullable, for rows reviewers add and for results
stored before this revision. `reconciliation_results` becomes partitioned by job: a worker
loads a job's results into a bare table, indexes it, then attaches it (jobs/partition.py).
Existing results move into partitions of a hundred jobs each.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 21:00:00
"""

# ruff: noqa: S608 - the SQL is built from this file's constants and job ids read as UUIDs
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "reconciliation_results"
OLD = "reconciliation_results_unpartitioned"
OLD_INDEXES = {
    "ix_reconciliation_results_job_kind": "(job_id, kind, id)",
    "ix_reconciliation_results_job_score": "(job_id, score, id)",
    "ix_reconciliation_results_job_amount": "(job_id, amount, id)",
}
# Every partition holds one job, so its indexes need not start with job_id (smaller, and
# built in half the time); the primary key must hold the partition key. Pages by id, with or
# without a kind filter, walk the primary key: no index on kind to build for every run.
INDEXES = {
    "ix_reconciliation_results_score": "(score, id)",
    "ix_reconciliation_results_amount": "(amount, id)",
}
FK = "fk_reconciliation_results_job_id_reconciliation_jobs"
# Partitions of the results of jobs stored before this revision (jobs/partition.py leaves
# them alone), LEGACY_JOBS jobs each.
LEGACY = f"{TABLE}_before_0006"
LEGACY_JOBS = 100
COLUMNS = """
    id BIGINT NOT NULL DEFAULT nextval('reconciliation_results_id_seq'),
    job_id UUID NOT NULL,
    kind VARCHAR(30) NOT NULL,
    match_status VARCHAR(20),
    pass_name VARCHAR(100),
    score DOUBLE PRECISION,
    amount NUMERIC(20, 4),
    left_ids JSONB NOT NULL,
    right_ids JSONB NOT NULL,
    {details}
    reason VARCHAR(50),
    reason_detail JSON,
    search_text TEXT NOT NULL DEFAULT '',
    review_status VARCHAR(20) NOT NULL DEFAULT 'pending',
    review_note TEXT,
"""
COPIED = (
    "id, job_id, kind, match_status, pass_name, score, amount, left_ids, right_ids, "
    "left_records, right_records, explanation, differences, reason, reason_detail, "
    "search_text, review_status, review_note"
)


def _set_aside(indexes: dict[str, str]) -> None:
    """Rename the current table out of the way, freeing its constraint and index names."""
    op.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    op.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT pk_reconciliation_results")
    op.execute(f"ALTER TABLE {OLD} DROP CONSTRAINT {FK}")
    for name in indexes:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute("ALTER SEQUENCE reconciliation_results_id_seq OWNED BY NONE")
    op.execute(f"ALTER TABLE {OLD} ALTER COLUMN id DROP DEFAULT")


def _finish(copied: str) -> None:
    op.execute(f"INSERT INTO {TABLE} ({copied}) SELECT {copied} FROM {OLD}")
    op.execute(f"DROP TABLE {OLD}")
    op.execute(f"ALTER SEQUENCE reconciliation_results_id_seq OWNED BY {TABLE}.id")


def upgrade() -> None:
    op.add_column("reconciliation_jobs", sa.Column("results_dir", sa.Text(), nullable=True))
    _set_aside(OLD_INDEXES)
    details = (
        "ordinal BIGINT, left_records JSON, right_records JSON, explanation JSON, differences JSON,"
    )
    op.execute(
        f"CREATE TABLE {TABLE} ({COLUMNS.format(details=details)}"
        f" CONSTRAINT pk_reconciliation_results PRIMARY KEY (job_id, id),"
        f" CONSTRAINT {FK} FOREIGN KEY (job_id) REFERENCES reconciliation_jobs (id)"
        f" ON DELETE CASCADE) PARTITION BY LIST (job_id)"
    )
    for name, columns in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {TABLE} {columns}")
    jobs = [row[0] for row in op.get_bind().execute(sa.text(f"SELECT DISTINCT job_id FROM {OLD}"))]
    # Jobs stored before share a few partitions: a partition per job would take a few locks
    # per job in this one transaction, past the lock table at ~1,400 jobs ("out of shared
    # memory"); a partition's bound is one catalog row, so at most LEGACY_JOBS jobs each.
    # Their indexes lead with job_id, as the old table's did.
    for start in range(0, len(jobs), LEGACY_JOBS):
        name = f"{LEGACY}_{start // LEGACY_JOBS}"
        values = ", ".join(f"'{job_id}'" for job_id in jobs[start : start + LEGACY_JOBS])
        op.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES IN ({values})")
        for columns in OLD_INDEXES.values():
            op.execute(f"CREATE INDEX ON {name} {columns}")
    _finish(COPIED)


def downgrade() -> None:
    # Details only in run files cannot come back into the rows: those rows get empty ones.
    _set_aside(INDEXES)
    details = (
        "left_records JSON NOT NULL DEFAULT '[]', right_records JSON NOT NULL DEFAULT '[]', "
        "explanation JSON NOT NULL DEFAULT '{}', differences JSON,"
    )
    op.execute(
        f"CREATE TABLE {TABLE} ({COLUMNS.format(details=details)}"
        f" CONSTRAINT pk_reconciliation_results PRIMARY KEY (id),"
        f" CONSTRAINT {FK} FOREIGN KEY (job_id) REFERENCES reconciliation_jobs (id)"
        f" ON DELETE CASCADE)"
    )
    for name, columns in OLD_INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {TABLE} {columns}")
    op.execute(
        f"UPDATE {OLD} SET left_records = coalesce(left_records, '[]'), "
        "right_records = coalesce(right_records, '[]'), "
        "explanation = coalesce(explanation, '{}')"
    )
    _finish(COPIED)
    op.drop_column("reconciliation_jobs", "results_dir")
