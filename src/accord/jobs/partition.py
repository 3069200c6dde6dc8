"""Each job's results are a partition of `reconciliation_results`, loaded before it is attached.

COPY into a table with no index and no foreign key costs a third of COPY into the shared
table with its four indexes. Building the indexes once over the loaded rows is cheaper than
maintaining them row by row, and attaching checks the rows' job in one query instead of a
trigger per row. Nobody sees the rows before the job's final transaction commits.
"""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from accord.logging import get_logger

log = get_logger(__name__)

PARENT = "reconciliation_results"
# The parent's partitioned indexes (migration 0006): ATTACH adopts these instead of building.
# A partition holds one job, so they do not start with job_id.
INDEXES = ("(score, id)", "(amount, id)")
# What `exceptions=true` selects (results/filters.py `exceptions_clause`, whose literals a
# query must carry for PostgreSQL to prove it implies this predicate).
EXCEPTIONS = (
    "(match_status IS NULL AND review_status <> 'manual') "
    "OR (match_status = 'suggested' AND review_status = 'pending')"
)
# The partition's own indexes, by name suffix (migration 0008 gave earlier jobs' partitions
# them): the listing's common filters walk them instead of every result in id order (a kind
# or the exceptions, sitting at the end of the id order, cost 0.1-0.15 s a page at 1M). Not
# on the parent, so that no statement ever locks every partition to build or drop them.
OWN_INDEXES = {"kind": "(kind, id)", "exc": f"(id) WHERE {EXCEPTIONS}"}
STATISTICS_TARGET = 10  # ANALYZE samples 300 rows per unit


def partition_name(job_id: uuid.UUID) -> str:
    return f"{PARENT}_{job_id.hex}"


def create_partition(conn: Connection, job_id: uuid.UUID) -> str:
    """A bare table shaped like the parent, its job_id defaulting to the job; returns its name."""
    name = partition_name(job_id)
    conn.execute(text(f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS)"))
    conn.execute(text(f"ALTER TABLE {name} ALTER COLUMN job_id SET DEFAULT '{job_id}'"))
    # Lets ATTACH know every row belongs to the job without scanning them again.
    conn.execute(text(f"ALTER TABLE {name} ADD CONSTRAINT {name}_job CHECK (job_id = '{job_id}')"))
    return name


def index_partition(conn: Connection, job_id: uuid.UUID) -> None:
    """Index the loaded rows (locks only the partition, which nobody else sees yet)."""
    name = partition_name(job_id)
    conn.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    conn.execute(text(f"ALTER TABLE {name} ADD PRIMARY KEY (job_id, id)"))
    for columns in INDEXES:
        conn.execute(text(f"CREATE INDEX ON {name} {columns}"))
    for suffix, columns in OWN_INDEXES.items():
        conn.execute(text(f"CREATE INDEX {name}_{suffix} ON {name} {columns}"))
    # Without statistics the planner guesses a few thousand rows whatever the filter, and
    # sorts a bitmap of every matching result (0.2 s a page of `kind=matched` at 1M) rather
    # than walking an index; autovacuum would analyze the partition only later, if at all.
    # The filtered columns hold a few values each: a sample of 3,000 rows tells them (16 ms
    # at 1M; the default 30,000 took 0.2 s).
    conn.execute(text(f"SET LOCAL default_statistics_target = {STATISTICS_TARGET}"))
    conn.execute(text(f"ANALYZE {name}"))


def attach_partition(conn: Connection, job_id: uuid.UUID) -> None:
    """Make the indexed rows the job's results (checked against its row).

    Checking the foreign key locks `reconciliation_jobs` against every write (SHARE ROW
    EXCLUSIVE) until the commit: heartbeats, claims and new jobs wait meanwhile, so this is
    the transaction's last slow step.
    """
    name = partition_name(job_id)
    conn.execute(text(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES IN ('{job_id}')"))


# Partitions whose job is gone: deleting a project deletes its jobs' rows, not their tables.
# Only a job's own partition is named by it (migration 0006 keeps older jobs in another).
_ORPHANS = text(
    f"""
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = '{PARENT}'::regclass
      AND c.relname ~ '^{PARENT}_[0-9a-f]{{32}}$'
      AND NOT EXISTS (
          SELECT 1 FROM reconciliation_jobs j
          WHERE c.relname = '{PARENT}_' || replace(CAST(j.id AS text), '-', ''))
    """  # noqa: S608 - constants only
)


def drop_orphan_partitions(engine: Engine) -> None:
    """Drop the empty partitions of deleted jobs; best effort, never waiting long for locks
    (dropping one locks the results table for an instant)."""
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            for (name,) in conn.execute(_ORPHANS).all():
                conn.execute(text(f'DROP TABLE IF EXISTS "{name}"'))
    except DBAPIError as exc:
        log.warning("orphan result partitions not dropped yet", error=str(exc))
