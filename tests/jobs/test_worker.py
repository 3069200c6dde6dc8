"""The worker against real PostgreSQL: results stored, decisions honoured, failures explained."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg
import pytest

from accord.db.url import sqlalchemy_url
from accord.jobs.worker import Worker, WorkerConfig
from accord.results.details import Wanted, read_details
from tests.jobs.seed import Seeded, queue_job, seed_project


@pytest.fixture
def seeded(clean_db: str, tmp_path: Path) -> Seeded:
    return seed_project(clean_db, tmp_path, n=300)


def _worker(db_url: str, data_dir: Path) -> Worker:
    return Worker(sqlalchemy_url(db_url), WorkerConfig(data_dir=data_dir, heartbeat_s=0.2))


def _job(db_url: str, job_id: uuid.UUID) -> dict[str, object]:
    with psycopg.connect(db_url) as conn, conn.cursor(row_factory=psycopg.rows.dict_row) as cur:
        row = cur.execute("SELECT * FROM reconciliation_jobs WHERE id = %s", (job_id,)).fetchone()
    assert row is not None
    return row


def _kinds(db_url: str, job_id: uuid.UUID) -> dict[str, int]:
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT kind, count(*) FROM reconciliation_results WHERE job_id = %s GROUP BY kind",
            (job_id,),
        ).fetchall()
    return dict(rows)


def test_worker_runs_a_job_and_stores_every_record_once(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    job_id = queue_job(clean_db, seeded)
    assert _worker(clean_db, tmp_path).run(once=True) == 1
    job = _job(clean_db, job_id)
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"] == 1.0
    kinds = _kinds(clean_db, job_id)
    assert kinds.get("matched", 0) > 150
    assert kinds.get("matched_with_differences", 0) > 10  # the 0.50 fees
    assert kinds.get("unmatched_left", 0) > 0
    with psycopg.connect(clean_db) as conn:
        rows = conn.execute(
            "SELECT left_ids, right_ids, ordinal, kind, amount "
            "FROM reconciliation_results WHERE job_id = %s",
            (job_id,),
        ).fetchall()
    left_seen = [i for r in rows for i in r[0]]
    right_seen = [i for r in rows if r[3] != "unmatched_left" for i in r[1]]
    assert len(left_seen) == len(set(left_seen)) == 300  # every bank line exactly once
    assert len(right_seen) == len(set(right_seen))
    assert sorted(r[2] for r in rows) == list(range(len(rows)))  # one run-file row each
    details = read_details(
        tmp_path / str(job["results_dir"]), [Wanted(r[2], r[0], r[1]) for r in rows]
    )
    matched = next(r for r in rows if r[3] == "matched")
    assert details[matched[2]].left_records[0]["id"] == matched[0][0]  # records carry fields
    assert "amount" in details[matched[2]].right_records[0]
    assert matched[4] is not None
    summary = job["summary"]
    assert isinstance(summary, dict)
    assert summary["stored_results"] == len(rows)
    # Finished when its results were stored, not when it began storing them: the job took at
    # least as long as its phases, storing included.
    seconds = job["phase_seconds"]
    assert isinstance(seconds, dict)
    assert seconds["index_results"] > 0
    took = job["finished_at"] - job["started_at"]  # type: ignore[operator]
    assert took.total_seconds() >= sum(seconds.values())


def test_a_job_on_a_data_set_that_is_not_ready_fails_with_a_reason(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE datasets SET status = 'failed', error = 'row 7, column amount: bad' "
            "WHERE id = %s",
            (seeded.left_id,),
        )
    job_id = queue_job(clean_db, seeded)
    _worker(clean_db, tmp_path).run(once=True)
    job = _job(clean_db, job_id)
    assert job["status"] == "failed"
    assert "not ready" in str(job["error"])
    assert "row 7" in str(job["error"])
    assert _kinds(clean_db, job_id) == {}


def test_cancel_before_start_ends_cancelled_without_results(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    job_id = queue_job(clean_db, seeded)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE reconciliation_jobs SET cancel_requested = true WHERE id = %s", (job_id,)
        )
    assert _worker(clean_db, tmp_path).run(once=True) == 0
    assert _job(clean_db, job_id)["status"] == "cancelled"
    assert _kinds(clean_db, job_id) == {}


def test_rerun_honours_manual_match_and_rejection(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    first = queue_job(clean_db, seeded)
    _worker(clean_db, tmp_path).run(once=True)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        suggestion = conn.execute(
            "SELECT left_ids, right_ids FROM reconciliation_results WHERE job_id = %s "
            "AND match_status = 'suggested' ORDER BY id LIMIT 1",
            (first,),
        ).fetchone()
        lonely = conn.execute(
            "SELECT l.left_ids, r.right_ids FROM reconciliation_results l, "
            "reconciliation_results r WHERE l.job_id = %s AND r.job_id = %s "
            "AND l.kind = 'unmatched_left' AND r.kind = 'unmatched_right' LIMIT 1",
            (first, first),
        ).fetchone()
        assert suggestion is not None
        assert lonely is not None
        for action, (left_ids, right_ids) in (("reject", suggestion), ("manual_match", lonely)):
            conn.execute(
                "INSERT INTO review_decisions (project_id, job_id, left_dataset_id, "
                "right_dataset_id, ruleset_id, action, left_ids, right_ids, note) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'by test')",
                (
                    seeded.project_id,
                    first,
                    seeded.left_id,
                    seeded.right_id,
                    seeded.ruleset_id,
                    action,
                    psycopg.types.json.Jsonb(left_ids),
                    psycopg.types.json.Jsonb(right_ids),
                ),
            )
    second = queue_job(clean_db, seeded)
    _worker(clean_db, tmp_path).run(once=True)
    with psycopg.connect(clean_db) as conn:
        rejected = conn.execute(
            "SELECT review_status FROM reconciliation_results WHERE job_id = %s "
            "AND left_ids = %s AND right_ids = %s",
            (
                second,
                psycopg.types.json.Jsonb(suggestion[0]),
                psycopg.types.json.Jsonb(suggestion[1]),
            ),
        ).fetchone()
        manual = conn.execute(
            "SELECT kind, match_status, review_status, review_note FROM reconciliation_results "
            "WHERE job_id = %s AND left_ids = %s AND right_ids = %s",
            (second, psycopg.types.json.Jsonb(lonely[0]), psycopg.types.json.Jsonb(lonely[1])),
        ).fetchone()
        still_unmatched = conn.execute(
            "SELECT count(*) FROM reconciliation_results WHERE job_id = %s "
            "AND kind = 'unmatched_left' AND left_ids = %s",
            (second, psycopg.types.json.Jsonb(lonely[0])),
        ).fetchone()
    assert rejected == ("rejected",)
    assert manual == ("matched", "manual", "manual", "by test")
    assert still_unmatched == (0,)


def test_a_job_over_its_time_limit_fails_saying_so(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    job_id = queue_job(clean_db, seeded)
    config = WorkerConfig(data_dir=tmp_path, heartbeat_s=0.2, job_timeout_s=0.0)
    Worker(sqlalchemy_url(clean_db), config).run(once=True)
    job = _job(clean_db, job_id)
    assert job["status"] == "failed"
    assert "ACCORD_JOB_TIMEOUT_S" in str(job["error"])
    assert _kinds(clean_db, job_id) == {}


def test_worker_waits_out_a_database_outage_and_then_runs_the_job(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    import threading
    import time

    from tests.fixtures.proxy import TcpProxy
    from tests.fixtures.server import free_port

    real = sqlalchemy_url(clean_db)
    if real.host is None or "host" in real.query:
        pytest.skip("the test database is on a Unix socket; the outage proxy needs TCP")
    port = free_port()
    proxy = TcpProxy(port, (real.host or "127.0.0.1", real.port or 5432))
    worker = Worker(
        real.set(host="127.0.0.1", port=port),
        WorkerConfig(data_dir=tmp_path, heartbeat_s=0.2, poll_s=0.1, stale_after_s=1),
    )
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        time.sleep(0.5)  # the database is "down": nothing listens on the port yet
        assert thread.is_alive()
        job_id = queue_job(clean_db, seeded)
        proxy.start()
        deadline = time.monotonic() + 30
        while _job(clean_db, job_id)["status"] != "succeeded" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _job(clean_db, job_id)["status"] == "succeeded"
        proxy.stop()  # and away again: the worker keeps waiting instead of crashing
        time.sleep(0.5)
        assert thread.is_alive()
    finally:
        worker.shutdown.set()
        thread.join(30)
        proxy.stop()
    assert not thread.is_alive()
    assert worker.done == 1


def test_rules_that_do_not_fit_the_data_fail_the_job_naming_the_column(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    import json

    from tests.jobs.seed import RULES

    misfit = json.loads(json.dumps(RULES))
    misfit["passes"][0]["conditions"][0]["left"] = "no_such_column"
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE ruleset_versions SET document = %s WHERE id = %s",
            (json.dumps(misfit), seeded.version_id),
        )
    job_id = queue_job(clean_db, seeded)
    _worker(clean_db, tmp_path).run(once=True)
    job = _job(clean_db, job_id)
    assert job["status"] == "failed"
    assert "do not fit" in str(job["error"])
    assert "no_such_column" in str(job["error"])


def test_explanations_are_stored_compact_and_shown_in_full() -> None:
    from accord.jobs.compact import expand_explanation

    stored = [{"c": "equal:ref~doc", "l": "A1", "r": "A1", "o": "equal", "s": 1.0}]
    assert expand_explanation(stored) == [
        {
            "condition": "equal:ref~doc",
            "left_value": "A1",
            "right_value": "A1",
            "outcome": "equal",
            "score": 1.0,
        }
    ]
    manual = [{"condition": "manual", "outcome": "matched by a reviewer"}]
    assert expand_explanation(manual) == manual
    assert expand_explanation(None) == []


def test_a_job_that_keeps_killing_workers_is_failed_not_retried(
    clean_db: str, tmp_path: Path, seeded: Seeded
) -> None:
    dead_thrice = queue_job(clean_db, seeded)
    cancelled = queue_job(clean_db, seeded)
    with psycopg.connect(clean_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE reconciliation_jobs SET status = 'running', attempts = 3, "
            "heartbeat_at = now() - interval '1 hour' WHERE id = %s",
            (dead_thrice,),
        )
        conn.execute(
            "UPDATE reconciliation_jobs SET status = 'running', attempts = 1, "
            "cancel_requested = true, heartbeat_at = now() - interval '1 hour' WHERE id = %s",
            (cancelled,),
        )
    assert _worker(clean_db, tmp_path).run(once=True) == 0
    failed = _job(clean_db, dead_thrice)
    assert failed["status"] == "failed"
    assert "stopped 3 times" in str(failed["error"])
    assert failed["finished_at"] is not None
    assert _job(clean_db, cancelled)["status"] == "cancelled"


def test_ids_must_be_filled_in_and_unique() -> None:
    import pyarrow as pa

    from accord.jobs.inputs import JobInputError, check_ids

    check_ids(pa.table({"id": ["A", "B"]}), "id", "left", "bank")
    for ids, wanted in (
        (["A", "A", "B"], "repeat (e.g. A)"),
        (["A", None], "1 record(s)"),
        (["A", " "], "have no id"),
    ):
        with pytest.raises(JobInputError, match=r".*") as caught:
            check_ids(pa.table({"id": ids}), "id", "left", "bank")
        assert wanted in str(caught.value)
        assert "bank" in str(caught.value)
    with pytest.raises(JobInputError, match="not in data set"):
        check_ids(pa.table({"ref": ["A"]}), "id", "left", "bank")
