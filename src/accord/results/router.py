"""`GET /projects/{id}/jobs/{job_id}/results` and `/summary`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from accord.api.deps import SessionDep
from accord.results.cursor import Cursor, SortKey, SortOrder
from accord.results.filters import ResultFilterDep
from accord.results.jobs import ViewJob
from accord.results.pages import results_page
from accord.results.schemas import JobSummary, ResultOut, ResultPage
from accord.results.search import job_filter_clauses
from accord.results.summary import job_summary

router = APIRouter(prefix="/projects/{project_id}/jobs/{job_id}", tags=["results"])


@router.get("/results", response_model=ResultPage)
async def list_results(
    job: ViewJob,
    db: SessionDep,
    where: ResultFilterDep,
    sort: SortKey = "id",
    order: SortOrder = "asc",
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ResultPage:
    """A page of the job's results, filtered and sorted; follow `next_cursor` for the next."""
    after = Cursor.decode(cursor, sort, order) if cursor else None
    clauses = await job_filter_clauses(job, where)
    page = await results_page(db, job.job.id, clauses, sort, order, limit, after)
    details = await job.details(page.items)
    return ResultPage(
        items=[ResultOut.of(r, details[r.id]) for r in page.items], next_cursor=page.next_cursor
    )


@router.get("/summary", response_model=JobSummary)
async def get_summary(job: ViewJob, db: SessionDep) -> JobSummary:
    """Counts and amount totals per kind, pass and status; match rates; open left-overs."""
    return await job_summary(db, job)
