"""Request and response bodies for projects and members."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from accord.projects.permissions import Role
from accord.users.schemas import Email

# Ownership changes hands only through a transfer, never by inviting or re-roling.
GrantableRole = Literal["admin", "analyst", "viewer"]


class ProjectCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)


class ProjectUpdate(BaseModel):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)


class ProjectOut(BaseModel):
    id: uuid.UUID
    name: str
    description: str
    role: Role
    archived_at: datetime | None
    created_at: datetime


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    full_name: str
    role: Role
    added_at: datetime


class MemberInvite(BaseModel):
    email: Email
    role: GrantableRole


class MemberRoleChange(BaseModel):
    role: GrantableRole


class OwnershipTransfer(BaseModel):
    user_id: uuid.UUID
