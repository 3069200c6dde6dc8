"""Run one claimed reconciliation job: inputs, engine, results stored in one transaction."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from accord.engine import reconcile
from accord.jobs import queue
from accord.jobs.control import JobControl, JobStopped
from accord.jobs.inputs import load_inputs, without_manual_matches
from accord.jobs.partition import (
    attach_partition,
    create_partition,
    drop_orphan_partitions,
    index_partition,
)
from accord.jobs.records import RESULT_COLUMNS, result_batches, write_side_files
from accord.jobs.runfile import RunWriter, new_run_dir, remove_other_runs, remove_partial_runs


def run_reconcile_job(
    engine: Engine, job: queue.ClaimedJob, control: JobControl, data_dir: Path
) -> dict[str, Any]:
    """Run the job to the end and store its results; returns the summary stored with it.

    Raises JobStopped (cancelled, lost, timeout, shutdown) or JobInputError; nothing of the
    run is visible until the final transaction commits, and its files are removed if that
    does not happen; the job's earlier run folders go once it has.
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    control.progress("loading", 0.0)
    remove_partial_runs(data_dir, job.project_id, job.id)
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

    tmp_dir = data_dir / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    relative = new_run_dir(job.project_id, job.id)
    run = RunWriter(data_dir, relative)
    try:
        # The side files are written beside the results' COPY and indexing, which mostly wait
        # on PostgreSQL. Leaving the pool waits for them, before any clean-up.
        with ThreadPoolExecutor(max_workers=1) as pool:
            side_files = {side: run.side_file(side) for side in ("left", "right")}
            records = pool.submit(
                write_side_files, inputs.left, inputs.right, inputs.rules, side_files
            )
            batches = result_batches(
                result, inputs.left, inputs.right, inputs.rules, inputs.decisions, tmp_dir
            )
            with contextlib.closing(batches):
                summary = _store(
                    engine, job, control, run, relative, batches, records, result.summary, seconds
                )
    except BaseException:
        if not (run.published and _may_have_committed(engine, job.id, relative)):
            run.discard()
        raise
    remove_other_runs(data_dir, relative)
    drop_orphan_partitions(engine)
    return summary


def _may_have_committed(engine: Engine, job_id: Any, relative: Path) -> bool:
    """After a failure past `publish`: did the commit happen anyway (the connection dropped
    while COMMIT was in flight)? Unknown counts as yes: an unreferenced folder is removed by
    the job's next successful run, a referenced one removed would lose its results."""
    try:
        with engine.connect() as conn:
            named = conn.execute(
                text("SELECT results_dir FROM reconciliation_jobs WHERE id = :id"), {"id": job_id}
            ).scalar()
    except Exception:  # the database is unreachable: keep the files
        return True
    return named == relative.as_posix()


def _store(
    engine: Engine,
    job: queue.ClaimedJob,
    control: JobControl,
    run: RunWriter,
    relative: Path,
    batches: Iterator[pa.RecordBatch],
    records: Future[None],
    engine_summary: dict[str, Any],
    seconds: dict[str, float],
) -> dict[str, Any]:
    """Store the job's results and mark it succeeded, atomically, if this worker still owns it.

    Each batch goes to the run's results file and, as CSV, into the COPY into the job's own
    partition: DuckDB builds the next batch while PostgreSQL takes the last. The partition is
    indexed, the side files awaited, the partition attached and the job row locked and its
    ownership checked, at the end, so heartbeats (and with them cancellation) go on during
    the COPY. The run's folder, with the
    side files `records` writes, is in place before the commit; the caller removes it if the
    commit does not happen.
    """
    seconds["prepare_results"] = seconds["store_results"] = 0.0
    with engine.begin() as conn:
        partition = create_partition(conn, job.id)
        count = _copy_rows(conn, partition, batches, run, control, seconds)
        mark = time.perf_counter()
        index_partition(conn, job.id)
        seconds["index_results"] = time.perf_counter() - mark
        mark = time.perf_counter()
        records.result()
        seconds["wait_for_record_files"] = time.perf_counter() - mark
        # From here to the commit every write to reconciliation_jobs waits. Attaching comes
        # before the job row is locked: a heartbeat waiting for that row lock would hold the
        # table lock the attach needs, a deadlock.
        mark = time.perf_counter()
        attach_partition(conn, job.id)
        seconds["index_results"] += time.perf_counter() - mark
        owner = conn.execute(
            text(
                "SELECT 1 FROM reconciliation_jobs WHERE id = :id AND worker_id = :worker "
                "AND status = 'running' FOR UPDATE"
            ),
            {"id": job.id, "worker": control.worker_id},
        ).first()
        if owner is None:
            raise JobStopped("lost")
        run.publish()
        conn.execute(
            text("UPDATE reconciliation_jobs SET results_dir = :dir WHERE id = :id"),
            {"dir": relative.as_posix(), "id": job.id},
        )
        summary = {**engine_summary, "stored_results": count}
        queue.finish(
            conn, job.id, control.worker_id, "succeeded", summary=summary, phase_seconds=seconds
        )
    return summary


def _copy_rows(
    conn: Connection,
    partition: str,
    batches: Iterator[pa.RecordBatch],
    run: RunWriter,
    control: JobControl,
    seconds: dict[str, float],
) -> int:
    """Stream every batch into the run's results file and the COPY; return the row count."""
    raw = conn.connection.driver_connection
    assert raw is not None
    # FREEZE: the table is new in this transaction, so its rows need no later visibility pass.
    copy_sql = (
        f"COPY {partition} ({', '.join(RESULT_COLUMNS)}) FROM STDIN (FORMAT csv, FREEZE true)"
    )
    options = pacsv.WriteOptions(include_header=False)
    count = 0
    # Queued: a thread of psycopg's sends the data, so DuckDB builds the next batch meanwhile.
    with raw.cursor() as cursor, cursor.copy(copy_sql, writer=QueuedLibpqWriter(cursor)) as copy:
        while True:
            mark = time.perf_counter()
            batch = next(batches, None)
            seconds["prepare_results"] += time.perf_counter() - mark
            if batch is None:
                # Leaving the block waits for PostgreSQL to take the rows still queued.
                mark = time.perf_counter()
                break
            mark = time.perf_counter()
            ordinals = pa.array(np.arange(count, count + batch.num_rows, dtype=np.int64))
            table = pa.Table.from_batches([batch]).append_column("ordinal", ordinals)
            run.write(table)
            rows = io.BytesIO()
            pacsv.write_csv(table.select(RESULT_COLUMNS), rows, options)
            copy.write(rows.getbuffer())
            count += batch.num_rows
            seconds["store_results"] += time.perf_counter() - mark
            control.check()
    seconds["store_results"] += time.perf_counter() - mark
    return count
