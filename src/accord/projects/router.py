"""`/projects`: create, list, get, rename, archive, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from accord.api.deps import SessionDep, SettingsDep
from accord.audit.context import RequestContextDep
from accord.auth.deps import CurrentPrincipal
from accord.db.models import Project
from accord.projects import service
from accord.projects.access import ArchiveAccess, DeleteAccess, RenameAccess, ViewAccess
from accord.projects.permissions import Role
from accord.projects.repository import projects_of
from accord.projects.schemas import ProjectCreate, ProjectOut, ProjectUpdate

router = APIRouter(prefix="/projects", tags=["projects"])


def _out(project: Project, role: Role | str) -> ProjectOut:
    return ProjectOut(
        id=project.id,
        name=project.name,
        description=project.description,
        role=Role(role),
        archived_at=project.archived_at,
        created_at=project.created_at,
    )


@router.post("", response_model=ProjectOut, status_code=status.HTTP_201_CREATED)
async def create_project(
    body: ProjectCreate, principal: CurrentPrincipal, db: SessionDep, context: RequestContextDep
) -> ProjectOut:
    """Create a project; the caller becomes its owner."""
    project = await service.create_project(db, principal.user, body.name, body.description, context)
    await db.refresh(project)
    return _out(project, Role.owner)


@router.get("", response_model=list[ProjectOut])
async def list_projects(
    principal: CurrentPrincipal,
    db: SessionDep,
    include_archived: Annotated[bool, Query()] = False,
) -> list[ProjectOut]:
    """The projects the caller is a member of, with their role in each."""
    rows = await projects_of(db, principal.user.id, include_archived)
    return [_out(project, role) for project, role in rows]


@router.get("/{project_id}", response_model=ProjectOut)
async def get_project(access: ViewAccess) -> ProjectOut:
    """One project (404 unless the caller is a member)."""
    return _out(access.project, access.role)


@router.patch("/{project_id}", response_model=ProjectOut)
async def update_project(
    body: ProjectUpdate, access: RenameAccess, db: SessionDep, context: RequestContextDep
) -> ProjectOut:
    """Rename a project or change its description (owner, admin)."""
    project = await service.update_project(db, access, body.name, body.description, context)
    await db.refresh(project)
    return _out(project, access.role)


@router.post("/{project_id}/archive", response_model=ProjectOut)
async def archive_project(
    access: ArchiveAccess, db: SessionDep, context: RequestContextDep
) -> ProjectOut:
    """Archive a project: it stays readable but nothing in it can change (owner, admin)."""
    project = await service.set_archived(db, access, True, context)
    return _out(project, access.role)


@router.post("/{project_id}/unarchive", response_model=ProjectOut)
async def unarchive_project(
    access: ArchiveAccess, db: SessionDep, context: RequestContextDep
) -> ProjectOut:
    """Make an archived project writable again (owner, admin)."""
    project = await service.set_archived(db, access, False, context)
    return _out(project, access.role)


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_project(
    access: DeleteAccess, db: SessionDep, settings: SettingsDep, context: RequestContextDep
) -> None:
    """Delete a project and everything in it, files included (owner only); its audit
    entries are kept."""
    await service.delete_project(db, access, context, settings.app.data_dir)
