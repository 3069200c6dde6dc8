"""The listing's text search `q` over a run: which results have a record whose text holds it.

A record's text is its text fields, lower-cased and joined, as the search text PostgreSQL
used to store per result; DuckDB now computes it over the run's side files (jobs/runfile.py),
finds the records whose text holds `q`, then the results (by ordinal) that name them, and
PostgreSQL filters on those ordinals. Rows a reviewer added carry a search text of their own.
"""

from __future__ import annotations

import functools
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from anyio import to_thread
from sqlalchemy import BigInteger, ColumnElement, any_, bindparam
from sqlalchemy.dialects.postgresql import ARRAY

from accord.db.models import ReconciliationResult as Result
from accord.engine.ingest.sql import quote_identifier, quote_literal
from accord.jobs.runfile import RESULTS, SIDE_FILES
from accord.results.details import READ_ERRORS, side_id_column, unreadable
from accord.results.filters import ResultFilter, filter_clauses
from accord.results.jobs import JobAccess

_MATCHING = """
WITH results AS (SELECT ordinal, left_ids, right_ids FROM read_parquet($results))
SELECT ordinal FROM (SELECT ordinal, unnest(left_ids) AS id FROM results) SEMI JOIN l USING (id)
UNION
SELECT ordinal FROM (SELECT ordinal, unnest(right_ids) AS id FROM results) SEMI JOIN r USING (id)
ORDER BY ordinal
"""


def _matching_records_sql(path: Path) -> str:
    """Ids of the side file's records whose lower-cased text fields hold `$q`."""
    schema = pq.read_schema(path)
    id_column = side_id_column(schema)
    texts = [quote_identifier(f.name) for f in schema if pa.types.is_string(f.type)]
    text = f"lower(concat_ws(' ', {', '.join(texts)}))" if texts else "''"
    return (
        f"SELECT CAST({quote_identifier(id_column)} AS VARCHAR) AS id "  # noqa: S608 - quoted names
        f"FROM read_parquet({quote_literal(str(path))}) WHERE contains({text}, $q)"
    )


# Walking a search's pages repeats it: the last few answers are kept (a run never changes).
@functools.lru_cache(maxsize=4)
def matching_ordinals(run_dir: Path, q: str) -> tuple[int, ...]:
    """Ordinals of the run's results with a record whose text holds `q` (any case)."""
    con = duckdb.connect()
    try:
        for side, name in (("left", "l"), ("right", "r")):
            con.execute(
                f"CREATE TEMP TABLE {name} AS " + _matching_records_sql(run_dir / SIDE_FILES[side]),
                {"q": q.lower()},
            )
        found = con.execute(_MATCHING, {"results": str(run_dir / RESULTS)}).fetchall()
        return tuple(row[0] for row in found)
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
