"""Run one claimed reconciliation job: inputs, engine, results stored in one transaction."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from accord.engine import reconcile
from accord.jobs import queue
from accord.jobs.control import JobControl, JobStopped
from accord.jobs.inputs import load_inputs, without_manual_matches
from accord.jobs.records import RESULT_COLUMNS, write_result_csv

_COPY_CHUNK = 1 << 20


def run_reconcile_job(
    engine: Engine, job: queue.ClaimedJob, control: JobControl, data_dir: Path
) -> dict[str, Any]:
    """Run the job to the end and store its results; returns the summary stored with it.

    Raises JobStopped (cancelled, lost, timeout, shutdown) or JobInputError; nothing of the
    run is visible until the final transaction commits.
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    control.progress("loading", 0.0)
    with engine.connect() as conn:
        inputs = load_inputs(conn, job, data_dir)
    left = without_manual_matches(inputs.left, inputs.rules.left.id, inputs.decisions, "left")
    right = without_manual_matches(inputs.right, inputs.rules.right.id, inputs.decisions, "right")
    seconds["load"] = time.perf_counter() - start

    def engine_progress(phase: str, fraction: float) -> None:
        control.progress(phase, 0.05 + 0.8 * fraction)

    mark = time.perf_counter()
    result = reconcile(left, right, inputs.rules, progress=engine_progress)
    seconds["match"] = time.perf_counter() - mark
    control.progress("storing results", 0.9)

    mark = time.perf_counter()
    tmp_dir = data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=tmp_dir, suffix=".csv") as rows_file:
        path = Path(rows_file.name)
        count = write_result_csv(
            result, inputs.left, inputs.right, inputs.rules, inputs.decisions, str(job.id), path
        )
        seconds["prepare_results"] = time.perf_counter() - mark
        control.check()
        summary = {**result.summary, "stored_results": count}
        _store(engine, job, control.worker_id, path, summary, seconds)
    return summary


def _store(
    engine: Engine,
    job: queue.ClaimedJob,
    worker_id: str,
    rows_csv: Path,
    summary: dict[str, Any],
    seconds: dict[str, float],
) -> None:
    """Replace the job's results and mark it succeeded, atomically, if this worker still owns it."""
    mark = time.perf_counter()
    with engine.begin() as conn:
        owner = conn.execute(
            text(
                "SELECT 1 FROM reconciliation_jobs WHERE id = :id AND worker_id = :worker "
                "AND status = 'running' FOR UPDATE"
            ),
            {"id": job.id, "worker": worker_id},
        ).first()
        if owner is None:
            raise JobStopped("lost")
        conn.execute(text("DELETE FROM reconciliation_results WHERE job_id = :id"), {"id": job.id})
        raw = conn.connection.driver_connection
        assert raw is not None
        copy_sql = (
            f"COPY reconciliation_results ({', '.join(RESULT_COLUMNS)}) FROM STDIN (FORMAT csv)"
        )
        with raw.cursor() as cursor, cursor.copy(copy_sql) as copy, rows_csv.open("rb") as src:
            while chunk := src.read(_COPY_CHUNK):
                copy.write(chunk)
        seconds["store_results"] = time.perf_counter() - mark
        queue.finish(conn, job.id, worker_id, "succeeded", summary=summary, phase_seconds=seconds)
