"""`GET /projects/{id}/audit`: a project's audit trail for its owners and admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query

from accord.api.deps import SessionDep
from accord.audit.schemas import AuditEventOut, AuditPage
from accord.audit.service import AuditFilter, project_events
from accord.projects.access import AuditAccess

router = APIRouter(prefix="/projects/{project_id}", tags=["audit"])


@router.get("/audit", response_model=AuditPage)
async def project_audit(
    access: AuditAccess,
    db: SessionDep,
    action: Annotated[str | None, Query(max_length=100, description="'member.' = prefix")] = None,
    actor_id: uuid.UUID | None = None,
    object_type: Annotated[str | None, Query(max_length=50)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before: Annotated[int | None, Query(ge=1, description="continue below this id")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """The project's events, newest first, filtered and paged (owner, admin)."""
    where = AuditFilter(
        action=action, actor_id=actor_id, object_type=object_type, since=since, until=until
    )
    events = await project_events(db, access.project.id, where, before, limit + 1)
    page = events[:limit]
    return AuditPage(
        items=[AuditEventOut.model_validate(e) for e in page],
        next_before=page[-1].id if len(events) > limit else None,
    )
