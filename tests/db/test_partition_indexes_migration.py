"""Migration 0008 on a database whose jobs' partitions were indexed before it: each gets its
kind and exceptions indexes (and statistics), and loses them again on the way down; results
stay, and older jobs' shared partitions are left as they were."""

from __future__ import annotations

import uuid

from alembic import command

from accord.db import migrate
from accord.db.migrate import alembic_config
from accord.db.url import sqlalchemy_url
from accord.jobs.partition import partition_name
from tests.db.support import count, seed_old_results
from tests.jobs.partitions import (
    LEFT_OVERS,
    MATCHES,
    index_as_before_0008,
    partition_indexes,
    stored_job,
)

JOBS = 3


def _own_indexes(url: str, job_id: uuid.UUID) -> set[str]:
    name = partition_name(job_id)
    return {
        suffix
        for suffix in ("kind", "exc")
        if any(f"INDEX {name}_{suffix} " in i for i in partition_indexes(url, job_id))
    }


def test_jobs_partitions_get_their_indexes_up_and_lose_them_down(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    config = alembic_config(sqlalchemy_url(url))
    command.upgrade(config, "0005")
    seed_old_results(url, 1)
    command.upgrade(config, "0007")
    jobs = [stored_job(url, index=index_as_before_0008) for _ in range(JOBS)]
    legacy = "SELECT count(*) FROM pg_indexes WHERE tablename LIKE '%before_0006%'"
    legacy_indexes = count(url, legacy)
    assert all(_own_indexes(url, job) == set() for job in jobs)

    migrate.upgrade(sqlalchemy_url(url))  # as `accord db upgrade` does, in its transaction
    assert all(_own_indexes(url, job) == {"kind", "exc"} for job in jobs)
    analyzed = (
        "SELECT count(*) FROM pg_class WHERE relname IN ("
        + ", ".join(f"'{partition_name(job)}'" for job in jobs)
        + f") AND reltuples = {MATCHES + 2 * LEFT_OVERS}"
    )
    assert count(url, analyzed) == JOBS
    assert count(url, legacy) == legacy_indexes

    command.downgrade(config, "0007")
    assert all(_own_indexes(url, job) == set() for job in jobs)
    assert len(partition_indexes(url, jobs[0])) == 3  # the key, score and amount
    command.upgrade(config, "head")
    assert all(_own_indexes(url, job) == {"kind", "exc"} for job in jobs)
    total = "SELECT count(*) FROM reconciliation_results"
    assert count(url, total) == JOBS * (MATCHES + 2 * LEFT_OVERS) + 1
