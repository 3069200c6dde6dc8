"""results kind and exceptions indexes

Every job's partition of `reconciliation_results` gets the two indexes workers now build for
each new job (jobs/partition.py `OWN_INDEXES`): `(kind, id)`, and `(id)` over the results
`exceptions=true` selects, so that pages filtered by kind or exceptions walk an index instead
of every result in id order. Each partition is also analyzed: without statistics PostgreSQL
would not choose those indexes. Partitions of jobs stored before 0006 keep their own
`(job_id, kind, id)` index.

The indexes are per partition, not on the parent: one statement on the parent would lock
every partition until the commit, past PostgreSQL's lock table with a couple of thousand
jobs. Each partition is done in a transaction of its own, on a connection of this migration's
own: a partition done stays done if a later one fails, and running it again skips it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:15:00
"""

# ruff: noqa: S608 - the SQL is built from this file's constants and partition names it read
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "reconciliation_results"
# A job's own partition (jobs/partition.py names them by the job id), attached to the table.
PARTITIONS = f"""
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class parent ON parent.oid = i.inhparent
    WHERE parent.relname = '{TABLE}' AND c.relname ~ '^{TABLE}_[0-9a-f]{{32}}$'
    ORDER BY c.relname
"""
EXCEPTIONS = (
    "(match_status IS NULL AND review_status <> 'manual') "
    "OR (match_status = 'suggested' AND review_status = 'pending')"
)
INDEXES = {"kind": "(kind, id)", "exc": f"(id) WHERE {EXCEPTIONS}"}


def _each_partition(statements: Callable[[str], list[str]]) -> None:
    """Run the statements for every job's partition, each committed as it ends."""
    engine = sa.create_engine(
        op.get_bind().engine.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            # As the worker analyzes a partition: its filtered columns hold a few values each.
            conn.execute(sa.text("SET default_statistics_target = 10"))
            for (name,) in conn.execute(sa.text(PARTITIONS)).all():
                for statement in statements(name):
                    conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def upgrade() -> None:
    _each_partition(
        lambda name: [
            *(
                f"CREATE INDEX IF NOT EXISTS {name}_{suffix} ON {name} {columns}"
                for suffix, columns in INDEXES.items()
            ),
            f"ANALYZE {name}",
        ]
    )


def downgrade() -> None:
    _each_partition(lambda name: [f"DROP INDEX IF EXISTS {name}_{suffix}" for suffix in INDEXES])
