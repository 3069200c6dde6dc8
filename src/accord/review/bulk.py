"""Bulk review: confirm or reject every pending suggestion that a listing filter selects.

Done in three set-based statements (retire earlier decisions on the same pairs, insert one
decision per suggestion, update the results), so a bulk action over a hundred thousand
suggestions costs what one query over them costs. The job row is locked meanwhile, so the
three statements see the same suggestions.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit.context import RequestContext
from accord.db.models import ReconciliationResult as Result
from accord.db.models import ReviewDecision
from accord.results.filters import ResultFilter
from accord.results.jobs import JobAccess
from accord.results.search import job_filter_clauses
from accord.review.decisions import audit, same_scope
from accord.review.schemas import BulkDecisionIn, BulkDecisionOut

NEW_STATUS = {"confirm": "confirmed", "reject": "rejected"}


async def bulk_decide(
    db: AsyncSession,
    job: JobAccess,
    where: ResultFilter,
    body: BulkDecisionIn,
    context: RequestContext,
) -> BulkDecisionOut:
    now = datetime.now(UTC)
    targets = select(Result.id).where(
        Result.job_id == job.job.id,
        Result.match_status == "suggested",
        Result.review_status == "pending",
        *(await job_filter_clauses(job, where)),
    )
    # Engine pairs list their ids in the engine's order, so plain JSONB equality finds them.
    same_pair = (
        select(Result.id)
        .where(
            Result.id.in_(targets),
            Result.left_ids == ReviewDecision.left_ids,
            Result.right_ids == ReviewDecision.right_ids,
        )
        .exists()
    )
    await db.execute(
        update(ReviewDecision)
        .where(same_scope(job), same_pair)
        .values(superseded_at=now)
        .execution_options(synchronize_session=False)
    )
    columns: dict[str, Any] = {
        "id": func.gen_random_uuid(),
        "project_id": literal(job.job.project_id),
        "job_id": literal(job.job.id),
        "left_dataset_id": literal(job.job.left_dataset_id),
        "right_dataset_id": literal(job.job.right_dataset_id),
        "ruleset_id": literal(job.ruleset_id),
        "action": literal(body.action),
        "left_ids": Result.left_ids,
        "right_ids": Result.right_ids,
        "note": literal(body.note),
        "decided_by": literal(job.access.principal.user.id),
        "decided_at": literal(now),
    }
    await db.execute(
        insert(ReviewDecision).from_select(
            list(columns), select(*columns.values()).where(Result.id.in_(targets))
        )
    )
    values: dict[str, object] = {"review_status": NEW_STATUS[body.action]}
    if body.note:
        values["review_note"] = body.note
    updated = await db.execute(
        update(Result)
        .where(Result.id.in_(targets))
        .values(**values)
        .returning(Result.id)
        .execution_options(synchronize_session=False)
    )
    decided = len(updated.all())
    after = {"filter": where.as_dict(), "decided": decided, "note": body.note}
    event = await audit(
        db, job, f"bulk_{body.action}", "reconciliation_job", job.job.id, context, None, after
    )
    return BulkDecisionOut(action=body.action, decided=decided, audit_event_id=event.id)
