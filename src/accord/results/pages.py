"""One page of a job's results, by keyset: fast at any depth, since nothing is skipped over.

Each job's results are a partition of their own (jobs/partition.py). Sorted by id, a page is
`id > last` on the primary key (job_id, id). Sorted by score or amount it walks the
(score, id) or (amount, id) index with a row-value comparison `(value, id) > (last value, last
id)`, first over the results that have a value, then over those without (in id order): two
index range scans, never an OFFSET.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from accord.db.models import ReconciliationResult as Result
from accord.results.cursor import Cursor, SortKey, SortOrder, SortValue

_SORT_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "id": Result.id,
    "score": Result.score,
    "amount": Result.amount,
}


@dataclass(frozen=True)
class Page:
    items: Sequence[Result]
    next_cursor: str | None


def _sort_value(result: Result, sort: SortKey) -> SortValue:
    value: SortValue = getattr(result, sort)
    return value


def _after(
    column: InstrumentedAttribute[Any], value: object, after_id: int, order: SortOrder
) -> ColumnElement[bool]:
    here = tuple_(column, Result.id)
    there = tuple_(literal(value, column.type), literal(after_id))
    return here > there if order == "asc" else here < there


def _ordered(
    query: Select[Result], column: InstrumentedAttribute[Any] | None, order: SortOrder
) -> Select[Result]:
    """Order by `column` then id (by id alone when `column` is None)."""
    keys = [Result.id] if column is None else [column, Result.id]
    return query.order_by(*(k.asc() if order == "asc" else k.desc() for k in keys))


def _id_after(after_id: int, order: SortOrder) -> ColumnElement[bool]:
    return Result.id > after_id if order == "asc" else Result.id < after_id


async def results_page(
    db: AsyncSession,
    job_id: uuid.UUID,
    where: list[ColumnElement[bool]],
    sort: SortKey,
    order: SortOrder,
    limit: int,
    cursor: Cursor | None,
) -> Page:
    base = select(Result).where(Result.job_id == job_id, *where)
    rows: list[Result] = []
    if sort == "id":
        query = base.where(_id_after(cursor.id, order)) if cursor else base
        rows = list(await db.scalars(_ordered(query, None, order).limit(limit + 1)))
    else:
        column = _SORT_COLUMNS[sort]
        if cursor is None or not cursor.in_nulls:
            valued = base.where(column.is_not(None))
            if cursor is not None:
                valued = valued.where(_after(column, cursor.value, cursor.id, order))
            rows = list(await db.scalars(_ordered(valued, column, order).limit(limit + 1)))
        if len(rows) <= limit:
            unvalued = base.where(column.is_(None))
            if cursor is not None and cursor.in_nulls:
                unvalued = unvalued.where(_id_after(cursor.id, order))
            more = _ordered(unvalued, None, order).limit(limit + 1 - len(rows))
            rows += list(await db.scalars(more))
    page = rows[:limit]
    if len(rows) <= limit:
        return Page(page, None)
    last = page[-1]
    if sort == "id":
        return Page(page, Cursor(sort, order, None, last.id, in_nulls=False).encode())
    value = _sort_value(last, sort)
    return Page(page, Cursor(sort, order, value, last.id, in_nulls=value is None).encode())
