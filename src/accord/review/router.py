"""Review endpoints under `/projects/{id}/jobs/{job_id}` (roles allowed to review results)."""

from __future__ import annotations

from fastapi import APIRouter, status

from accord.api.deps import SessionDep
from accord.audit.context import RequestContextDep
from accord.results.filters import ResultFilterDep
from accord.results.jobs import ReviewJob
from accord.review import service
from accord.review.bulk import bulk_decide
from accord.review.manual import manual_match
from accord.review.schemas import (
    BulkDecisionIn,
    BulkDecisionOut,
    DecisionNote,
    ManualMatchIn,
    NoteUpdate,
    ReviewOut,
)

router = APIRouter(prefix="/projects/{project_id}/jobs/{job_id}", tags=["review"])
_NO_NOTE = DecisionNote()


@router.post("/results/{result_id}/confirm", response_model=ReviewOut)
async def confirm_suggestion(
    result_id: int,
    job: ReviewJob,
    db: SessionDep,
    context: RequestContextDep,
    body: DecisionNote | None = None,
) -> ReviewOut:
    """Confirm a suggested match; re-runs keep it confirmed."""
    return await service.confirm(db, job, result_id, (body or _NO_NOTE).note, context)


@router.post("/results/{result_id}/reject", response_model=ReviewOut)
async def reject_suggestion(
    result_id: int,
    job: ReviewJob,
    db: SessionDep,
    context: RequestContextDep,
    body: DecisionNote | None = None,
) -> ReviewOut:
    """Reject a suggested match; re-runs keep it rejected."""
    return await service.reject(db, job, result_id, (body or _NO_NOTE).note, context)


@router.post("/results/{result_id}/unmatch", response_model=ReviewOut)
async def unmatch_result(
    result_id: int,
    job: ReviewJob,
    db: SessionDep,
    context: RequestContextDep,
    body: DecisionNote | None = None,
) -> ReviewOut:
    """Undo a match (automatic, confirmed or manual); its records become left-overs again."""
    return await service.unmatch(db, job, result_id, (body or _NO_NOTE).note, context)


@router.put("/results/{result_id}/note", response_model=ReviewOut)
async def annotate_result(
    result_id: int, body: NoteUpdate, job: ReviewJob, db: SessionDep, context: RequestContextDep
) -> ReviewOut:
    """Set or clear the note on a result."""
    return await service.set_note(db, job, result_id, body.note, context)


@router.post("/manual-matches", response_model=ReviewOut, status_code=status.HTTP_201_CREATED)
async def create_manual_match(
    body: ManualMatchIn, job: ReviewJob, db: SessionDep, context: RequestContextDep
) -> ReviewOut:
    """Match free left and right records by hand, with a note saying why."""
    return await manual_match(db, job, body.left_ids, body.right_ids, body.note, context)


@router.post("/review/bulk", response_model=BulkDecisionOut)
async def bulk_review(
    body: BulkDecisionIn,
    where: ResultFilterDep,
    job: ReviewJob,
    db: SessionDep,
    context: RequestContextDep,
) -> BulkDecisionOut:
    """Confirm or reject every pending suggestion the filter (as for the listing) selects."""
    return await bulk_decide(db, job, where, body, context)
