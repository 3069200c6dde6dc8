"""A run's files: in place once its results commit, never left behind when they do not."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest

from accord.db.url import sqlalchemy_url
from accord.jobs import runner
from accord.jobs.runfile import job_dir
from accord.jobs.worker import Worker, WorkerConfig
from tests.jobs.seed import Seeded, queue_job, seed_project


@pytest.fixture
def seeded(clean_db: str, tmp_path: Path) -> Seeded:
    return seed_project(clean_db, tmp_path, n=120)


def _run(db_url: str, data_dir: Path) -> None:
    config = WorkerConfig(data_dir=data_dir, heartbeat_s=0.2)
    assert Worker(sqlalchemy_url(db_url), config).run(once=True) == 1


def _one(db_url: str, query: str, *params: object) -> tuple[Any, ...]:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return tuple(row)


def _job(db_url: str, job_id: uuid.UUID) -> tuple[Any, ...]:
    """The job's status, run folder and stored result count."""
    return _one(
        db_url,
        "SELECT j.status, j.results_dir, (SELECT count(*) FROM reconciliation_results r "
        "WHERE r.job_id = j.id) FROM reconciliation_jobs j WHERE j.id = %s",
        job_id,
    )


def test_a_stored_run_names_its_folder_and_the_rows_hold_no_details(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    job_id = queue_job(clean_db, seeded)
    _run(clean_db, tmp_path)
    status, results_dir, count = _job(clean_db, job_id)
    assert status == "succeeded"
    assert results_dir is not None
    assert sorted(p.name for p in (tmp_path / results_dir).iterdir()) == [
        "left.parquet",
        "results.parquet",
        "right.parquet",
    ]
    heavy = _one(
        clean_db,
        "SELECT count(*) FROM reconciliation_results WHERE job_id = %s AND (ordinal IS NULL "
        "OR left_records IS NOT NULL OR explanation IS NOT NULL OR search_text <> '')",
        job_id,
    )
    assert heavy == (0,)
    assert count > 120


@pytest.fixture
def attach_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's final transaction fails: nothing of the run may commit."""

    def fail(*_: object) -> None:
        raise RuntimeError("the database went away while indexing")

    monkeypatch.setattr(runner, "attach_partition", fail)


@pytest.mark.usefixtures("attach_fails")
def test_a_run_that_does_not_commit_leaves_no_files_and_no_rows(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    job_id = queue_job(clean_db, seeded)
    _run(clean_db, tmp_path)
    status, results_dir, count = _job(clean_db, job_id)
    assert (status, results_dir, count) == ("failed", None, 0)
    folder = tmp_path / job_dir(seeded.project_id, job_id)
    assert not folder.exists() or list(folder.iterdir()) == []
    partition = f"reconciliation_results_{job_id.hex}"
    assert _one(clean_db, "SELECT count(*) FROM pg_tables WHERE tablename = %s", partition) == (0,)


def test_a_committed_run_removes_what_earlier_attempts_left(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    job_id = queue_job(clean_db, seeded)
    folder = tmp_path / job_dir(seeded.project_id, job_id)
    for stale in ("run-killed.part", "run-older"):  # a killed write; an earlier attempt's run
        (folder / stale).mkdir(parents=True)
        (folder / stale / "results.parquet").write_bytes(b"half")
    _run(clean_db, tmp_path)
    status, results_dir, _ = _job(clean_db, job_id)
    assert status == "succeeded"
    assert results_dir is not None
    assert [p.name for p in folder.iterdir()] == [Path(results_dir).name]


def test_the_partition_is_attached_only_once_the_side_files_are_written(
    clean_db: str, tmp_path: Path, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Attaching locks `reconciliation_jobs` against every write (SHARE ROW EXCLUSIVE, for the
    foreign key) until the commit: other jobs' heartbeats, claims and new jobs wait. So the
    slow side files must not be waited for after it."""
    written = threading.Event()
    attached_early: list[bool] = []
    write_side_files = runner.write_side_files
    attach_partition = runner.attach_partition

    def slow_write(*args: Any) -> None:
        time.sleep(1.0)
        write_side_files(*args)
        written.set()

    def attach(*args: Any) -> None:
        attached_early.append(not written.is_set())
        attach_partition(*args)

    monkeypatch.setattr(runner, "write_side_files", slow_write)
    monkeypatch.setattr(runner, "attach_partition", attach)
    job_id = queue_job(clean_db, seeded)
    _run(clean_db, tmp_path)
    assert _job(clean_db, job_id)[0] == "succeeded"
    assert attached_early == [False]


def test_a_heartbeat_during_the_final_transaction_does_not_deadlock_it(
    clean_db: str, tmp_path: Path, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write to the job row (its heartbeat) arriving as the partition is attached waits for
    the commit; it must not hold a lock the attach waits for while waiting itself."""
    errors: list[BaseException] = []
    attach_partition = runner.attach_partition

    def beat(job_id: uuid.UUID) -> None:
        try:
            with psycopg.connect(clean_db, autocommit=True) as conn:
                conn.execute(
                    "UPDATE reconciliation_jobs SET heartbeat_at = now() WHERE id = %s", (job_id,)
                )
        except psycopg.Error as exc:
            errors.append(exc)

    def attach(conn: Any, job_id: uuid.UUID) -> None:
        heartbeat = threading.Thread(target=beat, args=(job_id,))
        heartbeat.start()
        heartbeat.join(0.5)  # done, or waiting for this transaction
        attach_partition(conn, job_id)

    monkeypatch.setattr(runner, "attach_partition", attach)
    job_id = queue_job(clean_db, seeded)
    _run(clean_db, tmp_path)
    assert _job(clean_db, job_id)[0] == "succeeded"
    assert errors == []


def test_a_run_whose_commit_went_through_despite_an_error_keeps_its_files(
    clean_db: str, tmp_path: Path, seeded: Seeded, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The connection drops while COMMIT is in flight: the database has the results, the
    # worker sees an error. The folder the job now names must stay.
    store = runner._store

    def committed_then_lost(*args: Any, **kwargs: Any) -> Any:
        store(*args, **kwargs)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(runner, "_store", committed_then_lost)
    job_id = queue_job(clean_db, seeded)
    # The worker takes the error for a database outage (it does not count the job as done).
    Worker(sqlalchemy_url(clean_db), WorkerConfig(data_dir=tmp_path, heartbeat_s=0.2)).run(
        once=True
    )
    status, results_dir, count = _job(clean_db, job_id)
    assert status == "succeeded"
    assert count > 120
    assert sorted(p.name for p in (tmp_path / results_dir).iterdir()) == [
        "left.parquet",
        "results.parquet",
        "right.parquet",
    ]


@pytest.mark.usefixtures("attach_fails")
def test_a_new_attempt_removes_what_a_killed_one_was_writing_even_if_it_fails(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    job_id = queue_job(clean_db, seeded)
    killed = tmp_path / job_dir(seeded.project_id, job_id) / "run-killed.part"
    killed.mkdir(parents=True)
    (killed / "results.parquet").write_bytes(b"half")
    _run(clean_db, tmp_path)
    assert _job(clean_db, job_id)[0] == "failed"
    assert not killed.exists()
