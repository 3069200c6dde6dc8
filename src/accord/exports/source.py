"""The exported results, read in batches through a server-side cursor on their own connection.

The stream outlives the request's unit of work (a response body is sent after the endpoint
returns), so it takes a connection of its own; at most one batch is in memory at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from accord.db.models import ReconciliationResult as Result
from accord.exports.rows import export_query
from accord.results.filters import ResultFilter, filter_clauses

BATCH_ROWS = 2000


async def result_batches(
    engine: AsyncEngine, job_id: uuid.UUID, where: ResultFilter
) -> AsyncGenerator[Sequence[Any]]:
    query = export_query().where(Result.job_id == job_id, *filter_clauses(where))
    async with engine.connect() as conn:
        stream = await conn.stream(query, execution_options={"yield_per": BATCH_ROWS})
        async for batch in stream.partitions(BATCH_ROWS):
            yield batch
