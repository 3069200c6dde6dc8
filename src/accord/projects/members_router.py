"""`/projects/{id}/members` and ownership transfer."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from accord.api.deps import SessionDep
from accord.audit.context import RequestContextDep
from accord.projects import members
from accord.projects.access import MembersAccess, TransferAccess, ViewAccess
from accord.projects.permissions import Role
from accord.projects.repository import members_of
from accord.projects.schemas import MemberInvite, MemberOut, MemberRoleChange, OwnershipTransfer
from accord.users.repository import user_by_id

router = APIRouter(prefix="/projects/{project_id}", tags=["members"])


@router.get("/members", response_model=list[MemberOut])
async def list_members(access: ViewAccess, db: SessionDep) -> list[MemberOut]:
    """Everyone in the project and their role."""
    rows = await members_of(db, access.project.id)
    return [
        MemberOut(
            user_id=u.id,
            email=u.email,
            full_name=u.full_name,
            role=Role(m.role),
            added_at=m.created_at,
        )
        for m, u in rows
    ]


@router.post("/members", response_model=MemberOut, status_code=status.HTTP_201_CREATED)
async def invite_member(
    body: MemberInvite, access: MembersAccess, db: SessionDep, context: RequestContextDep
) -> MemberOut:
    """Add an existing account by email with a role (owner, admin)."""
    member, user = await members.invite(db, access, body.email, body.role, context)
    return MemberOut(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=Role(member.role),
        added_at=member.created_at,
    )


@router.patch("/members/{user_id}", response_model=MemberOut)
async def change_member_role(
    user_id: uuid.UUID,
    body: MemberRoleChange,
    access: MembersAccess,
    db: SessionDep,
    context: RequestContextDep,
) -> MemberOut:
    """Give a member another role (owner, admin; the owner's role changes only by transfer)."""
    member = await members.change_role(db, access, user_id, body.role, context)
    user = await user_by_id(db, user_id)
    assert user is not None, "a membership implies its user"
    return MemberOut(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=Role(member.role),
        added_at=member.created_at,
    )


@router.delete("/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
async def remove_member(
    user_id: uuid.UUID, access: MembersAccess, db: SessionDep, context: RequestContextDep
) -> None:
    """Take a member out of the project (owner, admin; not the owner)."""
    await members.remove(db, access, user_id, context)


@router.post("/transfer", status_code=status.HTTP_204_NO_CONTENT)
async def transfer_ownership(
    body: OwnershipTransfer, access: TransferAccess, db: SessionDep, context: RequestContextDep
) -> None:
    """Hand the project to another member (owner only); the previous owner becomes an admin."""
    await members.transfer_ownership(db, access, body.user_id, context)
