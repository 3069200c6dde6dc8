"""Decisions on one result: confirm or reject a suggestion, unmatch a match, annotate."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit.context import RequestContext
from accord.db.models import ReconciliationResult as Result
from accord.errors import Conflict, NotFound
from accord.results.jobs import JobAccess
from accord.review.decisions import audit, decide
from accord.review.leftovers import release_records
from accord.review.records import free_records, shown
from accord.review.schemas import ReviewOut

NO_SUCH_RESULT = "No result with this id in this job."


async def locked_result(db: AsyncSession, job: JobAccess, result_id: int) -> Result:
    query = select(Result).where(Result.id == result_id, Result.job_id == job.job.id)
    row = await db.scalar(query.with_for_update())
    if row is None:
        raise NotFound(NO_SUCH_RESULT)
    return row


def _state(row: Result) -> dict[str, Any]:
    return {"review_status": row.review_status, "review_note": row.review_note}


async def _decided(
    db: AsyncSession,
    job: JobAccess,
    row: Result,
    action: str,
    status: str,
    note: str,
    context: RequestContext,
    extra: dict[str, Any] | None = None,
) -> ReviewOut:
    before = _state(row)
    decision = await decide(db, job, action, row.left_ids, row.right_ids, note)
    row.review_status = status
    if note:
        row.review_note = note
    await db.flush()
    after = {
        "review_status": status,
        "note": note,
        "decision_id": str(decision.id),
        "left_ids": row.left_ids,
        "right_ids": row.right_ids,
        **(extra or {}),
    }
    event = await audit(db, job, action, "reconciliation_result", row.id, context, before, after)
    return ReviewOut(result=await shown(job, row), decision_id=decision.id, audit_event_id=event.id)


def _suggestion(row: Result, allowed: tuple[str, ...], verb: str) -> None:
    if row.match_status != "suggested":
        raise Conflict(
            f"Only suggested matches are {verb}ed; this is "
            f"{'a left-over' if row.match_status is None else f'an {row.match_status} match'}. "
            "To undo a match, unmatch it.",
        )
    if row.review_status not in allowed:
        raise Conflict(f"This suggestion is {row.review_status}; it cannot be {verb}ed now.")


async def confirm(
    db: AsyncSession, job: JobAccess, result_id: int, note: str, context: RequestContext
) -> ReviewOut:
    row = await locked_result(db, job, result_id)
    _suggestion(row, ("pending", "rejected"), "confirm")
    if row.review_status == "rejected":
        # Since the rejection, a manual match may have taken its records.
        await free_records(db, job, "left", row.left_ids, ignore_result=row.id)
        await free_records(db, job, "right", row.right_ids, ignore_result=row.id)
    return await _decided(db, job, row, "confirm", "confirmed", note, context)


async def reject(
    db: AsyncSession, job: JobAccess, result_id: int, note: str, context: RequestContext
) -> ReviewOut:
    row = await locked_result(db, job, result_id)
    _suggestion(row, ("pending", "confirmed"), "reject")
    return await _decided(db, job, row, "reject", "rejected", note, context)


def _standing_match(row: Result) -> bool:
    return (
        (row.match_status == "auto" and row.review_status in ("pending", "confirmed"))
        or (row.match_status == "suggested" and row.review_status == "confirmed")
        or (row.match_status == "manual" and row.review_status == "manual")
    )


async def unmatch(
    db: AsyncSession, job: JobAccess, result_id: int, note: str, context: RequestContext
) -> ReviewOut:
    """Undo a match (automatic, confirmed or manual): its records become left-overs again."""
    row = await locked_result(db, job, result_id)
    if not _standing_match(row):
        raise Conflict(
            "Only a standing match can be unmatched: an automatic one, a confirmed suggestion "
            "or a manual match (reject a pending suggestion instead).",
        )
    reopened = await release_records(db, job, row)
    return await _decided(
        db, job, row, "unmatch", "unmatched", note, context, {"reopened_results": reopened}
    )


async def set_note(
    db: AsyncSession, job: JobAccess, result_id: int, note: str, context: RequestContext
) -> ReviewOut:
    """A note decides nothing, so it is audited but not kept for re-runs."""
    row = await locked_result(db, job, result_id)
    before = _state(row)
    row.review_note = note or None
    await db.flush()
    event = await audit(
        db, job, "note", "reconciliation_result", row.id, context, before, {"note": note}
    )
    return ReviewOut(result=await shown(job, row), decision_id=None, audit_event_id=event.id)
