"""Project membership: invite an existing user, change a role, remove, transfer ownership."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from accord.audit import RequestContext, record
from accord.db.models import ProjectMember, User
from accord.errors import BadRequest, Conflict, NotFound
from accord.projects.access import ProjectAccess
from accord.projects.permissions import Role
from accord.projects.repository import membership
from accord.users.repository import user_by_email, user_by_id

NO_SUCH_MEMBER = "No member with this id in this project."


async def _member(db: AsyncSession, access: ProjectAccess, user_id: uuid.UUID) -> ProjectMember:
    member = await membership(db, access.project.id, user_id)
    if member is None:
        raise NotFound(NO_SUCH_MEMBER)
    return member


def _refuse_owner(member: ProjectMember, what: str) -> None:
    if member.role == Role.owner:
        raise Conflict(f"The owner cannot be {what}; transfer ownership first.")


async def invite(
    db: AsyncSession, access: ProjectAccess, email: str, role: str, context: RequestContext
) -> tuple[ProjectMember, User]:
    user = await user_by_email(db, email)
    if user is None or not user.is_active:
        raise NotFound("No active account has this email; they need to register first.")
    if await membership(db, access.project.id, user.id) is not None:
        raise Conflict("This user is already a member of the project.")
    member = ProjectMember(project_id=access.project.id, user_id=user.id, role=role)
    db.add(member)
    await db.flush()
    await db.refresh(member)
    await record(
        db,
        access.principal.user,
        "member.added",
        "project_member",
        user.id,
        project_id=access.project.id,
        after={"email": user.email, "role": role},
        context=context,
    )
    return member, user


async def change_role(
    db: AsyncSession, access: ProjectAccess, user_id: uuid.UUID, role: str, context: RequestContext
) -> ProjectMember:
    member = await _member(db, access, user_id)
    _refuse_owner(member, "given another role")
    before = {"role": member.role}
    member.role = role
    await db.flush()
    await record(
        db,
        access.principal.user,
        "member.role_changed",
        "project_member",
        user_id,
        project_id=access.project.id,
        before=before,
        after={"role": role},
        context=context,
    )
    return member


async def remove(
    db: AsyncSession, access: ProjectAccess, user_id: uuid.UUID, context: RequestContext
) -> None:
    member = await _member(db, access, user_id)
    _refuse_owner(member, "removed")
    before = {"role": member.role}
    await db.delete(member)
    await db.flush()
    await record(
        db,
        access.principal.user,
        "member.removed",
        "project_member",
        user_id,
        project_id=access.project.id,
        before=before,
        context=context,
    )


async def transfer_ownership(
    db: AsyncSession, access: ProjectAccess, user_id: uuid.UUID, context: RequestContext
) -> None:
    """The member becomes owner; the previous owner stays on as an admin."""
    owner = access.principal.user
    if user_id == owner.id:
        raise BadRequest("You already own this project.")
    member = await _member(db, access, user_id)
    new_owner = await user_by_id(db, user_id)
    if new_owner is None or not new_owner.is_active:
        raise Conflict("Ownership can only go to an active account.")
    previous = await _member(db, access, owner.id)
    before = {"owner": str(owner.id), "new_owner_role": member.role}
    member.role = Role.owner.value
    previous.role = Role.admin.value
    await db.flush()
    await record(
        db,
        owner,
        "project.ownership_transferred",
        "project",
        access.project.id,
        project_id=access.project.id,
        before=before,
        after={"owner": str(user_id), "previous_owner_role": Role.admin.value},
        context=context,
    )
