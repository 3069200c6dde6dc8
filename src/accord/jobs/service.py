"""Job use cases for the API: queue a reconciliation, read it, cancel it."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from accord import audit
from accord.audit.context import RequestContext
from accord.db.models import ReconciliationJob, RuleSetVersion, User
from accord.errors import Conflict, NotFound
from accord.jobs.queue import notify_change
from accord.jobs.schemas import JobCreate, JobOut
from accord.rulesets import service as rulesets

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})


async def get_job(db: AsyncSession, project_id: uuid.UUID, job_id: uuid.UUID) -> ReconciliationJob:
    job = await db.scalar(
        select(ReconciliationJob).where(
            ReconciliationJob.id == job_id, ReconciliationJob.project_id == project_id
        )
    )
    if job is None:
        raise NotFound("No job with this id in this project.")
    return job


async def job_out(db: AsyncSession, job: ReconciliationJob) -> JobOut:
    version = (
        await db.get(RuleSetVersion, job.ruleset_version_id) if job.ruleset_version_id else None
    )
    out = JobOut.model_validate(job, from_attributes=True)
    if version is not None:
        out.ruleset_id = version.ruleset_id
        out.ruleset_version = version.version
    return out


async def create_job(
    db: AsyncSession, user: User, project_id: uuid.UUID, body: JobCreate, context: RequestContext
) -> ReconciliationJob:
    """Queue a run of one rule-set version over two ready data sets; a worker picks it up."""
    ruleset = await rulesets.get_ruleset(db, project_id, body.ruleset_id)
    version = await rulesets.get_version(db, ruleset, body.ruleset_version)
    left = await rulesets.ready_dataset(db, project_id, body.left_dataset_id)
    right = await rulesets.ready_dataset(db, project_id, body.right_dataset_id)
    job = ReconciliationJob(
        id=uuid.uuid4(),
        project_id=project_id,
        created_by=user.id,
        status="queued",
        phase="queued",
        progress=0.0,
        left_dataset_id=left.id,
        right_dataset_id=right.id,
        ruleset_version_id=version.id,
        params={"ruleset": ruleset.name, "version": version.version},
    )
    db.add(job)
    await db.flush()
    await notify_change(db, job.id)
    await audit.record(
        db,
        user,
        "job.create",
        "job",
        job.id,
        project_id=project_id,
        after={
            "left": left.name,
            "right": right.name,
            "ruleset": ruleset.name,
            "version": version.version,
        },
        context=context,
    )
    return job


async def cancel_job(
    db: AsyncSession, user: User, job: ReconciliationJob, context: RequestContext
) -> ReconciliationJob:
    """A queued job ends now; a running one stops at its next check (within seconds)."""
    if job.status in TERMINAL:
        raise Conflict(f"The job already ended ({job.status}); nothing to cancel.")
    # Conditional statements, not a read-modify-write: a worker may claim the job meanwhile,
    # and then it is running and must be asked to stop, not marked cancelled under it.
    ended = await db.execute(
        update(ReconciliationJob)
        .where(ReconciliationJob.id == job.id, ReconciliationJob.status == "queued")
        .values(
            status="cancelled",
            phase="cancelled",
            cancel_requested=True,
            finished_at=func.now(),
            updated_at=func.now(),
        )
    )
    if not ended.rowcount:  # type: ignore[attr-defined]
        await db.execute(
            update(ReconciliationJob)
            .where(ReconciliationJob.id == job.id, ReconciliationJob.status == "running")
            .values(cancel_requested=True, updated_at=func.now())
        )
    await db.refresh(job)
    await notify_change(db, job.id)
    await audit.record(
        db,
        user,
        "job.cancel",
        "job",
        job.id,
        project_id=job.project_id,
        after={"status": job.status},
        context=context,
    )
    return job
