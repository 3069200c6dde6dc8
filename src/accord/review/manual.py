"""Manual matches: a reviewer pairs free left and right records, with a note saying why.

The match is a new result row (match_status and review_status 'manual'), shaped as the worker
shapes the manual matches it carries into a re-run; the records' left-over rows stay, marked
review_status 'manual', so an unmatch can reopen them.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit.context import RequestContext
from accord.db.models import ReconciliationResult as Result
from accord.results.jobs import JobAccess
from accord.review.decisions import audit, decide
from accord.review.leftovers import set_leftovers_status
from accord.review.records import (
    amount_field,
    amount_total,
    free_records,
    search_text,
    shown,
)
from accord.review.schemas import ReviewOut

MANUAL_EXPLANATION = [{"condition": "manual", "outcome": "matched by a reviewer"}]


def manual_kind(left_count: int, right_count: int) -> str:
    if left_count == 1 and right_count == 1:
        return "matched"
    if left_count == 1:
        return "one_to_many"
    if right_count == 1:
        return "many_to_one"
    return "many_to_many"


async def manual_match(
    db: AsyncSession,
    job: JobAccess,
    left_ids: list[str],
    right_ids: list[str],
    note: str,
    context: RequestContext,
) -> ReviewOut:
    left = await free_records(db, job, "left", left_ids)
    right = await free_records(db, job, "right", right_ids)
    left_records = [left.records[i] for i in sorted(left_ids)]
    right_records = [right.records[i] for i in sorted(right_ids)]
    row = Result(
        job_id=job.job.id,
        kind=manual_kind(len(left_ids), len(right_ids)),
        match_status="manual",
        pass_name=None,
        score=1.0,
        amount=amount_total(left_records, amount_field(job, "left")),
        left_ids=left_ids,
        right_ids=right_ids,
        left_records=left_records,
        right_records=right_records,
        explanation=MANUAL_EXPLANATION,
        differences=None,
        reason=None,
        reason_detail=None,
        search_text=f"{search_text(left_records)} {search_text(right_records)}",
        review_status="manual",
        review_note=note,
    )
    db.add(row)
    await db.flush()
    settled = [
        result_id
        for found in (left, right)
        for rows in found.leftover_rows.values()
        for result_id, _ in rows
    ]
    await set_leftovers_status(db, settled, "manual")
    decision = await decide(db, job, "manual_match", left_ids, right_ids, note)
    after = {
        "review_status": "manual",
        "note": note,
        "decision_id": str(decision.id),
        "left_ids": left_ids,
        "right_ids": right_ids,
        "settled_results": settled,
    }
    event = await audit(
        db, job, "manual_match", "reconciliation_result", row.id, context, None, after
    )
    return ReviewOut(result=await shown(job, row), decision_id=decision.id, audit_event_id=event.id)
