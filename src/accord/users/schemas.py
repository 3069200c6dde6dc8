"""Request and response bodies for accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# Deliberately loose: the address is checked by the mail that reaches it, not by a regex.
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$"
    ),
]
# Length rules live in the password policy, so its refusal can name the rule; this only
# bounds the request size.
Password = Annotated[str, Field(max_length=1024)]


class RegisterRequest(BaseModel):
    email: Email
    password: Password
    full_name: str = Field("", max_length=200)


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    full_name: str
    is_admin: bool
    is_active: bool
    created_at: datetime


class UsersPage(BaseModel):
    items: list[UserOut]
    total: int
    offset: int
    limit: int


class ChangePasswordRequest(BaseModel):
    current_password: Password
    new_password: Password
