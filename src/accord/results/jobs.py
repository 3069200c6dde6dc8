"""The job whose results a request reads or reviews: in the path's project, and succeeded.

A job of another project is a 404 exactly like a missing one, so ids reveal nothing. Only a
succeeded job has results: the worker stores them in the transaction that marks it succeeded.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accord.api.deps import SessionDep, StateDep
from accord.db.models import ReconciliationJob, ReconciliationResult, RuleSetVersion
from accord.errors import Conflict, NotFound
from accord.projects.access import ProjectAccess, ViewAccess, permission
from accord.projects.permissions import Action
from accord.results.details import ResultDetails, result_details

NO_SUCH_JOB = "No job with this id in this project."


@dataclass(frozen=True)
class JobAccess:
    """A caller's access to a succeeded job, with the rule set the job ran."""

    access: ProjectAccess
    job: ReconciliationJob
    ruleset_id: uuid.UUID
    rules: dict[str, Any]
    data_dir: Path

    async def details(self, rows: Sequence[ReconciliationResult]) -> dict[int, ResultDetails]:
        """The rows' records, explanations and differences, by result id."""
        return await result_details(self.data_dir, self.job.results_dir, rows)


async def succeeded_job(
    db: AsyncSession,
    access: ProjectAccess,
    job_id: uuid.UUID,
    data_dir: Path,
    *,
    lock: bool = False,
) -> JobAccess:
    """The project's job `job_id` if it has succeeded; `lock` serialises review writes on it."""
    query = select(ReconciliationJob).where(
        ReconciliationJob.id == job_id, ReconciliationJob.project_id == access.project.id
    )
    job = await db.scalar(query.with_for_update() if lock else query)
    if job is None:
        raise NotFound(NO_SUCH_JOB)
    if job.status != "succeeded":
        raise Conflict(
            f"The job is {job.status}; its results can be read once it has succeeded.",
            job_status=job.status,
        )
    version = (
        await db.get(RuleSetVersion, job.ruleset_version_id) if job.ruleset_version_id else None
    )
    if version is None:
        raise Conflict("The rule-set version this job ran no longer exists.")
    return JobAccess(
        access=access,
        job=job,
        ruleset_id=version.ruleset_id,
        rules=version.document,
        data_dir=data_dir,
    )


async def viewable_job(
    job_id: uuid.UUID, access: ViewAccess, db: SessionDep, state: StateDep
) -> JobAccess:
    return await succeeded_job(db, access, job_id, state.settings.app.data_dir)


ReviewAccess = Annotated[ProjectAccess, permission(Action.review_results)]


async def reviewable_job(
    job_id: uuid.UUID, access: ReviewAccess, db: SessionDep, state: StateDep
) -> JobAccess:
    # Locked until the unit of work ends: two reviewers cannot both take the same records.
    return await succeeded_job(db, access, job_id, state.settings.app.data_dir, lock=True)


ViewJob = Annotated[JobAccess, Depends(viewable_job)]
ReviewJob = Annotated[JobAccess, Depends(reviewable_job)]
