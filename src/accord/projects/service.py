"""Creating, renaming, archiving and deleting projects; every change is audited."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit import RequestContext, record
from accord.datasets.storage import remove_files_when
from accord.db.models import Project, ProjectMember, User
from accord.projects.access import ProjectAccess
from accord.projects.permissions import Role


def _summary(project: Project) -> dict[str, object]:
    return {
        "name": project.name,
        "description": project.description,
        "archived": project.archived_at is not None,
    }


async def create_project(
    db: AsyncSession, owner: User, name: str, description: str, context: RequestContext
) -> Project:
    project = Project(id=uuid.uuid4(), name=name, description=description, created_by=owner.id)
    db.add(project)
    await db.flush()
    db.add(ProjectMember(project_id=project.id, user_id=owner.id, role=Role.owner.value))
    await db.flush()
    await record(
        db,
        owner,
        "project.created",
        "project",
        project.id,
        project_id=project.id,
        after=_summary(project),
        context=context,
    )
    return project


async def update_project(
    db: AsyncSession,
    access: ProjectAccess,
    name: str | None,
    description: str | None,
    context: RequestContext,
) -> Project:
    project = access.project
    before = _summary(project)
    if name is not None:
        project.name = name
    if description is not None:
        project.description = description
    await db.flush()
    await record(
        db,
        access.principal.user,
        "project.updated",
        "project",
        project.id,
        project_id=project.id,
        before=before,
        after=_summary(project),
        context=context,
    )
    return project


async def set_archived(
    db: AsyncSession, access: ProjectAccess, archived: bool, context: RequestContext
) -> Project:
    project = access.project
    before = _summary(project)
    project.archived_at = datetime.now(UTC) if archived else None
    await db.flush()
    await record(
        db,
        access.principal.user,
        "project.archived" if archived else "project.unarchived",
        "project",
        project.id,
        project_id=project.id,
        before=before,
        after=_summary(project),
        context=context,
    )
    return project


async def delete_project(
    db: AsyncSession, access: ProjectAccess, context: RequestContext, data_dir: Path
) -> None:
    """Delete the project and its rows; its files (uploads, results) go once that commits."""
    project = access.project
    # Recorded first: the entry outlives the project (audit rows have no foreign keys).
    await record(
        db,
        access.principal.user,
        "project.deleted",
        "project",
        project.id,
        project_id=project.id,
        before=_summary(project),
        context=context,
    )
    await db.delete(project)
    await db.flush()
    remove_files_when(db, "commit", data_dir / "projects" / str(project.id))
