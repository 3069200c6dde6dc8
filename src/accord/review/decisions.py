"""Review decisions as the worker reads them on a re-run, and their audit entries.

Decisions are scoped to (project, left data set, right data set, rule set). A new decision on
a set of records supersedes every live decision on exactly those records: the worker joins
live decisions to the engine's matches by their ids, so two live decisions on one pair would
double that match in the next run.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit import record
from accord.audit.context import RequestContext
from accord.db.models import AuditEvent, ReviewDecision
from accord.results.jobs import JobAccess


def same_scope(job: JobAccess) -> Any:
    return and_(
        ReviewDecision.project_id == job.job.project_id,
        ReviewDecision.left_dataset_id == job.job.left_dataset_id,
        ReviewDecision.right_dataset_id == job.job.right_dataset_id,
        ReviewDecision.ruleset_id == job.ruleset_id,
        ReviewDecision.superseded_at.is_(None),
    )


async def decide(
    db: AsyncSession,
    job: JobAccess,
    action: str,
    left_ids: list[str],
    right_ids: list[str],
    note: str,
) -> ReviewDecision:
    """Store a decision on exactly these records, retiring earlier live ones on them."""
    now = datetime.now(UTC)
    # Serialise decisions per scope: reviewers in two jobs of the same scope (different
    # result rows, so no shared row lock) could otherwise both leave a live decision.
    scope = (
        f"{job.job.project_id}:{job.job.left_dataset_id}:{job.job.right_dataset_id}:"
        f"{job.ruleset_id}"
    )
    await db.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:scope, 0))"), {"scope": scope}
    )
    await db.execute(
        update(ReviewDecision)
        .where(
            same_scope(job),
            # Containment both ways is set equality, whatever order the ids were listed in.
            ReviewDecision.left_ids.contains(left_ids),
            ReviewDecision.left_ids.contained_by(left_ids),
            ReviewDecision.right_ids.contains(right_ids),
            ReviewDecision.right_ids.contained_by(right_ids),
        )
        .values(superseded_at=now)
        .execution_options(synchronize_session=False)
    )
    decision = ReviewDecision(
        project_id=job.job.project_id,
        job_id=job.job.id,
        left_dataset_id=job.job.left_dataset_id,
        right_dataset_id=job.job.right_dataset_id,
        ruleset_id=job.ruleset_id,
        action=action,
        left_ids=left_ids,
        right_ids=right_ids,
        note=note,
        decided_by=job.access.principal.user.id,
        decided_at=now,
    )
    db.add(decision)
    await db.flush()
    return decision


async def audit(
    db: AsyncSession,
    job: JobAccess,
    action: str,
    object_type: str,
    object_id: object,
    context: RequestContext,
    before: dict[str, Any] | None,
    after: dict[str, Any],
) -> AuditEvent:
    """Who did what to which result, and why (`after.note`), on the project's trail."""
    return await record(
        db,
        job.access.principal.user,
        f"review.{action}",
        object_type,
        str(object_id),
        project_id=job.job.project_id,
        before=before,
        after={"job_id": str(job.job.id), **after},
        context=context,
    )
