"""Pages filtered by kind, or to the exceptions, walk indexes of the job's own partition, and
still list exactly the filtered results, once each, across their cursor pages."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from accord.db.models import ReconciliationResult as Result
from accord.db.session import Database
from accord.db.url import sqlalchemy_url
from accord.jobs.partition import partition_name
from accord.results.cursor import Cursor
from accord.results.filters import ResultFilter, filter_clauses
from accord.results.pages import results_page
from accord.startup.breaker import CircuitBreaker
from tests.jobs.partitions import LEFT_OVERS, MATCHES, partition_indexes, stored_job

# Each filter, and the partition's index its pages walk. Several kinds are left to the
# planner: one index range per kind would come out sorted by kind, not by id.
FILTERS = {
    "unmatched_left": (ResultFilter(kind=["unmatched_left"]), "kind"),
    "differences": (ResultFilter(kind=["matched_with_differences"]), "kind"),
    "exceptions": (ResultFilter(exceptions=True), "exc"),
    "two kinds": (ResultFilter(kind=["unmatched_right", "matched_with_differences"]), None),
}


@pytest.fixture(scope="module")
def job(database_url: str) -> uuid.UUID:
    return stored_job(database_url)


def test_the_partition_has_its_kind_and_exceptions_indexes_once(
    database_url: str, job: uuid.UUID
) -> None:
    name = partition_name(job)
    indexes = partition_indexes(database_url, job)
    # The key, score and amount (adopted by the parent's indexes when attached: not twice),
    # then the partition's own.
    assert len(indexes) == 5, indexes
    assert any(f"INDEX {name}_kind ON public.{name} USING btree (kind, id)" in i for i in indexes)
    exceptions = next(i for i in indexes if f"INDEX {name}_exc " in i)
    assert "WHERE" in exceptions
    assert "suggested" in exceptions


def _prepared_page(job: uuid.UUID, where: ResultFilter) -> tuple[str, str]:
    """The first page's query as the listing sends it (pages.py), its values as parameters
    (`$1`...), and those values, as `EXECUTE` takes them."""
    query = select(Result).where(Result.job_id == job, *filter_clauses(where))
    compiled = (
        query.order_by(Result.id)
        .limit(101)
        .compile(
            dialect=postgresql.dialect(paramstyle="numeric_dollar"),
            compile_kwargs={"render_postcompile": True},
        )
    )
    values = [compiled.params[name] for name in compiled.positiontup or []]
    return str(compiled), ", ".join(str(v) if isinstance(v, int) else f"'{v}'" for v in values)


@pytest.mark.parametrize("plan", ["custom", "generic"])
@pytest.mark.parametrize("case", [case for case, (_, index) in FILTERS.items() if index])
def test_a_filtered_page_walks_the_partitions_index(
    database_url: str, job: uuid.UUID, case: str, plan: str
) -> None:
    """Also as a generic plan, which a prepared statement may switch to after five runs: the
    exceptions' values are written into the query, so the partial index still fits it."""
    where, suffix = FILTERS[case]
    sql, values = _prepared_page(job, where)
    with psycopg.connect(database_url) as conn:
        conn.execute(f"SET plan_cache_mode = force_{plan}_plan")
        conn.execute(f"PREPARE page AS {sql}")
        lines = conn.execute(f"EXPLAIN EXECUTE page({values})").fetchall()
    plan_text = "\n".join(line[0] for line in lines)
    assert f"{partition_name(job)}_{suffix}" in plan_text, plan_text


def _expected(case: str) -> list[int]:
    """Ids of the rows stored_job lays out (matches 1..MATCHES, then the left-overs)."""
    matches = range(1, MATCHES + 1)
    left = range(MATCHES + 1, MATCHES + LEFT_OVERS + 1)
    right = range(MATCHES + LEFT_OVERS + 1, MATCHES + 2 * LEFT_OVERS + 1)
    if case == "unmatched_left":
        return list(left)
    if case == "differences":
        return [n for n in matches if n % 50 == 0]
    if case == "two kinds":
        return [n for n in matches if n % 50 == 0] + list(right)
    return [n for n in matches if n % 400 == 0] + list(left) + list(right)


async def _walk(url: str, job: uuid.UUID, where: ResultFilter, sort: Any) -> list[int]:
    database = Database(sqlalchemy_url(url), CircuitBreaker(5, 30), pool_size=1)
    ids: list[int] = []
    cursor = None
    try:
        while True:
            async with database.unit_of_work() as session:
                page = await results_page(
                    session, job, filter_clauses(where), sort, "asc", 700, cursor
                )
            ids += [r.id for r in page.items]
            if page.next_cursor is None:
                return ids
            cursor = Cursor.decode(page.next_cursor, sort, "asc")
    finally:
        await database.dispose()


@pytest.mark.parametrize("case", list(FILTERS))
def test_walking_a_filtered_listings_pages_gives_each_result_once(
    database_url: str, job: uuid.UUID, case: str
) -> None:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(f"SELECT min(id) - 1 FROM {partition_name(job)}").fetchone()
    assert row is not None
    first = int(row[0])
    expected = [first + n for n in _expected(case)]
    walked = asyncio.run(_walk(database_url, job, FILTERS[case][0], "id"))
    assert walked == expected
    by_amount = asyncio.run(_walk(database_url, job, FILTERS[case][0], "amount"))
    assert sorted(by_amount) == expected
