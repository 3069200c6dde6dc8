"""Request and response bodies for signing in and out."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from accord.users.schemas import Email, Password


class LoginRequest(BaseModel):
    email: Email
    password: Password
    # bearer: tokens in the body, for API clients; cookie: HttpOnly cookies, for browsers.
    client: Literal["bearer", "cookie"] = "bearer"


class RefreshRequest(BaseModel):
    # Bearer clients send the token here; cookie clients leave it out and send the cookie.
    refresh_token: str | None = Field(None, max_length=200)


class SignedIn(BaseModel):
    """Bearer clients get both tokens; cookie clients get them as cookies, plus the CSRF token."""

    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (a scheme name, not a secret)
    expires_in: int
    access_token: str | None = None
    refresh_token: str | None = None
    refresh_expires_in: int | None = None
    csrf_token: str | None = None


class ResetRequest(BaseModel):
    email: Email


class ResetConfirm(BaseModel):
    token: str = Field(max_length=200)
    new_password: Password
