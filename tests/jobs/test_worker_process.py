"""`accord worker` as a real process: a worker killed mid-job loses and doubles nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg

from tests.jobs.seed import queue_job, seed_project


def _start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "accord",
            "worker",
            "--heartbeat",
            "0.2",
            "--stale-after",
            "1.5",
            "--poll-interval",
            "0.2",
            *args,
        ],
        env={"PATH": os.environ["PATH"], "ACCORD_LOG_FORMAT": "json", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _status(db_url: str, job_id: uuid.UUID) -> tuple[str, float]:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT status, progress FROM reconciliation_jobs WHERE id = %s", (job_id,)
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def _wait_for(db_url: str, job_id: uuid.UUID, wanted: set[str], timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status, _ = _status(db_url, job_id)
        if status in wanted:
            return status
        time.sleep(0.05)
    raise AssertionError(f"job stayed {status}, wanted {wanted}")


def _result_count(db_url: str, job_id: uuid.UUID) -> int:
    with psycopg.connect(db_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM reconciliation_results WHERE job_id = %s", (job_id,)
        ).fetchone()
    return int(row[0]) if row else 0


def test_sigkilled_worker_job_is_finished_by_another_with_the_same_results(
    clean_db: str, base_env: dict[str, str]
) -> None:
    data_dir = Path(base_env["ACCORD_DATA_DIR"])
    seeded = seed_project(clean_db, data_dir, n=20_000)
    env = {**base_env, "DATABASE_URL": clean_db}

    reference = queue_job(clean_db, seeded)
    first = _start_worker(env, "--once")
    assert first.wait(120) == 0, first.stderr.read() if first.stderr else ""
    assert _status(clean_db, reference)[0] == "succeeded"
    expected = _result_count(clean_db, reference)

    job = queue_job(clean_db, seeded)
    doomed = _start_worker(env)
    try:
        _wait_for(clean_db, job, {"running"}, timeout_s=60)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait(10)
    finally:
        doomed.kill()
    assert _status(clean_db, job)[0] == "running"  # killed mid-job, nothing finished it
    assert _result_count(clean_db, job) == 0

    rescuer = _start_worker(env)
    try:
        assert _wait_for(clean_db, job, {"succeeded", "failed"}, timeout_s=120) == "succeeded"
    finally:
        rescuer.send_signal(signal.SIGTERM)
        rescuer.wait(30)
    assert _result_count(clean_db, job) == expected
    with psycopg.connect(clean_db) as conn:
        attempts = conn.execute(
            "SELECT attempts FROM reconciliation_jobs WHERE id = %s", (job,)
        ).fetchone()
    assert attempts == (2,)


def test_cancel_stops_a_running_job_without_visible_results(
    clean_db: str, base_env: dict[str, str]
) -> None:
    data_dir = Path(base_env["ACCORD_DATA_DIR"])
    seeded = seed_project(clean_db, data_dir, n=20_000)
    job = queue_job(clean_db, seeded)
    worker = _start_worker({**base_env, "DATABASE_URL": clean_db})
    try:
        _wait_for(clean_db, job, {"running"}, timeout_s=60)
        with psycopg.connect(clean_db, autocommit=True) as conn:
            conn.execute(
                "UPDATE reconciliation_jobs SET cancel_requested = true WHERE id = %s", (job,)
            )
        started = time.monotonic()
        assert _wait_for(clean_db, job, {"cancelled", "succeeded"}, timeout_s=30) == "cancelled"
        assert time.monotonic() - started < 3  # the heartbeat (0.2 s) ends it, not a phase end
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
    assert _result_count(clean_db, job) == 0


def test_sigterm_puts_the_running_job_back_in_the_queue(
    clean_db: str, base_env: dict[str, str]
) -> None:
    data_dir = Path(base_env["ACCORD_DATA_DIR"])
    seeded = seed_project(clean_db, data_dir, n=20_000)
    job = queue_job(clean_db, seeded)
    worker = _start_worker({**base_env, "DATABASE_URL": clean_db})
    try:
        _wait_for(clean_db, job, {"running"}, timeout_s=60)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
    finally:
        worker.kill()
    status, _ = _status(clean_db, job)
    assert status in {"queued", "succeeded"}  # put back, unless it had just finished
    if status == "queued":
        assert _result_count(clean_db, job) == 0
        rescuer = _start_worker({**base_env, "DATABASE_URL": clean_db}, "--once")
        assert rescuer.wait(120) == 0
        assert _status(clean_db, job)[0] == "succeeded"
