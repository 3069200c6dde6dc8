"""Migration 0006 on a database that already holds results: they stay readable, and back."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine

from accord.db.migrate import alembic_config
from accord.db.url import sqlalchemy_url
from accord.jobs.partition import drop_orphan_partitions
from tests.db.support import count, seed_old_results

# Past what one transaction could lock with a partition per job (max_locks_per_transaction 64).
JOBS = 2500


def test_results_of_thousands_of_jobs_survive_the_upgrade_and_the_downgrade(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    config = alembic_config(sqlalchemy_url(url))
    command.upgrade(config, "0005")
    seed_old_results(url, JOBS)
    command.upgrade(config, "0006")
    assert count(url, "SELECT count(*) FROM reconciliation_results") == JOBS
    assert count(url, "SELECT count(*) FROM reconciliation_results WHERE ordinal IS NULL") == JOBS
    # A worker's clean-up of deleted jobs' partitions leaves the older jobs' results alone.
    engine = create_engine(sqlalchemy_url(url))
    try:
        drop_orphan_partitions(engine)
    finally:
        engine.dispose()
    assert count(url, "SELECT count(*) FROM reconciliation_results") == JOBS
    command.downgrade(config, "0005")
    assert count(url, "SELECT count(*) FROM reconciliation_results") == JOBS
