"""`/projects/{project_id}/rulesets`: create, list, get, new version, dry-run."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, status
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from accord.api.deps import SessionDep, SettingsDep
from accord.audit.context import RequestContextDep
from accord.db.models import RuleSet, RuleSetVersion
from accord.projects.access import ProjectAccess, ViewAccess, permission
from accord.projects.permissions import Action
from accord.rulesets import service
from accord.rulesets.schemas import (
    DryRunOut,
    DryRunRequest,
    RuleSetCreate,
    RuleSetOut,
    RuleSetUpdate,
    RuleSetVersionOut,
)

router = APIRouter(prefix="/projects/{project_id}/rulesets", tags=["rulesets"])
RulesAccess = Annotated[ProjectAccess, permission(Action.manage_rules)]
RunAccess = Annotated[ProjectAccess, permission(Action.run_reconciliation)]


def _version_out(version: RuleSetVersion) -> RuleSetVersionOut:
    return RuleSetVersionOut.model_validate(version, from_attributes=True)


def _out(ruleset: RuleSet, latest: RuleSetVersion, versions: list[int]) -> RuleSetOut:
    return RuleSetOut(
        id=ruleset.id,
        name=ruleset.name,
        latest_version=ruleset.latest_version,
        latest=_version_out(latest),
        versions=versions,
        created_at=ruleset.created_at,
    )


@router.post("", response_model=RuleSetOut, status_code=status.HTTP_201_CREATED)
async def create_ruleset(
    access: RulesAccess, db: SessionDep, context: RequestContextDep, body: RuleSetCreate
) -> RuleSetOut:
    """Store a rules document as version 1, after the engine validated it (422 lists errors)."""
    ruleset, version = await service.create_ruleset(
        db, access.principal.user, access.project.id, body.name, body.document, context
    )
    await db.refresh(ruleset)
    return _out(ruleset, version, [1])


@router.get("", response_model=list[RuleSetOut])
async def list_rulesets(access: ViewAccess, db: SessionDep) -> list[RuleSetOut]:
    """The project's rule sets with their latest version."""
    rulesets = list(
        await db.scalars(
            select(RuleSet).where(RuleSet.project_id == access.project.id).order_by(RuleSet.name)
        )
    )
    return [
        _out(r, await service.get_version(db, r, None), await service.version_numbers(db, r.id))
        for r in rulesets
    ]


@router.get("/{ruleset_id}", response_model=RuleSetOut)
async def get_ruleset(access: ViewAccess, db: SessionDep, ruleset_id: uuid.UUID) -> RuleSetOut:
    """One rule set, its latest document and the numbers of all its versions."""
    ruleset = await service.get_ruleset(db, access.project.id, ruleset_id)
    latest = await service.get_version(db, ruleset, None)
    return _out(ruleset, latest, await service.version_numbers(db, ruleset.id))


@router.get("/{ruleset_id}/versions/{version}", response_model=RuleSetVersionOut)
async def get_ruleset_version(
    access: ViewAccess, db: SessionDep, ruleset_id: uuid.UUID, version: int
) -> RuleSetVersionOut:
    """One version exactly as it was stored (jobs record the version they ran)."""
    ruleset = await service.get_ruleset(db, access.project.id, ruleset_id)
    return _version_out(await service.get_version(db, ruleset, version))


@router.put("/{ruleset_id}", response_model=RuleSetOut)
async def update_ruleset(
    access: RulesAccess,
    db: SessionDep,
    context: RequestContextDep,
    ruleset_id: uuid.UUID,
    body: RuleSetUpdate,
) -> RuleSetOut:
    """Save a new version of the rules; earlier versions are kept unchanged."""
    ruleset = await service.get_ruleset(db, access.project.id, ruleset_id, for_update=True)
    version = await service.add_version(
        db, access.principal.user, ruleset, body.document, body.name, context
    )
    return _out(ruleset, version, await service.version_numbers(db, ruleset.id))


@router.post("/{ruleset_id}/dry-run", response_model=DryRunOut)
async def dry_run(
    access: RunAccess,
    db: SessionDep,
    settings: SettingsDep,
    ruleset_id: uuid.UUID,
    body: DryRunRequest,
) -> DryRunOut:
    """Run the rules on samples of two data sets and return the summary; nothing is stored."""
    ruleset = await service.get_ruleset(db, access.project.id, ruleset_id)
    version = await service.get_version(db, ruleset, body.version)
    left = await service.ready_dataset(db, access.project.id, body.left_dataset_id)
    right = await service.ready_dataset(db, access.project.id, body.right_dataset_id)
    assert left.parquet_path is not None
    assert right.parquet_path is not None
    data_dir = settings.app.data_dir
    sampled, summary = await run_in_threadpool(
        service.dry_run,
        data_dir / left.parquet_path,
        data_dir / right.parquet_path,
        version.document,
        body.sample_rows,
    )
    return DryRunOut(version=version.version, sampled=sampled, summary=summary)
