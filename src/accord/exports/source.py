"""The exported results, read in batches through a server-side cursor on their own connection.

The stream outlives the request's unit of work (a response body is sent after the endpoint
returns), so it takes a connection of its own; at most one batch of results is in memory at
a time. Each batch is built column by column off the event loop (batches.py), its records
joined from the fields of the run's side files that the export shows, read once.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence

from anyio import to_thread
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncEngine

from accord.db.models import ReconciliationResult as Result
from accord.exports.batches import BatchBuilder, ExportBatch
from accord.exports.rows import ExportLayout, export_query
from accord.results.details import READ_ERRORS, unreadable
from accord.results.jobs import JobAccess

# Rows of the database fetched, built and written at a time.
BATCH_ROWS = 20_000


async def result_batches(
    engine: AsyncEngine,
    job: JobAccess,
    layout: ExportLayout,
    where: Sequence[ColumnElement[bool]],
) -> AsyncGenerator[ExportBatch]:
    """The job's results that `where` selects (results/search.py), with their details."""
    results_dir = job.job.results_dir
    run_dir = job.data_dir / results_dir if results_dir is not None else None
    query = export_query().where(Result.job_id == job.job.id, *where)
    try:
        builder = await to_thread.run_sync(BatchBuilder, layout, run_dir)
    except READ_ERRORS as exc:
        raise unreadable(results_dir, exc) from None
    try:
        async with engine.connect() as conn:
            # SQLAlchemy builds the query; psycopg's server-side cursor hands back plain tuples
            # (SQLAlchemy's rows cost more than the rest of a batch's fetching).
            compiled = query.compile(
                dialect=conn.dialect, compile_kwargs={"render_postcompile": True}
            )
            raw = (await conn.get_raw_connection()).driver_connection
            assert raw is not None
            async with raw.cursor(name="export") as cursor:
                await cursor.execute(str(compiled), compiled.params)
                while rows := await cursor.fetchmany(BATCH_ROWS):
                    try:
                        batch = await to_thread.run_sync(builder.build, rows)
                    except READ_ERRORS as exc:
                        raise unreadable(results_dir, exc) from None
                    yield batch
    finally:
        await to_thread.run_sync(builder.close)
