"""The listing's text search `q` over a run: which results have a record whose text holds it.

A record's text is its lower-cased text fields, kept beside the record in the run's side
files (jobs/runfile.py), so PostgreSQL does not store a search text per result. DuckDB finds
the records whose text holds `q`, then the results (by ordinal) that name them; PostgreSQL
filters on those ordinals. Rows a reviewer added still carry a search text of their own.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
from anyio import to_thread
from sqlalchemy import BigInteger, ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from accord.db.models import ReconciliationResult as Result
from accord.jobs.runfile import RESULTS, SIDE_FILES
from accord.results.details import READ_ERRORS, unreadable
from accord.results.filters import ResultFilter, filter_clauses
from accord.results.jobs import JobAccess

_MATCHING = """
WITH l AS (SELECT id FROM read_parquet($left) WHERE contains(search, $q)),
     r AS (SELECT id FROM read_parquet($right) WHERE contains(search, $q)),
     results AS (SELECT ordinal, left_ids, right_ids FROM read_parquet($results))
SELECT ordinal FROM (SELECT ordinal, unnest(left_ids) AS id FROM results) SEMI JOIN l USING (id)
UNION
SELECT ordinal FROM (SELECT ordinal, unnest(right_ids) AS id FROM results) SEMI JOIN r USING (id)
ORDER BY ordinal
"""


# Walking a search's pages repeats it: the last few answers are kept (a run never changes).
@functools.lru_cache(maxsize=4)
def matching_ordinals(run_dir: Path, q: str) -> tuple[int, ...]:
    """Ordinals of the run's results with a record whose text holds `q` (any case)."""
    con = duckdb.connect()
    try:
        params = {
            "left": str(run_dir / SIDE_FILES["left"]),
            "right": str(run_dir / SIDE_FILES["right"]),
            "results": str(run_dir / RESULTS),
            "q": q.lower(),
        }
        return tuple(row[0] for row in con.execute(_MATCHING, params).fetchall())
    finally:
        con.close()


async def job_filter_clauses(job: JobAccess, where: ResultFilter) -> list[ColumnElement[bool]]:
    """The filter's clauses for this job, its text search answered from the run's files."""
    results_dir = job.job.results_dir
    if not where.q or results_dir is None:
        return filter_clauses(where)
    try:
        ordinals = await to_thread.run_sync(matching_ordinals, job.data_dir / results_dir, where.q)
    except (*READ_ERRORS, duckdb.Error) as exc:
        raise unreadable(results_dir, exc) from None
    in_run = Result.ordinal == any_(
        bindparam("q_ordinals", list(ordinals), type_=ARRAY(BigInteger))
    )
    return filter_clauses(where, in_run)
