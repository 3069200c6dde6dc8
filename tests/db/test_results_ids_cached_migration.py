"""Migration 0009: result ids cached a thousand at a time, and back to one on the way down."""

from __future__ import annotations

from alembic import command

from accord.db.migrate import alembic_config
from accord.db.url import sqlalchemy_url
from tests.db.support import count

CACHE = "SELECT cache_size FROM pg_sequences WHERE sequencename = 'reconciliation_results_id_seq'"


def test_result_ids_are_cached_up_and_not_down(empty_database_url: str) -> None:
    url = empty_database_url
    config = alembic_config(sqlalchemy_url(url))
    command.upgrade(config, "0008")
    assert count(url, CACHE) == 1
    command.upgrade(config, "head")
    assert count(url, CACHE) == 1000
    command.downgrade(config, "0008")
    assert count(url, CACHE) == 1
