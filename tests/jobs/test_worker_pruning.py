"""The worker prunes dead sign-in records by itself, at most once per interval."""

from __future__ import annotations

from pathlib import Path

from accord.db.url import sqlalchemy_url
from accord.jobs.worker import Worker, WorkerConfig
from tests.auth.support import insert_abandoned_sign_in, sign_in_exists


def test_the_worker_prunes_at_start_then_not_again_within_the_interval(
    clean_db: str, tmp_path: Path
) -> None:
    worker = Worker(sqlalchemy_url(clean_db), WorkerConfig(data_dir=tmp_path))
    first = insert_abandoned_sign_in(clean_db, "first@example.com")
    worker.run(once=True)
    assert not sign_in_exists(clean_db, first)

    second = insert_abandoned_sign_in(clean_db, "second@example.com")
    worker.run(once=True)  # within the hour: left for the next round
    assert sign_in_exists(clean_db, second)


def test_an_interval_of_zero_leaves_pruning_to_the_command(clean_db: str, tmp_path: Path) -> None:
    config = WorkerConfig(data_dir=tmp_path, auth_prune_every_s=0)
    abandoned = insert_abandoned_sign_in(clean_db, "abandoned@example.com")
    Worker(sqlalchemy_url(clean_db), config).run(once=True)
    assert sign_in_exists(clean_db, abandoned)
