"""Left-over rows that manual matches settle and unmatching reopens or creates.

A manual match keeps the left-over rows of its records but marks them review_status 'manual'
(settled by hand); unmatching it sets them back to 'pending'. Unmatching an engine match, or a
manual match whose records have no left-over row (it was carried over from an earlier run),
adds a left-over row per record, so the records are listed with the other exceptions again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from accord.db.models import ReconciliationResult as Result
from accord.results.jobs import JobAccess
from accord.review.records import Side, amount_field, amount_total, find_records, search_text

UNMATCHED_BY_REVIEWER = "unmatched_by_reviewer"


async def set_leftovers_status(db: AsyncSession, result_ids: Iterable[int], status: str) -> None:
    ids = list(result_ids)
    if ids:
        await db.execute(
            update(Result)
            .where(Result.id.in_(ids), Result.match_status.is_(None))
            .values(review_status=status)
            .execution_options(synchronize_session=False)
        )


def _leftover(job: JobAccess, side: Side, record_id: str, record: dict[str, Any]) -> Result:
    other: Side = "right" if side == "left" else "left"
    return Result(
        job_id=job.job.id,
        kind=f"unmatched_{side}",
        match_status=None,
        pass_name=None,
        score=None,
        amount=amount_total([record], amount_field(job, side)),
        **{f"{side}_ids": [record_id], f"{other}_ids": []},
        **{f"{side}_records": [record], f"{other}_records": []},
        explanation=[],
        differences=None,
        reason=UNMATCHED_BY_REVIEWER,
        reason_detail={"candidates": [], "detail": "a reviewer unmatched it"},
        search_text=search_text([record]),
        review_status="pending",
        review_note=None,
    )


async def release_records(db: AsyncSession, job: JobAccess, match: Result) -> list[int]:
    """Make the match's records left-overs again; return the left-over rows that hold them."""
    reopened: list[int] = []
    sides: tuple[tuple[Side, list[str]], ...] = (
        ("left", match.left_ids),
        ("right", match.right_ids),
    )
    for side, ids in sides:
        found = await find_records(db, job, side, ids, ignore_result=match.id)
        for record_id in ids:
            settled = [row for row, status in found.leftover_rows.get(record_id, [])]
            if settled:
                reopened += settled
                continue
            record = found.records.get(record_id)
            if record is None:  # a record its data set lost since (a kept manual match)
                continue
            row = _leftover(job, side, record_id, record)
            db.add(row)
            await db.flush()
            reopened.append(row.id)
    await set_leftovers_status(db, reopened, "pending")
    return reopened
