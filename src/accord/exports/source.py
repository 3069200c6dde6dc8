"""The exported results, read in batches through a server-side cursor on their own connection.

The stream outlives the request's unit of work (a response body is sent after the endpoint
returns), so it takes a connection of its own; at most one batch is in memory at a time. Each
batch's details (records, differences) come from the job's run folder, read for that batch.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Sequence
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncEngine

from accord.db.models import ReconciliationResult as Result
from accord.exports.rows import export_query
from accord.results.details import Wanted, details_of
from accord.results.jobs import JobAccess

# Each batch reads the row groups of the side files holding its records: with a million
# results their ids are scattered over (nearly) every group, so a batch costs about a whole
# side file whatever its size. 20,000 rows a batch: ~50 reads for a 1M export, not ~500,
# for ~40 MB of rows in memory at a time.
BATCH_ROWS = 20_000


async def _with_details(job: JobAccess, batch: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows as `ExportLayout.flatten` takes them: outcome columns, differences, both records."""
    wanted = [
        Wanted(row.ordinal, row.left_ids, row.right_ids) for row in batch if row.ordinal is not None
    ]
    found = await details_of(job.data_dir, job.job.results_dir, wanted)
    rows = []
    for row in batch:
        *outcome, ordinal, differences, left, right = row
        if ordinal is not None:
            details = found[ordinal]
            differences = details.differences
            left, right = details.left_records, details.right_records
        rows.append((*outcome, differences, left or [], right or []))
    return rows


async def result_batches(
    engine: AsyncEngine, job: JobAccess, where: Sequence[ColumnElement[bool]]
) -> AsyncGenerator[Sequence[Any]]:
    """The job's results that `where` selects (results/search.py), with their details."""
    query = export_query().where(Result.job_id == job.job.id, *where)
    async with engine.connect() as conn:
        stream = await conn.stream(query, execution_options={"yield_per": BATCH_ROWS})
        async for batch in stream.partitions(BATCH_ROWS):
            yield await _with_details(job, batch)
