"""Projects and memberships in the database."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from accord.db.models import Project, ProjectMember, User


async def project_with_role(
    db: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID
) -> tuple[Project, str] | None:
    """The project and the user's role in it; None when it does not exist or they are no member."""
    row = (
        await db.execute(
            select(Project, ProjectMember.role)
            .join(ProjectMember, ProjectMember.project_id == Project.id)
            .where(Project.id == project_id, ProjectMember.user_id == user_id)
        )
    ).first()
    return (row[0], row[1]) if row is not None else None


async def projects_of(
    db: AsyncSession, user_id: uuid.UUID, include_archived: bool
) -> Sequence[tuple[Project, str]]:
    query = (
        select(Project, ProjectMember.role)
        .join(ProjectMember, ProjectMember.project_id == Project.id)
        .where(ProjectMember.user_id == user_id)
        .order_by(Project.created_at, Project.id)
    )
    if not include_archived:
        query = query.where(Project.archived_at.is_(None))
    return [(p, r) for p, r in (await db.execute(query)).all()]


async def members_of(
    db: AsyncSession, project_id: uuid.UUID
) -> Sequence[tuple[ProjectMember, User]]:
    rows = await db.execute(
        select(ProjectMember, User)
        .join(User, User.id == ProjectMember.user_id)
        .where(ProjectMember.project_id == project_id)
        .order_by(ProjectMember.created_at, User.email)
    )
    return [(m, u) for m, u in rows.all()]


async def membership(
    db: AsyncSession, project_id: uuid.UUID, user_id: uuid.UUID
) -> ProjectMember | None:
    return await db.get(ProjectMember, (project_id, user_id))
